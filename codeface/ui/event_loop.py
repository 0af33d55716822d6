"""The asyncio loop that runs inside Qt's event loop: qasync, plus what qasync leaves out.

qasync never installs asyncio's async-generator hooks, so an async generator abandoned
mid-stream (an answer stopped by the user, an HTTP response) would be finalised later by
the garbage collector, from another task or after the loop is gone. This loop installs
the hooks while it runs, so such generators are closed on the loop, as under asyncio.
"""

from __future__ import annotations

import sys
from typing import Any

import qasync


class QtEventLoop(qasync.QEventLoop):  # type: ignore[misc]
    """`qasync.QEventLoop` with asyncio's async-generator finaliser installed while running."""

    _previous_hooks: Any = None

    def install_asyncgen_hooks(self) -> None:
        """Route async-generator finalisation to this loop (idempotent)."""
        if self._previous_hooks is None:
            self._previous_hooks = sys.get_asyncgen_hooks()
            sys.set_asyncgen_hooks(
                firstiter=self._asyncgen_firstiter_hook,
                finalizer=self._asyncgen_finalizer_hook,
            )

    def restore_asyncgen_hooks(self) -> None:
        """Put back the hooks that were in place before (idempotent)."""
        if self._previous_hooks is not None:
            sys.set_asyncgen_hooks(*self._previous_hooks)
            self._previous_hooks = None

    def _before_run_forever(self) -> None:
        super()._before_run_forever()
        self.install_asyncgen_hooks()

    def _after_run_forever(self) -> None:
        self.restore_asyncgen_hooks()
        super()._after_run_forever()
