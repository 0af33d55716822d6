"""Property tests: re-chunking never changes an answer; garbage only ever raises CodefaceError."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from codeface.core.errors import CodefaceError, ServerError
from codeface.core.events import Finished, StreamEvent
from tests.fakes.anthropic_server import AnthropicServer
from tests.fakes.ollama_server import OllamaServer
from tests.fakes.openai_server import OpenAIServer
from tests.fakes.scripted import Script, ScriptedServer, ToolCallScript
from tests.providers.conftest import KINDS, MODELS, Rig, calls_of, make_provider, text_of

# How many examples, and whether at random, comes from the profile (tests/conftest.py).
PROPERTY_SETTINGS = settings(
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)

texts = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=80)
json_values = st.one_of(
    st.none(), st.booleans(), st.integers(-(10**6), 10**6), st.text(max_size=12)
)
arguments = st.dictionaries(st.text(min_size=1, max_size=8), json_values, max_size=4)
byte_cuts = st.lists(st.integers(min_value=1, max_value=4000), max_size=25)


@pytest.fixture(scope="module")
def servers() -> Iterator[dict[str, ScriptedServer]]:
    started: dict[str, ScriptedServer] = {
        "ollama": OllamaServer(),
        "anthropic": AnthropicServer(),
        "openai": OpenAIServer(),
    }
    for server in started.values():
        server.start()
    yield started
    for server in started.values():
        server.stop()


def run_answer(kind: str, server: ScriptedServer) -> list[StreamEvent]:
    async def answer() -> list[StreamEvent]:
        provider = make_provider(kind, server.url)
        try:
            rig = Rig(kind, server, provider, MODELS[kind])
            return [event async for event in provider.stream_chat(rig.request())]
        finally:
            await provider.aclose()

    return asyncio.run(answer())


def pieces_of(text: str, cuts: list[int]) -> list[str]:
    edges = sorted({c % len(text) for c in cuts} - {0})
    bounds = [0, *edges, len(text)]
    return [text[a:b] for a, b in itertools.pairwise(bounds)]


@pytest.mark.parametrize("kind", KINDS)
@PROPERTY_SETTINGS
@given(
    text=texts,
    text_cuts=st.lists(st.integers(0, 200), max_size=10),
    args=arguments,
    arg_pieces=st.integers(1, 12),
    cuts=byte_cuts,
)
def test_any_rechunking_gives_the_same_text_and_tool_calls(
    servers: dict[str, ScriptedServer],
    kind: str,
    text: str,
    text_cuts: list[int],
    args: dict[str, object],
    arg_pieces: int,
    cuts: list[int],
) -> None:
    server = servers[kind]
    call = ToolCallScript("edit_file", args, pieces=arg_pieces)
    server.reply(Script(text=pieces_of(text, text_cuts), tool_calls=[call]), splits=cuts)
    events = run_answer(kind, server)
    assert text_of(events) == text
    assert calls_of(events) == [("edit_file", args)]
    assert events[-1] == Finished("tool_calls", events[-1].raw_reason)  # type: ignore[union-attr]


VALID_PREFIX = {
    "ollama": b'{"model":"m","created_at":"x","message":{"role":"assistant","content":"ok"},'
    b'"done":false}\n',
    "anthropic": b'event: message_start\ndata: {"type":"message_start","message":{"id":"m",'
    b'"type":"message","role":"assistant","model":"m","content":[],"stop_reason":null,'
    b'"stop_sequence":null,"usage":{"input_tokens":1,"output_tokens":1}}}\n\n',
    "openai": b'data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m",'
    b'"choices":[{"index":0,"delta":{"content":"ok"},"finish_reason":null}]}\n\n',
}
frame_words = st.sampled_from(
    [
        b"data: ",
        b"event: ",
        b"{",
        b"}",
        b"[",
        b"]",
        b'"',
        b":",
        b",",
        b"\n",
        b"\n\n",
        b"null",
        b'"choices"',
        b'"delta"',
        b'"type"',
        b'"message_delta"',
        b'"content_block_delta"',
        b'"done"',
        b"true",
        b"[DONE]",
        b'"index"',
        b"0",
        b"\xff\xfe",
        b"error",
        # whole frames with missing or wrongly typed fields
        b'data: {"choices":[{"index":0,"delta":{}}]}\n\n',
        b"data: {}\n\n",
        b'data: {"choices":[{"delta":{"content":5,"tool_calls":[{"function":{}}]}}]}\n\n',
        b'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,'
        b'"delta":{"type":"text_delta"}}\n\n',
        b'event: content_block_start\ndata: {"type":"content_block_start","index":0,'
        b'"content_block":{"type":"tool_use"}}\n\n',
        b'event: message_delta\ndata: {"type":"message_delta","delta":{},"usage":{}}\n\n',
        b'event: message_stop\ndata: {"type":"message_stop"}\n\n',
        b'{"done":true}\n',
        b"5\n",
        b"[1]\n",
        b'{"message":5}\n',
        b'{"error":"boom"}\n',
        b'{"message":{"role":"assistant","content":"x","tool_calls":[{}]},"done":false}\n',
        # valid JSON that is not a chunk, or a chunk whose fields have the wrong type
        b"data: 0\n\n",
        b"data: null\n\n",
        b'data: "x"\n\n',
        b'data: {"choices":null}\n\n',
        b'data: {"choices":[5]}\n\n',
        b'data: {"choices":[{"delta":5}]}\n\n',
        b'data: {"choices":[{"delta":{"tool_calls":[{"function":{"arguments":5}}]}}]}\n\n',
        b'data: {"choices":[],"usage":5}\n\n',
        b'event: message_start\ndata: {"type":"message_start","message":{"usage":5}}\n\n',
        b'event: content_block_start\ndata: {"type":"content_block_start","index":[],'
        b'"content_block":{"type":"tool_use","id":"t","name":"f"}}\n\n',
        b'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":5},'
        b'"usage":null}\n\n',
    ]
)
garbage = st.one_of(st.binary(max_size=400), st.lists(frame_words, max_size=40).map(b"".join))


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.filterwarnings("ignore:Pydantic serializer warnings")  # the SDK copying garbage
@PROPERTY_SETTINGS
@given(body=garbage, with_prefix=st.booleans(), cuts=byte_cuts)
# Found by fuzz runs (HYPOTHESIS_PROFILE=fuzz): each stays, whatever the profile draws.
@example(body=b"data:0\n\n", with_prefix=False, cuts=[])  # OpenAI: AttributeError (issue 11)
@example(  # Anthropic: a message_start whose message has no usage, AttributeError
    body=b'event:\x00\ndata:{"type":"message_start","message":{"":0}}\n\n',
    with_prefix=False,
    cuts=[],
)
def test_garbage_raises_only_codeface_errors(
    servers: dict[str, ScriptedServer],
    kind: str,
    body: bytes,
    with_prefix: bool,
    cuts: list[int],
) -> None:
    server = servers[kind]
    server.raw((VALID_PREFIX[kind] if with_prefix else b"") + body, splits=cuts)
    failure: CodefaceError | None = None
    try:
        events = run_answer(kind, server)
    except CodefaceError as error:
        failure = error
    if failure is not None:
        # Garbage is the server's fault, never an "unexpected" failure of ours.
        assert not isinstance(failure, ServerError) or failure.status_code is not None, failure
        return
    assert isinstance(events[-1], Finished)  # only a well-formed end may finish quietly
    assert all(isinstance(e, StreamEvent) for e in events)
