"""A circuit breaker per provider: a dead provider costs nothing until it may be back.

Closed: requests flow. After ``threshold`` consecutive failures it opens: requests are
refused at once. After ``cooldown`` seconds it is half-open: one probe goes through; its
success closes the circuit, its failure opens it for another cool-down.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Literal

BreakerState = Literal["closed", "open", "half_open"]


class CircuitBreaker:
    """Counts consecutive failures of one provider."""

    def __init__(
        self,
        *,
        threshold: int = 3,
        cooldown: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.threshold = max(1, threshold)
        self.cooldown = cooldown
        self._clock = clock
        self._failures = 0
        self._opened_at: float | None = None
        self._probe_in_flight = False

    @property
    def state(self) -> BreakerState:
        """The state now (an open circuit turns half-open once the cool-down passed)."""
        if self._opened_at is None:
            return "closed"
        if self._clock() - self._opened_at >= self.cooldown:
            return "half_open"
        return "open"

    @property
    def failures(self) -> int:
        """Consecutive failures so far."""
        return self._failures

    def seconds_until_probe(self) -> float:
        """How long until a half-open probe is allowed (0 when it is)."""
        if self._opened_at is None:
            return 0.0
        return max(0.0, self.cooldown - (self._clock() - self._opened_at))

    def allow(self) -> bool:
        """Whether a request may go now; in half-open state only one probe at a time."""
        state = self.state
        if state == "closed":
            return True
        if state == "open" or self._probe_in_flight:
            return False
        self._probe_in_flight = True
        return True

    def record_success(self) -> None:
        """A request succeeded: close the circuit."""
        self._failures = 0
        self._opened_at = None
        self._probe_in_flight = False

    def record_failure(self) -> None:
        """A request failed: count it, and open (or re-open) the circuit when due."""
        self._failures += 1
        was_probe = self._probe_in_flight
        self._probe_in_flight = False
        if was_probe or self._failures >= self.threshold:
            self._opened_at = self._clock()

    def release_probe(self) -> None:
        """A probe ended without a verdict (e.g. cancelled): allow another one."""
        self._probe_in_flight = False
