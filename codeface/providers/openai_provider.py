"""OpenAI Chat Completions — and any OpenAI-compatible server — through the ``openai`` SDK.

One class serves OpenAI itself (id ``openai``) and compatible servers such as LM Studio,
llama.cpp, vLLM or Ollama's ``/v1`` (id ``compat:<name>``, tier chosen by the caller).
Tool-call arguments arrive as JSON-string fragments per index and are parsed at the end.
The SDK's own retries are off: the router owns retries.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any, Literal

from codeface.core.errors import AuthenticationFailed, CodefaceError, StreamInterrupted
from codeface.core.events import Finished, FinishReason, StreamEvent, ToolCallRequested
from codeface.core.messages import ChatMessage, ChatRequest, ToolCall
from codeface.core.provider import ModelInfo, Tier
from codeface.providers.cloud_base import CloudProviderBase, KeySource, model_ids
from codeface.providers.http_clients import STATUS_TIMEOUT
from codeface.providers.lazy_client import LazyClient
from codeface.providers.openai_chunks import ChunkReader
from codeface.providers.sdk_warmup import warm_openai
from codeface.providers.streaming import Translating, call, malformed, parse_arguments

if TYPE_CHECKING:
    import openai

DEFAULT_MODEL = "gpt-5"
FALLBACK_MODELS = ("gpt-5", "gpt-5-mini", "gpt-4.1")
PLACEHOLDER_KEY = "not-needed"
_FINISH: dict[str, FinishReason] = {
    "stop": "stop",
    "length": "length",
    "tool_calls": "tool_calls",
    "function_call": "tool_calls",
    "content_filter": "content_filter",
}


class OpenAIProvider(CloudProviderBase):
    """OpenAI or an OpenAI-compatible server, chosen by base URL."""

    kind: Literal["openai"] = "openai"
    default_host = "api.openai.com"

    def __init__(
        self,
        api_key: KeySource,
        *,
        base_url: str | None = None,
        default_model: str | None = None,
        connect_timeout: float = 5.0,
        read_timeout: float = 600.0,
        status_timeout: float = STATUS_TIMEOUT,
        provider_id: str = "openai",
        name: str = "OpenAI",
        tier: Tier = "cloud",
        fallback_models: tuple[str, ...] | None = None,
    ) -> None:
        super().__init__(
            api_key,
            base_url=base_url,
            default_model=default_model or (DEFAULT_MODEL if provider_id == "openai" else None),
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            status_timeout=status_timeout,
            provider_id=provider_id,
            name=name,
            tier=tier,
        )
        if provider_id != "openai":
            self.placeholder_key = PLACEHOLDER_KEY
        if fallback_models is None:
            fallback_models = FALLBACK_MODELS if provider_id == "openai" else ()
        self._fallback_models = fallback_models
        self._client: LazyClient[openai.AsyncOpenAI] = LazyClient(self._build_client)

    def _build_client(self) -> openai.AsyncOpenAI:
        import openai

        warm_openai()
        return openai.AsyncOpenAI(
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
            reader = ChunkReader(context)
            sdk = await self._client.get()
            stream = await sdk.chat.completions.create(**self._arguments(request))
            async with stream:
                async for chunk in stream:
                    guard.started = True
                    for event in reader.read(chunk):
                        yield event
            finish = reader.finish
            if finish is None:
                if reader.chunks and not reader.choices:
                    raise malformed(context, "its stream held no answer")
                raise StreamInterrupted(
                    f"{self._name} ended the answer early", retryable=True, provider=self._id
                )
            calls = reader.calls
            for index in sorted(calls):
                call_id, name, *pieces = calls[index]
                arguments = parse_arguments("".join(pieces), name, context)
                yield ToolCallRequested(ToolCall(call_id or f"call_{index}", name, arguments))
            if reader.usage is not None:
                yield reader.usage
            reason = _FINISH.get(finish, "stop")
            if calls and reason == "stop":  # some compatible servers say "stop" after tools
                reason = "tool_calls"
            yield Finished(reason, finish)

    def _arguments(self, request: ChatRequest) -> dict[str, Any]:
        messages = [{"role": "system", "content": request.system}] if request.system else []
        messages += [convert_message(m) for m in request.messages]
        arguments: dict[str, Any] = {
            "model": request.model or self._default_model or "",
            "messages": messages,
            "stream": True,
            "stream_options": {"include_usage": True},
        }
        if request.max_tokens is not None:
            # OpenAI's newer models only take max_completion_tokens; servers copying the
            # API mostly know only max_tokens.
            key = "max_completion_tokens" if self._id == "openai" else "max_tokens"
            arguments[key] = request.max_tokens
        if request.temperature is not None:
            arguments["temperature"] = request.temperature
        if request.tools:
            arguments["tools"] = [
                {
                    "type": "function",
                    "function": {
                        "name": t.name,
                        "description": t.description,
                        "parameters": t.parameters,
                    },
                }
                for t in request.tools
            ]
        return arguments

    # ------------------------------------------------------------ models and health
    async def list_models(self) -> list[ModelInfo]:
        """Models from ``/v1/models``; the built-in list if that fails (a refused key raises)."""
        try:
            names = await self._model_names()
        except AuthenticationFailed:
            raise
        except CodefaceError:
            # Some compatible servers have no /v1/models: offer the configured model.
            fallback = self._fallback_models or (
                (self._default_model,) if self._default_model else ()
            )
            if not fallback:
                raise
            names = list(fallback)
        residency: Literal["cloud", "not_loaded"] = (
            "cloud" if self._tier == "cloud" else "not_loaded"
        )
        return [ModelInfo(n, self._id, self._tier, residency=residency) for n in names]

    async def _model_names(self) -> list[str]:
        async def collect() -> list[str]:
            sdk = await self._client.get()
            async with asyncio.timeout(self._status_timeout):
                return await model_ids(sdk.models.list(timeout=self._status_timeout), context)

        context = self._context()
        return await call(collect(), context)


def convert_message(message: ChatMessage) -> dict[str, Any]:
    """One provider-neutral message in Chat Completions form."""
    if message.role == "tool":
        return {
            "role": "tool",
            "tool_call_id": message.tool_call_id or "",
            "content": message.content,
        }
    converted: dict[str, Any] = {"role": message.role, "content": message.content}
    if message.role == "assistant" and message.tool_calls:
        converted["content"] = message.content or None
        converted["tool_calls"] = [
            {
                "id": c.id,
                "type": "function",
                "function": {"name": c.name, "arguments": json.dumps(c.arguments)},
            }
            for c in message.tool_calls
        ]
    return converted
