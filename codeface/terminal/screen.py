"""The terminal's screen model: pyte's `Screen` plus what a modern terminal needs.

Added on top of pyte 0.8.2: a scrollback of N lines (default 10,000) kept outside the
visible buffer, the alternate screen (private modes 47/1047/1049), cursor shape
(DECSCUSR), bracketed paste / mouse / application-cursor flags, scroll up/down (SU/SD),
repeat (REP), OSC hooks (title, OSC 7 working directory, OSC 133 command marks) and
replies to DA/DSR queries sent back through a callback. pyte's `HistoryScreen` is not
used: it wraps every event in two extra calls and pages the visible buffer in place,
while a separate deque lets the view scroll without touching the live screen.
"""

from __future__ import annotations

import copy
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from itertools import repeat
from typing import Any
from urllib.parse import unquote, urlparse

import pyte
from pyte import charsets as cs
from pyte import modes as mo
from pyte.screens import Char, Margins

Line = dict[int, Char]
# Scrollback lines are frozen into tuples: the garbage collector stops tracking tuples of
# plain values, so 10,000 lines of history cost nothing in later collections (dicts of
# lines kept it busy for tens of milliseconds, stalling the window).
FrozenLine = tuple[Char, ...]

# Private DEC modes, shifted the way pyte stores them.
MODE_APP_CURSOR = 1 << 5
MODE_MOUSE_X10 = 9 << 5
MODE_MOUSE_NORMAL = 1000 << 5
MODE_MOUSE_BUTTON = 1002 << 5
MODE_MOUSE_ANY = 1003 << 5
MODE_FOCUS = 1004 << 5
MODE_MOUSE_SGR = 1006 << 5
MODE_BRACKETED_PASTE = 2004 << 5
_ALT_MODES = {47 << 5, 1047 << 5, 1049 << 5}

_BLANK = Char(" ")

CURSOR_SHAPES = {
    0: "block",
    1: "block",
    2: "block",
    3: "underline",
    4: "underline",
    5: "bar",
    6: "bar",
}


@dataclass(frozen=True)
class CommandMark:
    """An OSC 133 "command finished" mark a shell hook printed (see `history`)."""

    exit_status: int | None
    command: str


class TerminalScreen(pyte.Screen):
    """A pyte screen with scrollback, alternate screen and terminal modes.

    ``reply`` receives bytes the terminal must send back to the program (answers to
    DA/DSR). ``on_mark`` receives `CommandMark`s from OSC 133;D.
    """

    def __init__(
        self,
        columns: int,
        lines: int,
        *,
        scrollback: int = 10000,
        reply: Callable[[bytes], None] | None = None,
        on_mark: Callable[[CommandMark], None] | None = None,
    ) -> None:
        self.scrollback: deque[FrozenLine] = deque(maxlen=max(0, scrollback))
        self.reply = reply
        self.on_mark = on_mark
        self.cursor_shape = "block"
        self.cursor_blink = True
        self.application_keypad = False
        self.working_directory: str | None = None
        self.lines_scrolled = 0
        self._alternate: tuple[dict[int, Any], Any, Margins | None] | None = None
        self._last_char = " "
        self._cell_attrs: Char | None = None
        self._cells: dict[str, Char] = {}
        self._interned: dict[Char, dict[str, Char]] = {}
        super().__init__(columns, lines)

    # --- state the view and the keyboard need -------------------------------------
    @property
    def in_alternate_screen(self) -> bool:
        """True while a full-screen program (vim, less, htop) owns the screen."""
        return self._alternate is not None

    @property
    def bracketed_paste(self) -> bool:
        """True when the program asked for pastes wrapped in ESC[200~ … ESC[201~."""
        return MODE_BRACKETED_PASTE in self.mode

    @property
    def application_cursor(self) -> bool:
        """True when arrow keys must be sent as ESC O A rather than ESC [ A (DECCKM)."""
        return MODE_APP_CURSOR in self.mode

    @property
    def mouse_tracking(self) -> bool:
        """True when the program wants mouse events (so the wheel goes to it)."""
        return bool(
            self.mode & {MODE_MOUSE_X10, MODE_MOUSE_NORMAL, MODE_MOUSE_BUTTON, MODE_MOUSE_ANY}
        )

    @property
    def mouse_sgr(self) -> bool:
        """True when mouse reports use the SGR (1006) encoding."""
        return MODE_MOUSE_SGR in self.mode

    @property
    def cursor_visible(self) -> bool:
        """False when the program hid the cursor (DECTCEM off)."""
        return mo.DECTCEM in self.mode

    # --- text access ---------------------------------------------------------------
    def line_text(self, line: Line | FrozenLine) -> str:
        """The characters of one buffer or scrollback line, right-trimmed."""
        return "".join(cell.data for cell in self.cells(line)).rstrip()

    def cells(self, line: Line | FrozenLine) -> FrozenLine:
        """Exactly ``columns`` cells of a buffer or scrollback line (blank-padded)."""
        width = self.columns
        if isinstance(line, tuple):
            if len(line) >= width:
                return line[:width]
            return line + (_BLANK,) * (width - len(line))
        default = getattr(line, "default", _BLANK)
        if default == _BLANK:
            default = _BLANK  # one shared object rather than one per line
        return tuple(map(line.get, range(width), repeat(default, width)))

    def _freeze(self, line: Line) -> FrozenLine:
        return self.cells(line)

    def screen_text(self) -> list[str]:
        """The visible lines as text, right-trimmed (for tests and captures)."""
        return [self.line_text(self.buffer[y]) for y in range(self.lines)]

    def history_text(self) -> list[str]:
        """The scrollback lines as text, oldest first."""
        return [self.line_text(line) for line in self.scrollback]

    def all_text(self) -> list[str]:
        """Scrollback followed by the visible screen, with trailing blank lines removed."""
        lines = self.history_text() + self.screen_text()
        while lines and not lines[-1]:
            lines.pop()
        return lines

    # --- pyte overrides ------------------------------------------------------------
    def reset(self) -> None:
        """Full reset (RIS); also leaves the alternate screen and restores the cursor."""
        self._alternate = None
        self.cursor_shape = "block"
        super().reset()

    def draw(self, data: str) -> None:
        """Draw text, remembering the last character for REP.

        Printable ASCII in the default charset (nearly all output) takes a fast path that
        writes whole runs per line with cached cells; everything else goes through pyte.
        """
        if not data:
            return
        self._last_char = data[-1]
        if (
            self.charset
            or self.g0_charset is not cs.LAT1_MAP
            or mo.IRM in self.mode
            or not data.isascii()
            or not data.isprintable()
        ):
            super().draw(data)
            return
        attrs = self.cursor.attrs
        if attrs is not self._cell_attrs:
            # Cells are interned per style: pyte's Char is a tuple subclass that the
            # garbage collector always tracks, so one object per drawn character made
            # full collections of a 10,000-line scrollback take 100+ ms.
            self._cell_attrs = attrs
            cells = self._interned.get(attrs)
            if cells is None:
                if len(self._interned) > 4096:
                    self._interned.clear()
                cells = self._interned[attrs] = {}
            self._cells = cells
        cells = self._cells
        cursor = self.cursor
        columns = self.columns
        while data:
            if cursor.x >= columns:
                if mo.DECAWM not in self.mode:
                    super().draw(data)
                    return
                self.dirty.add(cursor.y)
                self.carriage_return()
                self.linefeed()
            run = data[: columns - cursor.x]
            data = data[len(run) :]
            line = self.buffer[cursor.y]
            x = cursor.x
            for char in run:
                cell = cells.get(char)
                if cell is None:
                    cell = cells[char] = attrs._replace(data=char)
                line[x] = cell
                x += 1
            cursor.x = x
        self.dirty.add(cursor.y)

    def index(self) -> None:
        """Scroll up at the bottom margin, keeping the line that leaves in scrollback."""
        top, bottom = self.margins or Margins(0, self.lines - 1)
        if (
            self.cursor.y == bottom
            and top == 0
            and self._alternate is None
            and self.scrollback.maxlen
        ):
            self.scrollback.append(self._freeze(self.buffer[0]))
            self.lines_scrolled += 1
        super().index()

    def erase_in_display(self, how: int = 0, *args: Any, **kwargs: Any) -> None:
        """ED; ``ESC[3J`` also clears the scrollback, as xterm does."""
        if how == 3:
            self.scrollback.clear()
            return
        super().erase_in_display(how, *args, **kwargs)

    def resize(self, lines: int | None = None, columns: int | None = None) -> None:
        """Resize, pushing lines above the cursor into scrollback when the screen shrinks.

        pyte drops lines from the top but leaves the cursor where it was, so the prompt
        would vanish; here the content moves up only as far as the cursor needs.
        """
        lines = lines or self.lines
        columns = columns or self.columns
        if lines < self.lines:
            overflow = max(0, self.cursor.y - (lines - 1))
            for _ in range(overflow):
                if self._alternate is None and self.scrollback.maxlen:
                    self.scrollback.append(self._freeze(self.buffer[0]))
                for y in range(self.lines - 1):
                    self.buffer[y] = self.buffer[y + 1]
                self.buffer.pop(self.lines - 1, None)
            self.cursor.y -= overflow
            for y in range(lines, self.lines):
                self.buffer.pop(y, None)
        if columns < self.columns:
            for line in self.buffer.values():
                for x in range(columns, self.columns):
                    line.pop(x, None)
        self.lines, self.columns = lines, columns
        self.tabstops = set(range(8, columns, 8))
        self.margins = None
        self.cursor.x = min(self.cursor.x, columns - 1)
        self.cursor.y = min(self.cursor.y, lines - 1)
        self.dirty.update(range(lines))

    def set_mode(self, *modes: int, **kwargs: Any) -> None:
        """SM / DECSET, with the alternate screen handled (pyte ignores it)."""
        if kwargs.get("private"):
            shifted = {mode << 5 for mode in modes}
            if shifted & _ALT_MODES and self._alternate is None:
                if 1049 << 5 in shifted:
                    self.save_cursor()
                self._enter_alternate()
        super().set_mode(*modes, **kwargs)

    def reset_mode(self, *modes: int, **kwargs: Any) -> None:
        """RM / DECRST, leaving the alternate screen when asked."""
        super().reset_mode(*modes, **kwargs)
        if kwargs.get("private"):
            shifted = {mode << 5 for mode in modes}
            if shifted & _ALT_MODES and self._alternate is not None:
                self._leave_alternate()
                if 1049 << 5 in shifted:
                    self.restore_cursor()

    def _enter_alternate(self) -> None:
        saved_buffer = dict(self.buffer)
        self._alternate = (saved_buffer, copy.copy(self.cursor), self.margins)
        self.buffer.clear()
        self.dirty.update(range(self.lines))

    def _leave_alternate(self) -> None:
        assert self._alternate is not None
        saved_buffer, _cursor, margins = self._alternate
        self._alternate = None
        self.buffer.clear()
        for y, line in saved_buffer.items():
            if y < self.lines:
                self.buffer[y] = line
        self.margins = margins
        self.dirty.update(range(self.lines))

    def report_device_attributes(self, mode: int = 0, **kwargs: bool) -> None:
        """Primary DA: answer as a VT220 with ANSI colour."""
        if mode == 0 and not kwargs.get("private"):
            self.write_process_input("\x1b[?62;22c")

    def report_secondary_device_attributes(self) -> None:
        """Secondary DA: version 0, so programs do not assume a specific xterm."""
        self.write_process_input("\x1b[>0;0;0c")

    def report_device_status(self, mode: int = 0, **kwargs: Any) -> None:
        """DSR: status (5) and cursor position (6), clamped to the screen."""
        if mode == 5:
            self.write_process_input("\x1b[0n")
        elif mode == 6:
            x = min(self.cursor.x, self.columns - 1) + 1
            y = self.cursor.y + 1
            if mo.DECOM in self.mode and self.margins is not None:
                y -= self.margins.top
            self.write_process_input(f"\x1b[{y};{x}R")

    def report_private_status(self, mode: int = 0) -> None:
        """DECXCPR (``CSI ? 6 n``): cursor position with the private marker."""
        if mode == 6:
            x = min(self.cursor.x, self.columns - 1) + 1
            self.write_process_input(f"\x1b[?{self.cursor.y + 1};{x}R")

    def write_process_input(self, data: str) -> None:
        """Send a reply to the program through the ``reply`` callback."""
        if self.reply is not None:
            self.reply(data.encode("utf-8"))

    # --- sequences pyte lacks ------------------------------------------------------
    def set_cursor_shape(self, code: int = 0) -> None:
        """DECSCUSR: 0-2 block, 3-4 underline, 5-6 bar; odd codes (and 0) blink."""
        self.cursor_shape = CURSOR_SHAPES.get(code, "block")
        self.cursor_blink = code == 0 or code % 2 == 1

    def set_keypad(self, application: bool) -> None:
        """DECKPAM / DECKPNM."""
        self.application_keypad = application

    def soft_reset(self) -> None:
        """DECSTR: modes and margins back to defaults, text kept."""
        self.margins = None
        self.mode = {mo.DECAWM, mo.DECTCEM}
        self.cursor.attrs = self.default_char
        self.cursor_shape = "block"

    def scroll_up(self, count: int = 1) -> None:
        """SU: scroll the region up ``count`` lines, cursor unchanged."""
        top, bottom = self.margins or Margins(0, self.lines - 1)
        saved = (self.cursor.x, self.cursor.y)
        for _ in range(min(max(count, 1), self.lines)):
            self.cursor.y = bottom
            self.index()
        self.cursor.x, self.cursor.y = saved
        self.dirty.update(range(top, bottom + 1))

    def scroll_down(self, count: int = 1) -> None:
        """SD: scroll the region down ``count`` lines, cursor unchanged."""
        top, bottom = self.margins or Margins(0, self.lines - 1)
        saved = (self.cursor.x, self.cursor.y)
        for _ in range(min(max(count, 1), self.lines)):
            self.cursor.y = top
            self.reverse_index()
        self.cursor.x, self.cursor.y = saved
        self.dirty.update(range(top, bottom + 1))

    def repeat_last(self, count: int = 1) -> None:
        """REP: draw the previous character ``count`` more times (ncurses uses it)."""
        self.draw(self._last_char * min(max(count, 1), self.columns * self.lines))

    def osc(self, code: str, payload: str) -> None:
        """OSC 7 (working directory) and OSC 133;D (command finished) hooks."""
        if code == "7":
            parsed = urlparse(payload)
            if parsed.scheme == "file" and parsed.path:
                self.working_directory = unquote(parsed.path)
        elif code == "133" and payload.startswith("D") and self.on_mark is not None:
            parts = payload.split(";", 2)
            status = int(parts[1]) if len(parts) > 1 and parts[1].lstrip("-").isdigit() else None
            self.on_mark(CommandMark(status, parts[2] if len(parts) > 2 else ""))
