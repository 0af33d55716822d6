"""The built-in engine: GGUF models run inside CodeFace through llama.cpp.

It satisfies the same `Provider` protocol as Ollama and the cloud: streamed text, tool
calls in the model's own format (`llama_tools`), one `Usage` and a `Finished`. Nothing
blocks the event loop: llama-cpp-python is imported, each model loaded and each answer
generated in worker threads (`llama_runtime`, `thread_stream`). A model is loaded once
and kept for the next answer; another model, or a larger context, replaces it.

Before loading, the file's header is checked (`gguf`), and on the CPU a model that would
not fit the memory free now is refused with a `ModelFileError`, instead of letting the
machine swap. Stopping an answer ends its stream at once and the generation within one
token. Everything raised is a `CodefaceError` (`llama_errors`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import aclosing
from functools import partial
from typing import Any, Literal

from codeface.core.errors import CodefaceError, InvalidRequest, ModelFileError, ModelMissing
from codeface.core.events import (
    Finished,
    FinishReason,
    StreamEvent,
    TextDelta,
    ToolCallRequested,
    Usage,
)
from codeface.core.messages import ChatMessage, ChatRequest, ToolCall
from codeface.core.provider import Health, ModelInfo, Residency, Tier
from codeface.core.tool_text import TEXT_PROTOCOL_TOOLS, reply_schema
from codeface.providers import llama_runtime as runtime
from codeface.providers import machine
from codeface.providers.builtin_engine import ModelStatus, statuses
from codeface.providers.gguf import GGUFInfo, read_gguf_cached
from codeface.providers.llama_errors import INSTALL_HINT, translate
from codeface.providers.llama_tools import ToolCallSplitter, supports_native_tools
from codeface.providers.local_models import LocalModel, ModelRegistry
from codeface.providers.thread_stream import ThreadStream

log = logging.getLogger(__name__)

PROVIDER_ID = "builtin"
HOST = "this computer"
MIN_CONTEXT = 512
RUNTIME_OVERHEAD = 256 * 1024 * 1024
"""Compute buffers and the runtime itself, beside the weights and the attention cache."""
_FINISH: dict[str, FinishReason] = {"stop": "stop", "length": "length"}


class LlamaProvider:
    """GGUF models run in-process (local tier: nothing leaves the machine)."""

    kind: Literal["builtin"] = "builtin"

    def __init__(
        self,
        registry: ModelRegistry,
        *,
        default_model: str | None = None,
        gpu_offload: str = "auto",
        context_size: int = 8192,
        threads: int = 0,
        memory: machine.MemoryProbe = machine.memory,
    ) -> None:
        self._registry = registry
        self._default_model = default_model
        self._gpu_offload = gpu_offload
        self._context_size = max(context_size, MIN_CONTEXT)
        self._threads = threads
        self._memory = memory
        self._placement: runtime.Placement | None = None
        self._lock = asyncio.Lock()
        self._slot: asyncio.Future[runtime.LoadedModel] | None = None
        self._slot_key: tuple[str, int] | None = None
        self._streams: set[ThreadStream] = set()
        self._last_stream: ThreadStream | None = None

    # ------------------------------------------------------------ identity
    @property
    def id(self) -> str:
        """``builtin``."""
        return PROVIDER_ID

    @property
    def tier(self) -> Tier:
        """``local``: the prompt never leaves this computer."""
        return "local"

    @property
    def host(self) -> str:
        """Where it runs, as shown to the user."""
        return HOST

    @property
    def default_model(self) -> str | None:
        """``[builtin] model`` from settings, else the first registered model."""
        return self._default_model

    # ------------------------------------------------------------ chat
    async def stream_chat(self, request: ChatRequest) -> AsyncIterator[StreamEvent]:
        """Stream one answer generated in a worker thread; raises only `CodefaceError`."""
        name = request.model or self._default_model or ""
        _, info = await asyncio.to_thread(self._entry, name)
        native_tools = supports_native_tools(info.chat_template)
        if request.tools and not native_tools:  # refused before loading anything
            raise InvalidRequest(
                f"{name} has no tool-call format in its chat template",
                hint="Choose a model with tool support (e.g. Qwen2.5-Coder) for agent work.",
                provider=PROVIDER_ID,
            )
        model, info = await self._model(name, request.num_ctx)
        if TEXT_PROTOCOL_TOOLS in request.extra:
            async for event in self._stream_structured(model, name, request):
                yield event
            return
        splitter = ToolCallSplitter() if request.tools else None
        stream = ThreadStream(
            partial(_produce, model, self._arguments(request, native_tools)),
            name=f"codeface-builtin-{name}",
        )
        self._streams = {s for s in self._streams if not s.finished.is_set()} | {stream}
        self._last_stream = stream
        try:
            async with aclosing(stream.items()) as pieces:
                async for piece in pieces:
                    if splitter is None:
                        yield TextDelta(piece)
                    else:
                        for event in splitter.feed(piece):
                            yield event
        except CodefaceError:
            raise
        except Exception as error:
            raise translate(error, stage="answer", model=name, path=str(model.path)) from error
        outcome: runtime.Outcome = stream.result
        for event in splitter.finish() if splitter else ():
            yield event
        yield Usage(outcome.prompt_tokens, outcome.output_tokens)
        reason = _FINISH.get(outcome.finish_reason or "stop", "stop")
        if splitter is not None and splitter.calls and reason == "stop":
            reason = "tool_calls"
        yield Finished(reason, outcome.finish_reason)

    async def _stream_structured(
        self, model: runtime.LoadedModel, name: str, request: ChatRequest
    ) -> AsyncIterator[StreamEvent]:
        """A model without a tool format of its own, held by a grammar to one JSON reply: a
        tool call or an answer (small models keep to the protocol this way). The reply is
        read whole, then given as a tool call or as the answer's text."""
        arguments = self._arguments(request, native_tools=False)
        arguments["json_schema"] = reply_schema(request.extra[TEXT_PROTOCOL_TOOLS])
        stream = ThreadStream(partial(_produce, model, arguments), name=f"codeface-builtin-{name}")
        self._streams = {s for s in self._streams if not s.finished.is_set()} | {stream}
        self._last_stream = stream
        pieces: list[str] = []
        try:
            async with aclosing(stream.items()) as produced:
                async for piece in produced:
                    pieces.append(piece)
        except CodefaceError:
            raise
        except Exception as error:
            raise translate(error, stage="answer", model=name, path=str(model.path)) from error
        outcome: runtime.Outcome = stream.result
        reply = structured_reply("".join(pieces))
        if isinstance(reply, ToolCall):
            yield ToolCallRequested(reply)
        elif reply:
            yield TextDelta(reply)
        yield Usage(outcome.prompt_tokens, outcome.output_tokens)
        reason: FinishReason = "tool_calls" if isinstance(reply, ToolCall) else "stop"
        if outcome.finish_reason == "length":
            reason = "length"
        yield Finished(reason, outcome.finish_reason)

    def _arguments(self, request: ChatRequest, native_tools: bool) -> dict[str, Any]:
        messages = [{"role": "system", "content": request.system}] if request.system else []
        messages += [_message(message) for message in request.messages]
        arguments: dict[str, Any] = {"messages": messages, "max_tokens": request.max_tokens}
        if request.temperature is not None:
            arguments["temperature"] = request.temperature
        if "seed" in request.extra:
            arguments["seed"] = request.extra["seed"]
        if request.tools and native_tools:
            arguments["tools"] = [
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
        return arguments

    @property
    def last_outcome(self) -> runtime.Outcome | None:
        """How the last generation ended (tokens, finish reason, whether it was stopped):
        set when its answer finished, or, after a stop, once `idle` returns."""
        stream = self._last_stream
        return stream.result if stream is not None else None

    async def idle(self) -> None:
        """Wait until no generation thread is running (after a stop, within one token)."""
        for stream in list(self._streams):
            await stream.finished.wait()
            self._streams.discard(stream)

    # ------------------------------------------------------------ loading
    async def _model(self, name: str, num_ctx: int | None) -> tuple[runtime.LoadedModel, GGUFInfo]:
        """The loaded model called ``name``, loading it (once) in a worker thread."""
        async with self._lock:
            entry, info = await asyncio.to_thread(self._entry, name)
            context = self._context_for(info, num_ctx)
            key = self._slot_key
            slot = self._slot
            if slot is None or key is None or key[0] != name or key[1] < context:
                if slot is not None:
                    self._slot = self._slot_key = None
                    await _release(slot)
                where = await self.placement()
                if where.device == "cpu":
                    self._check_memory(entry, info, context)
                slot = asyncio.ensure_future(
                    asyncio.to_thread(
                        runtime.load,
                        name,
                        entry.path,
                        context_size=context,
                        where=where,
                        threads=self._threads,
                    )
                )
                self._slot, self._slot_key = slot, (name, context)
        try:
            # Shielded: a stop during a long load keeps the model for the next answer.
            return await asyncio.shield(slot), info
        except CodefaceError:
            raise
        except Exception as error:
            if self._slot is slot:
                self._slot = self._slot_key = None
            raise translate(error, stage="load", model=name, path=str(entry.path)) from error

    def _entry(self, name: str) -> tuple[LocalModel, GGUFInfo]:
        """The registered model and its checked header (blocking: run in a thread)."""
        if not name:
            raise ModelMissing(
                "No built-in model is chosen",
                hint="Add one with `codeface models add PATH.gguf` or `codeface models download`.",
                provider=PROVIDER_ID,
            )
        entry = self._registry.find(name)
        if entry is None:
            raise ModelMissing(
                f"No built-in model is called {name}",
                hint="See the names with `codeface models`.",
                provider=PROVIDER_ID,
            )
        if not entry.present:
            raise entry.missing_error()
        return entry, read_gguf_cached(entry.path)

    def _context_for(self, info: GGUFInfo, requested: int | None) -> int:
        wanted = max(requested or 0, self._context_size, MIN_CONTEXT)
        return min(wanted, info.context_length) if info.context_length else wanted

    def _check_memory(self, entry: LocalModel, info: GGUFInfo, context: int) -> None:
        memory = self._memory()
        if memory is None:
            return
        needed = info.size_bytes + info.kv_cache_bytes(context) + RUNTIME_OVERHEAD
        if needed <= memory.available:
            return
        gib = 1024**3
        if needed > memory.total:
            raise ModelFileError(
                f"{entry.name} needs about {needed / gib:.1f} GB of memory, but this computer "
                f"has {memory.total / gib:.1f} GB in all ({entry.path})",
                hint="Use a smaller model: `codeface models download` lists the ones that fit.",
                provider=PROVIDER_ID,
            )
        raise ModelFileError(
            f"{entry.name} needs about {needed / gib:.1f} GB of memory, but only "
            f"{memory.available / gib:.1f} GB is free now ({entry.path})",
            hint="Close other programs, lower [builtin] context_size, or use a smaller model.",
            provider=PROVIDER_ID,
        )

    async def placement(self) -> runtime.Placement:
        """Where models run (GPU or CPU) and why; imports llama.cpp in a worker thread."""
        if self._placement is None:
            try:
                self._placement = await asyncio.to_thread(runtime.placement, self._gpu_offload)
            except ImportError as error:
                raise translate(error, stage="load", model="", path="") from error
        return self._placement

    # ------------------------------------------------------------ models and health
    async def model_statuses(self) -> list[ModelStatus]:
        """Every built-in model with its header, or what is wrong with it."""
        model = self._loaded()
        loaded = (model.name, model.placement.device) if model else None
        return await asyncio.to_thread(statuses, self._registry, loaded)

    async def list_models(self) -> list[ModelInfo]:
        """The usable built-in models (missing or damaged files are left out); when none is
        usable, the first model's problem is raised, so the user hears which file and why."""
        statuses = await self.model_statuses()
        usable = [_model_info(status) for status in statuses if status.info is not None]
        problems = [status.problem for status in statuses if status.problem is not None]
        if not usable and problems:
            raise problems[0]
        return usable

    @property
    def loaded_model(self) -> runtime.LoadedModel | None:
        """The model in memory now, if one finished loading."""
        return self._loaded()

    def _loaded(self) -> runtime.LoadedModel | None:
        slot = self._slot
        if slot is None or not slot.done() or slot.cancelled() or slot.exception():
            return None
        return slot.result()

    async def prepare(self) -> None:
        """Import llama.cpp and learn where it runs, in a worker thread; never raises."""
        with contextlib.suppress(CodefaceError):
            await self.placement()

    async def health(self) -> Health:
        """Installed, where it runs, and how many models are usable; never raises."""
        if not runtime.installed():
            return Health(False, f"The built-in engine is not installed — {INSTALL_HINT}")
        try:
            where = await self.placement()
            usable = await self.list_models()
            version = await asyncio.to_thread(runtime.version)
        except CodefaceError as error:
            return Health(False, error.user_message, error=error)
        if not usable:
            return Health(
                False,
                "No built-in model is ready — add one with `codeface models add` "
                "or `codeface models download`",
                version=version,
            )
        return Health(
            True,
            f"llama.cpp {version}, {len(usable)} model(s), runs {where.describe()}",
            version=version,
        )

    async def aclose(self) -> None:
        """Stop any generation and free the loaded model."""
        for stream in self._streams:
            stream.stop.set()
        slot, self._slot, self._slot_key = self._slot, None, None
        if slot is not None:
            await _release(slot)


def structured_reply(text: str) -> ToolCall | str:
    """A grammar-held reply read back: the tool call it makes, or its answer's text (the raw
    text when it was cut off before it closed)."""
    try:
        reply = json.loads(text)
    except json.JSONDecodeError:
        return text
    if isinstance(reply, dict) and isinstance(reply.get("name"), str):
        arguments = reply.get("arguments")
        return ToolCall("call_0", reply["name"], arguments if isinstance(arguments, dict) else {})
    if isinstance(reply, dict) and isinstance(reply.get("answer"), str):
        return str(reply["answer"])
    return text


def _produce(
    model: runtime.LoadedModel,
    arguments: dict[str, Any],
    emit: Callable[[Any], None],
    stop: threading.Event,
) -> runtime.Outcome:
    runtime.yield_cpu_to_the_window()  # this thread is ThreadStream's own, for one answer
    return runtime.generate(model, arguments, emit, stop)


async def _release(slot: asyncio.Future[runtime.LoadedModel]) -> None:
    """Free a loaded (or still loading) model in a worker thread."""
    try:
        model = await asyncio.shield(slot)
    except Exception:  # a load that failed left nothing to free
        return
    await asyncio.to_thread(model.close)


def _model_info(status: ModelStatus) -> ModelInfo:
    info = status.info
    assert info is not None
    capabilities = ["completion"]
    if supports_native_tools(info.chat_template):
        capabilities.append("tools")
    residency: Residency = status.loaded_on or "not_loaded"
    return ModelInfo(
        name=status.model.name,
        provider=PROVIDER_ID,
        tier="local",
        size_bytes=info.size_bytes,
        parameter_size=info.parameter_size,
        quantization=info.quantization,
        family=info.architecture,
        context_length=info.context_length,
        capabilities=tuple(capabilities),
        residency=residency,
    )


def _message(message: ChatMessage) -> dict[str, Any]:
    converted: dict[str, Any] = {"role": message.role, "content": message.content}
    if message.role == "assistant" and message.tool_calls:
        converted["tool_calls"] = [
            {
                "id": call.id,
                "type": "function",
                "function": {"name": call.name, "arguments": call.arguments},
            }
            for call in message.tool_calls
        ]
    if message.role == "tool":
        converted["tool_call_id"] = message.tool_call_id or ""
        if message.tool_name:
            converted["name"] = message.tool_name
    return converted
