"""Exponential backoff with full jitter, honouring a server's retry-after."""

from __future__ import annotations

import random
from collections.abc import Callable

MAX_RETRY_AFTER = 60.0


def backoff_delay(
    attempt: int,
    *,
    base: float,
    cap: float,
    retry_after: float | None = None,
    rng: Callable[[], float] = random.random,
) -> float:
    """Seconds to wait before retry number ``attempt`` (0-based).

    A server's ``retry-after`` (already parsed to seconds) wins when it is positive and
    at most a minute; otherwise full jitter: uniform in [0, min(cap, base * 2**attempt)].
    """
    if retry_after is not None and 0 < retry_after <= MAX_RETRY_AFTER:
        return retry_after
    return float(rng()) * min(cap, base * 2.0**attempt)
