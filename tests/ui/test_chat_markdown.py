"""Markdown segmentation, the streaming cut points, and code highlighting (no widgets)."""

from __future__ import annotations

import itertools
from random import Random

from hypothesis import given, settings
from hypothesis import strategies as st

from codeface.ui import highlight
from codeface.ui.chat.markdown import (
    CodeSegment,
    HtmlColors,
    Segment,
    TextSegment,
    mark_terms,
    merge_text,
    open_fence,
    render_segments,
    safe_cuts,
    stable_boundary,
)


def test_fenced_code_becomes_its_own_segment_between_text() -> None:
    segments = render_segments("Intro **bold**\n\n```python\nprint('hi')\n```\n\nAfter")
    assert [type(segment) for segment in segments] == [TextSegment, CodeSegment, TextSegment]
    assert "<strong>bold</strong>" in segments[0].html
    assert segments[1] == CodeSegment("print('hi')", "python")
    assert "After" in segments[2].html


def test_raw_html_from_a_model_is_escaped_not_rendered() -> None:
    (segment,) = render_segments('<img src="http://evil/x.png"> <b>x</b>')
    assert isinstance(segment, TextSegment)
    assert "<img" not in segment.html
    assert "&lt;img" in segment.html


def test_tables_lists_and_inline_code_render() -> None:
    (segment,) = render_segments("| a | b |\n|---|---|\n| 1 | 2 |\n\n- one\n- `two`\n")
    assert isinstance(segment, TextSegment)
    assert "<table" in segment.html
    assert "<td" in segment.html
    assert "<li" in segment.html
    assert "<code" in segment.html


def test_stable_boundary_stops_before_an_open_fence_and_after_a_closed_one() -> None:
    text = "Para one.\n\n```py\nx = 1\n"
    cut = stable_boundary(text)
    assert text[:cut] == "Para one.\n\n"
    assert open_fence(text[cut:]) == ("py", "x = 1\n")
    closed = text + "```\nTail"
    assert closed[: stable_boundary(closed)].endswith("```\n")


def test_stable_boundary_ignores_blank_lines_inside_fences() -> None:
    text = "```\na\n\nb\n"
    assert stable_boundary(text) == 0


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.sampled_from(["word ", "\n", "\n\n", "```py\n", "```\n", "x = 1\n", "- item\n"]),
        max_size=30,
    )
)
def test_committed_prefix_renders_the_same_however_the_text_was_chunked(parts: list[str]) -> None:
    text = "".join(parts)
    incremental = 0
    seen = ""
    for part in parts:
        seen += part
        incremental = stable_boundary(seen, incremental)
    assert incremental == stable_boundary(text)
    assert incremental <= len(text)


def test_mark_terms_marks_text_but_not_tags() -> None:
    marked = mark_terms('<p style="x">Find the code</p>', "code", HtmlColors(mark="#ff0"))
    assert "background-color:#ff0" in marked
    assert marked.count("<span style=") == 1
    assert 'style="x"' in marked


def test_highlight_uses_the_fence_language_and_caches() -> None:
    html = highlight.highlight_html("def f():\n    return 1", "python", "default")
    assert "<span" in html
    assert "def" in html
    assert highlight.highlight_html("def f():\n    return 1", "python", "default") is html


def test_big_code_is_not_highlighted() -> None:
    code = "x = 1\n" * (highlight.PLAIN_THRESHOLD // 6 + 10)
    assert not highlight.is_highlighted(code)
    assert "<span" not in highlight.highlight_html(code, "python", "default")


def test_unknown_language_falls_back_to_plain_text() -> None:
    assert highlight.highlight_html("a < b", "no-such-language", "default") == "a &lt; b"
    assert highlight.language_label("echo hi", "no-such-language") == "no-such-language"


_BLOCKS = [
    "word ",
    "\n",
    "\n\n",
    "```py\n",
    "```\n",
    "  ```\n",
    "x = 1\n",
    "    indented\n",
    "- item\n",
    "  more\n",
    "2. second\n",
    "> quote\n",
    "| a | b |\n|---|---|\n",
    "| 1 | 2 |\n",
    "## Title\n",
    "---\n",
    "Text with `code` and **bold**.\n",
    "[link](http://x) ",
]


def _merged(segments: list[Segment]) -> list[Segment]:
    merged: list[Segment] = []
    for segment in segments:
        previous = merged[-1] if merged else None
        if isinstance(segment, TextSegment) and isinstance(previous, TextSegment):
            merged[-1] = merge_text([previous, segment])
        else:
            merged.append(segment)
    return merged


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_BLOCKS), max_size=25), st.randoms(use_true_random=False))
def test_a_text_cut_at_safe_cuts_renders_like_the_whole_text(
    parts: list[str], random: Random
) -> None:
    text = "".join(parts)
    cuts = sorted(cut for cut in safe_cuts(text) if 0 < cut < len(text))
    chosen = [cut for cut in cuts if random.random() < 0.7]
    bounds = [0, *chosen, len(text)]
    pieces: list[Segment] = []
    for start, end in itertools.pairwise(bounds):
        pieces.extend(render_segments(text[start:end]))
    whole = render_segments(text)
    assert _merged(pieces) == whole
    assert [s.html for s in _merged(pieces) if isinstance(s, TextSegment)] == [
        s.html for s in whole if isinstance(s, TextSegment)
    ]


def test_list_items_and_quotes_after_a_blank_line_are_not_safe_cuts() -> None:
    loose = "- one\n\n- two\n"
    assert stable_boundary(loose) == len("- one\n\n")  # streamed in two parts...
    assert len("- one\n\n") not in safe_cuts(loose)  # ...but one loose list when done
    assert len("> a\n\n") not in safe_cuts("> a\n\n> b\n")
    assert len("Para.\n\n") in safe_cuts("Para.\n\nNext.\n")
    assert len("Para.\n\n") in safe_cuts("Para.\n\n- a list after a paragraph\n")
    assert safe_cuts("See [x].\n\n[x]: http://example.com\n") == set()
