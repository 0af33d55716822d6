"""Ollama's small JSON endpoints (version, tags, ps, show) over asyncio streams.

The window asks these at start and again while it runs (the model list, GPU residency).
Through the ``ollama`` SDK each would load httpx, pydantic and the SDK: about 25 MB
resident before anyone asks a question; through `http.client` it would load `email` and
OpenSSL (`codeface.core.deferred_tls`). Each question is one HTTP/1.1 request on its own
connection (``Connection: close``), sent and read on the event loop. Chat, pull and delete
still go through the SDK, loaded the first time they are used.

Each question has `STATUS_TIMEOUT` seconds in all, from connecting to the last byte: a
server that accepts the connection and then says nothing, or sends half an answer and
stops, costs the user seconds, not minutes. An answer larger than `MAX_ANSWER_BYTES` is
refused rather than read into memory.

Failures leave as exceptions that `providers.errors.translate` knows: ``OSError`` (cannot
connect, or closed before answering), ``TimeoutError``, `StatusFailure` (an HTTP error
status, with Ollama's ``{"error": ...}`` text) and `UnreadableAnswer` (not HTTP, not JSON,
or JSON of the wrong shape).
"""

from __future__ import annotations

import asyncio
import json
import urllib.parse
from typing import Any

from codeface.providers.http_clients import STATUS_TIMEOUT

MAX_ANSWER_BYTES = 64 * 1024 * 1024
MAX_HEADERS = 100
_READ_SIZE = 64 * 1024


class StatusFailure(Exception):
    """Ollama answered with an HTTP error status."""

    def __init__(self, status_code: int, error: str) -> None:
        super().__init__(f"HTTP {status_code}: {error}")
        self.status_code = status_code
        self.error = error


class UnreadableAnswer(ValueError):
    """The answer was not HTTP or not JSON, or not shaped as Ollama's."""


class OllamaAPI:
    """``GET``/``POST`` of one JSON document to one Ollama host."""

    def __init__(
        self, base_url: str, *, connect_timeout: float, timeout: float = STATUS_TIMEOUT
    ) -> None:
        parts = urllib.parse.urlsplit(base_url)
        self._https = parts.scheme == "https"
        self._host = parts.hostname or "127.0.0.1"
        self._port = parts.port or (443 if self._https else 80)
        host = f"[{self._host}]" if ":" in self._host else self._host
        self._host_header = host if parts.port is None else f"{host}:{self._port}"
        self._prefix = parts.path.rstrip("/")
        self._connect_timeout = min(connect_timeout, timeout)
        self._timeout = timeout

    async def get(self, path: str) -> dict[str, Any]:
        """The JSON object ``GET path`` answers."""
        return await self._exchange("GET", path, None)

    async def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """The JSON object ``POST path`` (with ``body`` as JSON) answers."""
        return await self._exchange("POST", path, body)

    async def _exchange(
        self, method: str, path: str, body: dict[str, Any] | None
    ) -> dict[str, Any]:
        try:
            async with asyncio.timeout(self._timeout):
                reader, writer = await self._connect()
                try:
                    writer.write(self._request(method, path, body))
                    await writer.drain()
                    status, raw = await read_response(reader)
                finally:
                    writer.close()  # a TLS goodbye, if any, finishes on its own
        except TimeoutError:
            raise TimeoutError("the status request took too long") from None
        if status >= 400:
            raise StatusFailure(status, _error_text(raw))
        try:
            answer = json.loads(raw)
        except ValueError as error:  # also invalid UTF-8
            raise UnreadableAnswer(f"HTTP {status} with a body that is not JSON") from error
        return as_object(answer, path)

    async def _connect(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        if not self._https:
            connecting = asyncio.open_connection(self._host, self._port)
        else:
            from codeface.providers.http_clients import shared_ssl_context

            # The first time, this imports httpx and reads the CA bundle: not on the loop.
            context = await asyncio.to_thread(shared_ssl_context)
            connecting = asyncio.open_connection(
                self._host, self._port, ssl=context, server_hostname=self._host
            )
        return await asyncio.wait_for(connecting, self._connect_timeout)

    def _request(self, method: str, path: str, body: dict[str, Any] | None) -> bytes:
        payload = b"" if body is None else json.dumps(body).encode()
        lines = [
            f"{method} {self._prefix}{path} HTTP/1.1",
            f"Host: {self._host_header}",
            "Accept: application/json",
            "User-Agent: codeface",
            "Connection: close",
        ]
        if body is not None:
            lines += ["Content-Type: application/json", f"Content-Length: {len(payload)}"]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("ascii") + payload


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    """The status and whole body of an HTTP/1.x answer (1xx interim answers skipped)."""
    try:
        while True:
            status, headers = await _read_head(reader)
            if status >= 200:
                return status, await _read_body(reader, headers)
    except asyncio.IncompleteReadError as error:
        raise UnreadableAnswer("not an HTTP answer (it stops part-way)") from error
    except asyncio.LimitOverrunError as error:
        raise UnreadableAnswer("not an HTTP answer (a line too long)") from error


async def _read_head(reader: asyncio.StreamReader) -> tuple[int, dict[bytes, bytes]]:
    first = await _line(reader)
    if not first:
        raise ConnectionResetError("the server closed the connection without answering")
    version, _, rest = first.partition(b" ")
    code = rest[:3]
    if not version.startswith(b"HTTP/1.") or len(code) != 3 or not code.isdigit():
        raise UnreadableAnswer("not an HTTP answer")
    headers: dict[bytes, bytes] = {}
    while (line := await _line(reader)) not in (b"\r\n", b"\n"):
        name, colon, value = line.partition(b":")
        if not colon or len(headers) >= MAX_HEADERS:
            raise UnreadableAnswer("not an HTTP answer (bad headers)")
        headers[name.strip().lower()] = value.strip()
    return int(code), headers


async def _line(reader: asyncio.StreamReader) -> bytes:
    """One line; the end of the stream in the middle of a head is a broken answer."""
    try:
        return await reader.readuntil(b"\n")
    except asyncio.IncompleteReadError as error:
        if not error.partial:
            return b""
        raise


async def _read_body(reader: asyncio.StreamReader, headers: dict[bytes, bytes]) -> bytes:
    if b"chunked" in headers.get(b"transfer-encoding", b"").lower():
        return await _read_chunked(reader)
    length = headers.get(b"content-length")
    if length is None:
        return await _read_to_end(reader)
    if not length.isdigit():
        raise UnreadableAnswer("not an HTTP answer (bad Content-Length)")
    return await reader.readexactly(_within_limit(int(length)))


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    pieces: list[bytes] = []
    size = 0
    while True:
        size_field = (await reader.readuntil(b"\n")).split(b";")[0].strip()
        try:
            chunk_size = int(size_field, 16)
        except ValueError as error:
            raise UnreadableAnswer("not an HTTP answer (bad chunk size)") from error
        if chunk_size == 0:
            while (await reader.readuntil(b"\n")).strip():
                pass  # trailer fields
            return b"".join(pieces)
        size = _within_limit(size + chunk_size)
        pieces.append(await reader.readexactly(chunk_size))
        await reader.readexactly(2)  # the chunk's CRLF


async def _read_to_end(reader: asyncio.StreamReader) -> bytes:
    pieces: list[bytes] = []
    size = 0
    while piece := await reader.read(_READ_SIZE):
        size = _within_limit(size + len(piece))
        pieces.append(piece)
    return b"".join(pieces)


def _within_limit(size: int) -> int:
    if size > MAX_ANSWER_BYTES:
        raise UnreadableAnswer(f"an answer larger than {MAX_ANSWER_BYTES // 2**20} MB")
    return size


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
