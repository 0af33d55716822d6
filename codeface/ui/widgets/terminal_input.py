"""Keyboard, wheel and mouse for `TerminalView`: keys and pastes go to the child, the
wheel scrolls history or goes to full-screen programs, clicks go to programs that track
the mouse (Shift+click still selects), and the mouse selects text otherwise."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent, QKeyEvent, QMouseEvent, QWheelEvent
from PySide6.QtWidgets import QWidget

from codeface.terminal.keys import encode_mouse_button
from codeface.ui.widgets.terminal_qtkeys import key_bytes, wheel_bytes

if TYPE_CHECKING:
    from codeface.terminal.model import TerminalModel

_MOUSE_BUTTONS = {
    Qt.MouseButton.LeftButton: 0,
    Qt.MouseButton.MiddleButton: 1,
    Qt.MouseButton.RightButton: 2,
}


class TerminalInput(QWidget):
    """Input handling of `TerminalView` (its base: it uses the view's model, cells and
    selection)."""

    model: TerminalModel
    exit_status: int | None
    scroll_offset: int
    _cell_w: int
    _cell_h: int
    _selection: tuple[tuple[int, int], tuple[int, int]] | None
    _selecting: bool

    if TYPE_CHECKING:

        @property
        def running(self) -> bool: ...
        def send_bytes(self, data: bytes) -> None: ...
        def copy_selection(self) -> str: ...
        def paste_clipboard(self) -> None: ...
        def scroll_lines(self, delta: int) -> None: ...
        def scroll_to_bottom(self) -> None: ...
        def restart(self) -> None: ...

    def focusNextPrevChild(self, next: bool) -> bool:
        """Keep Tab for the shell (completion) instead of moving focus."""
        return False

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Copy/paste shortcuts, scrollback keys, restart after exit, else keys to child."""
        mods = event.modifiers()
        ctrl = bool(mods & Qt.KeyboardModifier.ControlModifier)
        shift = bool(mods & Qt.KeyboardModifier.ShiftModifier)
        key = event.key()
        if ctrl and shift and key == Qt.Key.Key_C:
            self.copy_selection()
            return
        if ctrl and shift and key == Qt.Key.Key_V:
            self.paste_clipboard()
            return
        if shift and key in (Qt.Key.Key_PageUp, Qt.Key.Key_PageDown):
            page = max(1, self.model.screen.lines - 1)
            self.scroll_lines(page if key == Qt.Key.Key_PageUp else -page)
            return
        if self.exit_status is not None:
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.restart()
            return
        data = key_bytes(event, application_cursor=self.model.screen.application_cursor)
        if data:
            self._selection = None
            self.scroll_to_bottom()
            self.send_bytes(data)

    def inputMethodEvent(self, event: QInputMethodEvent) -> None:
        """Text composed with an input method (dead keys, CJK) goes to the child."""
        text = event.commitString()
        if text and self.running:
            self.scroll_to_bottom()
            self.send_bytes(text.encode("utf-8"))
        event.accept()

    def wheelEvent(self, event: QWheelEvent) -> None:
        """Wheel: to the program if it tracks the mouse, arrows on the alternate screen,
        otherwise scroll the scrollback."""
        steps = event.angleDelta().y() // 40
        if steps == 0:
            return
        screen = self.model.screen
        if self.running and (screen.mouse_tracking or screen.in_alternate_screen):
            column = int(event.position().x()) // self._cell_w
            row = int(event.position().y()) // self._cell_h
            self.send_bytes(wheel_bytes(screen, steps, column, row))
        else:
            self.scroll_lines(steps)
        event.accept()

    def _cell_at(self, event: QMouseEvent) -> tuple[int, int]:
        position = event.position()
        y = max(0, min(self.model.screen.lines - 1, int(position.y()) // self._cell_h))
        x = max(0, min(self.model.screen.columns, round(position.x() / self._cell_w)))
        row = len(self.model.screen.scrollback) - self.scroll_offset + y
        return row, x

    def _report_mouse(self, event: QMouseEvent, pressed: bool) -> bool:
        """Send a click to a program that tracks the mouse (Shift+click still selects,
        as in xterm). True when the event was reported."""
        screen = self.model.screen
        if not (self.running and screen.mouse_tracking):
            return False
        if event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            return False
        button = _MOUSE_BUTTONS.get(event.button())
        if button is None:
            return False
        column = max(0, min(screen.columns - 1, int(event.position().x()) // self._cell_w))
        row = max(0, min(screen.lines - 1, int(event.position().y()) // self._cell_h))
        self.send_bytes(encode_mouse_button(button, pressed, column, row, sgr=screen.mouse_sgr))
        return True

    def mousePressEvent(self, event: QMouseEvent) -> None:
        """Report the click to a mouse-aware program, or start a selection (left button)
        or paste the clipboard (middle button)."""
        self.setFocus()
        if self._report_mouse(event, pressed=True):
            return
        if event.button() == Qt.MouseButton.LeftButton:
            cell = self._cell_at(event)
            self._selection = (cell, cell)
            self._selecting = True
            self.update()
        elif event.button() == Qt.MouseButton.MiddleButton:
            self.paste_clipboard()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        """Extend the selection."""
        if self._selecting and self._selection is not None:
            self._selection = (self._selection[0], self._cell_at(event))
            self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        """Finish the selection (an empty one is dropped) or report the release."""
        if not self._selecting and self._report_mouse(event, pressed=False):
            return
        self._selecting = False
        if self._selection is not None and self._selection[0] == self._selection[1]:
            self._selection = None
            self.update()

    def select(self, start: tuple[int, int], end: tuple[int, int]) -> None:
        """Select from ``start`` to ``end`` as (absolute row, column); rows count from the
        oldest scrollback line."""
        self._selection = (start, end)
        self.update()

    def _normalised_selection(self) -> tuple[tuple[int, int], tuple[int, int]]:
        assert self._selection is not None
        start, end = self._selection
        return (start, end) if start <= end else (end, start)
