"""The code view's find bar (Ctrl+F) and go-to-line bar (Ctrl+L / Ctrl+G).

Find searches as the user types, from where the caret is, wrapping at the end; Enter (or
F3) goes to the next match, Shift+Enter (Shift+F3) to the previous one; the bar says
"3 of 12" and marks the other matches on screen. Esc closes either bar and gives the
focus back to the code.
"""

from __future__ import annotations

from itertools import accumulate

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QColor, QKeyEvent, QTextCursor, QTextDocument
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QTextEdit,
    QToolButton,
    QWidget,
)

from codeface.ui.code.editor import CodeEditor
from codeface.ui.code.lexing import utf16_length

MAX_MARKS = 500
"""Matches marked at once (those on screen)."""
_BAR_KEYS = (Qt.Key.Key_Escape, Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_F3)


class BarEdit(QLineEdit):
    """A line edit that keeps Esc, Enter and F3 for itself (the window binds Esc)."""

    sig_escape = Signal()
    """Esc: close the bar."""
    sig_enter = Signal(bool)
    """(backwards): Enter / F3, or with Shift held."""

    def event(self, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and event.key() in _BAR_KEYS
        ):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key == Qt.Key.Key_Escape:
            self.sig_escape.emit()
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_F3):
            self.sig_enter.emit(bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier))
        else:
            super().keyPressEvent(event)


def _tool(text: str, name: str) -> QToolButton:
    button = QToolButton()
    button.setText(text)
    button.setAccessibleName(name)
    button.setToolTip(name)
    button.setAutoRaise(True)
    return button


class FindBar(QFrame):
    """Find in one code editor."""

    def __init__(self, editor: CodeEditor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.editor = editor
        self.setObjectName("findBar")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 3, 6, 3)
        self.edit = BarEdit()
        self.edit.setPlaceholderText("Find")
        self.edit.setAccessibleName("Find in file")
        self.count_label = QLabel("")
        self.count_label.setMinimumWidth(80)
        self.case_button = _tool("Aa", "Match case")
        self.case_button.setCheckable(True)
        self.previous_button = _tool("↑", "Previous match (Shift+Enter)")
        self.next_button = _tool("↓", "Next match (Enter)")
        self.close_button = _tool("✕", "Close find (Esc)")
        for widget in (self.edit, self.count_label, self.case_button, self.previous_button):
            layout.addWidget(widget)
        layout.addWidget(self.next_button)
        layout.addWidget(self.close_button)
        layout.setStretch(0, 1)
        self._line_counts: list[int] | None = None
        self._marked: tuple[object, ...] = ()
        self.mark_color = QColor("#fff2a8")
        self.edit.textChanged.connect(self._on_text)
        self.edit.sig_enter.connect(lambda backwards: self.find_next(backwards=backwards))
        self.edit.sig_escape.connect(self.close_bar)
        self.case_button.toggled.connect(lambda _on: self._on_text(self.edit.text()))
        self.previous_button.clicked.connect(lambda: self.find_next(backwards=True))
        self.next_button.clicked.connect(lambda: self.find_next())
        self.close_button.clicked.connect(self.close_bar)
        editor.document().contentsChanged.connect(self._forget_counts)
        editor.updateRequest.connect(lambda _rect, _dy: self._mark_screen(force=False))
        self.hide()

    def open_bar(self) -> None:
        """Show the bar with the selected text (if any) and focus it."""
        selected = self.editor.textCursor().selectedText()
        if selected and "\u2029" not in selected:
            self.edit.setText(selected)
        self.show()
        self.edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.edit.selectAll()
        self._mark_screen()

    def close_bar(self) -> None:
        """Hide the bar, unmark matches, focus the code."""
        self.hide()
        self.editor.extra_marks = []
        self.editor.refresh_marks()
        self.editor.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _flags(self, backwards: bool = False) -> QTextDocument.FindFlag:
        flags = QTextDocument.FindFlag(0)
        if self.case_button.isChecked():
            flags |= QTextDocument.FindFlag.FindCaseSensitively
        if backwards:
            flags |= QTextDocument.FindFlag.FindBackward
        return flags

    def _on_text(self, _text: str) -> None:
        self._line_counts = None
        cursor = self.editor.textCursor()
        start = QTextCursor(self.editor.document())
        start.setPosition(cursor.selectionStart())
        self.editor.setTextCursor(start)
        self.find_next()

    def find_next(self, backwards: bool = False) -> bool:
        """Go to the next (previous) match, wrapping around; False if there is none."""
        needle = self.edit.text()
        if not needle:
            self.count_label.setText("")
            self._mark_screen()
            return False
        document = self.editor.document()
        flags = self._flags(backwards)
        found = document.find(needle, self.editor.textCursor(), flags)
        if found.isNull():
            wrap = QTextCursor(document)
            if backwards:
                wrap.movePosition(QTextCursor.MoveOperation.End)
            found = document.find(needle, wrap, flags)
        if found.isNull():
            self.count_label.setText("No matches")
            self._mark_screen()
            return False
        self.editor.setTextCursor(found)
        self.editor.centerCursor()
        self._show_count(found)
        self._mark_screen()
        return True

    def _forget_counts(self) -> None:
        self._line_counts = None

    def _counts(self) -> list[int]:
        if self._line_counts is None:
            needle = self.edit.text()
            text = self.editor.toPlainText()
            if not self.case_button.isChecked():
                needle, text = needle.lower(), text.lower()
            self._line_counts = [line.count(needle) for line in text.split("\n")]
        return self._line_counts

    def _show_count(self, found: QTextCursor) -> None:
        counts = self._counts()
        total = sum(counts)
        block = found.block()
        before = list(accumulate(counts[: block.blockNumber()]))[-1:] or [0]
        needle = self.edit.text()
        line = block.text()
        if not self.case_button.isChecked():
            needle, line = needle.lower(), line.lower()
        column = found.selectionStart() - block.position()
        inside = 0
        start = line.find(needle)
        while start != -1 and utf16_length(line[:start]) < column:
            inside += 1
            start = line.find(needle, start + max(1, len(needle)))
        self.count_label.setText(f"{before[0] + inside + 1} of {max(total, 1)}")

    def _mark_screen(self, force: bool = True) -> None:
        """Mark the matches on screen (not the whole file: that could be thousands)."""
        marks: list[QTextEdit.ExtraSelection] = []
        needle = self.edit.text()
        key = (
            self.isVisible(),
            needle,
            self.case_button.isChecked(),
            self.editor.firstVisibleBlock().blockNumber(),
            self.editor.document().revision(),
        )
        if key == self._marked and not force:
            return
        self._marked = key
        if self.isVisible() and needle:
            sensitive = self.case_button.isChecked()
            wanted = needle if sensitive else needle.lower()
            block = self.editor.firstVisibleBlock()
            lines = self.editor.viewport().height() // max(
                1, self.editor.fontMetrics().lineSpacing()
            )
            for _ in range(lines + 2):
                if not block.isValid() or len(marks) >= MAX_MARKS:
                    break
                text = block.text() if sensitive else block.text().lower()
                start = text.find(wanted)
                while start != -1 and len(marks) < MAX_MARKS:
                    mark = QTextEdit.ExtraSelection()
                    mark.format.setBackground(self.mark_color)
                    mark.format.setForeground(QColor("#1f2328"))
                    cursor = QTextCursor(block)
                    offset = utf16_length(block.text()[:start])
                    cursor.setPosition(block.position() + offset)
                    cursor.setPosition(
                        block.position() + offset + utf16_length(needle),
                        QTextCursor.MoveMode.KeepAnchor,
                    )
                    mark.cursor = cursor
                    marks.append(mark)
                    start = text.find(wanted, start + max(1, len(wanted)))
                block = block.next()
        if marks or self.editor.extra_marks:
            self.editor.extra_marks = marks
            self.editor.refresh_marks()


class GoToLineBar(QFrame):
    """ "Go to line": a number (or line:column), Enter goes there, Esc closes."""

    def __init__(self, editor: CodeEditor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.editor = editor
        self.setObjectName("goToLineBar")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 3, 6, 3)
        self.label = QLabel("Go to line:")
        self.edit = BarEdit()
        self.edit.setAccessibleName("Go to line")
        self.label.setBuddy(self.edit)
        self.problem = QLabel("")
        layout.addWidget(self.label)
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.problem)
        self.edit.sig_enter.connect(lambda _backwards: self.go())
        self.edit.sig_escape.connect(self.close_bar)
        self.hide()

    def open_bar(self) -> None:
        """Show the bar, focused, with the current line's number."""
        count = self.editor.document().blockCount()
        self.edit.setPlaceholderText(f"1 – {count}")
        self.edit.setText(str(self.editor.current_line()))
        self.problem.setText("")
        self.show()
        self.edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.edit.selectAll()

    def go(self) -> bool:
        """Go to the line typed (False, with a word why, if it is not a line number)."""
        line_text, _, column_text = self.edit.text().strip().partition(":")
        if not line_text.isdigit() or (column_text and not column_text.isdigit()):
            self.problem.setText("Type a line number")
            return False
        self.editor.go_to_line(int(line_text), int(column_text or 1))
        self.close_bar()
        return True

    def close_bar(self) -> None:
        """Hide the bar and focus the code."""
        self.hide()
        self.editor.setFocus(Qt.FocusReason.ShortcutFocusReason)
