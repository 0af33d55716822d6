"""The rows a diff view shows, unified or side by side. Pure Python, no Qt.

A row is one line of the text view: a hunk header, a context, removed or added line, or
(side by side) a filler facing lines the other side does not have. ``hunk`` says which
hunk a row belongs to, so the view can move between hunks and shade rejected ones;
``side`` and ``source`` say which line of which side's text the row shows, so syntax
colours lexed once per side can be looked up per row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from codeface.ui.diff.hunks import DiffLine, Hunk, side_by_side

RowKind = Literal["hunk", " ", "-", "+", "filler"]
Side = Literal["old", "new"]


@dataclass(frozen=True)
class Row:
    """One line of a diff view."""

    kind: RowKind
    hunk: int
    text: str = ""
    old_number: int | None = None
    new_number: int | None = None
    side: Side | None = None
    source: int = -1
    """Index into `SideTexts.lines` of ``side`` (the lexed line this row shows)."""


@dataclass
class SideTexts:
    """The lines of each side, in the order rows show them (what gets syntax-coloured)."""

    old: list[str]
    new: list[str]

    def add(self, side: Side, text: str) -> int:
        """Record a line of ``side``; returns its index."""
        lines = self.old if side == "old" else self.new
        lines.append(text)
        return len(lines) - 1


def _content(line: DiffLine) -> str:
    return line.content


def unified_rows(hunks: Sequence[Hunk], texts: SideTexts) -> list[Row]:
    """Rows for the unified view: a header per hunk, then its lines in order."""
    rows: list[Row] = []
    for index, hunk in enumerate(hunks):
        rows.append(Row("hunk", index, hunk.header))
        for line in hunk.lines:
            side: Side = "old" if line.kind == "-" else "new"
            source = texts.add(side, _content(line))
            rows.append(
                Row(
                    line.kind, index, _content(line), line.old_number, line.new_number, side, source
                )
            )
    return rows


def split_rows(hunks: Sequence[Hunk], texts: SideTexts) -> tuple[list[Row], list[Row]]:
    """Rows for the side-by-side view: (left, right), the same length, row for row."""
    left: list[Row] = []
    right: list[Row] = []
    for index, hunk in enumerate(hunks):
        header = hunk.header
        left.append(Row("hunk", index, header))
        right.append(Row("hunk", index, header))
        for old, new in side_by_side(hunk):
            if old is None:
                left.append(Row("filler", index))
            else:
                kind: RowKind = " " if old.kind == " " else "-"
                source = texts.add("old", _content(old))
                left.append(Row(kind, index, _content(old), old.old_number, None, "old", source))
            if new is None:
                right.append(Row("filler", index))
            else:
                kind = " " if new.kind == " " else "+"
                source = texts.add("new", _content(new))
                right.append(Row(kind, index, _content(new), None, new.new_number, "new", source))
    return left, right


def hunk_starts(rows: Sequence[Row]) -> list[int]:
    """The row index of each hunk's header."""
    return [position for position, row in enumerate(rows) if row.kind == "hunk"]
