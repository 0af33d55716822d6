"""Valid JSON of the wrong shape, from a server that speaks the protocol only roughly.

Each frame here once ended as "failed unexpectedly (AttributeError)" or was dropped in
silence (or could be). Now each is a `MalformedResponse` that names the server and its
address, through the real SDK against the loopback fakes.
"""

from __future__ import annotations

import pytest

from codeface.core.errors import CodefaceError, MalformedResponse
from codeface.core.events import Finished, TextDelta
from tests.fakes.loopback import Plan
from tests.fakes.ollama_server import OllamaServer
from tests.providers.conftest import Rig, collect

OPENAI_CHUNK = b'data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m",'
ANTHROPIC_START = (
    b'event: message_start\ndata: {"type":"message_start","message":{"id":"m","type":"message",'
    b'"role":"assistant","model":"m","content":[],"stop_reason":null,"stop_sequence":null,'
    b'"usage":{"input_tokens":1,"output_tokens":1}}}\n\n'
)
TEXT_BLOCK = (
    b'event: content_block_start\ndata: {"type":"content_block_start","index":0,'
    b'"content_block":{"type":"text","text":""}}\n\n'
)
TOOL_BLOCK = (
    b'event: content_block_start\ndata: {"type":"content_block_start","index":0,'
    b'"content_block":{"type":"tool_use","id":"t1","name":"read_file","input":{}}}\n\n'
)


def _delta(delta: bytes) -> bytes:
    return (
        b'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":'
        + delta
        + b"}\n\n"
    )


OPENAI_FRAMES = {
    "a number": b"data: 0\n\n",
    "null": b"data: null\n\n",
    "a list": b"data: []\n\n",
    "a string": b'data: "x"\n\n',
    "choices null and nothing else": b'data: {"choices": null}\n\ndata: [DONE]\n\n',
    "choices a number": b'data: {"choices": 5}\n\n',
    "a choice that is a number": b'data: {"choices": [5]}\n\n',
    "a choice that is null": b'data: {"choices": [null]}\n\n',
    "delta a number": b'data: {"choices": [{"index": 0, "delta": 5}]}\n\n',
    "content a number": b'data: {"choices": [{"index": 0, "delta": {"content": 5}}]}\n\n',
    "content a list": b'data: {"choices": [{"delta": {"content": ["x"]}}]}\n\n',
    "tool_calls a number": b'data: {"choices": [{"delta": {"tool_calls": 5}}]}\n\n',
    "tool_calls an object": b'data: {"choices": [{"delta": {"tool_calls": {"a": 1}}}]}\n\n',
    "a tool call that is a number": b'data: {"choices": [{"delta": {"tool_calls": [5]}}]}\n\n',
    "function a number": b'data: {"choices": [{"delta": {"tool_calls": [{"function": 5}]}}]}\n\n',
    "tool index a list": b'data: {"choices": [{"delta": {"tool_calls": [{"index": [0]}]}}]}\n\n',
    "tool name a number": b'data: {"choices": [{"delta": {"tool_calls": [{"function":'
    b' {"name": 7}}]}}]}\n\n',
    "arguments an object": b'data: {"choices": [{"delta": {"tool_calls": [{"index": 0, "id": "c",'
    b' "function": {"name": "f", "arguments": {"a": 1}}}]}, "finish_reason": "tool_calls"}]}'
    b"\n\ndata: [DONE]\n\n",
    "usage a number": b'data: {"choices": [], "usage": 5}\n\n',
    "finish_reason a number": b'data: {"choices": [{"delta": {"content": "hi"},'
    b' "finish_reason": 5}]}\n\ndata: [DONE]\n\n',
    "usage only": b'data: {"choices": [], "usage": {"prompt_tokens": 1}}\n\ndata: [DONE]\n\n',
}

ANTHROPIC_FRAMES = {
    "message usage a number": b'event: message_start\ndata: {"type":"message_start",'
    b'"message":{"usage":5}}\n\n',
    "delta a number": ANTHROPIC_START + TEXT_BLOCK + _delta(b"5"),
    "text a number": ANTHROPIC_START + TEXT_BLOCK + _delta(b'{"type":"text_delta","text":5}'),
    "thinking a list": ANTHROPIC_START
    + b'event: content_block_start\ndata: {"type":"content_block_start","index":0,'
    b'"content_block":{"type":"thinking","thinking":""}}\n\n'
    + _delta(b'{"type":"thinking_delta","thinking":[1]}'),
    "tool input a number": ANTHROPIC_START
    + TOOL_BLOCK
    + _delta(b'{"type":"input_json_delta","partial_json":5}'),
    "block index a list": ANTHROPIC_START
    + b'event: content_block_start\ndata: {"type":"content_block_start","index":[],'
    b'"content_block":{"type":"tool_use","id":"t","name":"f"}}\n\n',
    "tool id a number": ANTHROPIC_START
    + b'event: content_block_start\ndata: {"type":"content_block_start","index":0,'
    b'"content_block":{"type":"tool_use","id":5,"name":"f"}}\n\n',
    "message_delta a number": ANTHROPIC_START
    + b'event: message_delta\ndata: {"type":"message_delta","delta":5,"usage":5}\n\n',
    "stop_reason a number": ANTHROPIC_START
    + b'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":5},'
    b'"usage":{"output_tokens":1}}\n\nevent: message_stop\ndata: {"type":"message_stop"}\n\n',
    "no message_start": b'event: message_delta\ndata: {"type":"message_delta","delta":{},'
    b'"usage":{"output_tokens":1}}\n\nevent: message_stop\ndata: {"type":"message_stop"}\n\n',
    "a frame that is a list": b"event: message_stop\ndata: []\n\n",
}

OLLAMA_LINES = {
    "a number": b"0\n",
    "null": b"null\n",
    "a list": b"[]\n",
    "a string": b'"x"\n',
    "message a number": b'{"message":5}\n',
    "content a number": b'{"message":{"role":"assistant","content":5}}\n',
    "thinking a number": b'{"message":{"role":"assistant","content":"","thinking":5}}\n',
    "tool_calls a number": b'{"message":{"role":"assistant","content":"","tool_calls":5}}\n',
    "a tool call that is a number": b'{"message":{"role":"assistant","content":"",'
    b'"tool_calls":[5]}}\n',
    "arguments a number": b'{"message":{"role":"assistant","content":"","tool_calls":'
    b'[{"function":{"name":"f","arguments":5}}]}}\n',
    "done a number": b'{"message":{"role":"assistant","content":"x"},"done":5}\n',
    "counts text": b'{"message":{"role":"assistant","content":"x"},"done":true,'
    b'"prompt_eval_count":"x"}\n',
    "done_reason a number": b'{"message":{"role":"assistant","content":"x"},"done":true,'
    b'"done_reason":5}\n',
}

CASES = [
    *(pytest.param("openai", body, id=f"openai: {name}") for name, body in OPENAI_FRAMES.items()),
    *(
        pytest.param("anthropic", body, id=f"anthropic: {name}")
        for name, body in ANTHROPIC_FRAMES.items()
    ),
    *(pytest.param("ollama", body, id=f"ollama: {name}") for name, body in OLLAMA_LINES.items()),
]


@pytest.mark.asyncio
@pytest.mark.parametrize(("rig", "body"), CASES, indirect=["rig"])
@pytest.mark.filterwarnings("ignore:Pydantic serializer warnings")  # the SDK copying garbage
async def test_wrongly_shaped_json_is_a_malformed_response_naming_the_server(
    rig: Rig, body: bytes
) -> None:
    rig.server.raw(body)
    with pytest.raises(CodefaceError) as caught:
        await collect(rig.provider, rig.request())
    error = caught.value
    assert isinstance(error, MalformedResponse), error.user_message
    assert f"at {rig.server.host} sent a response CodeFace cannot read" in error.user_message
    assert error.provider == rig.provider.id


@pytest.mark.asyncio
@pytest.mark.parametrize("rig", ["openai"], indirect=True)
async def test_null_fields_real_servers_send_are_skipped(rig: Rig) -> None:
    # Azure's content-filter chunks carry delta: null; some proxies send choices: null.
    frames = (
        OPENAI_CHUNK + b'"choices":null}\n\n'
        b'data: {"choices":[{"index":0,"delta":null,"finish_reason":null}]}\n\n'
        b'data: {"choices":[{"index":0,"delta":{"content":"hi","tool_calls":null},'
        b'"finish_reason":null}],"usage":null}\n\n'
        b'data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\n'
        b"data: [DONE]\n\n"
    )
    rig.server.raw(frames)
    events = await collect(rig.provider, rig.request())
    assert [e.text for e in events if isinstance(e, TextDelta)] == ["hi"]
    assert events[-1] == Finished("stop", "stop")


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("rig", "body"),
    [
        ("openai", b'{"object":"list","data":[5]}'),
        ("openai", b'{"object":"list","data":[{"id":5}]}'),
        ("anthropic", b'{"data":[null],"has_more":false}'),
        ("anthropic", b'{"data":[{"id":["x"]}],"has_more":false}'),
    ],
    indirect=["rig"],
)
async def test_a_garbled_model_list_is_reported_by_health(rig: Rig, body: bytes) -> None:
    rig.server.queue("/v1/models", lambda _r: Plan(body=body))
    health = await rig.provider.health()
    assert not health.ok
    assert isinstance(health.error, MalformedResponse)
    assert rig.server.host in health.detail


@pytest.mark.asyncio
@pytest.mark.parametrize("length", [b"Infinity", b"NaN", b"-Infinity", b"1e400", b"true"])
async def test_an_unreadable_context_length_leaves_the_model_listed_without_one(
    ollama_server: OllamaServer, length: bytes
) -> None:
    from codeface.providers.ollama_provider import OllamaProvider

    show = b'{"model_info":{"general.architecture":"qwen2","qwen2.context_length":' + length + b"}}"
    ollama_server.queue("/api/show", lambda _r: Plan(body=show), times=None)
    provider = OllamaProvider(ollama_server.url)
    models = await provider.list_models()
    assert sorted(m.name for m in models) == ["llama3.2:3b", "qwen2.5-coder:7b"]
    assert all(m.context_length is None for m in models)
    await provider.aclose()
