"""A fake Ollama server speaking the real HTTP API (NDJSON streaming) on 127.0.0.1.

Routes: ``POST /api/chat``, ``GET /api/tags``, ``GET /api/ps``, ``POST /api/show``,
``POST /api/pull``, ``DELETE /api/delete``, ``GET /api/version``, ``GET /``. Models are
configured with `add_model` (installed, optionally loaded with ``size_vram``); chat with an
unknown model gets Ollama's real 404 ``model "x" not found, try pulling it first``.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from typing import Any

from tests.fakes.loopback import Plan, RecordedRequest
from tests.fakes.scripted import Script, ScriptedServer

CREATED_AT = "2026-11-22T12:00:00.000000Z"
GIB = 1024**3


@dataclass
class FakeModel:
    """An installed model and, when ``loaded``, its residency (``size_vram`` of ``size``)."""

    name: str
    size: int = 4 * GIB
    family: str = "qwen2"
    parameter_size: str = "7.6B"
    quantization: str = "Q4_K_M"
    context_length: int = 32768
    capabilities: list[str] = field(default_factory=lambda: ["completion", "tools"])
    digest: str = "a" * 64
    loaded: bool = False
    size_vram: int = 0

    def details(self) -> dict[str, Any]:
        """The ``details`` object of tags/ps/show."""
        return {
            "parent_model": "",
            "format": "gguf",
            "family": self.family,
            "families": [self.family],
            "parameter_size": self.parameter_size,
            "quantization_level": self.quantization,
        }


def _normal(name: str) -> str:
    return name if ":" in name else f"{name}:latest"


class OllamaServer(ScriptedServer):
    """The fake Ollama server. `models` holds the installed models by full name."""

    chat_path = "/api/chat"
    stream_content_type = "application/x-ndjson"

    def __init__(self, *, version: str = "0.12.6", with_default_models: bool = True) -> None:
        super().__init__()
        self.version = version
        self.models: dict[str, FakeModel] = {}
        self.models_lock = threading.Lock()
        self.unpullable: set[str] = set()
        if with_default_models:
            self.add_model("qwen2.5-coder:7b", loaded=True, size_vram=4 * GIB)
            self.add_model("llama3.2:3b", size=2 * GIB, family="llama", parameter_size="3.2B")

    def add_model(self, name: str, **details: Any) -> FakeModel:
        """Install a model (keyword arguments as for `FakeModel`)."""
        model = FakeModel(name=_normal(name), **details)
        with self.models_lock:
            self.models[model.name] = model
        return model

    def remove_model(self, name: str) -> None:
        """Uninstall a model."""
        with self.models_lock:
            self.models.pop(_normal(name), None)

    def _model(self, name: str) -> FakeModel | None:
        with self.models_lock:
            return self.models.get(_normal(name or ""))

    # ------------------------------------------------------------ wire format
    def wants_stream(self, request: RecordedRequest) -> bool:
        """Ollama streams unless the request says ``"stream": false``."""
        body = request.json
        return not (isinstance(body, dict) and body.get("stream") is False)

    def _line(self, payload: dict[str, Any]) -> bytes:
        return json.dumps(payload, separators=(",", ":")).encode() + b"\n"

    def _message(self, request: RecordedRequest, message: dict[str, Any]) -> dict[str, Any]:
        body = request.json if isinstance(request.json, dict) else {}
        return {
            "model": body.get("model", "fake"),
            "created_at": CREATED_AT,
            "message": {"role": "assistant", "content": "", **message},
            "done": False,
        }

    def _final(self, script: Script, request: RecordedRequest) -> dict[str, Any]:
        final = self._message(request, {})
        reason = script.finish or "stop"
        final.update(
            done=True,
            done_reason=reason,
            total_duration=900_000_000,
            load_duration=100_000_000,
            prompt_eval_count=script.input_tokens,
            prompt_eval_duration=50_000_000,
            eval_count=script.output_count,
            eval_duration=script.output_count * 20_000_000,
        )
        return final

    def stream_frames(self, script: Script, request: RecordedRequest) -> tuple[list[bytes], int]:
        """Thinking, text and one chunk per tool call, then the ``done`` line."""
        frames = [self._line(self._message(request, {"thinking": t})) for t in script.thinking]
        frames += [self._line(self._message(request, {"content": t})) for t in script.text]
        for call in script.tool_calls:
            function = {"name": call.name, "arguments": call.arguments}
            message = {"tool_calls": [{"function": function}]}
            frames.append(self._line(self._message(request, message)))
        frames.append(self._line(self._final(script, request)))
        return frames, 0

    def complete_body(self, script: Script, request: RecordedRequest) -> bytes:
        """A ``stream: false`` chat answer."""
        final = self._final(script, request)
        final["message"]["content"] = "".join(script.text)
        if script.tool_calls:
            final["message"]["tool_calls"] = [
                {"function": {"name": c.name, "arguments": c.arguments}} for c in script.tool_calls
            ]
        return json.dumps(final).encode()

    def error_frame(self, error_type: str | None, message: str) -> bytes:
        """Ollama's mid-stream error: an NDJSON line ``{"error": "..."}``."""
        return self._line({"error": message})

    def malformed_frame(self, kind: str) -> bytes:
        """A line that is not JSON, or JSON cut short."""
        if kind == "partial_json":
            return b'{"model":"fake","message":{"role":"assistant","content":"hel\n'
        return b"this is not json\n"

    def error_body(self, status: int, message: str, error_type: str | None) -> bytes:
        """Ollama's error body ``{"error": "..."}``."""
        return json.dumps({"error": message}).encode()

    # ------------------------------------------------------------ routes
    def handle(self, request: RecordedRequest) -> Plan:
        """Model management routes and the chat default."""
        body = request.json if isinstance(request.json, dict) else {}
        route = (request.method, request.path)
        if route == ("POST", "/api/chat"):
            name = body.get("model", "")
            if self._model(name) is None:
                message = f'model "{name}" not found, try pulling it first'
                return Plan(status=404, body=self.error_body(404, message, None))
            return super().handle(request)
        if route in {("GET", "/"), ("HEAD", "/")}:
            return Plan(body=b"Ollama is running", content_type="text/plain; charset=utf-8")
        if route == ("GET", "/api/version"):
            return Plan(body=json.dumps({"version": self.version}).encode())
        if route == ("GET", "/api/tags"):
            return Plan(body=json.dumps({"models": [self._tag(m) for m in self._all()]}).encode())
        if route == ("GET", "/api/ps"):
            loaded = [self._ps(m) for m in self._all() if m.loaded]
            return Plan(body=json.dumps({"models": loaded}).encode())
        if route == ("POST", "/api/show"):
            return self._show(body.get("model") or body.get("name") or "")
        if route == ("POST", "/api/pull"):
            return self._pull(body.get("model") or body.get("name") or "", body)
        if route == ("DELETE", "/api/delete"):
            name = body.get("model") or body.get("name") or ""
            if self._model(name) is None:
                message = f"model '{name}' not found"
                return Plan(status=404, body=self.error_body(404, message, None))
            self.remove_model(name)
            return Plan(body=b"")
        return Plan(status=404, body=b"404 page not found", content_type="text/plain")

    def _all(self) -> list[FakeModel]:
        with self.models_lock:
            return list(self.models.values())

    def _tag(self, model: FakeModel) -> dict[str, Any]:
        return {
            "name": model.name,
            "model": model.name,
            "modified_at": "2026-11-01T10:00:00Z",
            "size": model.size,
            "digest": model.digest,
            "details": model.details(),
        }

    def _ps(self, model: FakeModel) -> dict[str, Any]:
        return {
            "name": model.name,
            "model": model.name,
            "size": model.size,
            "digest": model.digest,
            "details": model.details(),
            "expires_at": "2026-11-22T12:10:00Z",
            "size_vram": model.size_vram,
            "context_length": model.context_length,
        }

    def _show(self, name: str) -> Plan:
        model = self._model(name)
        if model is None:
            return Plan(status=404, body=self.error_body(404, f"model '{name}' not found", None))
        show = {
            "modelfile": f"FROM {model.name}\n",
            "parameters": 'stop "<|im_end|>"',
            "template": "{{ .Prompt }}",
            "details": model.details(),
            "model_info": {
                "general.architecture": model.family,
                "general.parameter_count": 7_615_616_512,
                f"{model.family}.context_length": model.context_length,
                f"{model.family}.embedding_length": 3584,
            },
            "capabilities": model.capabilities,
            "modified_at": "2026-11-01T10:00:00Z",
        }
        return Plan(body=json.dumps(show).encode())

    def _pull(self, name: str, body: dict[str, Any]) -> Plan:
        if _normal(name) in {_normal(n) for n in self.unpullable}:
            # Real Ollama answers 200 and reports the failure as an NDJSON error line.
            frames = [
                self._line({"status": "pulling manifest"}),
                self._line({"error": "pull model manifest: file does not exist"}),
            ]
            return Plan(frames=frames, content_type=self.stream_content_type)
        digest = "sha256:" + "b" * 64
        total = 3 * 1024 * 1024
        statuses: list[dict[str, Any]] = [
            {"status": "pulling manifest"},
            {"status": f"pulling {digest[7:19]}", "digest": digest, "total": total},
        ]
        statuses += [
            {
                "status": f"pulling {digest[7:19]}",
                "digest": digest,
                "total": total,
                "completed": total * step // 3,
            }
            for step in (1, 2, 3)
        ]
        statuses += [
            {"status": "verifying sha256 digest"},
            {"status": "writing manifest"},
            {"status": "success"},
        ]
        self.add_model(name)
        if body.get("stream") is False:
            return Plan(body=json.dumps({"status": "success"}).encode())
        return Plan(frames=[self._line(s) for s in statuses], content_type=self.stream_content_type)
