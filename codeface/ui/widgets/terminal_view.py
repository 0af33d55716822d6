"""One terminal: a child on a pty, parsed by `TerminalModel`, painted line by line.

The widget starts no process itself: the application layer's terminal service
(`codeface.application.contract.TerminalContract`) opens the child and hands
back an id; its output arrives as an async iterator of bytes into the model's backlog; a
~16 ms timer parses a bounded slice (time budget) and repaints only the lines pyte marked
dirty, so ``cat`` of 20 MB never freezes the window. When the backlog is large the view
stops taking output, the service's buffer fills and pauses reading, and the kernel makes
the writer wait (flow control) instead of memory growing.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QRect, Qt, QTimer, Signal
from PySide6.QtGui import (
    QFocusEvent,
    QFont,
    QFontDatabase,
    QFontMetrics,
    QFontMetricsF,
    QGuiApplication,
    QPainter,
    QPaintEvent,
    QResizeEvent,
)
from PySide6.QtWidgets import QWidget

from codeface.core.errors import CodefaceError
from codeface.terminal.keys import encode_paste
from codeface.terminal.model import TerminalModel
from codeface.terminal.screen import CommandMark
from codeface.ui.widgets.terminal_colors import TerminalColors
from codeface.ui.widgets.terminal_input import TerminalInput
from codeface.ui.widgets.terminal_paint import paint_cursor, paint_line, selection_text

if TYPE_CHECKING:
    from codeface.application.contract import TerminalContract

log = logging.getLogger(__name__)
Opener = Callable[[int, int], Awaitable[str]]
"""Opens the child at (rows, columns) through the terminal service; its terminal id."""

TICK_MS = 16
FEED_BUDGET_S = 0.010
BACKLOG_PAUSE = 4 * 1024 * 1024
BACKLOG_RESUME = 1024 * 1024


class TerminalView(TerminalInput):
    """A terminal emulator widget running ``argv`` (default: the user's login shell), or
    whatever ``opener`` opens (a tmux client), through ``terminals``.

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
        terminals: TerminalContract,
        opener: Opener | None = None,
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
        self.terminals = terminals
        self.opener = opener
        self.argv = list(argv) if argv else None
        self.env = dict(env) if env is not None else None
        self.share_history = False
        self.colors = colors or TerminalColors.for_palette(self.palette())
        self.model = TerminalModel(
            80, 24, scrollback=scrollback, reply=self._reply, on_mark=self._on_mark
        )
        self.terminal_id: str | None = None
        self.exit_status: int | None = None
        self.scroll_offset = 0
        self._cwd = str(cwd) if cwd is not None else None
        self._task: asyncio.Task[None] | None = None
        self._starting = False
        self._input_before_start = bytearray()
        self._drained = asyncio.Event()
        self._drained.set()
        self._exit_code: int | None = None
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
        """True while a child runs (or is being started)."""
        return (self.terminal_id is not None or self._starting) and self.exit_status is None

    def start(self) -> None:
        """Open the child at the widget's current size (it starts on the event loop; keys
        typed meanwhile are kept and sent once it runs)."""
        rows, columns = self.grid_size()
        self.model.resize(rows, columns)
        self.exit_status = None
        self._exit_code = None
        self._eof = False
        self._starting = True
        self._drained.set()
        self._task = asyncio.ensure_future(self._run(rows, columns))
        self._task.add_done_callback(_report_failure)

    async def _open(self, rows: int, columns: int) -> str:
        if self.opener is not None:
            return await self.opener(rows, columns)
        return await self.terminals.open_terminal(
            self._cwd or str(Path.home()),
            argv=self.argv,
            env=self.env,
            rows=rows,
            columns=columns,
            share_history=self.share_history,
        )

    async def _run(self, rows: int, columns: int) -> None:
        try:
            terminal_id = await self._open(rows, columns)
        except (OSError, ImportError, CodefaceError) as error:
            # A wrong shell path, no pty support (Windows without ConPTY), tmux gone.
            log.warning("Could not start the terminal %s", self.argv, exc_info=True)
            self._starting = False
            self.exit_status = 127
            self._input_before_start.clear()
            command = " ".join(self.argv or ["the shell"])
            reason = error.one_line() if isinstance(error, CodefaceError) else str(error)
            self.model.feed(
                f"\x1b[0m[could not start {command}: {reason}] — press Enter to retry\r\n".encode()
            )
            self._repaint_dirty()
            self.update()
            self.sig_exited.emit(127)
            return
        self.terminal_id = terminal_id
        self._starting = False
        if (rows, columns) != self.grid_size():
            self.terminals.resize_terminal(terminal_id, *self.grid_size())
        if self._input_before_start:
            pending, self._input_before_start = bytes(self._input_before_start), bytearray()
            self.terminals.write_terminal(terminal_id, pending)
        self._timer.start()
        try:
            async for chunk in self.terminals.terminal_output(terminal_id):
                self.model.push(chunk)
                if not self._timer.isActive():
                    self._timer.start()
                if self.model.pending > BACKLOG_PAUSE:
                    self._drained.clear()  # the tick sets it once the backlog is small
                    await self._drained.wait()
        except KeyError:
            return  # closed meanwhile
        self._eof = True
        self._exit_code = await self.terminals.terminal_exit(terminal_id)
        if not self._timer.isActive():
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

    def foreground_command(self) -> str | None:
        """The program in the terminal's foreground (e.g. ``vim``), when known."""
        if self.terminal_id is None:
            return None
        return self.terminals.terminal_foreground(self.terminal_id)

    def send_bytes(self, data: bytes) -> None:
        """Write raw bytes to the child (no translation); kept until it has started."""
        if not self.running or not data:
            return
        if self.terminal_id is None:
            self._input_before_start += data
        else:
            self.terminals.write_terminal(self.terminal_id, data)

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
        if self.terminal_id is not None and self.exit_status is None:
            self.terminals.write_terminal(self.terminal_id, data)

    def _on_mark(self, mark: CommandMark) -> None:
        self.sig_command_finished.emit(mark)

    def _on_tick(self) -> None:
        model = self.model
        scrolled = model.screen.lines_scrolled
        if model.pending:
            model.pump(max_bytes=1 << 20, deadline=time.perf_counter() + FEED_BUDGET_S)
        if model.pending < BACKLOG_RESUME and not self._drained.is_set():
            self._drained.set()
        if self.scroll_offset and model.screen.lines_scrolled != scrolled:
            # Keep the history the user is reading in place while output continues.
            self.scroll_offset = min(
                len(model.screen.scrollback),
                self.scroll_offset + model.screen.lines_scrolled - scrolled,
            )
            self.update()
        self._repaint_dirty()
        self._refresh_cwd()
        if model.pending:
            return
        if self._eof and self._exit_code is not None and self.exit_status is None:
            self._finish_exit(self._exit_code)
        self._timer.stop()  # idle: the next output wakes it

    def _finish_exit(self, status: int) -> None:
        self.exit_status = status
        self._stop_session()
        self.model.feed(
            f"\x1b[0m\r\n[process exited {status}] — press Enter to restart\r\n".encode()
        )
        self._repaint_dirty()
        self.sig_exited.emit(status)

    def _stop_session(self) -> None:
        task, self._task = self._task, None
        if task is not None and not task.done():
            task.cancel()
        self._starting = False
        self._input_before_start.clear()
        if self.terminal_id is not None:
            self.terminals.close_terminal(self.terminal_id)
            self.terminal_id = None

    def _refresh_cwd(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._cwd_checked < 0.5:
            return
        self._cwd_checked = now
        live = None
        if self.terminal_id is not None and self.exit_status is None:
            live = self.terminals.terminal_directory(self.terminal_id)
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
        if self.terminal_id is not None and self.exit_status is None:
            self.terminals.resize_terminal(self.terminal_id, rows, columns)
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

    def closeEvent(self, event: object) -> None:
        """Hang up the child when the widget closes."""
        self.close_session()
        super().closeEvent(event)  # type: ignore[arg-type]


def _report_failure(task: asyncio.Task[None]) -> None:
    """A bug in the output loop is logged (cancelling it is how a terminal closes)."""
    if not task.cancelled() and task.exception() is not None:
        log.error("terminal output loop failed", exc_info=task.exception())
