"""A fake Anthropic Messages API (SSE with ``event:`` lines) on 127.0.0.1.

Routes: ``POST /v1/messages`` (streamed or not) and ``GET /v1/models``. Accepts the key in
``x-api-key`` or ``Authorization: Bearer``; set `valid_keys` to refuse others with a 401.
"""

from __future__ import annotations

import json
from typing import Any

from tests.fakes.loopback import Plan, RecordedRequest
from tests.fakes.scripted import Script, ScriptedServer

ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    503: "api_error",
    529: "overloaded_error",
}

MODELS = ("claude-sonnet-5", "claude-haiku-5-5", "claude-opus-5")


def _frame(event: str, data: dict[str, Any]) -> bytes:
    return f"event: {event}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n".encode()


class AnthropicServer(ScriptedServer):
    """The fake Anthropic server."""

    chat_path = "/v1/messages"
    stream_content_type = "text/event-stream; charset=utf-8"

    def __init__(self, *, valid_keys: set[str] | None = None) -> None:
        super().__init__()
        self.valid_keys = valid_keys
        self.models = list(MODELS)

    def _usage(self, script: Script, output: int) -> dict[str, Any]:
        return {
            "input_tokens": script.input_tokens,
            "output_tokens": output,
            "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": 0,
        }

    def _message(self, script: Script, request: RecordedRequest) -> dict[str, Any]:
        body = request.json if isinstance(request.json, dict) else {}
        return {
            "id": "msg_01FakeFakeFake",
            "type": "message",
            "role": "assistant",
            "model": body.get("model", "claude-sonnet-5"),
            "content": [],
            "stop_reason": None,
            "stop_sequence": None,
            "usage": self._usage(script, 1),
        }

    def _stop_reason(self, script: Script) -> str:
        return script.finish or ("tool_use" if script.tool_calls else "end_turn")

    def stream_frames(self, script: Script, request: RecordedRequest) -> tuple[list[bytes], int]:
        """message_start, one block per kind (thinking, text, tool_use...), message_delta/stop."""
        frames = [
            _frame(
                "message_start",
                {"type": "message_start", "message": self._message(script, request)},
            )
        ]
        preamble = 1
        blocks: list[tuple[dict[str, Any], list[dict[str, Any]]]] = []
        if script.thinking:
            blocks.append(
                (
                    {"type": "thinking", "thinking": "", "signature": ""},
                    [{"type": "thinking_delta", "thinking": t} for t in script.thinking]
                    + [{"type": "signature_delta", "signature": "c2lnbmF0dXJl"}],
                )
            )
        if script.text:
            blocks.append(
                (
                    {"type": "text", "text": ""},
                    [{"type": "text_delta", "text": t} for t in script.text],
                )
            )
        for call in script.tool_calls:
            blocks.append(
                (
                    {"type": "tool_use", "id": call.id, "name": call.name, "input": {}},
                    [{"type": "input_json_delta", "partial_json": ""}]
                    + [
                        {"type": "input_json_delta", "partial_json": p}
                        for p in call.argument_pieces()
                    ],
                )
            )
        for index, (block, deltas) in enumerate(blocks):
            frames.append(
                _frame(
                    "content_block_start",
                    {"type": "content_block_start", "index": index, "content_block": block},
                )
            )
            if index == 0:
                frames.append(_frame("ping", {"type": "ping"}))
                preamble = 3
            frames += [
                _frame(
                    "content_block_delta",
                    {"type": "content_block_delta", "index": index, "delta": delta},
                )
                for delta in deltas
            ]
            frames.append(
                _frame("content_block_stop", {"type": "content_block_stop", "index": index})
            )
        frames.append(
            _frame(
                "message_delta",
                {
                    "type": "message_delta",
                    "delta": {"stop_reason": self._stop_reason(script), "stop_sequence": None},
                    "usage": {"output_tokens": script.output_count},
                },
            )
        )
        frames.append(_frame("message_stop", {"type": "message_stop"}))
        return frames, preamble

    def complete_body(self, script: Script, request: RecordedRequest) -> bytes:
        """A non-streamed Message."""
        message = self._message(script, request)
        content: list[dict[str, Any]] = []
        if script.text:
            content.append({"type": "text", "text": "".join(script.text)})
        content += [
            {"type": "tool_use", "id": c.id, "name": c.name, "input": c.arguments}
            for c in script.tool_calls
        ]
        message.update(
            content=content,
            stop_reason=self._stop_reason(script),
            usage=self._usage(script, script.output_count),
        )
        return json.dumps(message).encode()

    def error_frame(self, error_type: str | None, message: str) -> bytes:
        """``event: error`` with an error object (default ``overloaded_error``)."""
        error = {"type": error_type or "overloaded_error", "message": message}
        return _frame("error", {"type": "error", "error": error})

    def malformed_frame(self, kind: str) -> bytes:
        """A delta frame whose data is not JSON or is cut short."""
        if kind == "partial_json":
            return (
                b'event: content_block_delta\ndata: {"type":"content_block_delta",'
                b'"index":0,"delta":{"type":"text_de\n\n'
            )
        return b"event: content_block_delta\ndata: this is not json\n\n"

    def error_body(self, status: int, message: str, error_type: str | None) -> bytes:
        """``{"type":"error","error":{"type","message"},"request_id"}``."""
        error = {"type": error_type or ERROR_TYPES.get(status, "api_error"), "message": message}
        return json.dumps({"type": "error", "error": error, "request_id": "req_fake"}).encode()

    def _key(self, request: RecordedRequest) -> str:
        if "x-api-key" in request.headers:
            return request.headers["x-api-key"]
        auth = request.headers.get("authorization", "")
        return auth[7:] if auth.lower().startswith("bearer ") else ""

    def handle(self, request: RecordedRequest) -> Plan:
        """Check the key, then answer messages and models."""
        key = self._key(request)
        if not key or (self.valid_keys is not None and key not in self.valid_keys):
            return Plan(status=401, body=self.error_body(401, "invalid x-api-key", None))
        if (request.method, request.path) == ("GET", "/v1/models"):
            data = [
                {"type": "model", "id": m, "display_name": m, "created_at": "2026-01-01T00:00:00Z"}
                for m in self.models
            ]
            page = {
                "data": data,
                "has_more": False,
                "first_id": data[0]["id"] if data else None,
                "last_id": data[-1]["id"] if data else None,
            }
            return Plan(body=json.dumps(page).encode())
        return super().handle(request)
