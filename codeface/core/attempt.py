"""One provider's attempt at an answer: what it produced, and the stats it earned."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from codeface.core.context import estimate_tokens
from codeface.core.errors import CodefaceError
from codeface.core.events import (
    AnswerStats,
    Finished,
    FinishReason,
    StreamEvent,
    TextDelta,
    ToolCallRequested,
    TurnDone,
    Usage,
)
from codeface.core.messages import ToolCall
from codeface.core.pricing import answer_cost
from codeface.core.provider import Provider
from codeface.core.selection import Choice

# Below these an answer's speed is noise: five tokens that arrived in one network read
# give "62,634 tok/s". Front ends show no speed rather than nonsense.
MIN_SPEED_TOKENS = 10
MIN_SPEED_SECONDS = 0.25


def generation_speed(output_tokens: int | None, seconds: float) -> float | None:
    """Tokens per second after the first token, or None when too little to measure.

    The first token's arrival starts the clock, so it is not counted in the rate.
    """
    if output_tokens is None or output_tokens < MIN_SPEED_TOKENS:
        return None
    if seconds < MIN_SPEED_SECONDS:
        return None
    return (output_tokens - 1) / seconds


@dataclass
class Attempt:
    """What one provider produced for the current answer."""

    provider: Provider
    choice: Choice
    started: float
    first_token: float | None = None
    parts: list[str] = field(default_factory=list)
    input_tokens: int | None = None
    output_tokens: int | None = None
    finish: FinishReason = "stop"
    tool_calls: list[ToolCall] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The answer text so far."""
        return "".join(self.parts)

    def absorb(self, event: StreamEvent, clock: Callable[[], float]) -> None:
        """Account for one stream event (``clock`` is read only for the first token)."""
        if isinstance(event, TextDelta):
            if self.first_token is None:
                self.first_token = clock()
            self.parts.append(event.text)
        elif isinstance(event, ToolCallRequested):
            if self.first_token is None:
                self.first_token = clock()
            self.tool_calls.append(event.call)
        elif isinstance(event, Usage):
            self.input_tokens = event.input_tokens or self.input_tokens
            self.output_tokens = event.output_tokens or self.output_tokens
        elif isinstance(event, Finished):
            self.finish = event.reason

    def stats(
        self,
        finish: FinishReason,
        error: str | None,
        *,
        now: float,
        prices: Mapping[str, Mapping[str, float]],
    ) -> AnswerStats:
        """Provider, model, tokens, speed and cost of this attempt."""
        output = self.output_tokens
        if output is None and self.text:
            output = estimate_tokens(self.text)
        ttft = self.first_token - self.started if self.first_token is not None else None
        generation = now - self.first_token if self.first_token is not None else 0.0
        speed = generation_speed(output, generation)
        return AnswerStats(
            provider=self.provider.id,
            model=self.choice.model,
            host=self.provider.host,
            input_tokens=self.input_tokens,
            output_tokens=output,
            time_to_first_token=ttft,
            tokens_per_second=speed,
            cost_usd=answer_cost(
                kind=self.provider.kind,
                tier=self.provider.tier,
                model=self.choice.model,
                input_tokens=self.input_tokens,
                output_tokens=output,
                overrides=prices,
            ),
            finish_reason=finish,
            error=error,
        )

    def done(
        self, partial: str, *, now: float, prices: Mapping[str, Mapping[str, float]]
    ) -> TurnDone:
        """The finished answer: earlier providers' text (if any) plus this one's."""
        calls = tuple(self.tool_calls)
        finish: FinishReason = "tool_calls" if calls and self.finish == "stop" else self.finish
        return TurnDone(
            text=partial + self.text,
            stats=self.stats(finish, None, now=now, prices=prices),
            tool_calls=calls,
        )


@dataclass(frozen=True)
class Outcome:
    """How one provider's turn ended: a finished attempt, or an error (maybe after text)."""

    attempt: Attempt | None
    error: CodefaceError | None = None
