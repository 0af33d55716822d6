"""Changes on disk under a folder, as an async iterator, watched from a worker thread.

`watchfiles.awatch` builds its watcher on the calling thread, and on Linux that adds an
inotify watch for every folder of the tree at once (about 60 ms for a 20,000-file
repository), which in the window is the GUI thread. Here the whole watch — set-up,
waiting, debouncing, filtering — runs in a daemon thread; batches cross to the event loop
through a queue. Closing the iterator stops the thread within one `watchfiles` step.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncGenerator, Callable
from pathlib import Path

Batch = set[tuple[object, str]]
_Item = Batch | BaseException | None


async def follow_changes(
    root: Path, keep: Callable[[object, str], bool], debounce_ms: int
) -> AsyncGenerator[set[str], None]:
    """Absolute paths under ``root`` that changed, one set per debounced batch."""
    loop = asyncio.get_running_loop()
    items: asyncio.Queue[_Item] = asyncio.Queue()
    stop = threading.Event()

    def hand_over(item: _Item) -> None:
        try:
            loop.call_soon_threadsafe(items.put_nowait, item)
        except RuntimeError:  # the loop closed while the watcher was stopping
            stop.set()

    def watch() -> None:
        import watchfiles

        try:
            for batch in watchfiles.watch(
                root,
                watch_filter=keep,
                debounce=debounce_ms,
                stop_event=stop,
                raise_interrupt=False,
                recursive=True,
            ):
                hand_over(batch)  # type: ignore[arg-type]
        except Exception as error:  # raised again on the loop's side
            hand_over(error)
        else:
            hand_over(None)

    threading.Thread(target=watch, name="codeface-file-watch", daemon=True).start()
    try:
        while True:
            item = await items.get()
            if item is None:
                return
            if isinstance(item, BaseException):
                raise item
            yield {path for _change, path in item}
    finally:
        stop.set()
