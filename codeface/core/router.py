"""Local first, cloud when needed: choose a provider, retry, fall back, and say why.

`Router.stream` yields `TurnEvent`s for one answer. Each provider is tried in policy
order; retryable failures before the first token are retried with backoff (honouring
retry-after); anything else moves on to the next provider with a `ProviderSwitched`
event naming the reason. A provider that goes silent is waited for once, never once per
retry: its first event may take two stall periods (a model may be loading; a `Progress`
event says what we wait for after a moment), each later one a stall period. A failure
after text has arrived either continues on the next provider with the partial text kept
and marked, or fails clearly (setting ``general.on_midstream_failure``): an answer is
never silently truncated.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import AsyncGenerator, Awaitable, Callable, Sequence
from contextlib import aclosing
from dataclasses import replace

from codeface.core.attempt import Attempt, Outcome
from codeface.core.backoff import backoff_delay
from codeface.core.breaker import CircuitBreaker
from codeface.core.context import estimate_request_tokens
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
    Notice,
    Progress,
    ProviderSwitched,
    Retrying,
    StreamEvent,
    TextDelta,
    TurnEvent,
    TurnFailed,
    TurnStarted,
)
from codeface.core.messages import ChatMessage, ChatRequest
from codeface.core.provider import ModelInfo, Provider
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
from codeface.core.stall import FirstEvent, StallWatchdog, notice_after
from codeface.core.tool_text import as_text_protocol

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
LOCAL_MODEL_KINDS = ("ollama", "builtin")
"""Providers whose installed models are listed and chosen by fit (the others are told)."""


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
            if choice.note:
                yield Notice(choice.note)
            if pending_marker:
                marker = f"\n\n*[continued on {choice.model}: {reasons[-1][1].user_message}]*\n\n"
                partial += marker
                yield TextDelta(marker)
                pending_marker = False
            outcome = Outcome(None, NoProviderAvailable("no answer"))
            attempts = self._run_on(candidate, choice, request, partial)
            async with aclosing(attempts):
                async for item in attempts:
                    if isinstance(item, Outcome):
                        outcome = item
                    else:
                        yield item
            if outcome.error is None and outcome.attempt is not None:
                yield outcome.attempt.done(partial, now=self._clock(), prices=self.settings.pricing)
                return
            error = outcome.error or NoProviderAvailable("no answer")
            reasons.append((candidate, error))
            produced = outcome.attempt.text if outcome.attempt is not None else ""
            if produced:
                assert outcome.attempt is not None
                partial += produced
                is_last = index == len(candidates) - 1
                if self.settings.general.on_midstream_failure == "fail" or is_last:
                    stats = outcome.attempt.stats(
                        "interrupted",
                        error.user_message,
                        now=self._clock(),
                        prices=self.settings.pricing,
                    )
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
            if candidate.tier == "local" and candidate.kind in LOCAL_MODEL_KINDS:
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
    ) -> AsyncGenerator[StreamEvent | TurnStarted | Retrying | Progress | Outcome, None]:
        """Stream from one provider with retries; the last item is an `Outcome`."""
        outgoing = self._request_for(provider, choice, request, partial)
        breaker = self._breakers[provider.id]
        retries = self.settings.router.max_retries
        for attempt_number in range(retries + 1):
            if not breaker.allow():
                yield Outcome(
                    None,
                    ProviderUnavailable(
                        f"{provider_label(provider)} is failing; waiting before trying again",
                        provider=provider.id,
                    ),
                )
                return
            await self._limiters[provider.id].acquire(estimate_request_tokens(outgoing))
            attempt = Attempt(provider=provider, choice=choice, started=self._clock())
            yield TurnStarted(
                provider=provider.id, model=choice.model, host=provider.host, tier=provider.tier
            )
            patience_ran_out = False
            watchdog: StallWatchdog | None = None
            try:
                stream = provider.stream_chat(outgoing)
                try:
                    # The first event may be slow (a model loading): wait for it in a helper
                    # task, say so when it is slow, and give up once, after a bounded wait.
                    first_wait = self.settings.general.first_token_timeout
                    notice = notice_after(first_wait)
                    first: FirstEvent[StreamEvent] = FirstEvent(stream)
                    try:
                        if not await first.arrived_within(notice):
                            yield self._waiting(provider, choice)
                            if not await first.arrived_within(first_wait - notice):
                                patience_ran_out = True
                                raise self._silent(provider, choice, first_wait)
                        event = first.result()
                    finally:
                        await first.cancel()
                    # The rest is read here, not through another generator layer or a task:
                    # this loop runs once per token, and every layer costs.
                    watchdog = StallWatchdog(self.settings.general.stall_timeout)
                    while event is not None:
                        watchdog.progress += 1
                        attempt.absorb(event, self._clock)
                        yield event
                        watchdog.waiting = True
                        try:
                            event = await anext(stream)
                        except StopAsyncIteration:
                            break
                        except asyncio.CancelledError as error:
                            if not watchdog.absorb_own_cancel():
                                raise
                            patience_ran_out = True
                            raise self._stalled(provider) from error
                        finally:
                            watchdog.waiting = False
                finally:
                    if watchdog is not None:
                        watchdog.stop()
                    aclose = getattr(stream, "aclose", None)
                    if aclose is not None:
                        await aclose()
            except CodefaceError as error:
                if isinstance(error, _AVAILABILITY_ERRORS):
                    breaker.record_failure()
                else:
                    breaker.release_probe()
                if attempt.parts:
                    yield Outcome(attempt, error)
                    return
                # A provider that kept us waiting a full timeout is not asked again: retrying
                # would multiply the wait (three 60 s stalls is three minutes of nothing).
                if error.retryable and not patience_ran_out and attempt_number < retries:
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
                yield Outcome(None, error)
                return
            except BaseException:
                breaker.release_probe()
                raise
            breaker.record_success()
            self._limiters[provider.id].record_tokens(attempt.output_tokens or 0)
            yield Outcome(attempt)
            return

    def _stalled(self, provider: Provider) -> StreamInterrupted:
        stall = self.settings.general.stall_timeout
        return StreamInterrupted(
            f"{provider_label(provider)} stopped sending for {stall:g} s",
            retryable=True,
            provider=provider.id,
        )

    def _waiting(self, provider: Provider, choice: Choice) -> Progress:
        """What the user is told while the first event is slow to come."""
        info = choice.info
        if provider.tier == "local" and (info is None or info.residency == "not_loaded"):
            return Progress(f"Waiting for {choice.model} to load on {provider.host}…")
        where = provider_label(provider)
        return Progress(f"Waiting for {choice.model} on {where} to start answering…")

    def _silent(self, provider: Provider, choice: Choice, waited: float) -> ProviderUnavailable:
        return ProviderUnavailable(
            f"{choice.model} on {provider_label(provider)} sent nothing for {waited:g} s",
            retryable=True,
            provider=provider.id,
            hint="It may still be loading: try again in a moment, or choose another model.",
        )

    def _request_for(
        self, provider: Provider, choice: Choice, request: ChatRequest, partial: str
    ) -> ChatRequest:
        general = self.settings.general
        outgoing = replace(
            request,
            model=choice.model,
            num_ctx=choice.num_ctx if provider.kind in LOCAL_MODEL_KINDS else request.num_ctx,
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
        if outgoing.tools and not choice.native_tools:
            outgoing = as_text_protocol(outgoing)
        return outgoing

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
