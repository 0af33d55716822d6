"""A per-provider rate limiter (requests and tokens per minute) that queues, never fails.

Two token buckets refill continuously; `acquire` waits until both have room. Waiters are
served in arrival order, so a burst of requests drains smoothly instead of erroring.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable


class _Bucket:
    def __init__(self, per_minute: int, now: float) -> None:
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self.level = float(per_minute)
        self.updated = now

    def refill(self, now: float) -> None:
        self.level = min(self.capacity, self.level + (now - self.updated) * self.rate)
        self.updated = now

    def wait_for(self, amount: float) -> float:
        amount = min(amount, self.capacity)
        if self.level >= amount:
            return 0.0
        return (amount - self.level) / self.rate


class RateLimiter:
    """Limits one provider to ``requests_per_minute`` and ``tokens_per_minute`` (0 = off)."""

    def __init__(
        self,
        *,
        requests_per_minute: int = 0,
        tokens_per_minute: int = 0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        now = clock()
        self._requests = _Bucket(requests_per_minute, now) if requests_per_minute else None
        self._tokens = _Bucket(tokens_per_minute, now) if tokens_per_minute else None
        self._clock = clock
        self._sleep = sleep
        self._lock = asyncio.Lock()

    @property
    def enabled(self) -> bool:
        """Whether any limit is set."""
        return self._requests is not None or self._tokens is not None

    async def acquire(self, tokens: int = 0) -> float:
        """Wait until one request of ``tokens`` tokens may go; returns seconds waited."""
        if not self.enabled:
            return 0.0
        waited = 0.0
        async with self._lock:
            while True:
                now = self._clock()
                delay = 0.0
                for bucket, amount in ((self._requests, 1.0), (self._tokens, float(tokens))):
                    if bucket is not None:
                        bucket.refill(now)
                        delay = max(delay, bucket.wait_for(amount))
                if delay <= 0:
                    break
                await self._sleep(delay)
                waited += delay
            if self._requests is not None:
                self._requests.level -= 1.0
            if self._tokens is not None:
                self._tokens.level -= min(float(tokens), self._tokens.capacity)
        return waited

    def record_tokens(self, extra_tokens: int) -> None:
        """Charge tokens learnt after the request (e.g. the answer's output tokens)."""
        if self._tokens is not None and extra_tokens > 0:
            self._tokens.level -= extra_tokens
