"""Noticing a provider that stopped sending, without a timeout per chunk."""

from __future__ import annotations

import asyncio


class StallWatchdog:
    """Cancels the current task when the provider sends nothing for ``stall`` seconds.

    One timer per stream instead of a timeout per chunk (which would cost more than the
    chunk); it counts only time spent waiting on the provider, not the consumer's time.
    """

    def __init__(self, stall: float) -> None:
        self._loop = asyncio.get_running_loop()
        self._task = asyncio.current_task()
        self._stall = stall
        self._since = self._loop.time()
        self._waiting = False
        self.fired = False
        self._handle = self._loop.call_at(self._since + stall, self._check)

    def waiting(self) -> None:
        """We are about to wait on the provider."""
        self._since = self._loop.time()
        self._waiting = True

    def idle(self) -> None:
        """An event arrived; the consumer has it."""
        self._waiting = False

    def _check(self) -> None:
        idle = self._loop.time() - self._since
        if self._waiting and idle >= self._stall and self._task is not None:
            self.fired = True
            self._task.cancel()
            return
        delay = self._stall - idle if self._waiting else self._stall
        self._handle = self._loop.call_at(self._loop.time() + max(delay, 0.01), self._check)

    def absorb_own_cancel(self) -> bool:
        """True (and the cancel undone) when the watchdog caused the cancellation."""
        if not self.fired or self._task is None:
            return False
        self._task.uncancel()
        return True

    def stop(self) -> None:
        """No more checks."""
        self._handle.cancel()
