"""Streaming through the real SDKs: text, thinking, tool calls, usage and finish reasons."""

from __future__ import annotations

import pytest

from codeface.core.events import Finished, ThinkingDelta, ToolCallRequested, Usage
from codeface.core.messages import ChatMessage, ChatRequest, ToolCall, ToolSpec
from tests.fakes.scripted import DEFAULT_TEXT, ToolCallScript
from tests.providers.conftest import Rig, calls_of, collect, text_of

READ_FILE = ToolSpec("read_file", "Read a file", {"type": "object", "properties": {}})


@pytest.mark.asyncio
async def test_text_arrives_in_order_with_usage_and_stop(rig: Rig) -> None:
    rig.server.reply_text("Hello, world! How are you?", chunks=5, input_tokens=21, output_tokens=7)
    events = await collect(rig.provider, rig.request())
    assert text_of(events) == "Hello, world! How are you?"
    assert Usage(21, 7) in events
    assert events[-1] == Finished(
        "stop", {"ollama": "stop", "anthropic": "end_turn", "openai": "stop"}[rig.kind]
    )


@pytest.mark.asyncio
async def test_unscripted_answer_is_the_markdown_default(rig: Rig) -> None:
    events = await collect(rig.provider, rig.request())
    assert text_of(events) == DEFAULT_TEXT


@pytest.mark.asyncio
async def test_tool_call_split_across_chunks_arrives_parsed(rig: Rig) -> None:
    arguments = {"path": "src/app.py", "lines": [1, 20], "note": 'ünïcode "quoted"'}
    rig.server.tool_call("read_file", arguments, call_id="call_abc", pieces=7, text="Let me look.")
    events = await collect(rig.provider, rig.request(tools=(READ_FILE,)))
    assert text_of(events) == "Let me look."
    assert calls_of(events) == [("read_file", arguments)]
    assert events[-1].reason == "tool_calls"  # type: ignore[union-attr]
    call = next(e.call for e in events if isinstance(e, ToolCallRequested))
    if rig.kind != "ollama":  # Ollama sends no call ids; the provider numbers them
        assert call.id == "call_abc"


@pytest.mark.asyncio
async def test_several_tool_calls_keep_their_order(rig: Rig) -> None:
    second = ToolCallScript("run", {"command": "pytest -q"}, pieces=3)
    rig.server.tool_call("read_file", {"path": "a.py"}, pieces=2, more=[second])
    events = await collect(rig.provider, rig.request(tools=(READ_FILE,)))
    assert calls_of(events) == [("read_file", {"path": "a.py"}), ("run", {"command": "pytest -q"})]
    ids = [e.call.id for e in events if isinstance(e, ToolCallRequested)]
    assert len(set(ids)) == 2


@pytest.mark.asyncio
async def test_tool_call_without_arguments_gives_empty_object(rig: Rig) -> None:
    rig.server.tool_call("list_files", {})
    events = await collect(rig.provider, rig.request(tools=(READ_FILE,)))
    assert calls_of(events) == [("list_files", {})]


@pytest.mark.asyncio
async def test_length_limit_is_reported_as_length(rig: Rig) -> None:
    native = {"ollama": "length", "anthropic": "max_tokens", "openai": "length"}[rig.kind]
    rig.server.reply_text("cut off", finish=native)
    events = await collect(rig.provider, rig.request())
    assert events[-1] == Finished("length", native)


@pytest.mark.asyncio
async def test_thinking_is_separate_from_the_answer(rig: Rig) -> None:
    rig.server.reply_text("42", thinking="six times seven")
    events = await collect(rig.provider, rig.request())
    thinking = "".join(e.text for e in events if isinstance(e, ThinkingDelta))
    assert thinking == "six times seven"
    assert text_of(events) == "42"


@pytest.mark.asyncio
async def test_conversation_with_tool_results_reaches_the_server(rig: Rig) -> None:
    call = ToolCall("call_1", "read_file", {"path": "a.py"})
    request = ChatRequest(
        model=rig.model,
        system="You are terse.",
        messages=(
            ChatMessage("user", "read a.py"),
            ChatMessage("assistant", "", tool_calls=(call,)),
            ChatMessage("tool", "print('hi')", tool_call_id="call_1", tool_name="read_file"),
        ),
        tools=(READ_FILE,),
        temperature=0.2,
        max_tokens=300,
        num_ctx=8192,
    )
    await collect(rig.provider, request)
    body = rig.server.requests_to(rig.server.chat_path)[-1].json
    if rig.kind == "ollama":
        assert body["messages"][0] == {"role": "system", "content": "You are terse."}
        assert body["messages"][2]["tool_calls"][0]["function"] == {
            "name": "read_file",
            "arguments": {"path": "a.py"},
        }
        assert body["messages"][3] == {
            "role": "tool",
            "content": "print('hi')",
            "tool_name": "read_file",
        }
        assert body["options"] == {"num_ctx": 8192, "temperature": 0.2, "num_predict": 300}
        assert body["keep_alive"] == "10m"
        assert body["tools"][0]["function"]["name"] == "read_file"
    elif rig.kind == "anthropic":
        assert body["system"] == "You are terse."
        assert body["max_tokens"] == 300
        assert body["messages"][1]["content"] == [
            {"type": "tool_use", "id": "call_1", "name": "read_file", "input": {"path": "a.py"}}
        ]
        assert body["messages"][2] == {
            "role": "user",
            "content": [{"type": "tool_result", "tool_use_id": "call_1", "content": "print('hi')"}],
        }
        assert body["tools"][0]["input_schema"] == READ_FILE.parameters
    else:
        assert body["messages"][0] == {"role": "system", "content": "You are terse."}
        assert body["messages"][2]["tool_calls"][0]["function"] == {
            "name": "read_file",
            "arguments": '{"path": "a.py"}',
        }
        assert body["messages"][3] == {
            "role": "tool",
            "tool_call_id": "call_1",
            "content": "print('hi')",
        }
        assert body["stream_options"] == {"include_usage": True}
        assert body["max_completion_tokens"] == 300


@pytest.mark.asyncio
async def test_keep_alive_per_request_overrides_the_default(ollama_server) -> None:  # type: ignore[no-untyped-def]
    from codeface.providers.ollama_provider import OllamaProvider

    provider = OllamaProvider(ollama_server.url, keep_alive="5m")
    request = ChatRequest("qwen2.5-coder:7b", (ChatMessage("user", "hi"),), keep_alive=-1)
    await collect(provider, request)
    await collect(provider, request.with_model("llama3.2:3b"))
    bodies = [r.json for r in ollama_server.requests_to("/api/chat")]
    assert bodies[0]["keep_alive"] == -1
    await provider.aclose()


@pytest.mark.asyncio
async def test_anthropic_key_reaches_the_server_as_a_header(anthropic_server) -> None:  # type: ignore[no-untyped-def]
    from codeface.providers.anthropic_provider import AnthropicProvider

    provider = AnthropicProvider("sk-ant-secret", base_url=anthropic_server.url)
    await collect(provider, ChatRequest("claude-sonnet-5", (ChatMessage("user", "hi"),)))
    headers = anthropic_server.requests[-1].headers
    assert "sk-ant-secret" in (headers.get("x-api-key", "") + headers.get("authorization", ""))
    await provider.aclose()
