"""Run blocking calls (tmux) on a worker thread and get the result back on the GUI thread.

The worker never touches a widget: it returns a value, and a queued Qt signal carries it
to the callback on the GUI thread. Works with or without an asyncio (qasync) loop.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QObject, Signal

log = logging.getLogger(__name__)


class BackgroundRunner(QObject):
    """Submits callables to one worker thread; results arrive via callbacks on this
    object's thread.

    Signals:
        sig_finished(object, object, object): (callback, result, error) — internal relay.
    """

    sig_finished = Signal(object, object, object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="terminal-tmux")
        self.sig_finished.connect(self._deliver)
        self.busy = 0
        self.closed = False

    def submit(
        self,
        function: Callable[[], Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None] | None = None,
    ) -> Future[Any] | None:
        """Run ``function()`` on the worker; then ``on_done(result)`` or
        ``on_error(exception)`` on the GUI thread. After `shutdown` nothing runs (None)."""
        if self.closed:
            return None
        self.busy += 1

        def finished(future: Future[Any]) -> None:
            error = future.exception()
            result = None if error is not None else future.result()
            self.sig_finished.emit((on_done, on_error), result, error)

        future = self._executor.submit(function)
        future.add_done_callback(finished)
        return future

    def _deliver(self, callbacks: Any, result: Any, error: Any) -> None:
        self.busy -= 1
        if self.closed:
            return  # the panel is gone: a late answer has nobody to tell
        on_done, on_error = callbacks
        if error is None:
            on_done(result)
        elif on_error is not None:
            on_error(error)
        else:
            log.error("terminal background call failed", exc_info=error)

    def shutdown(self) -> None:
        """Stop accepting work (running calls finish in the background, unreported)."""
        self.closed = True
        self._executor.shutdown(wait=False, cancel_futures=True)
