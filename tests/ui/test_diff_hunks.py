"""Hunks, merging and unified-diff parsing (pure, no Qt).

Accepting every hunk gives the new text, rejecting every hunk the old one, and any
subset merges cleanly: each accepted hunk applies on its own, patch-style, in any order,
to the same result. A unified diff written by difflib reads back as the same hunks.
"""

from __future__ import annotations

import difflib

from hypothesis import example, given
from hypothesis import strategies as st

from codeface.ui.diff.hunks import (
    Hunk,
    diff_hunks,
    format_unified,
    merge,
    parse_unified,
    side_by_side,
    split_lines,
)
from codeface.ui.diff.layout import SideTexts, split_rows, unified_rows

# Few distinct lines, so old and new share lines and hunks interleave with context.
LINES = st.sampled_from(["a\n", "b\n", "c\n", "def f():\n", "    return 1\n", "\n", "x\r\n"])
TEXTS = st.builds(
    lambda lines, tail: "".join(lines) + tail,
    st.lists(LINES, max_size=40),
    st.sampled_from(["", "end", "last line without newline"]),
)


def apply_patch_style(text: str, hunk: Hunk, at: int | None = None) -> str:
    """Apply one hunk the way `patch` does: its old lines (context and removed) must be in
    ``text`` (at line ``at`` when given); they are replaced by its new lines. An
    independent check of `merge`."""
    lines = split_lines(text)
    old_side = [line.text for line in hunk.lines if line.kind != "+"]
    new_side = [line.text for line in hunk.lines if line.kind != "-"]
    starts = [at] if at is not None else range(len(lines) - len(old_side) + 1)
    for start in starts:
        if lines[start : start + len(old_side)] == old_side:
            return "".join(lines[:start] + new_side + lines[start + len(old_side) :])
    raise AssertionError(f"hunk {hunk.header} does not apply")


@given(TEXTS, TEXTS)
@example("a\nb\n", "a\nb")
@example("", "new file\n")
@example("line\r\nother\r\n", "line\r\nchanged\r\n")
def test_accepting_all_gives_the_new_text_and_none_the_old(old: str, new: str) -> None:
    hunks = diff_hunks(old, new)
    assert merge(old, new, hunks, set(range(len(hunks)))) == new
    assert merge(old, new, hunks, set()) == old
    assert (hunks == []) == (old == new)


@given(TEXTS, TEXTS, st.integers(min_value=0, max_value=2**20))
@example("a\nb\nc\nd\ne\nf\ng\nh\ni\n", "A\nb\nc\nd\ne\nf\ng\nh\nI\n", 0b10)
def test_any_subset_of_hunks_merges_cleanly(old: str, new: str, mask: int) -> None:
    hunks = diff_hunks(old, new)
    chosen = {index for index in range(len(hunks)) if mask >> index & 1}
    merged = merge(old, new, hunks, chosen)
    # Each accepted hunk, with its context, applies where it says on its own (last
    # first, so the lines before it are still the old ones): no hunk needs another.
    patched = old
    for index in sorted(chosen, reverse=True):
        patched = apply_patch_style(patched, hunks[index], at=hunks[index].old_start)
    assert merged == patched
    # What was rejected is still to do: accepting it too gives the new text.
    assert merge(old, new, hunks, set(range(len(hunks)))) == new


@given(TEXTS, TEXTS)
def test_each_hunk_with_context_applies_patch_style(old: str, new: str) -> None:
    hunks = diff_hunks(old, new)
    text = old
    for hunk in reversed(hunks):
        text = apply_patch_style(text, hunk)
    assert text == new


@given(TEXTS, TEXTS)
@example("a\nb\nc", "a\nB\nc")
def test_a_difflib_unified_diff_reads_back_as_the_same_hunks(old: str, new: str) -> None:
    written = "".join(
        line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
        for line in difflib.unified_diff(
            split_lines(old), split_lines(new), "a/f.py", "b/f.py", lineterm="\n"
        )
    )
    files = parse_unified(written)
    hunks = diff_hunks(old, new)
    if not hunks:
        assert files == [] or files[0].hunks == ()
        return
    (found,) = files
    assert found.path == "f.py"
    assert [h.lines for h in found.hunks] == [h.lines for h in hunks]
    assert [(h.old_start, h.old_end, h.new_start, h.new_end) for h in found.hunks] == [
        (h.old_start, h.old_end, h.new_start, h.new_end) for h in hunks
    ]
    assert parse_unified(format_unified(hunks))[0].hunks == found.hunks


def test_parse_keeps_several_files_and_skips_git_noise() -> None:
    diff = (
        "diff --git a/one.py b/one.py\nindex 1..2 100644\n--- a/one.py\n+++ b/one.py\n"
        "@@ -1 +1 @@\n-old\n+new\n"
        "diff --git a/two.py b/two.py\nnew file mode 100644\n--- /dev/null\n+++ b/two.py\n"
        "@@ -0,0 +1,2 @@ def f\n+first\n+second\n"
    )
    one, two = parse_unified(diff)
    assert (one.path, one.creates, one.hunks[0].removed, one.hunks[0].added) == (
        "one.py",
        False,
        1,
        1,
    )
    assert (two.path, two.creates, two.hunks[0].added, two.hunks[0].section) == (
        "two.py",
        True,
        2,
        "def f",
    )
    assert two.hunks[0].header == "@@ -0,0 +1,2 @@ def f"


def test_a_broken_diff_keeps_what_it_could_read() -> None:
    files = parse_unified("--- a/x\n+++ b/x\n@@ -1,3 +1,3 @@\n a\n-b\n+B\ngarbage here\n")
    (hunk,) = files[0].hunks
    assert [line.kind for line in hunk.lines] == [" ", "-", "+"]


def test_side_by_side_pairs_removed_lines_with_their_replacements() -> None:
    (hunk,) = diff_hunks("a\nb\nc\nd\n", "a\nB\nC\nX\nd\n", context=1)
    rows = side_by_side(hunk)
    shown = [(old.content if old else None, new.content if new else None) for old, new in rows]
    assert shown == [("a", "a"), ("b", "B"), ("c", "C"), (None, "X"), ("d", "d")]
    texts = SideTexts([], [])
    left, right = split_rows([hunk], texts)
    assert len(left) == len(right) == len(rows) + 1
    assert [row.kind for row in right] == ["hunk", " ", "+", "+", "+", " "]
    assert [row.kind for row in left] == ["hunk", " ", "-", "-", "filler", " "]
    unified = unified_rows([hunk], SideTexts([], []))
    assert [(row.kind, row.old_number, row.new_number) for row in unified[1:3]] == [
        (" ", 1, 1),
        ("-", 2, None),
    ]


def test_line_endings_and_a_missing_final_newline_survive_a_partial_merge() -> None:
    old = "one\r\ntwo\r\nthree\r\nfour\r\nfive\r\nsix\r\nseven\r\neight\r\nnine"
    new = old.replace("two", "TWO").replace("nine", "NINE\r\n")
    hunks = diff_hunks(old, new, context=1)
    assert len(hunks) == 2
    assert merge(old, new, hunks, {0}) == old.replace("two", "TWO")
    assert merge(old, new, hunks, {1}) == old.replace("nine", "NINE\r\n")
