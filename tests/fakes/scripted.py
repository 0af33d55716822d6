"""The scripting API shared by the three fake model servers.

A test queues what the next chat request should get: text, tool calls, or a fault. Each
protocol server turns the `Script` into frames of its own wire format; `ScriptedServer`
adds the faults (status errors, drops, stalls, malformed lines, mid-stream error frames).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from tests.fakes.loopback import LoopbackServer, Plan, RecordedRequest

DEFAULT_TEXT = (
    "Here is a small example:\n\n"
    "```python\n"
    "def greet(name: str) -> str:\n"
    '    return f"Hello, {name}!"\n'
    "```\n\n"
    'Call `greet("world")` to try it.'
)


@dataclass
class ToolCallScript:
    """A tool call the fake model makes; ``pieces`` splits its JSON arguments on the wire."""

    name: str
    arguments: dict[str, Any]
    id: str = field(default_factory=lambda: "call_" + uuid.uuid4().hex[:12])
    pieces: int = 1
    raw_arguments: str | None = None  # sent verbatim instead of ``arguments`` (may be broken)

    def argument_pieces(self) -> list[str]:
        """The JSON arguments cut into ``pieces`` consecutive fragments."""
        text = json.dumps(self.arguments) if self.raw_arguments is None else self.raw_arguments
        return split_text(text, self.pieces)


@dataclass
class Script:
    """What one streamed answer contains, in protocol-neutral terms."""

    text: list[str] = field(default_factory=list)
    thinking: list[str] = field(default_factory=list)
    tool_calls: list[ToolCallScript] = field(default_factory=list)
    finish: str | None = None
    input_tokens: int = 12
    output_tokens: int | None = None
    error_after: int | None = None
    error_type: str | None = None
    error_message: str = "Overloaded"
    malformed: str | None = None
    malformed_after: int = 1

    @property
    def output_count(self) -> int:
        """Output tokens to report (one per chunk unless set)."""
        if self.output_tokens is not None:
            return self.output_tokens
        return max(1, len(self.text) + len(self.thinking) + 5 * len(self.tool_calls))


def split_text(text: str, chunks: int | Sequence[str] | None) -> list[str]:
    """Cut ``text`` into pieces: None → word by word, N → N near-equal pieces, list → as given."""
    if chunks is None:
        words = text.split(" ")
        return [word + (" " if index < len(words) - 1 else "") for index, word in enumerate(words)]
    if isinstance(chunks, int):
        count = max(1, min(chunks, len(text))) if text else 1
        size, extra = divmod(len(text), count)
        pieces, start = [], 0
        for index in range(count):
            end = start + size + (1 if index < extra else 0)
            pieces.append(text[start:end])
            start = end
        return pieces
    pieces = list(chunks)
    if "".join(pieces) != text:
        raise ValueError("chunks must join to the text")
    return pieces


class ScriptedServer(LoopbackServer):
    """A loopback server with the scripting API; subclasses speak one protocol."""

    chat_path = "/"
    stream_content_type = "application/x-ndjson"

    # ------------------------------------------------------------ protocol hooks
    def stream_frames(self, script: Script, request: RecordedRequest) -> tuple[list[bytes], int]:
        """All frames of a streamed answer, and how many come before the first delta."""
        raise NotImplementedError

    def complete_body(self, script: Script, request: RecordedRequest) -> bytes:
        """The single JSON answer for a non-streamed request."""
        raise NotImplementedError

    def error_frame(self, error_type: str | None, message: str) -> bytes:
        """A mid-stream error in this protocol's format."""
        raise NotImplementedError

    def malformed_frame(self, kind: str) -> bytes:
        """A frame that breaks this protocol (``bad_json`` or ``partial_json``)."""
        raise NotImplementedError

    def error_body(self, status: int, message: str, error_type: str | None) -> bytes:
        """The JSON body of an HTTP error response."""
        raise NotImplementedError

    def wants_stream(self, request: RecordedRequest) -> bool:
        """Whether the request asked for a streamed answer."""
        body = request.json
        return bool(isinstance(body, dict) and body.get("stream", False))

    # ------------------------------------------------------------ scripting API
    def reply(
        self,
        script: Script,
        *,
        chunk_delay: float = 0.0,
        drop_after: int | None = None,
        stall_after: int | None = None,
        splits: list[int] | None = None,
        fast: bool = False,
        held: bool = False,
        path: str | None = None,
        times: int | None = 1,
    ) -> None:
        """Answer the next chat request(s) with ``script``.

        ``drop_after``/``stall_after`` count content chunks (text, thinking, tool calls), not
        protocol preamble frames; ``splits`` re-cuts the whole byte stream at those offsets;
        ``held`` sends nothing, not even headers, until `release()` (a model loading).
        """

        def scenario(request: RecordedRequest) -> Plan:
            if not self.wants_stream(request):
                return Plan(body=self.complete_body(script, request), held=held)
            frames, preamble = self.stream_frames(script, request)
            if script.malformed is not None:
                cut = preamble + script.malformed_after
                frames = [*frames[:cut], self.malformed_frame(script.malformed)]
            elif script.error_after is not None:
                cut = preamble + script.error_after
                frames = [*frames[:cut], self.error_frame(script.error_type, script.error_message)]
            return Plan(
                frames=frames,
                content_type=self.stream_content_type,
                chunk_delay=chunk_delay,
                drop_after=None if drop_after is None else preamble + drop_after,
                stall_after=None if stall_after is None else preamble + stall_after,
                splits=splits,
                fast=fast,
                preamble=preamble,
                held=held,
            )

        self.queue(path or self.chat_path, scenario, times)

    def reply_text(
        self,
        text: str = DEFAULT_TEXT,
        *,
        chunks: int | Sequence[str] | None = None,
        thinking: str | None = None,
        finish: str | None = None,
        input_tokens: int = 12,
        output_tokens: int | None = None,
        **options: Any,
    ) -> None:
        """Stream ``text`` in ``chunks`` (see `split_text`); options as for `reply`."""
        script = Script(
            text=split_text(text, chunks) if text else [],
            thinking=split_text(thinking, None) if thinking else [],
            finish=finish,
            input_tokens=input_tokens,
            output_tokens=output_tokens,
        )
        self.reply(script, **options)

    def tool_call(
        self,
        name: str,
        arguments: dict[str, Any],
        *,
        call_id: str | None = None,
        pieces: int = 1,
        text: str = "",
        more: Sequence[ToolCallScript] = (),
        **options: Any,
    ) -> None:
        """Answer with a tool call (optionally after ``text``); ``pieces`` splits the arguments."""
        call = ToolCallScript(name, arguments, pieces=pieces)
        if call_id is not None:
            call.id = call_id
        script = Script(text=split_text(text, None) if text else [], tool_calls=[call, *more])
        self.reply(script, **options)

    def drop_after(self, n_chunks: int, text: str = DEFAULT_TEXT, **options: Any) -> None:
        """Close the socket after ``n_chunks`` content chunks (mid-stream disconnect)."""
        self.reply_text(text, drop_after=n_chunks, **options)

    def stall_after(self, n_chunks: int, text: str = DEFAULT_TEXT, **options: Any) -> None:
        """Stop sending after ``n_chunks`` chunks; the socket stays open until stop/close."""
        self.reply_text(text, stall_after=n_chunks, **options)

    def malformed(self, kind: str = "bad_json", after: int = 1, **options: Any) -> None:
        """Send ``after`` good chunks, then a broken line (``bad_json`` or ``partial_json``)."""
        self.reply(
            Script(text=split_text(DEFAULT_TEXT, None), malformed=kind, malformed_after=after),
            **options,
        )

    def error_frame_after(
        self,
        n_chunks: int = 1,
        error_type: str | None = None,
        message: str = "Overloaded",
        **options: Any,
    ) -> None:
        """Send ``n_chunks`` good chunks, then a mid-stream error frame (HTTP status 200)."""
        script = Script(
            text=split_text(DEFAULT_TEXT, None),
            error_after=n_chunks,
            error_type=error_type,
            error_message=message,
        )
        self.reply(script, **options)

    def status(
        self,
        code: int,
        message: str | None = None,
        *,
        retry_after: float | str | None = None,
        retry_after_ms: float | None = None,
        error_type: str | None = None,
        headers: dict[str, str] | None = None,
        path: str | None = None,
        times: int | None = 1,
    ) -> None:
        """Answer the next request(s) with an HTTP error in this protocol's error format."""
        extra = dict(headers or {})
        if retry_after is not None:
            extra["retry-after"] = str(retry_after)
        if retry_after_ms is not None:
            extra["retry-after-ms"] = str(retry_after_ms)
        body = self.error_body(code, message or _default_message(code), error_type)

        def scenario(request: RecordedRequest) -> Plan:
            return Plan(status=code, headers=extra, body=body)

        self.queue(path or self.chat_path, scenario, times)

    def raw(
        self,
        body: bytes,
        *,
        status: int = 200,
        content_type: str | None = None,
        splits: list[int] | None = None,
        then_stall: bool = False,
        path: str | None = None,
        times: int | None = 1,
    ) -> None:
        """Send ``body`` as-is (streamed, cut at ``splits``) — for garbage-input tests.

        ``then_stall`` keeps the socket open after it, sending nothing more (half a line
        and then silence); released when the client leaves or the server stops.
        """

        def scenario(request: RecordedRequest) -> Plan:
            return Plan(
                status=status,
                # With then_stall, the empty second frame is where the stream stops.
                frames=[body, b""] if then_stall else [body],
                content_type=content_type or self.stream_content_type,
                splits=splits,
                stall_after=1 if then_stall else None,
            )

        self.queue(path or self.chat_path, scenario, times)

    def silent(self, *, path: str | None = None, times: int | None = 1) -> None:
        """Accept the next request(s) and never answer: no status line, no headers, nothing.

        The socket stays open until the client leaves (`stream_ends` records
        ``client_closed``) or the server stops (``stalled``).
        """

        def scenario(request: RecordedRequest) -> Plan:
            return Plan(silent=True)

        self.queue(path or self.chat_path, scenario, times)

    def handle(self, request: RecordedRequest) -> Plan:
        """Unscripted chat requests get the friendly default answer."""
        if request.path == self.chat_path:
            script = Script(text=split_text(DEFAULT_TEXT, None))
            if not self.wants_stream(request):
                return Plan(body=self.complete_body(script, request))
            frames, _ = self.stream_frames(script, request)
            return Plan(frames=frames, content_type=self.stream_content_type)
        return Plan(status=404, body=self.error_body(404, "not found", None))


def _default_message(code: int) -> str:
    return {
        400: "bad request",
        401: "invalid x-api-key",
        403: "permission denied",
        404: "not found",
        413: "request too large",
        429: "rate limit exceeded",
        500: "internal server error",
        503: "server busy, please try again.  maximum pending requests exceeded",
        529: "Overloaded",
    }.get(code, f"error {code}")
