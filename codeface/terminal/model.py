"""Bytes in, screen out, a bounded amount at a time.

pyte parses roughly 0.5–1 MB/s here, so a program printing 20 MB cannot be parsed in
one go without freezing whoever calls it. `TerminalModel` keeps a backlog of what the
pty produced and `pump()` feeds at most a byte budget or a time budget per call; the
caller (the widget's ~16 ms timer, or a test) decides how often. Invalid UTF-8 becomes
U+FFFD; a handler error inside pyte is logged and skipped, never raised.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable

from codeface.terminal.parser import TerminalStream
from codeface.terminal.screen import CommandMark, TerminalScreen

log = logging.getLogger(__name__)

CHUNK = 4096


class TerminalModel:
    """A `TerminalScreen` fed from a backlog in bounded slices."""

    def __init__(
        self,
        columns: int = 80,
        lines: int = 24,
        *,
        scrollback: int = 10000,
        reply: Callable[[bytes], None] | None = None,
        on_mark: Callable[[CommandMark], None] | None = None,
    ) -> None:
        self.screen = TerminalScreen(
            columns, lines, scrollback=scrollback, reply=reply, on_mark=on_mark
        )
        self.stream = TerminalStream(self.screen)
        self._backlog: deque[bytes] = deque()
        self._pending = 0
        self.bytes_fed = 0

    @property
    def pending(self) -> int:
        """Bytes received but not parsed yet."""
        return self._pending

    def push(self, data: bytes) -> None:
        """Queue bytes from the program; nothing is parsed until `pump()`."""
        if data:
            self._backlog.append(bytes(data))
            self._pending += len(data)

    def feed(self, data: bytes) -> None:
        """Parse ``data`` now, after anything already queued (for tests and tools)."""
        self.push(data)
        while self._pending:
            self.pump(max_bytes=self._pending)

    def pump(self, max_bytes: int = 65536, deadline: float | None = None) -> int:
        """Parse queued bytes until ``max_bytes`` or ``time.perf_counter() >= deadline``.

        Returns the number of bytes parsed. At least one chunk is parsed per call when
        anything is queued, so output always makes progress.
        """
        fed = 0
        while self._backlog and fed < max_bytes:
            head = self._backlog[0]
            take = min(CHUNK, max_bytes - fed, len(head))
            piece, rest = head[:take], head[take:]
            if rest:
                self._backlog[0] = rest
            else:
                self._backlog.popleft()
            self._pending -= len(piece)
            self._feed_safely(piece)
            fed += len(piece)
            if deadline is not None and time.perf_counter() >= deadline:
                break
        self.bytes_fed += fed
        return fed

    def _feed_safely(self, piece: bytes) -> None:
        try:
            self.stream.feed(piece)
        except Exception:  # the parser resets itself; a bad byte must not kill the tab
            log.debug("terminal parser error; parser reset", exc_info=True)

    def resize(self, lines: int, columns: int) -> None:
        """Resize the screen (the caller also resizes the pty)."""
        self.screen.resize(max(1, lines), max(1, columns))

    def take_dirty(self) -> set[int]:
        """The visible lines changed since the last call (and forget them)."""
        dirty = set(self.screen.dirty)
        self.screen.dirty.clear()
        return {y for y in dirty if 0 <= y < self.screen.lines}
