"""How long to wait on a provider: for its first event, and between events after that.

Before the first event a provider may be loading the model or reading a long prompt, so
that wait is longer, announced, and bounded once (`FirstEvent`). After it, the stream loop
only bumps `StallWatchdog.progress` and flips ``waiting``; a check that runs four times
per stall period decides, without a timer or a clock read per chunk. It counts only time
spent waiting on the provider, not time the consumer spends with an event, and fires
between 1 and 1¼ stall periods after the provider went quiet.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

NOTICE_AFTER = 2.0
"""Seconds of waiting for the first event before the user is told what is happening."""


def notice_after(first_event: float) -> float:
    """When to say that we are waiting: after `NOTICE_AFTER`, sooner for a short wait."""
    return min(NOTICE_AFTER, first_event / 4)


class FirstEvent[E]:
    """The first event of a stream, awaited in a helper task so the wait can be watched.

    The caller checks `arrived_within` (and tells the user when it is slow), then takes
    `result`. `cancel` stops the wait; the stream is then finished, and its response closed.
    """

    def __init__(self, stream: AsyncIterator[E]) -> None:
        self._task = asyncio.ensure_future(_first(stream))

    async def arrived_within(self, seconds: float) -> bool:
        """Wait up to ``seconds``; whether the first event (or the end, or an error) is in."""
        if not self._task.done():
            await asyncio.wait({self._task}, timeout=max(seconds, 0.0))
        return self._task.done()

    def result(self) -> E | None:
        """The first event; None when the stream ended without one; raises its error."""
        return self._task.result()

    async def cancel(self) -> None:
        """Stop waiting (no-op once the event is in); returns when the stream has stopped."""
        if not self._task.done():
            self._task.cancel()
            await asyncio.wait({self._task})
        if not self._task.cancelled():
            self._task.exception()  # retrieved, so never "exception was never retrieved"


async def _first[E](stream: AsyncIterator[E]) -> E | None:
    try:
        return await anext(stream)
    except StopAsyncIteration:
        return None


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
