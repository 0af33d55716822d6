"""Noticing a provider that stopped sending, without a timer or a clock read per chunk.

The stream loop only bumps `progress` and flips `waiting`; a check that runs four times
per stall period decides. It counts only time spent waiting on the provider, not time
the consumer spends with an event, and fires between 1 and 1¼ stall periods after the
provider went quiet.
"""

from __future__ import annotations

import asyncio


class StallWatchdog:
    """Cancels the current task when the provider sends nothing for ``stall`` seconds."""

    def __init__(self, stall: float) -> None:
        self._loop = asyncio.get_running_loop()
        self._task = asyncio.current_task()
        self._stall = stall
        self._period = max(stall / 4, 0.005)
        self.progress = 0
        self.waiting = False
        self.fired = False
        self._seen = 0
        self._quiet_since = self._loop.time()
        self._handle = self._loop.call_later(self._period, self._check)

    def _check(self) -> None:
        now = self._loop.time()
        if self.progress != self._seen or not self.waiting:
            self._seen = self.progress
            self._quiet_since = now
        elif now - self._quiet_since >= self._stall and self._task is not None:
            self.fired = True
            self._task.cancel()
            return
        self._handle = self._loop.call_later(self._period, self._check)

    def absorb_own_cancel(self) -> bool:
        """True (and the cancel undone) when the watchdog caused the cancellation."""
        if not self.fired or self._task is None:
            return False
        self._task.uncancel()
        return True

    def stop(self) -> None:
        """No more checks."""
        self._handle.cancel()
