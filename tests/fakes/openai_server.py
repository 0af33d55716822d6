"""A fake OpenAI Chat Completions API (SSE ending ``data: [DONE]``) on 127.0.0.1.

Routes: ``POST /v1/chat/completions`` (with ``stream_options.include_usage``) and
``GET /v1/models``. Serves as any OpenAI-compatible server too (LM Studio, llama.cpp...).
"""

from __future__ import annotations

import json
from typing import Any

from tests.fakes.loopback import Plan, RecordedRequest
from tests.fakes.scripted import Script, ScriptedServer

ERROR_TYPES = {
    400: "invalid_request_error",
    401: "invalid_request_error",
    403: "permission_error",
    404: "invalid_request_error",
    429: "rate_limit_exceeded",
    500: "server_error",
    503: "server_error",
}
ERROR_CODES = {401: "invalid_api_key", 404: "model_not_found", 429: "rate_limit_exceeded"}
MODELS = ("gpt-5", "gpt-5-mini", "gpt-4.1")


def _data(payload: dict[str, Any]) -> bytes:
    return b"data: " + json.dumps(payload, separators=(",", ":")).encode() + b"\n\n"


class OpenAIServer(ScriptedServer):
    """The fake OpenAI server; set `valid_keys` to refuse other keys with a 401."""

    chat_path = "/v1/chat/completions"
    stream_content_type = "text/event-stream; charset=utf-8"

    def __init__(self, *, valid_keys: set[str] | None = None) -> None:
        super().__init__()
        self.valid_keys = valid_keys
        self.models = list(MODELS)

    def _chunk(
        self, request: RecordedRequest, delta: dict[str, Any], finish: str | None = None
    ) -> dict[str, Any]:
        body = request.json if isinstance(request.json, dict) else {}
        chunk: dict[str, Any] = {
            "id": "chatcmpl-fake",
            "object": "chat.completion.chunk",
            "created": 1_790_000_000,
            "model": body.get("model", "gpt-5"),
            "system_fingerprint": "fp_fake",
            "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
        }
        if (body.get("stream_options") or {}).get("include_usage"):
            chunk["usage"] = None
        return chunk

    def _finish(self, script: Script) -> str:
        return script.finish or ("tool_calls" if script.tool_calls else "stop")

    def stream_frames(self, script: Script, request: RecordedRequest) -> tuple[list[bytes], int]:
        """Role chunk, content deltas, tool-call fragments, finish chunk, usage chunk, [DONE]."""
        frames = [_data(self._chunk(request, {"role": "assistant", "content": ""}))]
        frames += [_data(self._chunk(request, {"reasoning_content": t})) for t in script.thinking]
        frames += [_data(self._chunk(request, {"content": t})) for t in script.text]
        for index, call in enumerate(script.tool_calls):
            first = {
                "index": index,
                "id": call.id,
                "type": "function",
                "function": {"name": call.name, "arguments": ""},
            }
            frames.append(_data(self._chunk(request, {"tool_calls": [first]})))
            frames += [
                _data(
                    self._chunk(
                        request,
                        {"tool_calls": [{"index": index, "function": {"arguments": piece}}]},
                    )
                )
                for piece in call.argument_pieces()
            ]
        frames.append(_data(self._chunk(request, {}, self._finish(script))))
        body = request.json if isinstance(request.json, dict) else {}
        if (body.get("stream_options") or {}).get("include_usage"):
            usage_chunk = self._chunk(request, {})
            usage_chunk["choices"] = []
            usage_chunk["usage"] = self._usage(script)
            frames.append(_data(usage_chunk))
        frames.append(b"data: [DONE]\n\n")
        return frames, 1

    def _usage(self, script: Script) -> dict[str, int]:
        return {
            "prompt_tokens": script.input_tokens,
            "completion_tokens": script.output_count,
            "total_tokens": script.input_tokens + script.output_count,
        }

    def complete_body(self, script: Script, request: RecordedRequest) -> bytes:
        """A non-streamed chat completion."""
        message: dict[str, Any] = {"role": "assistant", "content": "".join(script.text)}
        if script.tool_calls:
            message["tool_calls"] = [
                {
                    "id": c.id,
                    "type": "function",
                    "function": {"name": c.name, "arguments": json.dumps(c.arguments)},
                }
                for c in script.tool_calls
            ]
        completion = self._chunk(request, {})
        completion.update(
            object="chat.completion",
            usage=self._usage(script),
            choices=[
                {
                    "index": 0,
                    "message": message,
                    "logprobs": None,
                    "finish_reason": self._finish(script),
                }
            ],
        )
        return json.dumps(completion).encode()

    def error_frame(self, error_type: str | None, message: str) -> bytes:
        """``data: {"error": {...}}`` mid-stream."""
        error = {
            "message": message,
            "type": error_type or "server_error",
            "param": None,
            "code": None,
        }
        return _data({"error": error})

    def malformed_frame(self, kind: str) -> bytes:
        """A data line that is not JSON, or is cut short."""
        if kind == "partial_json":
            return b'data: {"id":"chatcmpl-fake","choices":[{"index":0,"delta":{"content":"hel\n\n'
        return b"data: this is not json\n\n"

    def error_body(self, status: int, message: str, error_type: str | None) -> bytes:
        """``{"error": {"message","type","param","code"}}``."""
        error = {
            "message": message,
            "type": error_type or ERROR_TYPES.get(status, "server_error"),
            "param": None,
            "code": ERROR_CODES.get(status),
        }
        return json.dumps({"error": error}).encode()

    def handle(self, request: RecordedRequest) -> Plan:
        """Check the bearer key, then answer chat completions and models."""
        auth = request.headers.get("authorization", "")
        key = auth[7:] if auth.lower().startswith("bearer ") else ""
        if self.valid_keys is not None and key not in self.valid_keys:
            message = "Incorrect API key provided."
            return Plan(status=401, body=self.error_body(401, message, None))
        if (request.method, request.path) == ("GET", "/v1/models"):
            data = [
                {"id": m, "object": "model", "created": 1_700_000_000, "owned_by": "openai"}
                for m in self.models
            ]
            return Plan(body=json.dumps({"object": "list", "data": data}).encode())
        return super().handle(request)
