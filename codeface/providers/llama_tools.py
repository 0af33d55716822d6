"""Tool calls for models run by the built-in engine, in the model's own format.

llama-cpp-python renders a request's tools into the prompt through the model's chat
template, but hands the answer back as plain text. Models whose template teaches the
Hermes format (Qwen2.5 and Qwen2.5-Coder, Hermes, many fine-tunes) answer a call as
``<tool_call>{"name": …, "arguments": {…}}</tool_call>``; `ToolCallSplitter` takes those
out of the streamed text and turns them into `ToolCallRequested` events, passing all other
text through as it comes.

A template without that format has no native tool calling: the provider does not offer
``tools`` for such a model (its `ModelInfo` lacks the capability), and the agents layer
describes tools in the prompt with its own text protocol instead.
"""

from __future__ import annotations

import json
from typing import Any

from codeface.core.events import TextDelta, ToolCallRequested
from codeface.core.messages import ToolCall

OPEN = "<tool_call>"
CLOSE = "</tool_call>"


def supports_native_tools(chat_template: str | None) -> bool:
    """Whether a chat template renders tools and teaches the ``<tool_call>`` format."""
    if not chat_template:
        return False
    return "tools" in chat_template and OPEN in chat_template


class ToolCallSplitter:
    """Splits streamed model text into text deltas and complete tool calls."""

    def __init__(self) -> None:
        self._buffer = ""
        self._inside = False
        self.calls = 0

    def feed(self, text: str) -> list[TextDelta | ToolCallRequested]:
        """Events for a new piece of text (text that may start a tag is held back)."""
        self._buffer += text
        events: list[TextDelta | ToolCallRequested] = []
        while self._buffer:
            if self._inside:
                end = self._buffer.find(CLOSE)
                if end < 0:
                    break
                body, self._buffer = self._buffer[:end], self._buffer[end + len(CLOSE) :]
                self._inside = False
                events.append(self._call(body) or TextDelta(f"{OPEN}{body}{CLOSE}"))
                continue
            start = self._buffer.find(OPEN)
            if start >= 0:
                if start:
                    events.append(TextDelta(self._buffer[:start]))
                self._buffer = self._buffer[start + len(OPEN) :]
                self._inside = True
                continue
            keep = _partial_tag(self._buffer)
            ready = self._buffer[: len(self._buffer) - keep]
            if ready:
                events.append(TextDelta(ready))
            self._buffer = self._buffer[len(ready) :]
            break
        return events

    def finish(self) -> list[TextDelta | ToolCallRequested]:
        """Whatever is held back when the answer ends (an unclosed call if it parses)."""
        rest, inside = self._buffer, self._inside
        self._buffer, self._inside = "", False
        if not rest:
            return []
        if inside:
            return [self._call(rest) or TextDelta(OPEN + rest)]
        return [TextDelta(rest)]

    def _call(self, body: str) -> ToolCallRequested | None:
        try:
            value = json.loads(body)
        except ValueError:
            return None
        if not isinstance(value, dict) or not isinstance(value.get("name"), str):
            return None
        arguments: Any = value.get("arguments", value.get("parameters", {}))
        if isinstance(arguments, str):
            try:
                arguments = json.loads(arguments) if arguments.strip() else {}
            except ValueError:
                return None
        if not isinstance(arguments, dict):
            return None
        self.calls += 1
        return ToolCallRequested(ToolCall(f"call_{self.calls}", value["name"], arguments))


def _partial_tag(text: str) -> int:
    """Length of the longest end of ``text`` that could be the start of ``<tool_call>``."""
    for length in range(min(len(OPEN) - 1, len(text)), 0, -1):
        if OPEN.startswith(text[-length:]):
            return length
    return 0
