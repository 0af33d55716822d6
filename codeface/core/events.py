"""The events the engine yields while it answers; the UI turns each kind into a signal.

Providers yield the *stream* events (`TextDelta`, `ThinkingDelta`, `ToolCallRequested`,
`Usage`, `Finished`). The router and the turn add the *turn* events around them
(`TurnStarted`, `Retrying`, `ProviderSwitched`, `TurnDone`, `TurnFailed`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from codeface.core.errors import CodefaceError
from codeface.core.messages import ToolCall

FinishReason = Literal[
    "stop", "length", "tool_calls", "cancelled", "interrupted", "error", "content_filter"
]


@dataclass(frozen=True)
class TextDelta:
    """A piece of answer text."""

    text: str


@dataclass(frozen=True)
class ThinkingDelta:
    """A piece of the model's visible reasoning, when it streams one."""

    text: str


@dataclass(frozen=True)
class ToolCallRequested:
    """The model asked for a tool call; arguments are already parsed."""

    call: ToolCall


@dataclass(frozen=True)
class Usage:
    """Token counts reported by the provider (totals for the answer so far)."""

    input_tokens: int | None = None
    output_tokens: int | None = None


@dataclass(frozen=True)
class Finished:
    """The provider's stream ended normally with this reason."""

    reason: FinishReason
    raw_reason: str | None = None


StreamEvent = TextDelta | ThinkingDelta | ToolCallRequested | Usage | Finished


@dataclass(frozen=True)
class TurnStarted:
    """A provider/model was chosen and the request was sent."""

    provider: str
    model: str
    host: str
    tier: Literal["local", "cloud"]


@dataclass(frozen=True)
class Retrying:
    """A retryable failure; the same provider is tried again after ``delay`` seconds."""

    provider: str
    attempt: int
    delay: float
    reason: str


@dataclass(frozen=True)
class ProviderSwitched:
    """The answer moved to another provider; ``reason`` is shown to the user."""

    from_provider: str
    to_provider: str
    model: str
    reason: str
    partial_kept: bool = False


@dataclass(frozen=True)
class Notice:
    """Something the user should know about this answer, e.g. that the model they asked for
    could not be used and which one answers instead."""

    text: str


@dataclass(frozen=True)
class Progress:
    """Progress of a long operation such as a model pull (bytes when known)."""

    status: str
    completed: int | None = None
    total: int | None = None
    digest: str | None = None


@dataclass(frozen=True)
class AnswerStats:
    """What an answer cost and how fast it came."""

    provider: str
    model: str
    host: str
    input_tokens: int | None
    output_tokens: int | None
    time_to_first_token: float | None
    tokens_per_second: float | None
    cost_usd: float | None
    finish_reason: FinishReason
    error: str | None = None


@dataclass(frozen=True)
class TurnDone:
    """The answer is complete (or stopped); ``text`` is the whole answer."""

    text: str
    stats: AnswerStats
    tool_calls: tuple[ToolCall, ...] = ()


@dataclass(frozen=True)
class TurnFailed:
    """The answer failed; ``partial_text`` is what arrived before the failure."""

    error: CodefaceError
    partial_text: str
    stats: AnswerStats | None = None


TurnEvent = (
    StreamEvent
    | TurnStarted
    | Retrying
    | ProviderSwitched
    | Notice
    | Progress
    | TurnDone
    | TurnFailed
)
