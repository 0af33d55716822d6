"""The built-in engine with a real model (SmolLM2-135M-Instruct through llama.cpp):
streaming, usage, stopping, loading once, where it runs, and the model files it refuses."""

from __future__ import annotations

import asyncio
import importlib
import inspect
import shutil
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from codeface.core.errors import (
    CodefaceError,
    ContextTooLong,
    InvalidRequest,
    ModelFileError,
    ModelMissing,
)
from codeface.core.events import Finished, StreamEvent, TextDelta, ToolCallRequested, Usage
from codeface.core.messages import ChatMessage, ChatRequest, ToolSpec
from codeface.providers import llama_runtime
from codeface.providers.llama_errors import TABLE, translate
from codeface.providers.llama_provider import LlamaProvider
from codeface.providers.llama_tools import ToolCallSplitter, supports_native_tools
from codeface.providers.local_models import ModelRegistry
from codeface.providers.machine import Memory
from tests.fakes.gguf_builder import smollm_path, write_gguf

MODEL = "smollm2"
GiB = 1024**3


def request(text: str, **fields: object) -> ChatRequest:
    return ChatRequest(
        MODEL,
        (ChatMessage("user", text),),
        temperature=0.0,
        **fields,  # type: ignore[arg-type]
    )


@pytest.fixture
def registry(tmp_path: Path) -> ModelRegistry:
    registry = ModelRegistry(tmp_path / "models.json", tmp_path / "models")
    registry.add(smollm_path(), name=MODEL, source="package")
    return registry


@pytest_asyncio.fixture
async def provider(registry: ModelRegistry) -> AsyncIterator[LlamaProvider]:
    engine = LlamaProvider(registry, default_model=MODEL, context_size=2048)
    yield engine
    await engine.aclose()


async def collect(provider: LlamaProvider, chat: ChatRequest) -> list[StreamEvent]:
    return [event async for event in provider.stream_chat(chat)]


@pytest.mark.asyncio
async def test_streams_text_then_usage_then_finished(provider: LlamaProvider) -> None:
    events = await collect(provider, request("Say hello.", max_tokens=24))
    texts = [e.text for e in events if isinstance(e, TextDelta)]
    assert len(texts) > 3  # token by token, not one block
    assert "".join(texts).strip()
    usage, finished = events[-2], events[-1]
    assert isinstance(usage, Usage)
    assert isinstance(finished, Finished)
    assert finished.reason in ("stop", "length")
    assert usage.input_tokens
    assert usage.input_tokens > 5
    assert usage.output_tokens
    assert 0 < usage.output_tokens <= 24


@pytest.mark.asyncio
async def test_usage_matches_llama_cpp_counting_the_same_answer(provider: LlamaProvider) -> None:
    from llama_cpp import Llama

    chat = request("Name three colours.", max_tokens=40, extra={"seed": 7})
    events = await collect(provider, chat)
    usage = next(e for e in events if isinstance(e, Usage))
    direct = Llama(model_path=str(smollm_path()), n_ctx=2048, verbose=False)
    try:
        answer = direct.create_chat_completion(
            [{"role": "user", "content": "Name three colours."}],
            max_tokens=40,
            temperature=0.0,
            seed=7,
        )
    finally:
        direct.close()
    counted = answer["usage"]  # type: ignore[index]
    assert usage.input_tokens == counted["prompt_tokens"]
    assert usage.output_tokens == counted["completion_tokens"]


@pytest.mark.asyncio
async def test_the_model_is_loaded_once_and_reused(provider: LlamaProvider) -> None:
    assert provider.loaded_model is None
    await collect(provider, request("Hi", max_tokens=4))
    first = provider.loaded_model
    await collect(provider, request("Hello again", max_tokens=4))
    assert first is not None
    assert provider.loaded_model is first
    [info] = await provider.list_models()
    assert info.residency == first.placement.device


@pytest.mark.asyncio
async def test_stopping_mid_answer_ends_the_stream_and_the_generation_within_a_token(
    provider: LlamaProvider,
) -> None:
    stream = provider.stream_chat(
        request("Write a long story about a lighthouse.", max_tokens=1500)
    )
    seen = 0
    async for event in stream:
        if isinstance(event, TextDelta):
            seen += 1
            if seen == 3:
                break
    await stream.aclose()  # what cancelling the consuming task does
    await provider.idle()
    outcome = provider.last_outcome
    assert outcome is not None
    assert outcome.stopped
    assert outcome.finish_reason is None
    assert outcome.output_tokens is not None
    assert outcome.output_tokens <= seen + 2  # it did not go on generating
    # and the model is free for the next answer at once
    events = await collect(provider, request("Say yes.", max_tokens=4))
    assert isinstance(events[-1], Finished)


@pytest.mark.asyncio
async def test_cancelling_the_consuming_task_stops_the_generation(provider: LlamaProvider) -> None:
    first_text = asyncio.Event()

    async def consume() -> None:
        async for event in provider.stream_chat(request("Count to one thousand.", max_tokens=1500)):
            if isinstance(event, TextDelta):
                first_text.set()

    task = asyncio.create_task(consume())
    await first_text.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await provider.idle()
    outcome = provider.last_outcome
    assert outcome is not None
    assert outcome.stopped
    assert outcome.output_tokens is not None
    assert outcome.output_tokens < 1500


@pytest.mark.asyncio
async def test_models_list_size_quantisation_context_and_no_tool_format(
    provider: LlamaProvider,
) -> None:
    [info] = await provider.list_models()
    assert info.name == MODEL
    assert info.provider == "builtin"
    assert info.tier == "local"
    assert info.quantization == "Q4_1"
    assert info.parameter_size == "135M"
    assert info.context_length == 8192
    assert info.size_bytes == smollm_path().stat().st_size
    assert info.capabilities == ("completion",)  # its template has no tool-call format
    assert info.residency == "not_loaded"


@pytest.mark.asyncio
async def test_tools_for_a_model_without_a_tool_format_are_refused(provider: LlamaProvider) -> None:
    tool = ToolSpec("read_file", "Read a file", {"type": "object", "properties": {}})
    with pytest.raises(InvalidRequest) as caught:
        await collect(provider, request("Read x", tools=(tool,)))
    assert "no tool-call format" in caught.value.user_message


@pytest.mark.asyncio
async def test_where_it_runs_and_why(registry: ModelRegistry) -> None:
    import llama_cpp

    off = LlamaProvider(registry, default_model=MODEL, gpu_offload="off")
    where = await off.placement()
    assert (where.device, where.reason) == ("cpu", "gpu_offload = off in settings")
    assert where.describe() == "on the CPU: gpu_offload = off in settings"
    auto = await LlamaProvider(registry, default_model=MODEL).placement()
    if llama_cpp.llama_supports_gpu_offload():
        assert (auto.device, auto.gpu_layers) == ("gpu", -1)
    else:
        assert auto.device == "cpu"
        assert "without GPU support" in auto.reason or "no usable GPU" in auto.reason
    health = await off.health()
    assert health.ok
    assert "runs on the CPU: gpu_offload = off in settings" in health.detail


@pytest.mark.asyncio
async def test_a_prompt_longer_than_the_context_is_context_too_long(
    registry: ModelRegistry,
) -> None:
    small = LlamaProvider(registry, default_model=MODEL, context_size=512)
    try:
        with pytest.raises(ContextTooLong):
            await collect(small, request("word " * 2000, max_tokens=8))
    finally:
        await small.aclose()


# ------------------------------------------------------------ files it refuses
async def _refused(provider: LlamaProvider, name: str = MODEL) -> CodefaceError:
    with pytest.raises(CodefaceError) as caught:
        await collect(provider, ChatRequest(name, (ChatMessage("user", "hi"),)))
    return caught.value


@pytest.mark.asyncio
async def test_a_model_file_missing_after_registration(tmp_path: Path) -> None:
    copy = tmp_path / "copy.gguf"
    shutil.copyfile(smollm_path(), copy)
    registry = ModelRegistry(tmp_path / "models.json", tmp_path / "models")
    registry.add(copy, name=MODEL)
    copy.unlink()
    error = await _refused(LlamaProvider(registry, default_model=MODEL))
    assert isinstance(error, ModelFileError)
    assert str(copy) in error.user_message
    assert "codeface rm smollm2" in error.hint
    with pytest.raises(ModelFileError, match="is missing"):
        await LlamaProvider(registry).list_models()


@pytest.mark.asyncio
async def test_a_model_file_truncated_after_registration(tmp_path: Path) -> None:
    copy = tmp_path / "copy.gguf"
    shutil.copyfile(smollm_path(), copy)
    registry = ModelRegistry(tmp_path / "models.json", tmp_path / "models")
    registry.add(copy, name=MODEL)
    with copy.open("r+b") as file:
        file.truncate(40_000_000)
    error = await _refused(LlamaProvider(registry, default_model=MODEL))
    assert isinstance(error, ModelFileError)
    assert "damaged" in error.user_message
    assert "truncated" in error.user_message


@pytest.mark.asyncio
async def test_a_model_too_large_for_the_memory_is_refused_before_loading(
    registry: ModelRegistry,
) -> None:
    tiny_machine = LlamaProvider(
        registry, default_model=MODEL, gpu_offload="off", memory=lambda: Memory(GiB // 4, GiB // 8)
    )
    error = await _refused(tiny_machine)
    assert isinstance(error, ModelFileError)
    assert "has 0.2 GB in all" in error.user_message
    assert tiny_machine.loaded_model is None
    busy_machine = LlamaProvider(
        registry, default_model=MODEL, gpu_offload="off", memory=lambda: Memory(16 * GiB, GiB // 8)
    )
    error = await _refused(busy_machine)
    assert "only 0.1 GB is free now" in error.user_message
    assert "Close other programs" in error.hint


@pytest.mark.asyncio
async def test_a_file_llama_cpp_cannot_load_is_a_model_file_error(tmp_path: Path) -> None:
    # A well-formed GGUF header whose tensors are not a llama model.
    path = write_gguf(tmp_path / "odd.gguf")
    registry = ModelRegistry(tmp_path / "models.json", tmp_path / "models")
    registry.add(path, name="odd")
    engine = LlamaProvider(registry, default_model="odd")
    error = await _refused(engine, "odd")
    assert isinstance(error, ModelFileError)
    assert "llama.cpp could not load" in error.user_message
    assert str(path) in error.user_message


@pytest.mark.asyncio
async def test_an_unknown_model_name_is_model_missing(provider: LlamaProvider) -> None:
    error = await _refused(provider, "no-such-model")
    assert isinstance(error, ModelMissing)
    assert "No built-in model is called no-such-model" in error.user_message


# ------------------------------------------------------------ pieces
def test_tool_calls_are_taken_out_of_streamed_text_however_it_is_cut() -> None:
    text = 'Let me look.<tool_call>\n{"name": "read_file", "arguments": {"path": "a.py"}}\n</tool_call>'
    for size in (1, 3, 7, len(text)):
        splitter = ToolCallSplitter()
        events = [e for i in range(0, len(text), size) for e in splitter.feed(text[i : i + size])]
        events += splitter.finish()
        assert "".join(e.text for e in events if isinstance(e, TextDelta)) == "Let me look."
        calls = [e.call for e in events if isinstance(e, ToolCallRequested)]
        assert [(c.name, c.arguments) for c in calls] == [("read_file", {"path": "a.py"})]


def test_unreadable_tool_calls_stay_text_and_lone_brackets_pass() -> None:
    splitter = ToolCallSplitter()
    events = splitter.feed("a < b and <tool_call>not json</tool_call> end <tool")
    events += splitter.finish()
    assert "".join(e.text for e in events if isinstance(e, TextDelta)) == (
        "a < b and <tool_call>not json</tool_call> end <tool"
    )
    assert splitter.calls == 0


def test_native_tools_need_a_template_that_teaches_the_format() -> None:
    assert supports_native_tools("{% if tools %}...<tool_call>...{% endif %}")
    assert not supports_native_tools("{{ messages }}")
    assert not supports_native_tools(None)


def _defined_exceptions(module_name: str) -> list[type[BaseException]]:
    module = importlib.import_module(module_name)
    return [
        value
        for _, value in inspect.getmembers(module, inspect.isclass)
        if issubclass(value, BaseException)
        and value.__module__.startswith(module_name.split(".")[0])
    ]


@pytest.mark.parametrize(
    "module_name",
    [
        "llama_cpp",
        "llama_cpp.llama",
        "llama_cpp.llama_chat_format",
        "llama_cpp._internals",
        "jinja2",
    ],
)
def test_every_exception_llama_cpp_and_jinja_define_has_a_row(module_name: str) -> None:
    top = module_name.split(".")[0]
    missing = sorted(
        f"{top}.{cls.__name__}"
        for cls in _defined_exceptions(module_name)
        if f"{top}.{cls.__name__}" not in TABLE
    )
    assert missing == [], f"add these to codeface.providers.llama_errors.TABLE: {missing}"


def test_llama_cpp_failures_become_errors_with_actions() -> None:
    context = translate(
        ValueError("Requested tokens (900) exceed context window of 512"),
        stage="answer",
        model="m",
        path="/m.gguf",
    )
    assert isinstance(context, ContextTooLong)
    load = translate(
        ValueError("Failed to load model from file"), stage="load", model="m", path="/m.gguf"
    )
    assert isinstance(load, ModelFileError)
    assert "/m.gguf" in load.user_message
    missing = translate(ImportError("llama_cpp"), stage="load", model="m", path="")
    assert "pip install 'codeface[local]'" in missing.hint


def test_building_the_providers_does_not_import_llama_cpp(tmp_path: Path) -> None:
    home = tmp_path / "home"
    registry = ModelRegistry(home / "data" / "models.json", home / "data" / "models")
    registry.add(smollm_path(), name=MODEL)
    probe = (
        "import sys, os\n"
        "from codeface.core.settings import Settings\n"
        "from codeface.providers.registry import build_providers\n"
        "providers = build_providers(Settings(), lambda name: None, env={})\n"
        "print([p.id for p in providers], 'llama_cpp' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
        env={"CODEFACE_HOME": str(home), "PATH": "/usr/bin:/bin"},
    )
    assert result.stdout.strip() == "['ollama@127.0.0.1:11434', 'builtin'] False"


def test_the_engine_is_installed_here() -> None:
    assert llama_runtime.installed()  # CI installs the `local` extra: nothing is skipped


def test_the_engine_is_a_provider_only_when_enabled_and_given_a_model(tmp_path: Path) -> None:
    from codeface.core.paths import AppPaths
    from codeface.core.settings import Settings
    from codeface.providers.registry import build_providers

    paths = AppPaths(tmp_path / "data", tmp_path / "config", tmp_path / "cache", tmp_path / "logs")

    def ids(settings: Settings) -> list[str]:
        return [p.id for p in build_providers(settings, lambda _: "sk-x", env={}, paths=paths)]

    assert "builtin" not in ids(Settings())  # installed, but no model registered
    ModelRegistry.at(paths).add(smollm_path(), name=MODEL)
    assert ids(Settings()) == ["ollama@127.0.0.1:11434", "builtin", "anthropic", "openai"]
    cloud_first = Settings()
    cloud_first.router.order = ["anthropic", "builtin", "ollama"]
    assert ids(cloud_first)[:3] == ["anthropic", "builtin", "ollama@127.0.0.1:11434"]
    off = Settings()
    off.builtin.enabled = False
    assert "builtin" not in ids(off)
    [engine] = [
        p
        for p in build_providers(Settings(), lambda _: None, env={}, paths=paths)
        if p.id == "builtin"
    ]
    assert engine.default_model == MODEL
    assert engine.tier == "local"


def test_a_grammar_held_reply_is_read_back_as_a_call_or_an_answer() -> None:
    from codeface.core.messages import ToolCall
    from codeface.providers.llama_provider import structured_reply

    call = structured_reply('{"name": "read_file", "arguments": {"path": "a.py"}}')
    assert call == ToolCall("call_0", "read_file", {"path": "a.py"})
    assert structured_reply('{"answer": "It adds."}') == "It adds."
    assert structured_reply('{"answer": "cut off') == '{"answer": "cut off'
    assert structured_reply('{"name": "read_file", "arguments": 3}') == ToolCall(
        "call_0", "read_file", {}
    )
