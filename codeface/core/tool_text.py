"""The text protocol for models without native tool calling, parsed leniently.

A model that cannot take a ``tools`` list is told, in its system prompt, to write each
call as a JSON object inside ``<tool_call>`` tags. Small local models are sloppy, so the
parser also accepts a fenced ```json block or a bare object, ``"args"``/``"parameters"``
for the arguments, arguments given as a JSON string, and OpenAI's ``{"function": …}``
shape. Only calls to tools that were offered are returned: anything else is ordinary text.
Tool results go back as user messages, marked as data.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from typing import Any

from codeface.core.messages import ChatMessage, ChatRequest, ToolCall, ToolSpec

TEXT_PROTOCOL_TOOLS = "text_protocol_tools"
"""``ChatRequest.extra`` key: the tools a text-protocol request offers, for a provider that
can hold the model to the protocol (the built-in engine constrains its output with a
grammar built from `reply_schema`)."""

_TAGGED = re.compile(r"<tool_call>\s*(.*?)\s*(?:</tool_call>|$)", re.DOTALL)
_FENCED = re.compile(r"```(?:json|tool_call|tool)?\s*\n(.*?)\n```", re.DOTALL)


def describe_tools(tools: tuple[ToolSpec, ...]) -> str:
    """The system-prompt section that teaches the protocol and lists the tools."""
    lines = [
        "You can use tools. To call one, write a block exactly like this and then stop "
        "writing; the result comes back in the next message:",
        "<tool_call>",
        '{"name": "read_file", "arguments": {"path": "src/app.py"}}',
        "</tool_call>",
        "Write one block per call. When you need no tool, answer normally.",
        "",
        "Tools:",
    ]
    for tool in tools:
        lines.append(f"- {tool.name}: {tool.description}")
        lines.append(f"  arguments (JSON Schema): {json.dumps(tool.parameters, sort_keys=True)}")
    return "\n".join(lines)


def reply_schema(tools: list[dict[str, Any]]) -> dict[str, Any]:
    """A JSON Schema every reply fits: one tool call ``{"name", "arguments"}`` or a final
    ``{"answer"}``; ``tools`` are ``{"name", "parameters"}`` as `as_text_protocol` stores them."""
    calls = [
        {
            "type": "object",
            "properties": {"name": {"const": tool["name"]}, "arguments": tool["parameters"]},
            "required": ["name", "arguments"],
        }
        for tool in tools
    ]
    answer = {
        "type": "object",
        "properties": {"answer": {"type": "string"}},
        "required": ["answer"],
    }
    return {"oneOf": [*calls, answer]}


def _objects(text: str) -> list[str]:
    tagged = _TAGGED.findall(text)
    if tagged:
        return tagged
    fenced = _FENCED.findall(text)
    if fenced:
        return fenced
    stripped = text.strip()
    return [stripped] if stripped.startswith("{") and stripped.endswith("}") else []


def _call_from(item: Any, offered: set[str], index: int) -> ToolCall | None:
    if not isinstance(item, dict):
        return None
    function = item.get("function")
    if isinstance(function, dict):
        item = function
    name = item.get("name", item.get("tool"))
    if not isinstance(name, str) or name not in offered:
        return None
    arguments: Any = item.get("arguments", item.get("args", item.get("parameters", {})))
    if isinstance(arguments, str):
        try:
            arguments = json.loads(arguments) if arguments.strip() else {}
        except json.JSONDecodeError:
            return None
    if not isinstance(arguments, dict):
        return None
    return ToolCall(id=f"text-{index}", name=name, arguments=arguments)


def parse_tool_calls(text: str, tools: tuple[ToolSpec, ...]) -> tuple[ToolCall, ...]:
    """The calls written in ``text`` to tools that were offered (empty when none)."""
    offered = {tool.name for tool in tools}
    if not offered or "{" not in text:
        return ()
    calls: list[ToolCall] = []
    for raw in _objects(text):
        try:
            parsed = json.loads(raw)
        except json.JSONDecodeError:
            continue
        items = parsed if isinstance(parsed, list) else [parsed]
        for item in items:
            call = _call_from(item, offered, len(calls))
            if call is not None:
                calls.append(call)
    return tuple(calls)


def as_text_protocol(request: ChatRequest) -> ChatRequest:
    """The same request for a model without native tools: the tools described in the
    system prompt, earlier calls written in the protocol, results as user messages."""
    if not request.tools:
        return request
    messages: list[ChatMessage] = []
    for message in request.messages:
        if message.role == "assistant" and message.tool_calls:
            blocks = [
                "<tool_call>\n"
                + json.dumps({"name": call.name, "arguments": call.arguments}, sort_keys=True)
                + "\n</tool_call>"
                for call in message.tool_calls
            ]
            content = "\n".join(part for part in (message.content, *blocks) if part)
            messages.append(ChatMessage("assistant", content))
        elif message.role == "tool":
            name = message.tool_name or "tool"
            messages.append(ChatMessage("user", f"Result of {name}:\n{message.content}"))
        else:
            messages.append(message)
    system = "\n\n".join(part for part in (request.system, describe_tools(request.tools)) if part)
    offered = [{"name": tool.name, "parameters": tool.parameters} for tool in request.tools]
    extra = {**request.extra, TEXT_PROTOCOL_TOOLS: offered}
    return replace(request, messages=tuple(messages), tools=(), system=system, extra=extra)
