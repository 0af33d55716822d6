"""The status questions read HTTP/1.1 themselves (`providers.ollama_api`): every framing a
server may use is understood, and whatever is not HTTP is a clear error, never a hang."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from codeface.core.errors import MalformedResponse, ProviderUnavailable
from codeface.providers import ollama_api
from codeface.providers.ollama_provider import OllamaProvider

EMPTY = b'{"models": []}'
GARBLED = "sent a response CodeFace cannot read"


class RawServer:
    """Answers every request with the same bytes, then closes the connection."""

    def __init__(self) -> None:
        self.answer = b""
        self.requests: list[bytes] = []
        self.url = ""

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.requests.append(await reader.readuntil(b"\r\n\r\n"))
        writer.write(self.answer)
        await writer.drain()
        writer.close()


@pytest_asyncio.fixture
async def raw() -> AsyncIterator[RawServer]:
    server = RawServer()
    listening = await asyncio.start_server(server.handle, "127.0.0.1", 0)
    server.url = f"http://127.0.0.1:{listening.sockets[0].getsockname()[1]}"
    try:
        yield server
    finally:
        listening.close()
        await listening.wait_closed()


async def models_from(server: RawServer, answer: bytes) -> list[str]:
    server.answer = answer
    provider = OllamaProvider(server.url, status_timeout=5.0)
    return [model.name for model in await provider.list_models()]


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "answer",
    [
        b"HTTP/1.1 200 OK\r\nContent-Length: 14\r\n\r\n" + EMPTY,
        b"HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n" + EMPTY,  # to the end
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"5;note=x\r\n" + EMPTY[:5] + b"\r\n9\r\n" + EMPTY[5:] + b"\r\n0\r\nX-Trailer: 1\r\n\r\n",
        b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 14\r\n\r\n" + EMPTY,
        b"HTTP/1.1 200\nContent-Length: 14\n\n" + EMPTY,  # bare newlines, no reason phrase
    ],
    ids=["content-length", "until-closed", "chunked", "interim-100", "bare-newlines"],
)
async def test_every_http_framing_is_read(raw: RawServer, answer: bytes) -> None:
    assert await models_from(raw, answer) == []
    head = raw.requests[0].decode()
    assert head.startswith("GET /api/tags HTTP/1.1\r\n")
    assert f"Host: {raw.url.removeprefix('http://')}\r\n" in head


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "answer",
    [
        b"SSH-2.0-OpenSSH_9.6\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: 14\r\n",  # the head stops
        b"HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n" + EMPTY,  # the body stops
        b"HTTP/1.1 200 OK\r\nContent-Length: lots\r\n\r\n" + EMPTY,
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        b"HTTP/1.1 200 OK\r\nno colon here\r\n\r\n" + EMPTY,
        b"HTTP/1.1 200 OK\r\nX-Long: " + b"a" * 70_000 + b"\r\n\r\n" + EMPTY,
    ],
    ids=["not-http", "head-cut", "body-cut", "bad-length", "bad-chunk", "bad-header", "huge"],
)
async def test_what_is_not_http_is_an_unreadable_answer(raw: RawServer, answer: bytes) -> None:
    with pytest.raises(MalformedResponse, match=GARBLED):
        await models_from(raw, answer)


@pytest.mark.asyncio
async def test_an_answer_over_the_limit_is_refused_unread(
    raw: RawServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ollama_api, "MAX_ANSWER_BYTES", 10)
    with pytest.raises(MalformedResponse, match=GARBLED) as caught:
        await models_from(raw, b"HTTP/1.1 200 OK\r\nContent-Length: 14\r\n\r\n" + EMPTY)
    assert "larger than" in str(caught.value.__cause__ or caught.value.__context__)


@pytest.mark.asyncio
async def test_a_server_that_closes_without_answering_is_unavailable(raw: RawServer) -> None:
    with pytest.raises(ProviderUnavailable, match="not running") as caught:
        await models_from(raw, b"")
    assert caught.value.retryable
