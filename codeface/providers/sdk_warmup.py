"""Load a cloud SDK and exercise its response models once, in the calling (worker) thread.

The SDKs build their pydantic validators lazily: the first streamed answer and the first
model list each spend 30-90 ms generating schemas, on whichever thread meets them first.
In the app that is the GUI thread. Here one canned stream and one canned model list go
through the real SDK over an in-memory transport (``MockTransport``: no network), so the
validators exist before the first real request. Call only from a worker thread.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import AsyncIterable, Callable, Coroutine
from typing import Any

log = logging.getLogger(__name__)
_lock = threading.Lock()
_warmed: set[str] = set()


def warm_anthropic() -> None:
    """Import ``anthropic`` and run a canned stream and model list through it."""
    _once("anthropic", _exercise_anthropic)


def warm_openai() -> None:
    """Import ``openai`` and run a canned stream and model list through it."""
    _once("openai", _exercise_openai)


def _once(name: str, exercise: Callable[[], Coroutine[Any, Any, None]]) -> None:
    import asyncio

    with _lock:
        if name in _warmed:
            return
        # The providers use the async clients; their page and stream classes are their own
        # generic models, so warm exactly those, on a private loop with no sockets.
        try:
            with asyncio.Runner(loop_factory=asyncio.SelectorEventLoop) as runner:
                runner.run(exercise())
        except Exception as error:  # only a warm-up: the real request will say what is wrong
            log.warning("warming up the %s SDK failed: %r", name, error)
        finally:
            _warmed.add(name)


def warmed() -> frozenset[str]:
    """The SDKs whose warm-up has finished (or failed) in this process."""
    return frozenset(_warmed)


def _sse(frames: list[tuple[str | None, dict[str, Any] | str]]) -> bytes:
    out = []
    for event, data in frames:
        text = data if isinstance(data, str) else json.dumps(data)
        out.append((f"event: {event}\n" if event else "") + f"data: {text}\n\n")
    return "".join(out).encode()


def _transport(routes: dict[str, tuple[str, bytes]]) -> Any:
    """An ``httpx2`` transport answering each path from ``routes`` (content type, body)."""
    import httpx2

    async def answer(request: httpx2.Request) -> httpx2.Response:
        content_type, body = routes[request.url.path]
        return httpx2.Response(200, headers={"content-type": content_type}, content=body)

    return httpx2.MockTransport(answer)


async def _exercise_anthropic() -> None:
    import anthropic
    import httpx2

    usage = {"input_tokens": 1, "output_tokens": 1}
    message: dict[str, Any] = {
        "id": "msg_warm",
        "type": "message",
        "role": "assistant",
        "model": "warm",
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
        "usage": usage,
    }
    stream = _sse(
        [
            ("message_start", {"type": "message_start", "message": message}),
            (
                "content_block_start",
                {
                    "type": "content_block_start",
                    "index": 0,
                    "content_block": {"type": "text", "text": ""},
                },
            ),
            (
                "content_block_delta",
                {
                    "type": "content_block_delta",
                    "index": 0,
                    "delta": {"type": "text_delta", "text": "hi"},
                },
            ),
            ("content_block_stop", {"type": "content_block_stop", "index": 0}),
            (
                "message_delta",
                {"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": usage},
            ),
            ("message_stop", {"type": "message_stop"}),
        ]
    )
    models = {"data": [_model("warm")], "has_more": False, "first_id": None, "last_id": None}
    routes = {
        "/v1/messages": ("text/event-stream", stream),
        "/v1/models": ("application/json", json.dumps(models).encode()),
    }
    async with httpx2.AsyncClient(transport=_transport(routes)) as http:
        client = anthropic.AsyncAnthropic(
            api_key="warm-up", base_url="http://warm.invalid", http_client=http
        )
        async with client.messages.stream(
            model="warm", max_tokens=1, messages=[{"role": "user", "content": "hi"}]
        ) as events:
            await _drain(events)
        await _drain(client.models.list(limit=1))


async def _exercise_openai() -> None:
    import httpx2
    import openai

    def chunk(delta: dict[str, Any], finish: str | None) -> dict[str, Any]:
        return {
            "id": "warm",
            "object": "chat.completion.chunk",
            "created": 0,
            "model": "warm",
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        }

    done = chunk({}, "stop") | {
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}
    }
    stream = _sse(
        [
            (None, chunk({"role": "assistant", "content": "hi"}, None)),
            (None, done),
            (None, "[DONE]"),
        ]
    )
    models = {"object": "list", "data": [_model("warm") | {"object": "model", "owned_by": "x"}]}
    routes = {
        "/v1/chat/completions": ("text/event-stream", stream),
        "/v1/models": ("application/json", json.dumps(models).encode()),
    }
    async with httpx2.AsyncClient(transport=_transport(routes)) as http:
        client = openai.AsyncOpenAI(
            api_key="warm-up", base_url="http://warm.invalid/v1", http_client=http
        )
        await _drain(
            await client.chat.completions.create(
                model="warm",
                messages=[{"role": "user", "content": "hi"}],
                stream=True,
                stream_options={"include_usage": True},
            )
        )
        await _drain(client.models.list())


def _model(name: str) -> dict[str, Any]:
    return {
        "id": name,
        "type": "model",
        "display_name": name,
        "created_at": "2025-01-01T00:00:00Z",
        "created": 0,
    }


async def _drain(items: AsyncIterable[Any]) -> None:
    async for _ in items:
        pass
