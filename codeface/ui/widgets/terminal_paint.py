"""Painting one terminal line, and reading text back out of a selection.

A line is painted as runs of cells that share a style (colours, bold, italic,
underline, strike-through, reverse, selected): one background fill and one
``drawText`` per run. Non-ASCII cells (wide CJK characters, box drawing) are drawn one by
one at their cell so proportional fallback glyphs cannot shift the grid.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QPainter
from pyte.screens import Char

if TYPE_CHECKING:
    from codeface.terminal.screen import FrozenLine, Line, TerminalScreen
    from codeface.ui.widgets.terminal_view import TerminalView

_BLANK = Char(" ")
Selection = tuple[tuple[int, int], tuple[int, int]]


def _style(char: Char, selected: bool) -> tuple[object, ...]:
    return (
        char.fg,
        char.bg,
        char.bold,
        char.italics,
        char.underscore,
        char.strikethrough,
        char.reverse,
        selected,
    )


def paint_line(
    painter: QPainter,
    view: TerminalView,
    line: Line | FrozenLine,
    y: int,
    row: int,
    selection: Selection | None,
) -> None:
    """Paint ``line`` at screen row ``y``; ``row`` is its absolute row for selection."""
    colors = view.colors
    cell_w, cell_h = view.cell_size
    top = y * cell_h
    baseline = top + view.ascent
    columns = view.model.screen.columns
    sel_start = sel_end = -1
    if selection is not None:
        (row0, col0), (row1, col1) = selection
        if row0 <= row <= row1:
            sel_start = col0 if row == row0 else 0
            sel_end = col1 if row == row1 else columns
    cells = view.model.screen.cells(line)
    x = 0
    while x < columns:
        char = cells[x]
        selected = sel_start <= x < sel_end
        style = _style(char, selected)
        end = x + 1
        parts = [char.data]
        if char.data.isascii():
            while end < columns:
                following = cells[end]
                if (
                    not following.data.isascii()
                    or _style(following, sel_start <= end < sel_end) != style
                ):
                    break
                parts.append(following.data)
                end += 1
        fg = colors.resolve(char.fg, foreground=True)
        bg = colors.resolve(char.bg, foreground=False)
        if char.reverse:
            fg, bg = bg, fg
        if selected:
            bg = colors.resolve(colors.selection.lstrip("#"), foreground=False)
        if char.bg != "default" or char.reverse or selected:
            painter.fillRect(x * cell_w, top, (end - x) * cell_w, cell_h, bg)
        text = "".join(parts)
        if text.strip():
            painter.setFont(view.font_for(char.bold, char.italics))
            painter.setPen(fg)
            painter.drawText(x * cell_w, baseline, text)
        if char.underscore:
            painter.fillRect(x * cell_w, baseline + 1, (end - x) * cell_w, 1, fg)
        if char.strikethrough:
            painter.fillRect(x * cell_w, top + cell_h // 2, (end - x) * cell_w, 1, fg)
        x = end


def selection_text(screen: TerminalScreen, start: tuple[int, int], end: tuple[int, int]) -> str:
    """The text between two (absolute row, column) positions, lines right-trimmed."""
    history = screen.scrollback
    lines = []
    for row in range(start[0], end[0] + 1):
        line: Line | FrozenLine
        if row < len(history):
            line = history[row]
        elif row - len(history) < screen.lines:
            line = screen.buffer[row - len(history)]
        else:
            break
        first = start[1] if row == start[0] else 0
        last = end[1] if row == end[0] else screen.columns
        cells = screen.cells(line)[first:last]
        lines.append("".join(cell.data for cell in cells).rstrip())
    return "\n".join(lines)


def paint_cursor(painter: QPainter, view: TerminalView, *, focused: bool) -> None:
    """The cursor in its shape (block, underline, bar); hollow when unfocused."""
    screen = view.model.screen
    cell_w, cell_h = view.cell_size
    column = min(screen.cursor.x, screen.columns - 1)
    x = column * cell_w
    y = screen.cursor.y * cell_h
    colors = view.colors
    cursor_color = colors.resolve(colors.cursor.lstrip("#"), foreground=True)
    if not focused:
        painter.setPen(cursor_color)
        painter.drawRect(x, y, cell_w - 1, cell_h - 1)
    elif screen.cursor_shape == "bar":
        painter.fillRect(x, y, 2, cell_h, cursor_color)
    elif screen.cursor_shape == "underline":
        painter.fillRect(x, y + cell_h - 2, cell_w, 2, cursor_color)
    else:
        painter.fillRect(x, y, cell_w, cell_h, cursor_color)
        char = screen.buffer[screen.cursor.y].get(column)
        if char is not None and char.data.strip():
            painter.setPen(colors.resolve("default", foreground=False))
            painter.drawText(x, y + view.ascent, char.data)
