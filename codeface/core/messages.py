"""The provider-neutral shape of a conversation: messages, tool specs and tool calls."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Role = Literal["system", "user", "assistant", "tool"]


@dataclass(frozen=True)
class ToolCall:
    """A call the model asked for. ``arguments`` is always a parsed JSON object."""

    id: str
    name: str
    arguments: dict[str, Any]


@dataclass(frozen=True)
class ToolSpec:
    """A tool the model may call; ``parameters`` is a JSON Schema object."""

    name: str
    description: str
    parameters: dict[str, Any]


@dataclass(frozen=True)
class ChatMessage:
    """One message of the conversation sent to a model.

    ``tool_calls`` is set on assistant messages that called tools; ``tool_call_id`` and
    ``tool_name`` are set on ``tool`` messages carrying a result back.
    """

    role: Role
    content: str
    tool_calls: tuple[ToolCall, ...] = ()
    tool_call_id: str | None = None
    tool_name: str | None = None


@dataclass(frozen=True)
class ChatRequest:
    """Everything a provider needs to stream one answer."""

    model: str
    messages: tuple[ChatMessage, ...]
    tools: tuple[ToolSpec, ...] = ()
    temperature: float | None = None
    max_tokens: int | None = None
    num_ctx: int | None = None
    keep_alive: str | float | None = None
    system: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def with_model(self, model: str) -> ChatRequest:
        """The same request for another model (used when falling back)."""
        return ChatRequest(
            model=model,
            messages=self.messages,
            tools=self.tools,
            temperature=self.temperature,
            max_tokens=self.max_tokens,
            num_ctx=self.num_ctx,
            keep_alive=self.keep_alive,
            system=self.system,
            extra=self.extra,
        )
