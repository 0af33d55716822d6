"""Run a blocking producer in a worker thread and read what it produces as an async stream.

The built-in engine generates and the model downloader downloads in plain threads (the
native library and the HTTP client block); the event loop only awaits a queue that the
thread fills through ``call_soon_threadsafe``. Closing or cancelling the reader sets the
producer's stop flag at once, so the stream ends for its consumer immediately and the
thread stops at its next check. The thread is not a daemon: at exit the interpreter waits
for it, which a stopped producer makes short, rather than freeing memory it still uses.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncGenerator, Callable
from typing import Any

_ITEM, _RESULT, _ERROR = range(3)

Producer = Callable[[Callable[[Any], None], threading.Event], Any]
"""``producer(emit, stop)``: calls ``emit(item)`` per item, returns a final result."""


class ThreadStream:
    """One producer run in its own thread; iterate `items()`, then read `result`."""

    def __init__(self, producer: Producer, *, name: str) -> None:
        self._producer = producer
        self._name = name
        self.stop = threading.Event()
        self.finished = asyncio.Event()
        """Set (on the loop) when the thread has returned, whatever the outcome."""
        self.result: Any = None
        """What the producer returned (read it once `finished` is set)."""

    async def items(self) -> AsyncGenerator[Any, None]:
        """Yield each emitted item; re-raise the producer's exception; stop it when closed."""
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[tuple[int, Any]] = asyncio.Queue()

        def post(kind: int, value: Any) -> None:
            try:
                loop.call_soon_threadsafe(queue.put_nowait, (kind, value))
            except RuntimeError:  # the loop is closed: nobody is listening any more
                self.stop.set()

        def done() -> None:
            with contextlib.suppress(RuntimeError):  # the loop is closed
                loop.call_soon_threadsafe(self.finished.set)

        def run() -> None:
            try:
                self.result = self._producer(lambda item: post(_ITEM, item), self.stop)
            except BaseException as error:  # handed to the reader, which decides
                post(_ERROR, error)
            else:
                post(_RESULT, None)
            finally:
                done()

        threading.Thread(target=run, name=self._name).start()
        try:
            while True:
                kind, value = await queue.get()
                if kind == _ITEM:
                    yield value
                elif kind == _ERROR:
                    raise value
                else:
                    return
        finally:
            self.stop.set()
