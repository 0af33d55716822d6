"""A local Ollama server through the official ``ollama`` client (imported on first use).

Streams chat with tools, and manages models: list (with GPU residency from ``/api/ps`` and
context length / capabilities from ``/api/show``), pull with progress, delete, show, ps,
version and health. The status calls (list, show, ps, version, health) are plain JSON
requests (`ollama_api`), so the SDK and its 25 MB load only when a model is used or pulled.
"""

from __future__ import annotations

import asyncio
import ipaddress
import urllib.parse
from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import aclosing
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Literal, cast

from codeface.core.errors import (
    CodefaceError,
    MalformedResponse,
    ModelMissing,
    ProviderUnavailable,
    StreamInterrupted,
)
from codeface.core.events import (
    Finished,
    FinishReason,
    Progress,
    StreamEvent,
    TextDelta,
    ThinkingDelta,
    ToolCallRequested,
    Usage,
)
from codeface.core.messages import ChatMessage, ChatRequest, ToolCall
from codeface.core.provider import Health, ModelInfo, Residency, Tier
from codeface.providers import ollama_api as api
from codeface.providers.errors import ErrorContext
from codeface.providers.http_clients import (
    STATUS_TIMEOUT,
    preload_async_transport,
    shared_ssl_context,
)
from codeface.providers.lazy_client import LazyClient
from codeface.providers.streaming import Translating, call, guarded

if TYPE_CHECKING:
    import httpx
    import ollama

DEFAULT_HOST = "http://127.0.0.1:11434"
_FINISH: dict[str, FinishReason] = {
    "stop": "stop",
    "length": "length",
    "load": "stop",
    "unload": "stop",
}


def parse_host(value: str | None) -> str:
    """A full base URL from an ``OLLAMA_HOST``-style value, like the client's ``_parse_host``.

    ``None``/``""`` → ``http://127.0.0.1:11434``; ``":56789"`` → port 56789 on 127.0.0.1;
    ``"h"`` → ``http://h:11434``; ``"https://h"`` → port 443; a path is kept.
    """
    text, port = (value or "").strip(), 11434
    scheme, _, hostport = text.partition("://")
    if not hostport:
        scheme, hostport = "http", text
    elif scheme == "http":
        port = 80
    elif scheme == "https":
        port = 443
    from codeface.core.errors import ConfigError

    try:
        split = urllib.parse.urlsplit(f"{scheme}://{hostport}")
    except ValueError as error:  # e.g. "http://[::1" (an unclosed IPv6 bracket)
        raise ConfigError(f"Ollama host {value!r} is not a valid address") from error
    host = split.hostname or "127.0.0.1"
    try:
        port = split.port or port
    except ValueError as error:
        raise ConfigError(f"Ollama host {value!r} has an invalid port") from error
    try:
        if isinstance(ipaddress.ip_address(host), ipaddress.IPv6Address):
            host = f"[{host}]"
    except ValueError:
        pass
    path = split.path.rstrip("/")
    return f"{scheme}://{host}:{port}{path}"


def residency_of(size: int | None, size_vram: int | None) -> Residency:
    """``gpu`` when fully in VRAM, ``partial`` when split, ``cpu`` when none is in VRAM."""
    if not size_vram:
        return "cpu"
    if size is not None and size_vram < size:
        return "partial"
    return "gpu"


class OllamaProvider:
    """One Ollama host (local tier)."""

    kind: Literal["ollama"] = "ollama"

    def __init__(
        self,
        host: str | None = None,
        *,
        keep_alive: str | float | None = "10m",
        connect_timeout: float = 5.0,
        read_timeout: float = 600.0,
        status_timeout: float = STATUS_TIMEOUT,
        default_model: str | None = None,
        tier: Tier = "local",
    ) -> None:
        self._base_url = parse_host(host)
        self._netloc = urllib.parse.urlsplit(self._base_url).netloc
        path = urllib.parse.urlsplit(self._base_url).path
        self._id = f"ollama@{self._netloc}{path}"
        self._keep_alive = keep_alive
        self._connect_timeout = connect_timeout
        self._read_timeout = read_timeout
        self._default_model = default_model
        self._tier: Tier = tier
        self._client: LazyClient[ollama.AsyncClient] = LazyClient(self._build_client)
        self._api = api.OllamaAPI(
            self._base_url, connect_timeout=connect_timeout, timeout=status_timeout
        )
        self._show_cache: dict[tuple[str, str], ModelInfo] = {}

    # ------------------------------------------------------------ identity
    @property
    def id(self) -> str:
        """``ollama@HOST:PORT``."""
        return self._id

    @property
    def tier(self) -> Tier:
        """``local`` (a LAN host is still local: it never leaves the user's machines)."""
        return self._tier

    @property
    def host(self) -> str:
        """``HOST:PORT`` as shown to the user."""
        return self._netloc

    @property
    def base_url(self) -> str:
        """The full base URL, e.g. ``http://127.0.0.1:11434``."""
        return self._base_url

    @property
    def default_model(self) -> str | None:
        """The model used when a request names none."""
        return self._default_model

    def _context(self, model: str | None = None) -> ErrorContext:
        return ErrorContext(self._id, "Ollama", self._netloc, model)

    def _timeout(self) -> httpx.Timeout:
        import httpx

        return httpx.Timeout(self._read_timeout, connect=self._connect_timeout)

    def _build_client(self) -> ollama.AsyncClient:
        import ollama

        preload_async_transport()
        return ollama.AsyncClient(
            host=self._base_url, timeout=self._timeout(), verify=shared_ssl_context()
        )

    # ------------------------------------------------------------ chat
    async def stream_chat(self, request: ChatRequest) -> AsyncIterator[StreamEvent]:
        """Stream one answer from ``/api/chat``; raises only `CodefaceError`."""
        # One generator, no wrapper: this loop runs per token, so every layer counts.
        guard = Translating(self._context(request.model))
        with guard:
            sdk = await self._client.get()
            parts = await sdk.chat(**self._payload(request))
            # Close the client's generator (and its response) here, in this task, even
            # when we return at `done` or the consumer stops early: left to the garbage
            # collector it is closed later from another task, or after the loop is gone.
            calls = 0
            final = None
            async with aclosing(cast(AsyncGenerator[Any, None], parts)):
                async for part in parts:
                    message = part.message
                    if message.thinking:
                        guard.started = True
                        yield ThinkingDelta(message.thinking)
                    if message.content:
                        guard.started = True
                        yield TextDelta(message.content)
                    if message.tool_calls:
                        guard.started = True
                        for tool_call in message.tool_calls:
                            calls += 1
                            function = tool_call.function
                            arguments = dict(function.arguments or {})
                            yield ToolCallRequested(
                                ToolCall(f"call_{calls}", function.name, arguments)
                            )
                    if part.done:
                        final = part
                        break
            if final is not None:  # yielded after the response is closed
                yield Usage(final.prompt_eval_count, final.eval_count)
                raw = final.done_reason or "stop"
                reason = _FINISH.get(raw, "stop")
                if calls and reason == "stop":
                    reason = "tool_calls"
                yield Finished(reason, raw)
                return
        raise StreamInterrupted(
            f"Ollama at {self._netloc} ended the answer early", retryable=True, provider=self._id
        )

    def _payload(self, request: ChatRequest) -> dict[str, Any]:
        options: dict[str, Any] = dict(request.extra.get("options", {}))
        if request.num_ctx is not None:
            options["num_ctx"] = request.num_ctx
        if request.temperature is not None:
            options["temperature"] = request.temperature
        if request.max_tokens is not None:
            options["num_predict"] = request.max_tokens
        messages = [{"role": "system", "content": request.system}] if request.system else []
        messages += [_message(message) for message in request.messages]
        payload: dict[str, Any] = {
            "model": request.model,
            "messages": messages,
            "stream": True,
            "options": options or None,
            "keep_alive": request.keep_alive
            if request.keep_alive is not None
            else self._keep_alive,
        }
        if request.tools:
            payload["tools"] = [
                {
                    "type": "function",
                    "function": {
                        "name": tool.name,
                        "description": tool.description,
                        "parameters": tool.parameters,
                    },
                }
                for tool in request.tools
            ]
        if "think" in request.extra:
            payload["think"] = request.extra["think"]
        return payload

    # ------------------------------------------------------------ models
    async def list_models(self) -> list[ModelInfo]:
        """Installed models with residency, context length and capabilities."""
        context = self._context()

        async def installed_tags() -> dict[str, Any]:
            # The request is made inside the task: cancelled before it starts, nothing is
            # left unawaited.
            return await call(self._api.get("/api/tags"), context)

        tags, loaded = await asyncio.gather(installed_tags(), self.ps())
        running = {model.name: model for model in loaded}
        with Translating(context):
            installed = [
                (self._entry(entry), api.text(entry, "digest") or "")
                for entry in api.objects(tags, "models")
            ]
        shown = await asyncio.gather(*(self._show_cached(m.name, d) for m, d in installed))
        models = []
        for (model, _), details in zip(installed, shown, strict=True):
            loaded_as = running.get(model.name)
            models.append(
                replace(
                    model,
                    context_length=details.context_length if details else None,
                    capabilities=details.capabilities if details else (),
                    residency=loaded_as.residency if loaded_as else "not_loaded",
                    size_vram=loaded_as.size_vram if loaded_as else None,
                )
            )
        return models

    def _entry(self, entry: dict[str, Any]) -> ModelInfo:
        """A model as ``/api/tags`` or ``/api/ps`` lists it (details, size, residency)."""
        details = api.child(entry, "details")
        size, size_vram = api.whole(entry, "size"), api.whole(entry, "size_vram")
        return ModelInfo(
            name=api.text(entry, "model") or api.text(entry, "name") or "",
            provider=self._id,
            tier=self._tier,
            size_bytes=size,
            parameter_size=api.text(details, "parameter_size"),
            quantization=api.text(details, "quantization_level"),
            family=api.text(details, "family"),
            context_length=api.whole(entry, "context_length"),
            residency=residency_of(size, size_vram) if "size_vram" in entry else "not_loaded",
            size_vram=size_vram,
        )

    async def _show_cached(self, name: str, digest: str) -> ModelInfo | None:
        key = (name, digest)
        if key not in self._show_cache:
            try:
                self._show_cache[key] = await self.show(name)
            except CodefaceError:
                return None
        return self._show_cache[key]

    async def show(self, name: str) -> ModelInfo:
        """Details of one installed model (context length from ``model_info``)."""
        context = self._context(name)
        shown = await call(self._api.post("/api/show", {"model": name}), context)
        with Translating(context):
            model_info = api.child(shown, "model_info")
            architecture = model_info.get("general.architecture")
            length = model_info.get(f"{architecture}.context_length")
            if length is None:
                length = next(
                    (v for k, v in model_info.items() if k.endswith(".context_length")), None
                )
            listed = self._entry({**shown, "model": name})
            capabilities = api.texts(shown, "capabilities")
        return replace(listed, context_length=_whole_or_none(length), capabilities=capabilities)

    async def ps(self) -> list[ModelInfo]:
        """The models loaded in memory now, with where they live (gpu/partial/cpu)."""
        context = self._context()
        loaded = await call(self._api.get("/api/ps"), context)
        with Translating(context):
            return [self._entry(entry) for entry in api.objects(loaded, "models")]

    async def pull(self, name: str) -> AsyncIterator[Progress]:
        """Download a model, yielding progress (bytes when known)."""
        progress = guarded(self._pull(name), self._context(name))
        try:
            async with aclosing(progress):
                async for item in progress:
                    yield item
        except ModelMissing as error:
            raise ModelMissing(
                f"Model {name} was not found in the Ollama library",
                provider=self._id,
                hint="Check the name at ollama.com/library.",
            ) from error

    async def _pull(self, name: str) -> AsyncGenerator[Progress, None]:
        sdk = await self._client.get()
        parts = await sdk.pull(name, stream=True)
        async with aclosing(cast(AsyncGenerator[Any, None], parts)):
            async for part in parts:
                yield Progress(part.status or "", part.completed, part.total, part.digest)

    async def delete(self, name: str) -> None:
        """Remove an installed model (`ModelMissing` if it is not installed)."""
        sdk = await self._client.get()
        await call(sdk.delete(name), self._context(name))
        self._show_cache = {k: v for k, v in self._show_cache.items() if k[0] != name}

    async def version(self) -> str:
        """The server version from ``GET /api/version`` (the client has no call for it)."""
        answered = "without a version"
        try:
            answer = await call(self._api.get("/api/version"), self._context())
        except ProviderUnavailable:
            raise
        except CodefaceError as error:
            answer = {}
            answered = f"HTTP {error.status_code}" if error.status_code else "no JSON"
        version = answer.get("version")
        if not isinstance(version, str) or not version:
            raise MalformedResponse(
                f"The server at {self._netloc} does not look like Ollama"
                f" (GET /api/version answered {answered})",
                provider=self._id,
            )
        return version

    async def prepare(self) -> None:
        """Load the SDK and build its client in a worker thread (about 0.3 s, 25 MB)."""
        await self._client.get()

    async def health(self) -> Health:
        """Reachability and version; never raises."""
        try:
            version = await self.version()
        except CodefaceError as error:
            return Health(False, error.user_message, error=error)
        return Health(True, f"Ollama {version} at {self._netloc}", version=version)

    async def aclose(self) -> None:
        """Close the SDK client (the status requests keep no connection open)."""
        client = self._client.take()
        if client is not None:
            await client.close()  # type: ignore[no-untyped-call]


def _whole_or_none(value: object) -> int | None:
    """A whole number from JSON (which may also hold NaN or Infinity), or None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float) and not value.is_integer():
        return None
    return int(value)


def _message(message: ChatMessage) -> dict[str, Any]:
    converted: dict[str, Any] = {"role": message.role, "content": message.content}
    if message.tool_calls:
        converted["tool_calls"] = [
            {"function": {"name": call.name, "arguments": call.arguments}}
            for call in message.tool_calls
        ]
    if message.role == "tool" and message.tool_name:
        converted["tool_name"] = message.tool_name
    return converted
