"""Local first, cloud when needed: choose a provider, retry, fall back, and say why.

`Router.stream` yields `TurnEvent`s for one answer. Each provider is tried in policy
order; retryable failures before the first token are retried with backoff (honouring
retry-after); anything else moves on to the next provider with a `ProviderSwitched`
event naming the reason. A failure after text has arrived either continues on the next
provider with the partial text kept and marked, or fails clearly (setting
``general.on_midstream_failure``): an answer is never silently truncated.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import AsyncGenerator, Awaitable, Callable, Sequence
from contextlib import aclosing
from dataclasses import dataclass, field, replace

from codeface.core.backoff import backoff_delay
from codeface.core.breaker import CircuitBreaker
from codeface.core.context import estimate_request_tokens, estimate_tokens
from codeface.core.errors import (
    CodefaceError,
    NoProviderAvailable,
    Overloaded,
    ProviderUnavailable,
    RateLimited,
    ServerError,
    StreamInterrupted,
)
from codeface.core.events import (
    AnswerStats,
    Finished,
    FinishReason,
    ProviderSwitched,
    Retrying,
    StreamEvent,
    TextDelta,
    ToolCallRequested,
    TurnDone,
    TurnEvent,
    TurnFailed,
    TurnStarted,
    Usage,
)
from codeface.core.messages import ChatMessage, ChatRequest, ToolCall
from codeface.core.pricing import answer_cost
from codeface.core.ratelimit import RateLimiter
from codeface.core.selection import (
    Choice,
    choose_cloud_model,
    choose_local_model,
    order_providers,
    prefer_resident_hosts,
    provider_label,
)
from codeface.core.settings import Policy, Settings
from codeface.providers.base import ModelInfo, Provider

log = logging.getLogger(__name__)

CONTINUE_PROMPT = (
    "Your previous answer was cut off. Continue exactly where it stopped, "
    "without repeating anything already written."
)
_AVAILABILITY_ERRORS = (
    ProviderUnavailable,
    Overloaded,
    ServerError,
    StreamInterrupted,
    RateLimited,
)
MODEL_LIST_TTL = 15.0


@dataclass
class _Attempt:
    """What one provider produced for the current answer."""

    provider: Provider
    choice: Choice
    started: float
    first_token: float | None = None
    text: str = ""
    input_tokens: int | None = None
    output_tokens: int | None = None
    finish: FinishReason = "stop"
    tool_calls: list[ToolCall] = field(default_factory=list)


@dataclass(frozen=True)
class _Outcome:
    """How one provider's turn ended: a finished attempt, or an error (maybe after text)."""

    attempt: _Attempt | None
    error: CodefaceError | None = None


class _StallWatchdog:
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


class Router:
    """Routes answers across providers with retries, a breaker and a rate limit each."""

    def __init__(
        self,
        providers: Sequence[Provider],
        settings: Settings,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        rng: Callable[[], float] = random.random,
    ) -> None:
        self.providers = list(providers)
        self.settings = settings
        self._clock = clock
        self._sleep = sleep
        self._rng = rng
        router = settings.router
        self._breakers = {
            p.id: CircuitBreaker(
                threshold=router.breaker_threshold, cooldown=router.breaker_cooldown, clock=clock
            )
            for p in self.providers
        }
        self._limiters = {
            p.id: RateLimiter(
                requests_per_minute=router.requests_per_minute,
                tokens_per_minute=router.tokens_per_minute,
                clock=clock,
                sleep=sleep,
            )
            for p in self.providers
        }
        self._model_cache: dict[str, tuple[float, list[ModelInfo]]] = {}

    def breaker(self, provider_id: str) -> CircuitBreaker:
        """The circuit breaker of one provider."""
        return self._breakers[provider_id]

    def limiter(self, provider_id: str) -> RateLimiter:
        """The rate limiter of one provider."""
        return self._limiters[provider_id]

    def forget_models(self, provider_id: str | None = None) -> None:
        """Drop cached model lists (after a pull or delete)."""
        if provider_id is None:
            self._model_cache.clear()
        else:
            self._model_cache.pop(provider_id, None)

    async def local_models(self, provider: Provider) -> list[ModelInfo]:
        """The provider's models, cached for a few seconds so routing adds no round trip."""
        cached = self._model_cache.get(provider.id)
        now = self._clock()
        if cached and now - cached[0] < MODEL_LIST_TTL:
            return cached[1]
        models = await provider.list_models()
        self._model_cache[provider.id] = (now, models)
        return models

    async def stream(
        self,
        request: ChatRequest,
        *,
        policy: Policy | None = None,
        model: str | None = None,
        provider: str | None = None,
    ) -> AsyncGenerator[TurnEvent, None]:
        """Answer ``request``; ``model`` is a preference (or the pin when policy is pinned)."""
        policy = policy or self.settings.general.policy
        strict = policy == "pinned"
        candidates = order_providers(self.providers, policy, provider)
        prepared: dict[str, Choice | CodefaceError] = {}
        hosts = [c for c in candidates if c.kind == "ollama"]
        if len(hosts) > 1:
            results = await asyncio.gather(
                *(self._prepare(host, request, model, strict) for host in hosts)
            )
            prepared = dict(zip((host.id for host in hosts), results, strict=True))
            candidates = prefer_resident_hosts(candidates, prepared)
        reasons: list[tuple[Provider, CodefaceError]] = []
        partial = ""
        pending_marker = False
        for index, candidate in enumerate(candidates):
            choice_or_error = prepared.pop(candidate.id, None) or await self._prepare(
                candidate, request, model, strict
            )
            if isinstance(choice_or_error, CodefaceError):
                reasons.append((candidate, choice_or_error))
                continue
            choice = choice_or_error
            if reasons:
                failed, error = reasons[-1]
                yield ProviderSwitched(
                    from_provider=failed.id,
                    to_provider=candidate.id,
                    model=choice.model,
                    reason=f"{error.user_message} → using {choice.model}",
                    partial_kept=pending_marker,
                )
            if pending_marker:
                marker = f"\n\n*[continued on {choice.model}: {reasons[-1][1].user_message}]*\n\n"
                partial += marker
                yield TextDelta(marker)
                pending_marker = False
            outcome = _Outcome(None, NoProviderAvailable("no answer"))
            attempts = self._run_on(candidate, choice, request, partial)
            async with aclosing(attempts):
                async for item in attempts:
                    if isinstance(item, _Outcome):
                        outcome = item
                    else:
                        yield item
            if outcome.error is None and outcome.attempt is not None:
                yield self._done(outcome.attempt, partial)
                return
            error = outcome.error or NoProviderAvailable("no answer")
            reasons.append((candidate, error))
            produced = outcome.attempt.text if outcome.attempt is not None else ""
            if produced:
                assert outcome.attempt is not None
                partial += produced
                is_last = index == len(candidates) - 1
                if self.settings.general.on_midstream_failure == "fail" or is_last:
                    stats = self._stats(outcome.attempt, "interrupted", error.user_message)
                    yield TurnFailed(error=error, partial_text=partial, stats=stats)
                    return
                pending_marker = True
        yield TurnFailed(error=self._summarise(reasons, policy), partial_text=partial)

    async def _prepare(
        self, candidate: Provider, request: ChatRequest, model: str | None, strict: bool
    ) -> Choice | CodefaceError:
        """Choose a model on ``candidate`` or say why it cannot answer now."""
        breaker = self._breakers[candidate.id]
        if breaker.state == "open":
            return ProviderUnavailable(
                f"{provider_label(candidate)} failed {breaker.failures} times in a row "
                f"(next try in {breaker.seconds_until_probe():.0f} s)",
                provider=candidate.id,
            )
        try:
            if candidate.tier == "local" and candidate.kind == "ollama":
                models = await self.local_models(candidate)
                return choose_local_model(
                    candidate,
                    models,
                    request,
                    preferred=model or self.settings.general.model or None,
                    context_size=self.settings.general.context_size,
                    strict=strict,
                )
            return choose_cloud_model(candidate, model, strict=strict)
        except CodefaceError as error:
            if isinstance(error, _AVAILABILITY_ERRORS):
                breaker.record_failure()
                self.forget_models(candidate.id)
            return error

    async def _run_on(
        self, provider: Provider, choice: Choice, request: ChatRequest, partial: str
    ) -> AsyncGenerator[StreamEvent | TurnStarted | Retrying | _Outcome, None]:
        """Stream from one provider with retries; the last item is an `_Outcome`."""
        outgoing = self._request_for(provider, choice, request, partial)
        breaker = self._breakers[provider.id]
        retries = self.settings.router.max_retries
        for attempt_number in range(retries + 1):
            if not breaker.allow():
                yield _Outcome(
                    None,
                    ProviderUnavailable(
                        f"{provider_label(provider)} is failing; waiting before trying again",
                        provider=provider.id,
                    ),
                )
                return
            await self._limiters[provider.id].acquire(estimate_request_tokens(outgoing))
            attempt = _Attempt(provider=provider, choice=choice, started=self._clock())
            yield TurnStarted(
                provider=provider.id, model=choice.model, host=provider.host, tier=provider.tier
            )
            try:
                events = self._guarded(provider, outgoing)
                async with aclosing(events):
                    async for event in events:
                        self._absorb(attempt, event)
                        yield event
            except CodefaceError as error:
                if isinstance(error, _AVAILABILITY_ERRORS):
                    breaker.record_failure()
                else:
                    breaker.release_probe()
                if attempt.text:
                    yield _Outcome(attempt, error)
                    return
                if error.retryable and attempt_number < retries:
                    delay = backoff_delay(
                        attempt_number,
                        base=self.settings.router.backoff_base,
                        cap=self.settings.router.backoff_cap,
                        retry_after=error.retry_after,
                        rng=self._rng,
                    )
                    yield Retrying(provider.id, attempt_number + 1, delay, error.user_message)
                    await self._sleep(delay)
                    continue
                if isinstance(error, _AVAILABILITY_ERRORS):
                    self.forget_models(provider.id)
                yield _Outcome(None, error)
                return
            except BaseException:
                breaker.release_probe()
                raise
            breaker.record_success()
            self._limiters[provider.id].record_tokens(attempt.output_tokens or 0)
            yield _Outcome(attempt)
            return

    async def _guarded(
        self, provider: Provider, request: ChatRequest
    ) -> AsyncGenerator[StreamEvent, None]:
        """The provider's stream, failing with StreamInterrupted when it stalls."""
        stall = self.settings.general.stall_timeout
        watchdog = _StallWatchdog(stall)
        iterator = aiter(provider.stream_chat(request))
        try:
            while True:
                watchdog.waiting()
                try:
                    event = await anext(iterator)
                except StopAsyncIteration:
                    return
                except asyncio.CancelledError as error:
                    if not watchdog.absorb_own_cancel():
                        raise
                    raise StreamInterrupted(
                        f"{provider_label(provider)} stopped sending for {stall:.0f} s",
                        retryable=True,
                        provider=provider.id,
                    ) from error
                watchdog.idle()
                yield event
        finally:
            watchdog.stop()
            aclose = getattr(iterator, "aclose", None)
            if aclose is not None:
                await aclose()

    def _request_for(
        self, provider: Provider, choice: Choice, request: ChatRequest, partial: str
    ) -> ChatRequest:
        general = self.settings.general
        outgoing = replace(
            request,
            model=choice.model,
            num_ctx=choice.num_ctx if provider.kind == "ollama" else request.num_ctx,
            temperature=request.temperature
            if request.temperature is not None
            else general.temperature,
            max_tokens=request.max_tokens or general.max_tokens,
            keep_alive=request.keep_alive
            or (self.settings.ollama.keep_alive if provider.kind == "ollama" else None),
        )
        if partial:
            outgoing = replace(
                outgoing,
                messages=(
                    *request.messages,
                    ChatMessage("assistant", partial),
                    ChatMessage("user", CONTINUE_PROMPT),
                ),
            )
        return outgoing

    def _absorb(self, attempt: _Attempt, event: StreamEvent) -> None:
        if isinstance(event, TextDelta):
            if attempt.first_token is None:
                attempt.first_token = self._clock()
            attempt.text += event.text
        elif isinstance(event, ToolCallRequested):
            if attempt.first_token is None:
                attempt.first_token = self._clock()
            attempt.tool_calls.append(event.call)
        elif isinstance(event, Usage):
            attempt.input_tokens = event.input_tokens or attempt.input_tokens
            attempt.output_tokens = event.output_tokens or attempt.output_tokens
        elif isinstance(event, Finished):
            attempt.finish = event.reason

    def _stats(self, attempt: _Attempt, finish: FinishReason, error: str | None) -> AnswerStats:
        end = self._clock()
        output = attempt.output_tokens
        if output is None and attempt.text:
            output = estimate_tokens(attempt.text)
        ttft = attempt.first_token - attempt.started if attempt.first_token is not None else None
        generation = end - attempt.first_token if attempt.first_token is not None else 0.0
        speed = output / generation if output and generation > 0 else None
        provider = attempt.provider
        return AnswerStats(
            provider=provider.id,
            model=attempt.choice.model,
            host=provider.host,
            input_tokens=attempt.input_tokens,
            output_tokens=output,
            time_to_first_token=ttft,
            tokens_per_second=speed,
            cost_usd=answer_cost(
                kind=provider.kind,
                tier=provider.tier,
                model=attempt.choice.model,
                input_tokens=attempt.input_tokens,
                output_tokens=output,
                overrides=self.settings.pricing,
            ),
            finish_reason=finish,
            error=error,
        )

    def _done(self, attempt: _Attempt, partial: str) -> TurnDone:
        calls = tuple(attempt.tool_calls)
        finish: FinishReason = (
            "tool_calls" if calls and attempt.finish == "stop" else attempt.finish
        )
        return TurnDone(
            text=partial + attempt.text,
            stats=self._stats(attempt, finish, None),
            tool_calls=calls,
        )

    def _summarise(
        self, reasons: list[tuple[Provider, CodefaceError]], policy: Policy
    ) -> CodefaceError:
        if not reasons:
            where = "local" if policy == "local-only" else "configured"
            return NoProviderAvailable(f"No {where} model provider is set up")
        errors = [error for _, error in reasons]
        actionable = [e for e in errors if not isinstance(e, ProviderUnavailable)]
        if len(errors) == 1:
            return errors[0]
        if actionable and len({type(e) for e in actionable}) == 1:
            return actionable[-1]
        details = "; ".join(f"{provider_label(p)}: {e.user_message}" for p, e in reasons)
        return NoProviderAvailable(f"No provider could answer ({details})")
