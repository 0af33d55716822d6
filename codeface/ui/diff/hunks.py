"""Hunks of a diff, and merging the ones the user accepted. Pure Python, no Qt.

`diff_hunks(old, new)` cuts the change from ``old`` to ``new`` into hunks with a few lines
of context (the grouping of ``diff -u``); `merge(old, new, hunks, accepted)` writes the
text that takes the accepted hunks from ``new`` and keeps ``old`` everywhere else. Hunks
never overlap, so every subset merges: accepting all gives ``new``, none gives ``old``.

`parse_unified` reads a unified diff (an agent's proposed edit arrives as one) into the
same `Hunk` shape for display; such hunks know only the lines they show, so they are
read-only. Lines keep their line endings, so CRLF files and a missing final newline
survive a merge byte for byte.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Literal

LineKind = Literal[" ", "-", "+"]
DEFAULT_CONTEXT = 3
_HEADER = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@(.*)$")


def split_lines(text: str) -> list[str]:
    """``text`` cut after each ``\\n`` (line endings kept; ``"".join`` gives it back)."""
    if not text:
        return []
    parts = text.split("\n")
    lines = [part + "\n" for part in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


@dataclass(frozen=True)
class DiffLine:
    """One line of a hunk: context (" "), removed ("-") or added ("+"), with its ending."""

    kind: LineKind
    text: str
    old_number: int | None = None
    """1-based line number in the old text (None for an added line)."""
    new_number: int | None = None
    """1-based line number in the new text (None for a removed line)."""

    @property
    def content(self) -> str:
        """The text without its line ending."""
        return self.text.rstrip("\r\n")

    @property
    def ends_line(self) -> bool:
        """False for a last line that has no newline."""
        return self.text.endswith("\n")


@dataclass(frozen=True)
class Hunk:
    """A run of changes with context. ``old_start``/``old_end`` index the old text's lines
    (0-based, end exclusive), ``new_start``/``new_end`` the new text's."""

    old_start: int
    old_end: int
    new_start: int
    new_end: int
    lines: tuple[DiffLine, ...] = field(default=())
    section: str = ""
    """What ``diff`` prints after the second ``@@`` (often the enclosing function)."""

    @property
    def added(self) -> int:
        """Lines this hunk adds."""
        return sum(1 for line in self.lines if line.kind == "+")

    @property
    def removed(self) -> int:
        """Lines this hunk removes."""
        return sum(1 for line in self.lines if line.kind == "-")

    @property
    def header(self) -> str:
        """``@@ -start,count +start,count @@`` as ``diff -u`` writes it."""

        def span(start: int, end: int) -> str:
            count = end - start
            first = start + 1 if count else start
            return f"{first}" if count == 1 else f"{first},{count}"

        section = f" {self.section}" if self.section else ""
        return (
            f"@@ -{span(self.old_start, self.old_end)} "
            f"+{span(self.new_start, self.new_end)} @@{section}"
        )

    @property
    def first_changed_line(self) -> int:
        """The 1-based new-text line of the first change (the old one for a pure removal)."""
        for line in self.lines:
            if line.kind == "+" and line.new_number is not None:
                return line.new_number
            if line.kind == "-" and line.old_number is not None:
                return max(1, line.old_number)
        return self.new_start + 1


@dataclass(frozen=True)
class FileDiff:
    """The hunks of one file in a unified diff."""

    old_path: str
    new_path: str
    hunks: tuple[Hunk, ...]

    @property
    def path(self) -> str:
        """The file's path without the ``a/``/``b/`` prefix (the new one unless deleted)."""
        name = self.new_path if self.new_path != "/dev/null" else self.old_path
        return name[2:] if name.startswith(("a/", "b/")) else name

    @property
    def creates(self) -> bool:
        """True when the file is new."""
        return self.old_path == "/dev/null"


def _hunk_lines(
    old: list[str], new: list[str], opcodes: Iterable[tuple[str, int, int, int, int]]
) -> tuple[DiffLine, ...]:
    lines: list[DiffLine] = []
    for tag, i1, i2, j1, j2 in opcodes:
        if tag == "equal":
            lines += [
                DiffLine(" ", old[i], i + 1, j1 + offset + 1)
                for offset, i in enumerate(range(i1, i2))
            ]
            continue
        lines += [DiffLine("-", old[i], i + 1, None) for i in range(i1, i2)]
        lines += [DiffLine("+", new[j], None, j + 1) for j in range(j1, j2)]
    return tuple(lines)


def diff_hunks(old: str, new: str, context: int = DEFAULT_CONTEXT) -> list[Hunk]:
    """The hunks that turn ``old`` into ``new``, each with up to ``context`` lines around."""
    old_lines, new_lines = split_lines(old), split_lines(new)
    matcher = SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    hunks = []
    for group in matcher.get_grouped_opcodes(context):
        hunks.append(
            Hunk(
                old_start=group[0][1],
                old_end=group[-1][2],
                new_start=group[0][3],
                new_end=group[-1][4],
                lines=_hunk_lines(old_lines, new_lines, group),
            )
        )
    return hunks


def merge(old: str, new: str, hunks: Iterable[Hunk], accepted: Collection[int]) -> str:
    """``old`` with the hunks whose index is in ``accepted`` taken from ``new``.

    ``hunks`` must come from `diff_hunks(old, new)` (in order, not overlapping).
    """
    old_lines, new_lines = split_lines(old), split_lines(new)
    merged: list[str] = []
    position = 0
    for index, hunk in enumerate(hunks):
        if hunk.old_start < position:
            raise ValueError("hunks overlap or are out of order")
        merged += old_lines[position : hunk.old_start]
        if index in accepted:
            merged += new_lines[hunk.new_start : hunk.new_end]
        else:
            merged += old_lines[hunk.old_start : hunk.old_end]
        position = hunk.old_end
    merged += old_lines[position:]
    return "".join(merged)


def format_unified(
    hunks: Iterable[Hunk], old_path: str = "a/file", new_path: str = "b/file"
) -> str:
    """The hunks as a unified diff (``\\ No newline at end of file`` where it applies)."""
    out = [f"--- {old_path}\n", f"+++ {new_path}\n"]
    for hunk in hunks:
        out.append(hunk.header + "\n")
        for line in hunk.lines:
            out.append(line.kind + line.text)
            if not line.ends_line:
                out.append("\n\\ No newline at end of file\n")
    return "".join(out)


def _parse_header(line: str) -> tuple[int, int, int, int, str] | None:
    found = _HEADER.match(line.rstrip("\r\n"))
    if found is None:
        return None
    old_first, old_count, new_first, new_count, section = found.groups()
    old_n = 1 if old_count is None else int(old_count)
    new_n = 1 if new_count is None else int(new_count)
    old_start = int(old_first) - 1 if old_n else int(old_first)
    new_start = int(new_first) - 1 if new_n else int(new_first)
    return old_start, old_n, new_start, new_n, section.strip()


@dataclass
class _OpenHunk:
    """A hunk being read: where it starts, how many lines its header promised, how many
    of each side were seen so far, and its lines."""

    old_start: int
    old_count: int
    new_start: int
    new_count: int
    section: str
    old_seen: int = 0
    new_seen: int = 0
    lines: list[DiffLine] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return self.old_seen >= self.old_count and self.new_seen >= self.new_count

    def add(self, kind: LineKind, text: str) -> None:
        old_number = new_number = None
        if kind != "+":
            self.old_seen += 1
            old_number = self.old_start + self.old_seen
        if kind != "-":
            self.new_seen += 1
            new_number = self.new_start + self.new_seen
        self.lines.append(DiffLine(kind, text, old_number, new_number))

    def no_newline_at_end(self) -> None:
        if self.lines and self.lines[-1].text.endswith("\n"):
            last = self.lines[-1]
            self.lines[-1] = DiffLine(last.kind, last.text[:-1], last.old_number, last.new_number)

    def hunk(self) -> Hunk:
        return Hunk(
            self.old_start,
            self.old_start + self.old_seen,
            self.new_start,
            self.new_start + self.new_seen,
            tuple(self.lines),
            self.section,
        )


def parse_unified(text: str) -> list[FileDiff]:
    """The files and hunks of a unified diff (``git diff`` or ``diff -u`` output).

    Lenient: lines before the first ``---`` or between files are skipped, a hunk that
    ends early keeps what it has, and a diff without file headers is one file ("").
    """
    files: list[FileDiff] = []
    old_path = new_path = ""
    hunks: list[Hunk] = []
    current: _OpenHunk | None = None
    started = False
    raw_lines = split_lines(text)
    index = 0
    while index < len(raw_lines):
        raw = raw_lines[index]
        index += 1
        bare = raw.rstrip("\r\n")
        following = raw_lines[index] if index < len(raw_lines) else ""
        if bare.startswith("--- ") and following.startswith("+++ "):
            if current is not None:
                hunks.append(current.hunk())
                current = None
            if started or hunks:
                files.append(FileDiff(old_path, new_path, tuple(hunks)))
                hunks = []
            old_path = bare[4:].split("\t", 1)[0].strip()
            new_path = following.rstrip("\r\n")[4:].split("\t", 1)[0].strip()
            index += 1
            started = True
            continue
        header = _parse_header(bare) if bare.startswith("@@") else None
        if header is not None:
            if current is not None:
                hunks.append(current.hunk())
            current = _OpenHunk(*header)
            continue
        if current is None:
            continue
        if bare.startswith("\\"):
            current.no_newline_at_end()
            continue
        kind = bare[:1] if bare else " "
        if kind == " ":
            current.add(" ", raw[1:] if raw.startswith(" ") else raw)
        elif kind in ("-", "+"):
            current.add("-" if kind == "-" else "+", raw[1:])
        else:
            hunks.append(current.hunk())
            current = None
            continue
        if current.complete and not following.startswith("\\"):
            hunks.append(current.hunk())
            current = None
    if current is not None:
        hunks.append(current.hunk())
    if hunks or started:
        files.append(FileDiff(old_path, new_path, tuple(hunks)))
    return files


def side_by_side(hunk: Hunk) -> list[tuple[DiffLine | None, DiffLine | None]]:
    """The hunk's lines as (old, new) rows: removed lines face the added lines that
    replace them; a side with nothing to show is None."""
    rows: list[tuple[DiffLine | None, DiffLine | None]] = []
    removed: list[DiffLine] = []
    added: list[DiffLine] = []

    def flush() -> None:
        for position in range(max(len(removed), len(added))):
            rows.append(
                (
                    removed[position] if position < len(removed) else None,
                    added[position] if position < len(added) else None,
                )
            )
        removed.clear()
        added.clear()

    for line in hunk.lines:
        if line.kind == "-":
            if added:
                flush()
            removed.append(line)
        elif line.kind == "+":
            added.append(line)
        else:
            flush()
            rows.append((line, line))
    flush()
    return rows
