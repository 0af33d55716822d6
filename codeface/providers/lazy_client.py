"""An SDK client built once, in a worker thread, the first time it is needed.

Importing an SDK (``anthropic`` alone takes over a second) and building its HTTP client (an
SSL context reads the CA bundle: 15-30 ms) would otherwise freeze the event loop's thread,
which in the app is the GUI thread.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable


class LazyClient[T]:
    """``await client.get()`` builds on first use (off the loop's thread), then is free."""

    def __init__(self, build: Callable[[], T]) -> None:
        self._build = build
        self._value: T | None = None
        self._lock = threading.Lock()

    async def get(self) -> T:
        """The client, built in a worker thread if this is its first use."""
        value = self._value
        if value is None:
            value = await asyncio.to_thread(self._build_once)
        return value

    def take(self) -> T | None:
        """The built client, if any, forgotten here so the next `get` builds a new one."""
        with self._lock:
            value, self._value = self._value, None
        return value

    def _build_once(self) -> T:
        with self._lock:
            if self._value is None:
                self._value = self._build()
            return self._value
