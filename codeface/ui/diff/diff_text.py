"""The text of a diff: rows in a read-only plain-text view with a line-number gutter.

Rows are shaded by kind (added, removed, hunk header, filler) when painted, so deciding
a hunk repaints without touching the document. Syntax colours are applied lazily, only
to the blocks in view (`QTextLayout.setFormats`, what `QSyntaxHighlighter` does for all
blocks at once), so a diff of thousands of lines opens without a stall.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QKeyEvent,
    QPainter,
    QPaintEvent,
    QResizeEvent,
    QTextBlock,
    QTextCharFormat,
    QTextLayout,
)
from PySide6.QtWidgets import QFrame, QPlainTextEdit, QWidget

from codeface.ui.diff.layout import Row
from codeface.ui.diff.syntax import Span
from codeface.ui.theme import Theme

NumberColumns = Literal["both", "old", "new"]
GUTTER_PADDING = 6


def _mix(color: str, other: str, amount: float) -> QColor:
    first, second = QColor(color), QColor(other)
    return QColor(
        int(first.red() * (1 - amount) + second.red() * amount),
        int(first.green() * (1 - amount) + second.green() * amount),
        int(first.blue() * (1 - amount) + second.blue() * amount),
    )


@dataclass(frozen=True)
class DiffColors:
    """The colours of a diff in one theme."""

    base: QColor
    text: QColor
    muted: QColor
    added: QColor
    removed: QColor
    hunk: QColor
    current_hunk: QColor
    filler: QColor
    rejected: QColor
    style_name: str

    @classmethod
    def from_theme(cls, theme: Theme) -> DiffColors:
        """Tints of the theme's success/error/accent colours over its code background."""
        from codeface.ui.highlight import style_colors

        background, text = style_colors(theme.pygments_style)
        chat = theme.chat
        strength = 0.28 if theme.is_dark else 0.16
        return cls(
            base=QColor(background),
            text=QColor(text),
            muted=QColor(chat.muted),
            added=_mix(background, chat.success, strength),
            removed=_mix(background, chat.error, strength),
            hunk=_mix(background, chat.accent, 0.10),
            current_hunk=_mix(background, chat.accent, 0.30),
            filler=_mix(background, chat.border, 0.45),
            rejected=_mix(background, chat.muted, 0.12),
            style_name=theme.pygments_style,
        )


@lru_cache(maxsize=512)
def _token_format(style_name: str, token: object) -> QTextCharFormat:
    from codeface.ui.highlight import _style

    found = _style(style_name).style_for_token(token)
    text_format = QTextCharFormat()
    if found.get("color"):
        text_format.setForeground(QColor(f"#{found['color']}"))
    if found.get("bold"):
        text_format.setFontWeight(QFont.Weight.Bold)
    if found.get("italic"):
        text_format.setFontItalic(True)
    return text_format


class _Gutter(QWidget):
    """Line numbers beside the text (old and/or new)."""

    def __init__(self, view: DiffText) -> None:
        super().__init__(view)
        self.view = view

    def sizeHint(self) -> QSize:
        return QSize(self.view.gutter_width(), 0)

    def paintEvent(self, event: QPaintEvent) -> None:
        self.view.paint_gutter(self, event)


class DiffText(QPlainTextEdit):
    """Read-only diff rows; ``spans_for(row)`` gives a row's syntax spans."""

    def __init__(
        self,
        colors: DiffColors,
        numbers: NumberColumns = "both",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.colors = colors
        self.numbers = numbers
        self.rows: list[Row] = []
        self.current_hunk = -1
        self.rejected: set[int] = set()
        self.show_decisions = False
        self.spans_for: Callable[[Row], Sequence[Span]] = lambda row: ()
        self.key_handler: Callable[[QKeyEvent], bool] = lambda event: False
        """Called first with each key press; True when it handled the key."""
        self._formatted: set[int] = set()
        self._digits = 1
        self.setReadOnly(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setTabChangesFocus(True)
        self.gutter = _Gutter(self)
        self.updateRequest.connect(self._on_update_request)
        self.verticalScrollBar().valueChanged.connect(self._format_visible)
        self.apply_colors(colors)

    # content -----------------------------------------------------------------------
    def set_rows(self, rows: list[Row]) -> None:
        """Show ``rows`` (replaces everything)."""
        self.rows = rows
        self._formatted.clear()
        largest = max((max(row.old_number or 0, row.new_number or 0) for row in rows), default=0)
        self._digits = max(2, len(str(largest)))
        self.setPlainText("\n".join(row.text for row in rows))
        self._update_margins()
        self._format_visible()

    def row_at_cursor(self) -> Row | None:
        """The row the text cursor is on."""
        number = self.textCursor().blockNumber()
        return self.rows[number] if 0 <= number < len(self.rows) else None

    def scroll_to_row(self, position: int) -> None:
        """Bring row ``position`` to the top of the view and put the cursor there."""
        block = self.document().findBlockByNumber(position)
        if not block.isValid():
            return
        cursor = self.textCursor()
        cursor.setPosition(block.position())
        self.setTextCursor(cursor)
        self.verticalScrollBar().setValue(position)
        self._format_visible()

    def refresh_decisions(self, hunks: set[int] | None = None) -> None:
        """Re-shade after a hunk was accepted/rejected or became current."""
        if hunks:
            changed = {index for index, row in enumerate(self.rows) if row.hunk in hunks}
            self._formatted -= changed
            self._format_visible()
        self.viewport().update()
        self.gutter.update()

    def apply_colors(self, colors: DiffColors) -> None:
        """Recolour for a theme."""
        self.colors = colors
        palette = self.palette()
        palette.setColor(palette.ColorRole.Base, colors.base)
        palette.setColor(palette.ColorRole.Text, colors.text)
        self.setPalette(palette)
        self._formatted.clear()
        self._format_visible()
        self.viewport().update()

    # lazy syntax colours -----------------------------------------------------------
    def _format_visible(self, *_args: object) -> None:
        if not self.rows:
            return
        block = self.firstVisibleBlock()
        bottom = self.viewport().height() + 2 * self.fontMetrics().lineSpacing()
        offset = self.contentOffset()
        changed = False
        while block.isValid():
            top = self.blockBoundingGeometry(block).translated(offset).top()
            if top > bottom:
                break
            number = block.blockNumber()
            if number not in self._formatted and number < len(self.rows):
                self._formatted.add(number)
                block.layout().setFormats(self._ranges(self.rows[number]))
                changed = True
            block = block.next()
        if changed:
            self.viewport().update()

    def _ranges(self, row: Row) -> list[QTextLayout.FormatRange]:
        ranges: list[QTextLayout.FormatRange] = []
        if row.kind == "hunk":
            header = QTextCharFormat()
            header.setForeground(self.colors.muted)
            ranges.append(_range(0, len(row.text.encode("utf-16-le")) // 2, header))
            return ranges
        if row.kind in ("-", "+") and self.show_decisions and row.hunk in self.rejected:
            muted = QTextCharFormat()
            muted.setForeground(self.colors.muted)
            muted.setFontStrikeOut(True)
            ranges.append(_range(0, len(row.text.encode("utf-16-le")) // 2, muted))
            return ranges
        for start, length, token in self.spans_for(row):
            ranges.append(_range(start, length, _token_format(self.colors.style_name, token)))
        return ranges

    # painting ----------------------------------------------------------------------
    def _row_color(self, row: Row) -> QColor | None:
        colors = self.colors
        if row.kind == "hunk":
            return colors.current_hunk if row.hunk == self.current_hunk else colors.hunk
        if row.kind == "filler":
            return colors.filler
        if row.kind in ("-", "+") and self.show_decisions and row.hunk in self.rejected:
            return colors.rejected
        if row.kind == "+":
            return colors.added
        if row.kind == "-":
            return colors.removed
        return None

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self.viewport())
        block = self.firstVisibleBlock()
        offset = self.contentOffset()
        width = self.viewport().width()
        area = event.rect()
        while block.isValid():
            geometry = self.blockBoundingGeometry(block).translated(offset)
            if geometry.top() > area.bottom():
                break
            number = block.blockNumber()
            if number < len(self.rows):
                height = self._line_height(block)
                color = self._row_color(self.rows[number])
                if color is not None:
                    painter.fillRect(QRect(0, int(geometry.top()), width, height), color)
                row = self.rows[number]
                if row.kind == "hunk" and self.show_decisions:
                    self._paint_decision(painter, row, geometry.top(), height, width)
            block = block.next()
        painter.end()
        super().paintEvent(event)

    def _line_height(self, block: QTextBlock) -> int:
        layout = block.layout()
        if layout is not None and layout.lineCount():
            return int(layout.lineAt(0).height())
        return self.fontMetrics().lineSpacing()

    def _paint_decision(
        self, painter: QPainter, row: Row, top: float, height: float, width: int
    ) -> None:
        rejected = row.hunk in self.rejected
        label = "✗ rejected" if rejected else "✓ accepted"
        painter.setPen(self.colors.muted if rejected else self.colors.text)
        painter.drawText(
            QRect(0, int(top), width - 8, int(height)),
            int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
            label,
        )

    # gutter ------------------------------------------------------------------------
    def gutter_width(self) -> int:
        """Pixels the line numbers need."""
        columns = 2 if self.numbers == "both" else 1
        digit = self.fontMetrics().horizontalAdvance("9")
        return columns * (self._digits * digit + GUTTER_PADDING) + GUTTER_PADDING + 2

    def _update_margins(self) -> None:
        self.setViewportMargins(self.gutter_width(), 0, 0, 0)
        self._place_gutter()

    def _place_gutter(self) -> None:
        rect = self.contentsRect()
        self.gutter.setGeometry(QRect(rect.left(), rect.top(), self.gutter_width(), rect.height()))

    def _on_update_request(self, rect: QRect, dy: int) -> None:
        if dy:
            self.gutter.scroll(0, dy)
        else:
            self.gutter.update(0, rect.y(), self.gutter.width(), rect.height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._place_gutter()
        self._format_visible()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if not self.key_handler(event):
            super().keyPressEvent(event)

    def paint_gutter(self, gutter: QWidget, event: QPaintEvent) -> None:
        """Draw the line numbers of the rows in view."""
        painter = QPainter(gutter)
        painter.fillRect(event.rect(), self.colors.base)
        painter.setPen(self.colors.muted)
        painter.setFont(self.font())
        digit = self.fontMetrics().horizontalAdvance("9")
        column = self._digits * digit + GUTTER_PADDING
        block = self.firstVisibleBlock()
        offset = self.contentOffset()
        while block.isValid():
            geometry = self.blockBoundingGeometry(block).translated(offset)
            if geometry.top() > event.rect().bottom():
                break
            number = block.blockNumber()
            if number < len(self.rows):
                row = self.rows[number]
                top, height = int(geometry.top()), self._line_height(block)
                color = self._row_color(row)
                if color is not None:
                    painter.fillRect(QRect(0, top, gutter.width(), height + 1), color)
                numbers: list[int | None]
                if self.numbers == "both":
                    numbers = [row.old_number, row.new_number]
                elif self.numbers == "old":
                    numbers = [row.old_number]
                else:
                    numbers = [row.new_number]
                for position, value in enumerate(numbers):
                    if value is None or row.kind == "hunk":
                        continue
                    painter.drawText(
                        QRect(position * column, top, column, height),
                        int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                        str(value),
                    )
            block = block.next()
        painter.end()


def _range(start: int, length: int, text_format: QTextCharFormat) -> QTextLayout.FormatRange:
    found = QTextLayout.FormatRange()
    found.start = start
    found.length = length
    found.format = text_format
    return found
