"""Models without native tools write calls as text; the parser is lenient about the shape
but only returns calls to tools that were offered."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from codeface.core.messages import ChatMessage, ChatRequest, ToolCall, ToolSpec
from codeface.core.tool_text import as_text_protocol, parse_tool_calls

TOOLS = (
    ToolSpec(
        "read_file", "Read a file.", {"type": "object", "properties": {"path": {"type": "string"}}}
    ),
    ToolSpec(
        "search", "Search.", {"type": "object", "properties": {"pattern": {"type": "string"}}}
    ),
)


def names(text: str) -> list[tuple[str, dict[str, object]]]:
    return [(call.name, call.arguments) for call in parse_tool_calls(text, TOOLS)]


def test_the_tagged_form() -> None:
    text = 'Let me look.\n<tool_call>\n{"name": "read_file", "arguments": {"path": "a.py"}}\n</tool_call>'
    assert names(text) == [("read_file", {"path": "a.py"})]


def test_sloppy_forms_are_accepted() -> None:
    assert names('```json\n{"tool": "search", "args": {"pattern": "x"}}\n```') == [
        ("search", {"pattern": "x"})
    ]
    assert names('{"name": "read_file", "arguments": "{\\"path\\": \\"b.py\\"}"}') == [
        ("read_file", {"path": "b.py"})
    ]
    assert names('<tool_call>{"function": {"name": "search", "parameters": {"pattern": "y"}}}') == [
        ("search", {"pattern": "y"})
    ]
    two = '<tool_call>{"name":"search","arguments":{"pattern":"a"}}</tool_call> and <tool_call>{"name":"read_file","arguments":{"path":"c"}}</tool_call>'
    assert [name for name, _ in names(two)] == ["search", "read_file"]


def test_tools_that_were_not_offered_and_broken_json_are_plain_text() -> None:
    assert (
        names(
            '<tool_call>{"name": "run_command", "arguments": {"command": "rm -rf /"}}</tool_call>'
        )
        == []
    )
    assert names('<tool_call>{"name": "read_file", "arguments": {</tool_call>') == []
    assert names("An answer mentioning {braces} and no tools.") == []
    assert names('<tool_call>{"name": "read_file", "arguments": [1, 2]}</tool_call>') == []


@given(st.text(max_size=300))
def test_any_text_parses_without_raising(text: str) -> None:
    for call in parse_tool_calls(text, TOOLS):
        assert call.name in {"read_file", "search"}
        assert isinstance(call.arguments, dict)


def test_a_request_is_rewritten_for_a_model_without_tools() -> None:
    request = ChatRequest(
        model="m",
        messages=(
            ChatMessage("user", "fix it"),
            ChatMessage(
                "assistant", "", tool_calls=(ToolCall("1", "read_file", {"path": "a.py"}),)
            ),
            ChatMessage("tool", "<data>x</data>", tool_call_id="1", tool_name="read_file"),
        ),
        tools=TOOLS,
        system="Be brief.",
    )
    text = as_text_protocol(request)
    assert text.tools == ()
    assert text.system is not None
    assert text.system.startswith("Be brief.")
    assert "<tool_call>" in text.system
    assert [m.role for m in text.messages] == ["user", "assistant", "user"]
    assert parse_tool_calls(text.messages[1].content, TOOLS)[0].arguments == {"path": "a.py"}
    assert text.messages[2].content.startswith("Result of read_file:")


def test_a_text_protocol_request_carries_its_tools_for_a_grammar() -> None:
    from codeface.core.tool_text import TEXT_PROTOCOL_TOOLS, reply_schema

    request = ChatRequest(model="m", messages=(ChatMessage("user", "x"),), tools=TOOLS)
    offered = as_text_protocol(request).extra[TEXT_PROTOCOL_TOOLS]
    assert [tool["name"] for tool in offered] == ["read_file", "search"]
    schema = reply_schema(offered)
    names = [branch["properties"].get("name", {}).get("const") for branch in schema["oneOf"]]
    assert names == ["read_file", "search", None]  # the last branch is the final answer
