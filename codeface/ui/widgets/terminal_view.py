"""One terminal: a child on a pty, parsed by `TerminalModel`, painted line by line.

Output is read when the pty fd is readable (a `QSocketNotifier`, the same mechanism as
qasync's ``add_reader``) into the model's backlog; a ~16 ms timer parses a bounded
slice (time budget) and repaints only the lines pyte marked dirty, so ``cat`` of 20 MB
never freezes the window. When the backlog is large the notifier is paused, and the
kernel makes the writer wait (flow control) instead of memory growing.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from PySide6.QtCore import QRect, QSocketNotifier, Qt, QTimer, Signal
from PySide6.QtGui import (
    QFocusEvent,
    QFont,
    QFontDatabase,
    QFontMetrics,
    QFontMetricsF,
    QGuiApplication,
    QInputMethodEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import QWidget

from codeface.terminal.keys import encode_mouse_button, encode_paste
from codeface.terminal.model import TerminalModel
from codeface.terminal.pty_session import PtySession
from codeface.terminal.screen import CommandMark
from codeface.ui.widgets.terminal_colors import TerminalColors
from codeface.ui.widgets.terminal_paint import paint_cursor, paint_line, selection_text
from codeface.ui.widgets.terminal_qtkeys import key_bytes, wheel_bytes

log = logging.getLogger(__name__)

TICK_MS = 16
FEED_BUDGET_S = 0.010
READ_PER_WAKE = 262144
BACKLOG_PAUSE = 4 * 1024 * 1024
BACKLOG_RESUME = 1024 * 1024
_MOUSE_BUTTONS = {
    Qt.MouseButton.LeftButton: 0,
    Qt.MouseButton.MiddleButton: 1,
    Qt.MouseButton.RightButton: 2,
}


class TerminalView(QWidget):
    """A terminal emulator widget running ``argv`` (default: the user's login shell).

    Signals:
        sig_title_changed(str): the program set the window title (OSC 0/2).
        sig_exited(int): the child exited with this status (negative: killed by signal).
        sig_restarted(): Enter after exit started a new child.
        sig_command_finished(object): a `CommandMark` from the shell hook (OSC 133;D).
        sig_bell(): the program rang the bell.
    """

    sig_title_changed = Signal(str)
    sig_exited = Signal(int)
    sig_restarted = Signal()
    sig_command_finished = Signal(object)
    sig_bell = Signal()

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        argv: Sequence[str] | None = None,
        cwd: str | Path | None = None,
        env: Mapping[str, str] | None = None,
        scrollback: int = 10000,
        font: QFont | None = None,
        colors: TerminalColors | None = None,
        start: bool = True,
    ) -> None:
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled)
        self.setMinimumSize(120, 60)
        self.argv = list(argv) if argv else None
        self.env = dict(env) if env is not None else None
        self.colors = colors or TerminalColors.for_palette(self.palette())
        self.model = TerminalModel(
            80, 24, scrollback=scrollback, reply=self._reply, on_mark=self._on_mark
        )
        self.session: PtySession | None = None
        self.exit_status: int | None = None
        self.scroll_offset = 0
        self._cwd = str(cwd) if cwd is not None else None
        self._notifier: QSocketNotifier | None = None
        self._eof = False
        self._title = ""
        self._selection: tuple[tuple[int, int], tuple[int, int]] | None = None
        self._selecting = False
        self._cwd_checked = 0.0
        self._focused = False
        self.set_terminal_font(font or QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._on_tick)
        if start:
            self.start()

    # --- public API ----------------------------------------------------------------
    @property
    def working_directory(self) -> str | None:
        """The child's current folder (followed live), or the one it started in."""
        self._refresh_cwd(force=True)
        return self._cwd

    @property
    def title(self) -> str:
        """The title the program set, or the program's name."""
        return self._title

    @property
    def running(self) -> bool:
        """True while a child runs."""
        return self.session is not None and self.exit_status is None

    def start(self) -> None:
        """Spawn the child at the widget's current size."""
        rows, columns = self.grid_size()
        self.model.resize(rows, columns)
        try:
            self.session = PtySession.spawn(
                self.argv, cwd=self._cwd, env=self.env, rows=rows, columns=columns
            )
        except (OSError, ImportError) as error:
            # A wrong shell path, or no pty support (Windows without ConPTY support).
            log.warning("Could not start the terminal %s", self.argv, exc_info=True)
            self.session = None
            self.exit_status = 127
            command = " ".join(self.argv or ["the shell"])
            self.model.feed(
                f"\x1b[0m[could not start {command}: {error}] — press Enter to retry\r\n".encode()
            )
            self.update()
            return
        self.exit_status = None
        self._eof = False
        self._notifier = QSocketNotifier(self.session.fd, QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._on_readable)
        self._timer.start()

    def restart(self) -> None:
        """Start a fresh child in the last known folder (after the previous one exited)."""
        self._stop_session()
        self.scroll_offset = 0
        self.model.feed(b"\x1b[0m\r\n")
        self.start()
        self.sig_restarted.emit()

    def close_session(self) -> None:
        """Hang up the child and stop reading (the widget stays, showing its last screen)."""
        self._refresh_cwd(force=True)
        self._stop_session()
        self._timer.stop()

    def send_bytes(self, data: bytes) -> None:
        """Write raw bytes to the child (no translation)."""
        if self.running and self.session is not None:
            self.session.write(data)
            if self.session.pending_input and not self._timer.isActive():
                self._timer.start()  # retry the rest of a large paste on the next tick

    def send_text(self, text: str, *, enter: bool = False) -> None:
        """Type ``text`` as a paste (bracketed if the program enabled it); Enter only if
        ``enter``. Multi-line text is therefore not run line by line by the shell."""
        self.scroll_to_bottom()
        self.send_bytes(encode_paste(text.rstrip("\n"), self.model.screen.bracketed_paste))
        if enter:
            self.send_bytes(b"\r")

    def screen_lines(self) -> list[str]:
        """The visible screen as text (right-trimmed lines)."""
        return self.model.screen.screen_text()

    def capture(self, lines: int = 50) -> str:
        """The last ``lines`` lines of scrollback + screen, as text."""
        return "\n".join(self.model.screen.all_text()[-lines:])

    def grid_size(self) -> tuple[int, int]:
        """(rows, columns) that fit the widget."""
        return (max(2, self.height() // self._cell_h), max(10, self.width() // self._cell_w))

    def set_terminal_font(self, font: QFont) -> None:
        """Use ``font`` (the theme's code font); the grid is recomputed."""
        font = QFont(font)
        font.setStyleHint(QFont.StyleHint.TypeWriter)
        font.setKerning(False)
        # Runs of text are drawn with one drawText, so the glyph advance must equal the
        # integer cell width exactly; letter spacing absorbs the fractional part.
        advance = QFontMetricsF(font).horizontalAdvance("M")
        self._cell_w = max(1, math.ceil(advance - 0.01))
        font.setLetterSpacing(QFont.SpacingType.AbsoluteSpacing, self._cell_w - advance)
        self._font = font
        self._fonts: dict[tuple[bool, bool], QFont] = {}
        metrics = QFontMetrics(font)
        self._cell_h = max(1, metrics.height())
        self._ascent = metrics.ascent()
        self._apply_size()
        self.update()

    def set_colors(self, colors: TerminalColors) -> None:
        """Repaint with new colours (theme switch)."""
        self.colors = colors
        self.update()

    def scroll_to_bottom(self) -> None:
        """Leave scrollback and show the live screen."""
        if self.scroll_offset:
            self.scroll_offset = 0
            self.update()

    def scroll_lines(self, delta: int) -> None:
        """Scroll back (positive) or forward (negative) through the scrollback."""
        limit = len(self.model.screen.scrollback)
        offset = max(0, min(limit, self.scroll_offset + delta))
        if offset != self.scroll_offset:
            self.scroll_offset = offset
            self.update()

    def copy_selection(self) -> str:
        """Copy the selected text to the clipboard; returns it ("" if nothing selected)."""
        text = self.selected_text()
        if text:
            QGuiApplication.clipboard().setText(text)
        return text

    def selected_text(self) -> str:
        """The text under the mouse selection."""
        if self._selection is None:
            return ""
        return selection_text(self.model.screen, *self._normalised_selection())

    def paste_clipboard(self) -> None:
        """Paste the clipboard (bracketed when the program asked for it)."""
        text = QGuiApplication.clipboard().text()
        if text:
            self.scroll_to_bottom()
            self.send_bytes(encode_paste(text, self.model.screen.bracketed_paste))

    # --- pty plumbing --------------------------------------------------------------
    def _reply(self, data: bytes) -> None:
        if self.session is not None and self.exit_status is None:
            self.session.write(data)

    def _on_mark(self, mark: CommandMark) -> None:
        self.sig_command_finished.emit(mark)

    def _on_readable(self) -> None:
        session = self.session
        if session is None:
            return
        received = 0
        while received < READ_PER_WAKE:
            data = session.read()
            if data is None:
                self._eof = True
                if self._notifier is not None:
                    self._notifier.setEnabled(False)
                break
            if not data:
                break
            self.model.push(data)
            received += len(data)
        if self.model.pending > BACKLOG_PAUSE and self._notifier is not None:
            self._notifier.setEnabled(False)
        if not self._timer.isActive():
            self._timer.start()

    def _on_tick(self) -> None:
        model = self.model
        scrolled = model.screen.lines_scrolled
        if model.pending:
            model.pump(max_bytes=1 << 20, deadline=time.perf_counter() + FEED_BUDGET_S)
            if (
                not self._eof
                and self._notifier is not None
                and model.pending < BACKLOG_RESUME
                and not self._notifier.isEnabled()
            ):
                self._notifier.setEnabled(True)
        if self.session is not None:
            self.session.flush()
        if self.scroll_offset and model.screen.lines_scrolled != scrolled:
            # Keep the history the user is reading in place while output continues.
            self.scroll_offset = min(
                len(model.screen.scrollback),
                self.scroll_offset + model.screen.lines_scrolled - scrolled,
            )
            self.update()
        self._repaint_dirty()
        self._refresh_cwd()
        if self._eof and not model.pending and self.exit_status is None:
            self._finish_exit()
        elif not model.pending and not self._eof:
            pending_input = self.session.pending_input if self.session is not None else 0
            if not pending_input:
                self._timer.stop()  # idle: the next read (or write) wakes it
        elif self.exit_status is not None and not model.pending:
            self._timer.stop()

    def _finish_exit(self) -> None:
        assert self.session is not None
        status = self.session.poll()
        if status is None:
            return  # not reaped yet; the next tick asks again
        self.exit_status = status
        self._stop_session()
        self.model.feed(
            f"\x1b[0m\r\n[process exited {status}] — press Enter to restart\r\n".encode()
        )
        self._repaint_dirty()
        self.sig_exited.emit(status)

    def _stop_session(self) -> None:
        if self._notifier is not None:
            self._notifier.setEnabled(False)
            self._notifier.deleteLater()
            self._notifier = None
        if self.session is not None:
            self.session.close()

    def _refresh_cwd(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._cwd_checked < 0.5:
            return
        self._cwd_checked = now
        live = None
        if self.session is not None and self.exit_status is None:
            live = self.session.working_directory()
        self._cwd = live or self.model.screen.working_directory or self._cwd

    def _repaint_dirty(self) -> None:
        screen = self.model.screen
        if screen.title != self._title:
            self._title = screen.title
            self.sig_title_changed.emit(self._title)
        dirty = self.model.take_dirty()
        if self.scroll_offset:
            return  # the user reads history; the live screen repaints on return
        for y in sorted(dirty):
            self.update(QRect(0, y * self._cell_h, self.width(), self._cell_h))
        if dirty:
            cursor_y = screen.cursor.y
            self.update(QRect(0, cursor_y * self._cell_h, self.width(), self._cell_h))

    # --- Qt events -----------------------------------------------------------------
    def resizeEvent(self, event: QResizeEvent) -> None:
        """Resize the screen model and tell the child (TIOCSWINSZ)."""
        super().resizeEvent(event)
        self._apply_size()

    def _apply_size(self) -> None:
        rows, columns = self.grid_size()
        screen = self.model.screen
        if (rows, columns) == (screen.lines, screen.columns):
            return
        self.model.resize(rows, columns)
        if self.session is not None and self.exit_status is None:
            self.session.resize(rows, columns)
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        """Paint the lines inside the exposed area only."""
        painter = QPainter(self)
        painter.setFont(self._font)
        screen = self.model.screen
        rect = event.rect()
        background = self.colors.resolve("default", foreground=False)
        painter.fillRect(rect, background)
        first = max(0, rect.top() // self._cell_h)
        last = min(screen.lines - 1, rect.bottom() // self._cell_h)
        history = screen.scrollback
        selection = self._normalised_selection() if self._selection else None
        base = len(history) - self.scroll_offset
        for y in range(first, last + 1):
            row = base + y
            line = history[row] if row < len(history) else screen.buffer[row - len(history)]
            paint_line(painter, self, line, y, row, selection)
        if self.scroll_offset == 0 and screen.cursor_visible and self.exit_status is None:
            paint_cursor(painter, self, focused=self._focused)
        painter.end()

    def font_for(self, bold: bool, italic: bool) -> QFont:
        """The (cached) font variant for a cell style."""
        key = (bold, italic)
        font = self._fonts.get(key)
        if font is None:
            font = QFont(self._font)
            font.setBold(bold)
            font.setItalic(italic)
            self._fonts[key] = font
        return font

    @property
    def cell_size(self) -> tuple[int, int]:
        """(width, height) of one character cell in pixels."""
        return self._cell_w, self._cell_h

    @property
    def ascent(self) -> int:
        """The font ascent, for baseline placement."""
        return self._ascent

    def focusInEvent(self, event: QFocusEvent) -> None:
        """Show a solid cursor."""
        self._focused = True
        self.update()
        super().focusInEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        """Show a hollow cursor."""
        self._focused = False
        self.update()
        super().focusOutEvent(event)

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

    def closeEvent(self, event: object) -> None:
        """Hang up the child when the widget closes."""
        self.close_session()
        super().closeEvent(event)  # type: ignore[arg-type]
