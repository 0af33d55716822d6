"""Anthropic's Messages API through the official ``anthropic`` SDK (imported on first use).

The SDK's own retries are off (``max_retries=0``): the router owns retries and backoff.
Tool-use arguments arrive as ``input_json_delta`` pieces and are parsed at
``content_block_stop``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any, Literal

from codeface.core.errors import AuthenticationFailed, CodefaceError, StreamInterrupted
from codeface.core.events import (
    Finished,
    FinishReason,
    StreamEvent,
    TextDelta,
    ThinkingDelta,
    ToolCallRequested,
    Usage,
)
from codeface.core.messages import ChatMessage, ChatRequest, ToolCall
from codeface.core.provider import ModelInfo, Tier
from codeface.providers.cloud_base import CloudProviderBase, KeySource, model_ids
from codeface.providers.errors import ErrorContext
from codeface.providers.http_clients import STATUS_TIMEOUT
from codeface.providers.lazy_client import LazyClient
from codeface.providers.sdk_warmup import warm_anthropic
from codeface.providers.streaming import (
    Translating,
    call,
    count_or_none,
    malformed,
    optional_record,
    optional_text,
    parse_arguments,
    record,
)

if TYPE_CHECKING:
    import anthropic

DEFAULT_MODEL = "claude-sonnet-5"
FALLBACK_MODELS = ("claude-sonnet-5", "claude-opus-5", "claude-haiku-5-5")
_FINISH: dict[str, FinishReason] = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "pause_turn": "stop",
    "max_tokens": "length",
    "model_context_window_exceeded": "length",
    "tool_use": "tool_calls",
    "refusal": "content_filter",
}


class AnthropicProvider(CloudProviderBase):
    """Anthropic (cloud tier), or any server speaking its Messages API."""

    kind: Literal["anthropic"] = "anthropic"
    default_host = "api.anthropic.com"

    def __init__(
        self,
        api_key: KeySource,
        *,
        base_url: str | None = None,
        default_model: str | None = None,
        connect_timeout: float = 5.0,
        read_timeout: float = 600.0,
        status_timeout: float = STATUS_TIMEOUT,
        provider_id: str = "anthropic",
        name: str = "Anthropic",
        tier: Tier = "cloud",
        default_max_tokens: int = 4096,
    ) -> None:
        super().__init__(
            api_key,
            base_url=base_url,
            default_model=default_model or DEFAULT_MODEL,
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            status_timeout=status_timeout,
            provider_id=provider_id,
            name=name,
            tier=tier,
        )
        self._default_max_tokens = default_max_tokens
        self._client: LazyClient[anthropic.AsyncAnthropic] = LazyClient(self._build_client)

    def _build_client(self) -> anthropic.AsyncAnthropic:
        import anthropic

        warm_anthropic()
        return anthropic.AsyncAnthropic(
            api_key=self._api_key(),
            base_url=self._base_url,
            max_retries=0,
            timeout=self._timeout(),
        )

    # ------------------------------------------------------------ chat
    async def stream_chat(self, request: ChatRequest) -> AsyncIterator[StreamEvent]:
        """Stream one answer; raises only `CodefaceError`."""
        context = self._context(request.model)
        guard = Translating(context)
        with guard:
            tools: dict[int, tuple[str, str, list[str]]] = {}
            input_tokens: int | None = None
            output_tokens: int | None = None
            stop_reason: str | None = None
            began = stopped = False
            sdk = await self._client.get()
            async with sdk.messages.stream(**self._arguments(request)) as stream:
                # The SDK builds events without validating them: check what each field holds.
                async for event in stream:
                    guard.started = True
                    kind = getattr(event, "type", None)
                    if kind == "content_block_delta":
                        delta = record(getattr(event, "delta", None), "delta", context)
                        delta_kind = getattr(delta, "type", None)
                        if delta_kind == "text_delta":
                            text = optional_text(
                                getattr(delta, "text", None), "delta.text", context
                            )
                            if text:
                                yield TextDelta(text)
                        elif delta_kind == "thinking_delta":
                            thinking = optional_text(
                                getattr(delta, "thinking", None), "delta.thinking", context
                            )
                            if thinking:
                                yield ThinkingDelta(thinking)
                        elif delta_kind == "input_json_delta":
                            piece = optional_text(
                                getattr(delta, "partial_json", None), "delta.partial_json", context
                            )
                            tool = tools.get(_index(event, context))
                            if tool is not None and piece:
                                tool[2].append(piece)
                    elif kind == "content_block_start":
                        block = record(
                            getattr(event, "content_block", None), "content_block", context
                        )
                        if getattr(block, "type", None) == "tool_use":
                            index = _index(event, context)
                            call_id = optional_text(
                                getattr(block, "id", None), "content_block.id", context
                            )
                            name = optional_text(
                                getattr(block, "name", None), "content_block.name", context
                            )
                            tools[index] = (call_id or f"call_{index}", name or "", [])
                    elif kind == "content_block_stop":
                        finished_tool = tools.pop(_index(event, context), None)
                        if finished_tool is not None:
                            call_id, name, pieces = finished_tool
                            arguments = parse_arguments("".join(pieces), name, context)
                            yield ToolCallRequested(ToolCall(call_id, name, arguments))
                    elif kind == "message_start":
                        began = True
                        message = record(getattr(event, "message", None), "message", context)
                        usage = optional_record(
                            getattr(message, "usage", None), "message.usage", context
                        )
                        input_tokens = count_or_none(getattr(usage, "input_tokens", None))
                    elif kind == "message_delta":
                        change = optional_record(getattr(event, "delta", None), "delta", context)
                        reason = optional_text(
                            getattr(change, "stop_reason", None), "delta.stop_reason", context
                        )
                        stop_reason = reason or stop_reason
                        usage = optional_record(getattr(event, "usage", None), "usage", context)
                        output_tokens = count_or_none(getattr(usage, "output_tokens", None))
                    elif kind == "message_stop":
                        if not began:
                            raise malformed(context, "no message_start before message_stop")
                        stopped = True
                        break
            if stopped:  # yielded after the response is closed
                yield Usage(input_tokens, output_tokens)
                raw = stop_reason or "end_turn"
                yield Finished(_FINISH.get(raw, "stop"), raw)
                return
        raise StreamInterrupted(
            f"{self._name} ended the answer early", retryable=True, provider=self._id
        )

    def _arguments(self, request: ChatRequest) -> dict[str, Any]:
        system = [m.content for m in request.messages if m.role == "system"]
        if request.system:
            system.insert(0, request.system)
        arguments: dict[str, Any] = {
            "model": request.model or self._default_model,
            "max_tokens": request.max_tokens or self._default_max_tokens,
            "messages": convert_messages(request.messages),
        }
        if system:
            arguments["system"] = "\n\n".join(system)
        # The Messages API of this SDK takes no temperature; the request's value is ignored.
        if request.tools:
            arguments["tools"] = [
                {"name": t.name, "description": t.description, "input_schema": t.parameters}
                for t in request.tools
            ]
        return arguments

    # ------------------------------------------------------------ models and health
    async def list_models(self) -> list[ModelInfo]:
        """Models from ``/v1/models``; a built-in list if it fails (a refused key still raises)."""
        try:
            names = await self._model_names()
        except AuthenticationFailed:
            raise
        except CodefaceError:
            names = list(FALLBACK_MODELS)
        return [ModelInfo(n, self._id, self._tier, residency="cloud") for n in names]

    async def _model_names(self) -> list[str]:
        async def collect() -> list[str]:
            sdk = await self._client.get()
            async with asyncio.timeout(self._status_timeout):
                pages = sdk.models.list(limit=100, timeout=self._status_timeout)
                return await model_ids(pages, context)

        context = self._context()
        return await call(collect(), context)


def _index(event: Any, context: ErrorContext) -> int:
    """The content block an event is about."""
    index = getattr(event, "index", None)
    if not isinstance(index, int) or isinstance(index, bool):
        raise malformed(context, "index is not a number")
    return index


def convert_messages(messages: tuple[ChatMessage, ...]) -> list[dict[str, Any]]:
    """Provider-neutral messages as Anthropic ``messages`` (system ones are left out).

    Tool results become ``tool_result`` blocks in a user message (consecutive results share
    one); assistant tool calls become ``tool_use`` blocks.
    """
    converted: list[dict[str, Any]] = []
    for message in messages:
        if message.role == "system":
            continue
        if message.role == "tool":
            block = {
                "type": "tool_result",
                "tool_use_id": message.tool_call_id or "",
                "content": message.content,
            }
            previous = converted[-1] if converted else None
            if (
                previous is not None
                and previous["role"] == "user"
                and isinstance(previous["content"], list)
                and all(part.get("type") == "tool_result" for part in previous["content"])
            ):
                previous["content"].append(block)
            else:
                converted.append({"role": "user", "content": [block]})
        elif message.role == "assistant" and message.tool_calls:
            blocks: list[dict[str, Any]] = []
            if message.content:
                blocks.append({"type": "text", "text": message.content})
            blocks += [
                {"type": "tool_use", "id": c.id, "name": c.name, "input": c.arguments}
                for c in message.tool_calls
            ]
            converted.append({"role": "assistant", "content": blocks})
        else:
            converted.append({"role": message.role, "content": message.content})
    return converted
