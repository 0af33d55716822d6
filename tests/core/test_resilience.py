"""Backoff, circuit breaker, rate limiter, pricing and token estimates."""

from __future__ import annotations

import asyncio

import pytest

from codeface.core.backoff import backoff_delay
from codeface.core.breaker import CircuitBreaker
from codeface.core.context import estimate_request_tokens, estimate_tokens, fits_context
from codeface.core.messages import ChatMessage, ChatRequest
from codeface.core.pricing import answer_cost, find_price
from codeface.core.ratelimit import RateLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_backoff_grows_exponentially_and_is_capped() -> None:
    upper = [backoff_delay(n, base=0.5, cap=4.0, rng=lambda: 1.0) for n in range(6)]
    assert upper == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]


def test_backoff_uses_full_jitter() -> None:
    assert backoff_delay(3, base=0.5, cap=8.0, rng=lambda: 0.25) == 1.0
    assert backoff_delay(3, base=0.5, cap=8.0, rng=lambda: 0.0) == 0.0


def test_backoff_honours_a_sane_retry_after_only() -> None:
    assert backoff_delay(0, base=0.5, cap=8.0, retry_after=12.0, rng=lambda: 1.0) == 12.0
    assert backoff_delay(0, base=0.5, cap=8.0, retry_after=3600.0, rng=lambda: 1.0) == 0.5
    assert backoff_delay(0, base=0.5, cap=8.0, retry_after=0.0, rng=lambda: 1.0) == 0.5


def test_breaker_opens_after_threshold_and_probes_once_after_cooldown() -> None:
    clock = Clock()
    breaker = CircuitBreaker(threshold=3, cooldown=10.0, clock=clock)
    for _ in range(2):
        breaker.record_failure()
    assert breaker.allow()
    breaker.record_failure()
    assert breaker.state == "open"
    assert not breaker.allow()
    clock.now += 10.0
    assert breaker.state == "half_open"
    assert breaker.allow()
    assert not breaker.allow()  # only one probe at a time
    breaker.record_failure()  # the probe failed: open again for a full cool-down
    assert breaker.state == "open"
    assert breaker.seconds_until_probe() == pytest.approx(10.0)
    clock.now += 10.0
    assert breaker.allow()
    breaker.record_success()
    assert breaker.state == "closed"
    assert breaker.failures == 0


def test_a_success_resets_the_failure_count() -> None:
    breaker = CircuitBreaker(threshold=2, cooldown=5.0, clock=Clock())
    breaker.record_failure()
    breaker.record_success()
    breaker.record_failure()
    assert breaker.state == "closed"


@pytest.mark.asyncio
async def test_rate_limiter_queues_requests_instead_of_failing() -> None:
    clock = Clock()
    limiter = RateLimiter(requests_per_minute=2, clock=clock, sleep=clock.sleep)
    waits = [await limiter.acquire() for _ in range(4)]
    assert waits[:2] == [0.0, 0.0]
    assert waits[2] == pytest.approx(30.0)  # one request refills every 30 s
    assert waits[3] == pytest.approx(30.0)


@pytest.mark.asyncio
async def test_rate_limiter_counts_tokens_per_minute() -> None:
    clock = Clock()
    limiter = RateLimiter(tokens_per_minute=600, clock=clock, sleep=clock.sleep)
    assert await limiter.acquire(500) == 0.0
    assert await limiter.acquire(300) == pytest.approx(20.0)  # 200 missing at 10 tokens/s


@pytest.mark.asyncio
async def test_rate_limiter_serves_waiters_in_order() -> None:
    clock = Clock()
    limiter = RateLimiter(requests_per_minute=1, clock=clock, sleep=clock.sleep)
    order: list[int] = []

    async def request(number: int) -> None:
        await limiter.acquire()
        order.append(number)

    await asyncio.gather(*(request(n) for n in range(3)))
    assert order == [0, 1, 2]


def test_disabled_rate_limiter_never_waits() -> None:
    limiter = RateLimiter()
    assert asyncio.run(limiter.acquire(10**9)) == 0.0


def test_prices_match_the_longest_prefix_and_settings_override_them() -> None:
    price = find_price("openai", "gpt-4.1-mini-2025-04-14")
    assert price is not None
    assert (price.input, price.output) == (0.4, 1.6)
    overrides = {"openai/gpt-4.1-mini-2025-04-14": {"input": 1.0, "output": 2.0}}
    assert answer_cost(
        kind="openai",
        tier="cloud",
        model="gpt-4.1-mini-2025-04-14",
        input_tokens=1_000_000,
        output_tokens=1_000_000,
        overrides=overrides,
    ) == pytest.approx(3.0)


def test_local_answers_are_free_and_unknown_prices_are_unknown() -> None:
    assert answer_cost(kind="ollama", tier="local", model="x", input_tokens=5, output_tokens=5) == 0
    assert (
        answer_cost(kind="openai", tier="cloud", model="mystery", input_tokens=5, output_tokens=5)
        is None
    )


def test_token_estimates_err_high_and_budgets_hold() -> None:
    assert estimate_tokens("") == 0
    assert estimate_tokens("a b c d e f") == 6  # never under one token per word
    assert estimate_tokens("x" * 400) == 100
    request = ChatRequest(model="m", messages=(ChatMessage("user", "word " * 1000),))
    assert estimate_request_tokens(request) >= 1000
    assert fits_context(request, 4096)
    assert not fits_context(request, 1024)
    assert fits_context(request, None)
