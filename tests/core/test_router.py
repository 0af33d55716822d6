"""The router against real loopback servers, through the official SDKs.

Time is injected (a manual clock and a sleep that records instead of waiting), so
backoff, retry-after and breaker cool-downs are checked exactly and instantly.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest
import pytest_asyncio

from codeface.core.errors import (
    ContextTooLong,
    ModelMissing,
    ProviderUnavailable,
    StreamInterrupted,
)
from codeface.core.events import (
    Progress,
    ProviderSwitched,
    Retrying,
    TextDelta,
    TurnDone,
    TurnEvent,
    TurnFailed,
    TurnStarted,
)
from codeface.core.messages import ChatMessage, ChatRequest, ToolSpec
from codeface.core.provider import Provider
from codeface.core.router import CONTINUE_PROMPT, Router
from codeface.core.settings import Settings
from codeface.providers.anthropic_provider import AnthropicProvider
from codeface.providers.ollama_provider import OllamaProvider
from codeface.providers.openai_provider import OpenAIProvider
from tests.fakes.anthropic_server import AnthropicServer
from tests.fakes.ollama_server import OllamaServer
from tests.fakes.openai_server import OpenAIServer
from tests.fakes.scripted import Script

pytestmark = pytest.mark.asyncio


@dataclass
class ManualTime:
    """A clock that moves only when told, and a sleep that records and advances it."""

    now: float = 1000.0
    sleeps: list[float] = field(default_factory=list)

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest_asyncio.fixture
async def make_router() -> AsyncIterator[Callable[..., Router]]:
    """Build routers whose providers are closed when the test ends."""
    built: list[Router] = []

    def make(providers: Sequence[Provider], value: Settings, **options: Any) -> Router:
        router = Router(providers, value, **options)
        built.append(router)
        return router

    yield make
    for router in built:
        for provider in router.providers:
            await provider.aclose()


def request(text: str = "Write hello world in Python", **options: object) -> ChatRequest:
    return ChatRequest(model="", messages=(ChatMessage("user", text),), **options)  # type: ignore[arg-type]


def settings(**router: object) -> Settings:
    value = Settings()
    value.general.stall_timeout = 5.0
    for name, setting in router.items():
        setattr(value.router, name, setting)
    return value


async def collect(events: AsyncIterator[TurnEvent]) -> list[TurnEvent]:
    return [event async for event in events]


def final(events: list[TurnEvent]) -> TurnEvent:
    return events[-1]


def text_of(events: list[TurnEvent]) -> str:
    return "".join(e.text for e in events if isinstance(e, TextDelta))


async def prepared(*providers: Provider) -> list[Provider]:
    """The providers with their SDK clients built: a short first-event timeout in a test
    then measures the server, not the SDK's import."""
    for provider in providers:
        await provider.prepare()
    return list(providers)


def anthropic_at(server: AnthropicServer) -> AnthropicProvider:
    return AnthropicProvider("sk-test", base_url=server.url, default_model="claude-sonnet-4-6")


def openai_at(server: OpenAIServer) -> OpenAIProvider:
    return OpenAIProvider("sk-test", base_url=f"{server.url}/v1", default_model="gpt-4.1-mini")


async def test_local_first_answers_on_the_gpu_resident_ollama_model(
    ollama_server: OllamaServer,
    anthropic_server: AnthropicServer,
    make_router: Callable[..., Router],
) -> None:
    ollama_server.reply_text("print('hello world')", chunks=4, input_tokens=12, output_tokens=6)
    router = make_router(
        [OllamaProvider(ollama_server.url), anthropic_at(anthropic_server)], settings()
    )

    events = await collect(router.stream(request()))

    done = final(events)
    assert isinstance(done, TurnDone)
    assert done.text == "print('hello world')"
    assert done.stats.model == "qwen2.5-coder:7b"  # loaded on the GPU, preferred
    assert done.stats.provider == f"ollama@{ollama_server.host}"
    assert (done.stats.input_tokens, done.stats.output_tokens) == (12, 6)
    assert done.stats.cost_usd == 0.0
    assert done.stats.finish_reason == "stop"
    assert done.stats.time_to_first_token is not None
    assert anthropic_server.requests == []
    body = ollama_server.requests_to("/api/chat")[0].json
    assert body["options"]["num_ctx"] >= 8192
    assert body["keep_alive"] == "10m"


async def test_ollama_down_falls_back_to_cloud_and_says_why(
    refused_url: str, anthropic_server: AnthropicServer, make_router: Callable[..., Router]
) -> None:
    anthropic_server.reply_text("from the cloud", input_tokens=1000, output_tokens=2000)
    router = make_router([OllamaProvider(refused_url), anthropic_at(anthropic_server)], settings())

    events = await collect(router.stream(request()))

    switched = [e for e in events if isinstance(e, ProviderSwitched)]
    assert len(switched) == 1
    host = refused_url.removeprefix("http://")
    assert host in switched[0].reason
    assert "→ using claude-sonnet-4-6" in switched[0].reason
    done = final(events)
    assert isinstance(done, TurnDone)
    assert done.text == "from the cloud"
    # claude-sonnet-4*: $3 in / $15 out per million tokens
    assert done.stats.cost_usd == pytest.approx((1000 * 3 + 2000 * 15) / 1e6)


async def test_local_only_never_contacts_the_cloud(
    refused_url: str,
    anthropic_server: AnthropicServer,
    openai_server: OpenAIServer,
    make_router: Callable[..., Router],
) -> None:
    providers = [
        OllamaProvider(refused_url),
        anthropic_at(anthropic_server),
        openai_at(openai_server),
    ]
    router = make_router(providers, settings())

    events = await collect(router.stream(request(), policy="local-only"))

    failed = final(events)
    assert isinstance(failed, TurnFailed)
    assert isinstance(failed.error, ProviderUnavailable)
    assert anthropic_server.requests == []
    assert openai_server.requests == []


async def test_cloud_first_prefers_the_cloud(
    ollama_server: OllamaServer, openai_server: OpenAIServer, make_router: Callable[..., Router]
) -> None:
    openai_server.reply_text("cloud answer")
    router = make_router([OllamaProvider(ollama_server.url), openai_at(openai_server)], settings())

    done = final(await collect(router.stream(request(), policy="cloud-first")))

    assert isinstance(done, TurnDone)
    assert done.stats.provider == "openai"
    assert ollama_server.requests_to("/api/chat") == []


async def test_server_errors_are_retried_with_backoff_then_succeed(
    ollama_server: OllamaServer, make_router: Callable[..., Router]
) -> None:
    ollama_server.status(503, times=2)
    ollama_server.reply_text("finally")
    clock = ManualTime()
    router = make_router(
        [OllamaProvider(ollama_server.url)],
        settings(max_retries=2, backoff_base=0.5, backoff_cap=8.0),
        clock=clock.clock,
        sleep=clock.sleep,
        rng=lambda: 1.0,
    )

    events = await collect(router.stream(request()))

    retries = [e for e in events if isinstance(e, Retrying)]
    assert [r.attempt for r in retries] == [1, 2]
    assert clock.sleeps == [0.5, 1.0]  # full jitter upper bound: base * 2**n
    assert isinstance(final(events), TurnDone)
    assert len(ollama_server.requests_to("/api/chat")) == 3


async def test_retry_after_from_the_server_is_honoured(
    anthropic_server: AnthropicServer, make_router: Callable[..., Router]
) -> None:
    anthropic_server.status(429, retry_after=7)
    anthropic_server.reply_text("ok")
    clock = ManualTime()
    router = make_router(
        [anthropic_at(anthropic_server)], settings(), clock=clock.clock, sleep=clock.sleep
    )

    events = await collect(router.stream(request()))

    assert clock.sleeps == [7.0]
    assert isinstance(final(events), TurnDone)


async def test_retry_after_ms_is_honoured(
    openai_server: OpenAIServer, make_router: Callable[..., Router]
) -> None:
    openai_server.status(429, retry_after_ms=1500)
    openai_server.reply_text("ok")
    clock = ManualTime()
    router = make_router(
        [openai_at(openai_server)], settings(), clock=clock.clock, sleep=clock.sleep
    )

    await collect(router.stream(request()))

    assert clock.sleeps == [1.5]


async def test_overloaded_cloud_falls_over_to_the_next_provider(
    anthropic_server: AnthropicServer,
    openai_server: OpenAIServer,
    make_router: Callable[..., Router],
) -> None:
    anthropic_server.status(529, times=None)
    openai_server.reply_text("from openai")
    clock = ManualTime()
    router = make_router(
        [anthropic_at(anthropic_server), openai_at(openai_server)],
        settings(max_retries=1),
        clock=clock.clock,
        sleep=clock.sleep,
    )

    events = await collect(router.stream(request()))

    assert len(anthropic_server.requests_to("/v1/messages")) == 2
    switched = next(e for e in events if isinstance(e, ProviderSwitched))
    assert switched.from_provider == "anthropic"
    assert switched.to_provider == "openai"
    assert text_of(events) == "from openai"


async def test_circuit_opens_then_half_open_probe_recovers(
    ollama_server: OllamaServer, openai_server: OpenAIServer, make_router: Callable[..., Router]
) -> None:
    ollama_server.status(500, times=2)
    openai_server.reply_text("cloud", times=None)
    clock = ManualTime()
    router = make_router(
        [OllamaProvider(ollama_server.url), openai_at(openai_server)],
        settings(max_retries=0, breaker_threshold=2, breaker_cooldown=30.0),
        clock=clock.clock,
        sleep=clock.sleep,
    )
    provider_id = f"ollama@{ollama_server.host}"

    for _ in range(2):
        await collect(router.stream(request()))
    assert router.breaker(provider_id).state == "open"
    chats_when_opened = len(ollama_server.requests_to("/api/chat"))

    events = await collect(router.stream(request()))  # open: Ollama costs nothing
    assert len(ollama_server.requests_to("/api/chat")) == chats_when_opened
    assert (
        "failed 2 times in a row"
        in next(e for e in events if isinstance(e, ProviderSwitched)).reason
    )

    clock.now += 31  # cool-down over: one probe goes to Ollama, which has recovered
    ollama_server.reply_text("local again")
    events = await collect(router.stream(request()))
    assert text_of(events) == "local again"
    assert router.breaker(provider_id).state == "closed"


async def test_mid_stream_drop_continues_on_the_next_provider_with_the_text_kept(
    ollama_server: OllamaServer,
    anthropic_server: AnthropicServer,
    make_router: Callable[..., Router],
) -> None:
    ollama_server.drop_after(2, text="one two three four five six")
    anthropic_server.reply_text("three four five six")
    router = make_router(
        [OllamaProvider(ollama_server.url), anthropic_at(anthropic_server)],
        settings(max_retries=0),
    )

    events = await collect(router.stream(request()))

    switched = next(e for e in events if isinstance(e, ProviderSwitched))
    assert switched.partial_kept
    done = final(events)
    assert isinstance(done, TurnDone)
    partial, rest = done.text.split("*[continued on claude-sonnet-4-6", 1)
    assert partial.strip() == "one two"
    assert rest.endswith("three four five six")
    sent = anthropic_server.requests_to("/v1/messages")[0].json["messages"]
    assert sent[-2]["role"] == "assistant"
    assert "one two" in str(sent[-2]["content"])
    assert CONTINUE_PROMPT in str(sent[-1]["content"])


async def test_mid_stream_failure_can_fail_clearly_instead(
    ollama_server: OllamaServer,
    anthropic_server: AnthropicServer,
    make_router: Callable[..., Router],
) -> None:
    ollama_server.drop_after(2, text="one two three four")
    value = settings(max_retries=0)
    value.general.on_midstream_failure = "fail"
    router = make_router([OllamaProvider(ollama_server.url), anthropic_at(anthropic_server)], value)

    failed = final(await collect(router.stream(request())))

    assert isinstance(failed, TurnFailed)
    assert isinstance(failed.error, StreamInterrupted)
    assert failed.partial_text.strip() == "one two"
    assert failed.stats is not None
    assert failed.stats.finish_reason == "interrupted"
    assert anthropic_server.requests == []


async def test_a_stream_that_stops_mid_answer_falls_back_with_the_text_kept(
    ollama_server: OllamaServer, openai_server: OpenAIServer, make_router: Callable[..., Router]
) -> None:
    ollama_server.stall_after(2, text="one two three four")
    openai_server.reply_text("three four")
    value = settings(max_retries=2)
    value.general.stall_timeout = 0.3
    providers = await prepared(OllamaProvider(ollama_server.url), openai_at(openai_server))
    router = make_router(providers, value)

    events = await collect(router.stream(request()))

    switched = next(e for e in events if isinstance(e, ProviderSwitched))
    assert "stopped sending for 0.3 s" in switched.reason
    assert switched.partial_kept
    assert text_of(events).startswith("one two ")
    assert text_of(events).endswith("three four")
    assert len(ollama_server.requests_to("/api/chat")) == 1


async def test_a_stall_before_any_text_is_not_retried_at_full_length(
    openai_server: OpenAIServer, make_router: Callable[..., Router]
) -> None:
    # Reasoning arrived, then nothing: one stall period is all the user waits, not three.
    openai_server.reply(Script(thinking=["Let me think"], text=["never sent"]), stall_after=1)
    value = settings(max_retries=2)
    value.general.stall_timeout = 0.3
    router = make_router(await prepared(openai_at(openai_server)), value)

    events = await collect(router.stream(request()))

    failed = final(events)
    assert isinstance(failed, TurnFailed)
    assert isinstance(failed.error, StreamInterrupted)
    assert "stopped sending" in failed.error.user_message
    assert not [e for e in events if isinstance(e, Retrying)]
    assert len(openai_server.requests_to("/v1/chat/completions")) == 1


async def test_a_server_that_never_answers_is_announced_then_left_after_one_wait(
    openai_server: OpenAIServer,
    anthropic_server: AnthropicServer,
    make_router: Callable[..., Router],
) -> None:
    # Accepts the connection, never sends headers: the user hears why, once, then the
    # next provider answers. No retries multiply the wait.
    openai_server.silent(times=None)
    anthropic_server.reply_text("from the cloud")
    lmstudio = OpenAIProvider(
        None,
        base_url=f"{openai_server.url}/v1",
        default_model="qwen3-coder",
        provider_id="compat:lmstudio",
        name="lmstudio",
        tier="local",
    )
    value = settings(max_retries=2)
    value.general.stall_timeout = 0.2
    value.general.first_token_timeout = 0.4
    router = make_router(await prepared(lmstudio, anthropic_at(anthropic_server)), value)

    events = await collect(router.stream(request()))

    notices = [e.status for e in events if isinstance(e, Progress)]
    assert notices == [f"Waiting for qwen3-coder to load on {openai_server.host}…"]
    switched = next(e for e in events if isinstance(e, ProviderSwitched))
    assert switched.from_provider == "compat:lmstudio"
    assert "qwen3-coder on lmstudio at" in switched.reason
    assert "sent nothing for 0.4 s" in switched.reason
    assert events.index(switched) > next(i for i, e in enumerate(events) if isinstance(e, Progress))
    assert not [e for e in events if isinstance(e, Retrying)]
    assert len(openai_server.requests_to("/v1/chat/completions")) == 1
    end = await asyncio.to_thread(openai_server.wait_stream_end, 1, 5.0)
    assert end is not None
    assert end.how == "client_closed"  # the abandoned request's connection was closed
    assert text_of(events) == "from the cloud"


async def test_half_a_line_then_silence_fails_after_one_bounded_wait(
    ollama_server: OllamaServer, make_router: Callable[..., Router]
) -> None:
    ollama_server.raw(b'{"model":"llama3.2:3b","created_at":"x","mess', then_stall=True)
    value = settings(max_retries=2)
    value.general.stall_timeout = 0.2
    value.general.first_token_timeout = 0.4
    router = make_router(await prepared(OllamaProvider(ollama_server.url)), value)

    events = await collect(router.stream(request(), policy="local-only", model="llama3.2:3b"))

    assert [e.status for e in events if isinstance(e, Progress)] == [
        f"Waiting for llama3.2:3b to load on {ollama_server.host}…"
    ]
    failed = final(events)
    assert isinstance(failed, TurnFailed)
    assert isinstance(failed.error, ProviderUnavailable)
    assert failed.error.user_message == (
        f"llama3.2:3b on Ollama at {ollama_server.host} sent nothing for 0.4 s"
    )
    assert "loading" in failed.error.hint
    assert len(ollama_server.requests_to("/api/chat")) == 1
    end = await asyncio.to_thread(ollama_server.wait_stream_end, 1, 5.0)
    assert end is not None
    assert end.how == "client_closed"  # given up on, and hung up


@pytest.mark.parametrize(
    ("kind", "notice"),
    [
        # resident on the GPU: not loading, but reading the prompt
        ("ollama", "Waiting for qwen2.5-coder:7b on Ollama at {host} to start answering…"),
        ("anthropic", "Waiting for claude-sonnet-4-6 on Anthropic to start answering…"),
        ("openai", "Waiting for gpt-4.1-mini on OpenAI to start answering…"),
    ],
)
async def test_a_slow_first_token_is_announced_and_the_answer_still_arrives(
    kind: str,
    notice: str,
    ollama_server: OllamaServer,
    anthropic_server: AnthropicServer,
    openai_server: OpenAIServer,
    make_router: Callable[..., Router],
) -> None:
    server, provider = {
        "ollama": (ollama_server, OllamaProvider(ollama_server.url)),
        "anthropic": (anthropic_server, anthropic_at(anthropic_server)),
        "openai": (openai_server, openai_at(openai_server)),
    }[kind]
    server.reply_text("ready now", held=True)  # nothing, not even headers, until released
    value = settings()
    value.general.stall_timeout = 3.0
    value.general.first_token_timeout = 6.0  # notice after 1.5 s, give up after 6 s
    router = make_router(await prepared(provider), value)
    events: list[TurnEvent] = []

    async for event in router.stream(request()):
        events.append(event)
        if isinstance(event, Progress):
            server.release()  # loaded: the answer starts

    assert [e.status for e in events if isinstance(e, Progress)] == [
        notice.format(host=server.host)
    ]
    done = final(events)
    assert isinstance(done, TurnDone)
    assert done.text == "ready now"


async def test_stop_while_waiting_for_the_first_token_hangs_up_at_once(
    ollama_server: OllamaServer, make_router: Callable[..., Router]
) -> None:
    ollama_server.silent()
    value = settings()
    value.general.stall_timeout = 2.0
    value.general.first_token_timeout = 4.0  # notice after 1 s, give up after 4 s
    router = make_router(await prepared(OllamaProvider(ollama_server.url)), value)
    waiting = asyncio.Event()

    async def consume() -> None:
        async for event in router.stream(request(), policy="local-only"):
            if isinstance(event, Progress):
                waiting.set()

    task = asyncio.create_task(consume())
    await asyncio.wait_for(waiting.wait(), 10)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    end = await asyncio.to_thread(ollama_server.wait_stream_end, 1, 5.0)
    assert end is not None
    assert end.how == "client_closed"


async def test_a_hung_ollama_is_skipped_after_a_short_status_timeout(
    ollama_server: OllamaServer, openai_server: OpenAIServer, make_router: Callable[..., Router]
) -> None:
    # The model list is asked before chatting; a server that never answers it costs the
    # status timeout (seconds), not the stall timeout.
    ollama_server.silent(path="/api/tags", times=None)
    openai_server.reply_text("cloud answer")
    value = settings()
    value.general.stall_timeout = 600.0
    ollama = OllamaProvider(ollama_server.url, status_timeout=0.2)
    router = make_router([ollama, openai_at(openai_server)], value)

    events = await collect(router.stream(request()))

    switched = next(e for e in events if isinstance(e, ProviderSwitched))
    assert f"Ollama at {ollama_server.host} did not answer in time" in switched.reason
    assert ollama_server.requests_to("/api/chat") == []
    assert text_of(events) == "cloud answer"


async def test_prompt_too_long_for_local_models_goes_to_the_cloud(
    anthropic_server: AnthropicServer, make_router: Callable[..., Router]
) -> None:
    with OllamaServer(with_default_models=False) as small:
        small.add_model("tiny:1b", context_length=2048, loaded=True, size_vram=4 * 1024**3)
        anthropic_server.reply_text("long answer")
        router = make_router(
            [OllamaProvider(small.url), anthropic_at(anthropic_server)], settings()
        )

        events = await collect(router.stream(request("word " * 5000)))

        switched = next(e for e in events if isinstance(e, ProviderSwitched))
        assert "longer than the context" in switched.reason
        assert small.requests_to("/api/chat") == []
        assert text_of(events) == "long answer"


async def test_local_only_prompt_too_long_fails_with_context_error(
    make_router: Callable[..., Router],
) -> None:
    with OllamaServer(with_default_models=False) as small:
        small.add_model("tiny:1b", context_length=2048)
        router = make_router([OllamaProvider(small.url)], settings())

        failed = final(await collect(router.stream(request("word " * 5000), policy="local-only")))

        assert isinstance(failed, TurnFailed)
        assert isinstance(failed.error, ContextTooLong)
        assert failed.error.exit_code == 7


async def test_a_pinned_missing_model_says_to_pull_it(
    ollama_server: OllamaServer,
    anthropic_server: AnthropicServer,
    make_router: Callable[..., Router],
) -> None:
    router = make_router(
        [OllamaProvider(ollama_server.url), anthropic_at(anthropic_server)], settings()
    )

    failed = final(await collect(router.stream(request(), policy="pinned", model="nope:1b")))

    assert isinstance(failed, TurnFailed)
    assert isinstance(failed.error, ModelMissing)
    assert "codeface pull" in failed.error.one_line()
    assert anthropic_server.requests == []


async def test_the_preferred_local_model_wins_over_residency(
    ollama_server: OllamaServer, make_router: Callable[..., Router]
) -> None:
    ollama_server.reply_text("hi")
    router = make_router([OllamaProvider(ollama_server.url)], settings())

    done = final(await collect(router.stream(request(), model="llama3.2:3b")))

    assert isinstance(done, TurnDone)
    assert done.stats.model == "llama3.2:3b"


async def test_tool_calls_reach_the_turn_result(
    anthropic_server: AnthropicServer, make_router: Callable[..., Router]
) -> None:
    anthropic_server.tool_call("read_file", {"path": "src/app.py"}, pieces=5)
    tools = (ToolSpec("read_file", "Read a file", {"type": "object"}),)
    router = make_router([anthropic_at(anthropic_server)], settings())

    done = final(await collect(router.stream(request(tools=tools))))

    assert isinstance(done, TurnDone)
    assert [(c.name, c.arguments) for c in done.tool_calls] == [
        ("read_file", {"path": "src/app.py"})
    ]
    assert done.stats.finish_reason == "tool_calls"


async def test_cancel_stops_reading_promptly(
    ollama_server: OllamaServer, make_router: Callable[..., Router]
) -> None:
    ollama_server.reply_text("word " * 200, chunks=200, chunk_delay=0.05)
    router = make_router([OllamaProvider(ollama_server.url)], settings())
    first_text = asyncio.Event()
    received: list[str] = []

    async def consume() -> None:
        async for event in router.stream(request()):
            if isinstance(event, TextDelta):
                received.append(event.text)
                first_text.set()

    task = asyncio.create_task(consume())
    await asyncio.wait_for(first_text.wait(), 5)
    loop = asyncio.get_running_loop()
    cancelled_at = loop.time()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert loop.time() - cancelled_at < 0.1
    end = await asyncio.to_thread(ollama_server.wait_stream_end, 1, 5.0)
    assert end is not None
    assert end.how == "client_closed"
    assert 0 < len(received) < 200


@pytest.mark.parametrize("kind", ["anthropic", "openai"])
async def test_stop_mid_answer_hangs_up_on_the_cloud_sdks_too(
    kind: str,
    anthropic_server: AnthropicServer,
    openai_server: OpenAIServer,
    make_router: Callable[..., Router],
) -> None:
    # The first event is read in a helper task, the rest in the consumer's: closing the
    # stream from there must still close each SDK's response.
    server, provider = {
        "anthropic": (anthropic_server, anthropic_at(anthropic_server)),
        "openai": (openai_server, openai_at(openai_server)),
    }[kind]
    server.reply_text("word " * 200, chunks=200, chunk_delay=0.05)
    router = make_router([provider], settings())
    received: list[str] = []
    three = asyncio.Event()

    async def consume() -> None:
        async for event in router.stream(request()):
            if isinstance(event, TextDelta):
                received.append(event.text)
                if len(received) == 3:
                    three.set()

    task = asyncio.create_task(consume())
    await asyncio.wait_for(three.wait(), 10)
    task.cancel()  # what Stop does
    with pytest.raises(asyncio.CancelledError):
        await task
    end = await asyncio.to_thread(server.wait_stream_end, 1, 5.0)
    assert end is not None
    assert end.how == "client_closed"
    assert 3 <= len(received) < 200


async def test_turn_started_names_provider_model_and_tier(
    ollama_server: OllamaServer, make_router: Callable[..., Router]
) -> None:
    ollama_server.reply_text("x")
    router = make_router([OllamaProvider(ollama_server.url)], settings())

    events = await collect(router.stream(request()))

    started = next(e for e in events if isinstance(e, TurnStarted))
    assert (started.model, started.tier) == ("qwen2.5-coder:7b", "local")
    assert started.host == ollama_server.host


async def test_a_second_ollama_host_with_the_model_on_its_gpu_is_preferred(
    make_router: Callable[..., Router],
) -> None:
    with (
        OllamaServer(with_default_models=False) as laptop,
        OllamaServer(with_default_models=False) as gpu_box,
    ):
        laptop.add_model("qwen2.5-coder:7b", loaded=True, size_vram=0)  # on the CPU
        gpu_box.add_model("qwen2.5-coder:7b", loaded=True, size_vram=4 * 1024**3)
        gpu_box.reply_text("from the GPU box")
        router = make_router([OllamaProvider(laptop.url), OllamaProvider(gpu_box.url)], settings())

        done = final(await collect(router.stream(request())))

        assert isinstance(done, TurnDone)
        assert done.stats.host == gpu_box.host
        assert laptop.requests_to("/api/chat") == []


async def test_hosts_keep_their_order_when_residency_is_equal(
    make_router: Callable[..., Router],
) -> None:
    with OllamaServer() as first, OllamaServer() as second:
        first.reply_text("first host")
        router = make_router([OllamaProvider(first.url), OllamaProvider(second.url)], settings())

        done = final(await collect(router.stream(request())))

        assert isinstance(done, TurnDone)
        assert done.stats.host == first.host


async def test_a_slow_consumer_is_not_mistaken_for_a_stalled_provider(
    ollama_server: OllamaServer, make_router: Callable[..., Router]
) -> None:
    ollama_server.reply_text("one two three", chunks=3)
    value = settings(max_retries=0)
    value.general.stall_timeout = 0.2
    router = make_router([OllamaProvider(ollama_server.url)], value)
    received: list[TurnEvent] = []

    async for event in router.stream(request(), policy="local-only"):
        received.append(event)
        if isinstance(event, TextDelta) and event.text.startswith("one"):
            await asyncio.sleep(0.5)  # the consumer (a busy UI) holds the first chunk

    done = final(received)
    assert isinstance(done, TurnDone)
    assert done.text == "one two three"
