"""The text area of a code view: monospace, no wrapping, line numbers, the current line
marked, read-only unless the user turns editing on (the caret still moves by keyboard).

Ctrl+L and Ctrl+G ask for "go to line" here: the window binds Ctrl+L to the message box,
so the editor claims it (`ShortcutOverride`) while it has focus.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QKeyEvent, QPainter, QTextCursor, QTextFormat
from PySide6.QtWidgets import QPlainTextEdit, QTextEdit, QWidget

if TYPE_CHECKING:
    from PySide6.QtGui import QPaintEvent, QResizeEvent

GUTTER_PADDING = 8
GO_TO_LINE_KEYS = (Qt.Key.Key_L, Qt.Key.Key_G)


class LineNumbers(QWidget):
    """The gutter: paints the numbers of the visible lines."""

    def __init__(self, editor: CodeEditor) -> None:
        super().__init__(editor)
        self.editor = editor
        self.setObjectName("lineNumbers")
        self.setAccessibleName("Line numbers")

    def sizeHint(self) -> QSize:
        return QSize(self.editor.gutter_width(), 0)

    def paintEvent(self, event: QPaintEvent) -> None:
        self.editor.paint_gutter(self, event)


class CodeEditor(QPlainTextEdit):
    """A plain-text editor for code with a line-number gutter."""

    sig_go_to_line = Signal()
    """The user pressed Ctrl+L or Ctrl+G."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("codeEditor")
        self.setAccessibleName("Code")
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.setTabChangesFocus(False)
        self.gutter = LineNumbers(self)
        self.gutter_background = QColor("#eaeef2")
        self.gutter_text = QColor("#57606a")
        self.current_line_color = QColor(0, 0, 0, 18)
        self.extra_marks: list[QTextEdit.ExtraSelection] = []
        """Selections other parts add (find matches), drawn with the current line."""
        self._digits = 0
        self._tab_spaces = 4
        self.blockCountChanged.connect(self._update_gutter_width)
        self.updateRequest.connect(self._update_gutter)
        self.cursorPositionChanged.connect(self.refresh_marks)
        self.set_editable(False)
        self._update_gutter_width()

    # ------------------------------------------------------------------ modes
    def set_editable(self, editable: bool) -> None:
        """Read-only (caret and selection still work from the keyboard) or editable."""
        self.setReadOnly(not editable)
        if not editable:
            self.setTextInteractionFlags(
                Qt.TextInteractionFlag.TextSelectableByMouse
                | Qt.TextInteractionFlag.TextSelectableByKeyboard
            )
        self.setCursorWidth(2 if editable else 1)

    def set_colors(
        self, background: str, text: str, gutter_background: str, gutter_text: str
    ) -> None:
        """Colours of the text area and the gutter."""
        palette = self.palette()
        palette.setColor(palette.ColorRole.Base, QColor(background))
        palette.setColor(palette.ColorRole.Text, QColor(text))
        self.setPalette(palette)
        self.gutter_background = QColor(gutter_background)
        self.gutter_text = QColor(gutter_text)
        dark = QColor(background).lightnessF() < 0.5
        self.current_line_color = QColor(255, 255, 255, 16) if dark else QColor(0, 0, 0, 14)
        self.refresh_marks()
        self.gutter.update()

    def set_tab_width(self, spaces: int = 4) -> None:
        """Tab stops every ``spaces`` characters (kept when the font changes)."""
        self._tab_spaces = spaces
        self.setTabStopDistance(self.fontMetrics().horizontalAdvance(" ") * spaces)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._digits = 0  # the gutter and tab stops follow the new font
            self._update_gutter_width()
            self.set_tab_width(self._tab_spaces)
            self.gutter.setGeometry(self.gutter.geometry().adjusted(0, 0, 0, 0))
            self.resizeEvent(None)

    # ------------------------------------------------------------------ navigation
    def go_to_line(self, line: int, column: int = 1) -> None:
        """Put the caret at ``line`` (1-based, clamped) and show it near the top third."""
        document = self.document()
        line = max(1, min(line, document.blockCount()))
        block = document.findBlockByNumber(line - 1)
        cursor = QTextCursor(block)
        cursor.movePosition(
            QTextCursor.MoveOperation.Right,
            QTextCursor.MoveMode.MoveAnchor,
            max(0, min(column - 1, block.length() - 1)),
        )
        self.setTextCursor(cursor)
        self.centerCursor()

    def current_line(self) -> int:
        """The caret's line (1-based)."""
        return self.textCursor().blockNumber() + 1

    def event(self, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and self._is_go_to_line(event)
        ):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self._is_go_to_line(event):
            self.sig_go_to_line.emit()
            return
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not self.isReadOnly():
            # A new line keeps the indentation (and Shift+Enter would insert a Unicode line
            # separator, not a new line).
            cursor = self.textCursor()
            line = cursor.block().text()[: cursor.positionInBlock()]
            cursor.insertText("\n" + line[: len(line) - len(line.lstrip(" \t"))])
            self.ensureCursorVisible()
            return
        super().keyPressEvent(event)

    @staticmethod
    def _is_go_to_line(event: QKeyEvent) -> bool:
        return event.modifiers() == Qt.KeyboardModifier.ControlModifier and event.key() in (
            GO_TO_LINE_KEYS
        )

    # ------------------------------------------------------------------ marks
    def refresh_marks(self) -> None:
        """Draw the current line and the `extra_marks`."""
        line = QTextEdit.ExtraSelection()
        line.format.setBackground(self.current_line_color)
        line.format.setProperty(QTextFormat.Property.FullWidthSelection, True)
        line.cursor = self.textCursor()
        line.cursor.clearSelection()
        self.setExtraSelections([line, *self.extra_marks])
        self.gutter.update()

    # ------------------------------------------------------------------ gutter
    def gutter_width(self) -> int:
        """Pixels the gutter needs for the largest line number."""
        digits = max(3, len(str(self.blockCount())))
        return GUTTER_PADDING * 2 + self.fontMetrics().horizontalAdvance("9") * digits

    def _update_gutter_width(self, _count: int = 0) -> None:
        digits = max(3, len(str(self.blockCount())))
        if digits != self._digits:
            self._digits = digits
            self.setViewportMargins(self.gutter_width(), 0, 0, 0)

    def _update_gutter(self, rect: QRect, dy: int) -> None:
        if dy:
            self.gutter.scroll(0, dy)
        else:
            self.gutter.update(0, rect.y(), self.gutter.width(), rect.height())

    def resizeEvent(self, event: QResizeEvent | None) -> None:
        if event is not None:
            super().resizeEvent(event)
        area = self.contentsRect()
        self.gutter.setGeometry(QRect(area.left(), area.top(), self.gutter_width(), area.height()))

    def paint_gutter(self, gutter: QWidget, event: QPaintEvent) -> None:
        """Paint the numbers of the lines in ``event``'s rectangle."""
        painter = QPainter(gutter)
        painter.fillRect(event.rect(), self.gutter_background)
        block = self.firstVisibleBlock()
        number = block.blockNumber()
        offset = self.contentOffset()
        top = round(self.blockBoundingGeometry(block).translated(offset).top())
        bottom = top + round(self.blockBoundingRect(block).height())
        current = self.textCursor().blockNumber()
        height = self.fontMetrics().height()
        width = gutter.width() - GUTTER_PADDING
        painter.setFont(self.font())
        while block.isValid() and top <= event.rect().bottom():
            if block.isVisible() and bottom >= event.rect().top():
                color = QColor(self.gutter_text)
                if number != current:
                    color.setAlphaF(0.65)
                painter.setPen(color)
                painter.drawText(
                    0, top, width, height, Qt.AlignmentFlag.AlignRight, str(number + 1)
                )
            block = block.next()
            top = bottom
            bottom = top + round(self.blockBoundingRect(block).height())
            number += 1
        painter.end()
