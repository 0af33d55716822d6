"""Ollama's small JSON endpoints (version, tags, ps, show) over the standard library.

The window asks these at start and again while it runs (the model list, GPU residency).
Through the ``ollama`` SDK each would load httpx, pydantic and the SDK: about 25 MB
resident before anyone asks a question. Here each is one `http.client` request, sent from
a worker thread so the event loop's thread never waits. Chat, pull and delete still go
through the SDK, loaded the first time they are used.

Each question has `STATUS_TIMEOUT` seconds in all, from connecting to the last byte: a
server that accepts the connection and then says nothing, or sends half an answer and
stops, costs the user seconds, not minutes. An answer larger than `MAX_ANSWER_BYTES` is
refused rather than read into memory.

Failures leave as exceptions that `providers.errors.translate` knows: ``OSError`` (cannot
connect), ``TimeoutError``, `StatusFailure` (an HTTP error status, with Ollama's
``{"error": ...}`` text) and `UnreadableAnswer` (not JSON, or JSON of the wrong shape).
"""

from __future__ import annotations

import asyncio
import http.client
import json
import time
import urllib.parse
from typing import Any

from codeface.providers.http_clients import STATUS_TIMEOUT

MAX_ANSWER_BYTES = 64 * 1024 * 1024
_READ_SIZE = 64 * 1024


class StatusFailure(Exception):
    """Ollama answered with an HTTP error status."""

    def __init__(self, status_code: int, error: str) -> None:
        super().__init__(f"HTTP {status_code}: {error}")
        self.status_code = status_code
        self.error = error


class UnreadableAnswer(ValueError):
    """The answer was not JSON, or not shaped as Ollama's."""


class OllamaAPI:
    """``GET``/``POST`` of one JSON document to one Ollama host."""

    def __init__(
        self, base_url: str, *, connect_timeout: float, timeout: float = STATUS_TIMEOUT
    ) -> None:
        parts = urllib.parse.urlsplit(base_url)
        self._https = parts.scheme == "https"
        self._host = parts.hostname or "127.0.0.1"
        self._port = parts.port or (443 if self._https else 80)
        self._prefix = parts.path.rstrip("/")
        self._connect_timeout = min(connect_timeout, timeout)
        self._timeout = timeout

    async def get(self, path: str) -> dict[str, Any]:
        """The JSON object ``GET path`` answers."""
        return await asyncio.to_thread(self._exchange, "GET", path, None)

    async def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """The JSON object ``POST path`` (with ``body`` as JSON) answers."""
        return await asyncio.to_thread(self._exchange, "POST", path, body)

    def _connection(self) -> http.client.HTTPConnection:
        if self._https:
            from codeface.providers.http_clients import shared_ssl_context

            return http.client.HTTPSConnection(
                self._host, self._port, timeout=self._connect_timeout, context=shared_ssl_context()
            )
        return http.client.HTTPConnection(self._host, self._port, timeout=self._connect_timeout)

    def _exchange(self, method: str, path: str, body: dict[str, Any] | None) -> dict[str, Any]:
        deadline = time.monotonic() + self._timeout
        connection = self._connection()
        try:
            connection.connect()
            payload = None if body is None else json.dumps(body).encode()
            headers = {"Accept": "application/json", "User-Agent": "codeface"}
            if payload is not None:
                headers["Content-Type"] = "application/json"
            _wait_at_most(connection, deadline)
            connection.request(method, self._prefix + path, payload, headers)
            response = connection.getresponse()
            raw = _read_body(connection, response, deadline)
            status = response.status
        except http.client.RemoteDisconnected:
            raise  # a ConnectionError: closed before answering, as when Ollama restarts
        except http.client.HTTPException as error:
            raise UnreadableAnswer(f"not an HTTP answer ({type(error).__name__})") from error
        finally:
            connection.close()
        if status >= 400:
            raise StatusFailure(status, _error_text(raw))
        try:
            answer = json.loads(raw)
        except ValueError as error:  # also invalid UTF-8
            raise UnreadableAnswer(f"HTTP {status} with a body that is not JSON") from error
        return as_object(answer, path)


def _wait_at_most(connection: http.client.HTTPConnection, deadline: float) -> None:
    """Let the next socket operation wait only until ``deadline`` (TimeoutError after it)."""
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise TimeoutError("the status request took too long")
    if connection.sock is not None:
        connection.sock.settimeout(remaining)


def _read_body(
    connection: http.client.HTTPConnection, response: http.client.HTTPResponse, deadline: float
) -> bytes:
    """The whole body, read piece by piece so that a trickle cannot outlast ``deadline``."""
    pieces: list[bytes] = []
    size = 0
    while True:
        _wait_at_most(connection, deadline)
        piece = response.read1(_READ_SIZE)
        if not piece:
            return b"".join(pieces)
        size += len(piece)
        if size > MAX_ANSWER_BYTES:
            raise UnreadableAnswer(f"an answer larger than {MAX_ANSWER_BYTES // 2**20} MB")
        pieces.append(piece)


def _error_text(raw: bytes) -> str:
    """Ollama's ``{"error": "..."}`` text, or the start of whatever the body was."""
    text = raw.decode("utf-8", "replace")
    try:
        parsed = json.loads(text)
    except ValueError:
        return text.strip()[:300] or "no details"
    if isinstance(parsed, dict) and isinstance(parsed.get("error"), str):
        return str(parsed["error"])
    return text.strip()[:300]


def as_object(value: Any, where: str) -> dict[str, Any]:
    """``value`` if it is a JSON object, else `UnreadableAnswer`."""
    if not isinstance(value, dict):
        raise UnreadableAnswer(f"{where} is not an object")
    return value


def objects(parent: dict[str, Any], key: str) -> list[dict[str, Any]]:
    """A list of objects under ``key`` (missing or null: empty)."""
    value = parent.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise UnreadableAnswer(f"{key} is not a list")
    return [as_object(item, key) for item in value]


def text(parent: dict[str, Any], key: str) -> str | None:
    """A string field (missing or null: None)."""
    value = parent.get(key)
    if value is None or isinstance(value, str):
        return value
    raise UnreadableAnswer(f"{key} is not a string")


def whole(parent: dict[str, Any], key: str) -> int | None:
    """An integer field (missing or null: None)."""
    value = parent.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise UnreadableAnswer(f"{key} is not a number")
    if isinstance(value, float) and not value.is_integer():
        raise UnreadableAnswer(f"{key} is not a whole number")
    return int(value)


def texts(parent: dict[str, Any], key: str) -> tuple[str, ...]:
    """A list of strings (missing or null: empty)."""
    value = parent.get(key)
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise UnreadableAnswer(f"{key} is not a list of strings")
    return tuple(value)


def child(parent: dict[str, Any], key: str) -> dict[str, Any]:
    """An object field (missing or null: an empty object)."""
    value = parent.get(key)
    return {} if value is None else as_object(value, key)
