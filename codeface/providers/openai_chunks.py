"""Reading the chunks of an OpenAI Chat Completions stream, whatever a server put in them.

The ``openai`` SDK builds each chunk without validating it, and OpenAI-compatible servers
send all sorts: ``data: 0``, a ``choices`` that is not a list, a delta that is a number.
Every field read here is checked, and a wrong type is a `MalformedResponse` naming the
server, never an ``AttributeError``. Fields that real servers leave ``null`` are skipped:
Azure's content-filter chunks carry ``delta: null``, and some proxies send ``choices: null``
beside the usage.
"""

from __future__ import annotations

from typing import Any

from codeface.core.events import StreamEvent, TextDelta, ThinkingDelta, Usage
from codeface.providers.errors import ErrorContext
from codeface.providers.streaming import (
    count_or_none,
    malformed,
    optional_list,
    optional_record,
    optional_text,
    record,
)


class ChunkReader:
    """Turns chunks into text and thinking events; gathers tool calls, usage and finish."""

    def __init__(self, context: ErrorContext) -> None:
        self.context = context
        self.calls: dict[int, list[str]] = {}
        """Tool calls by index: [id, name, argument pieces...]."""
        self.usage: Usage | None = None
        self.finish: str | None = None
        self.chunks = 0
        self.choices = 0
        """Choices read: a stream of chunks without any holds no answer at all."""

    def read(self, chunk: Any) -> list[StreamEvent]:
        """The events in one chunk (tool calls are kept until the stream ends)."""
        context = self.context
        self.chunks += 1
        record(chunk, "a stream frame", context)
        usage = optional_record(getattr(chunk, "usage", None), "usage", context)
        if usage is not None:
            self.usage = Usage(
                count_or_none(getattr(usage, "prompt_tokens", None)),
                count_or_none(getattr(usage, "completion_tokens", None)),
            )
        events: list[StreamEvent] = []
        for choice in optional_list(getattr(chunk, "choices", None), "choices", context):
            record(choice, "a choice", context)
            self.choices += 1
            delta = optional_record(getattr(choice, "delta", None), "delta", context)
            if delta is not None:
                self._read_delta(delta, events)
            finish = optional_text(getattr(choice, "finish_reason", None), "finish_reason", context)
            if finish:
                self.finish = finish
        return events

    def _read_delta(self, delta: Any, events: list[StreamEvent]) -> None:
        context = self.context
        extra = getattr(delta, "model_extra", None) or {}
        # Not part of the API: servers name it either way, and some send other shapes.
        reasoning = extra.get("reasoning_content") or extra.get("reasoning")
        if isinstance(reasoning, str) and reasoning:
            events.append(ThinkingDelta(reasoning))
        content = optional_text(getattr(delta, "content", None), "delta.content", context)
        if content:
            events.append(TextDelta(content))
        for piece in optional_list(getattr(delta, "tool_calls", None), "delta.tool_calls", context):
            self._read_tool_call(record(piece, "a tool call", context))

    def _read_tool_call(self, piece: Any) -> None:
        context = self.context
        index = getattr(piece, "index", None)
        if index is None:
            index = 0  # some servers leave it out when there is one call
        elif not isinstance(index, int) or isinstance(index, bool):
            raise malformed(context, "tool_calls[].index is not a number")
        entry = self.calls.setdefault(index, ["", ""])
        call_id = optional_text(getattr(piece, "id", None), "tool_calls[].id", context)
        if call_id:
            entry[0] = call_id
        function = optional_record(
            getattr(piece, "function", None), "tool_calls[].function", context
        )
        if function is None:
            return
        name = optional_text(getattr(function, "name", None), "function.name", context)
        if name:
            entry[1] += name
        arguments = optional_text(
            getattr(function, "arguments", None), "function.arguments", context
        )
        if arguments:
            entry.append(arguments)
