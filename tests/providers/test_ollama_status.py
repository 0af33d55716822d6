"""Ollama's status calls (list, ps, show, version) go over plain HTTP, without the SDK, and
every way they can fail reaches the user as a clear error."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from codeface.core.errors import (
    InvalidRequest,
    MalformedResponse,
    ModelMissing,
    ProviderUnavailable,
    ServerError,
)
from codeface.providers.ollama_provider import OllamaProvider
from tests.fakes.loopback import Plan
from tests.fakes.ollama_server import GIB, OllamaServer

SDK_STACK = ("ollama", "httpx", "pydantic", "anyio")


@pytest.fixture
def provider(ollama_server: OllamaServer) -> OllamaProvider:
    return OllamaProvider(ollama_server.url, status_timeout=2.0)


def test_status_calls_leave_the_sdk_unloaded(ollama_server: OllamaServer) -> None:
    # In a fresh process, as the window is at start: the model list, residency and health
    # are known, and not one module of the SDK stack (about 25 MB) was loaded for them.
    ollama_server.add_model("big:70b", size=40 * GIB, loaded=True, size_vram=10 * GIB)
    probe = (
        "import asyncio, json, sys\n"
        "from codeface.providers.ollama_provider import OllamaProvider\n"
        "async def main():\n"
        f"    provider = OllamaProvider({ollama_server.url!r})\n"
        "    models = await provider.list_models()\n"
        "    health = await provider.health()\n"
        "    loaded = await provider.ps()\n"
        "    print(json.dumps({'models': sorted(m.name for m in models),\n"
        "        'residency': {m.name: m.residency for m in loaded}, 'ok': health.ok,\n"
        f"        'sdk': sorted(set(sys.modules) & {set(SDK_STACK)!r})}}))\n"
        "asyncio.run(main())\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)
    assert seen["models"] == ["big:70b", "llama3.2:3b", "qwen2.5-coder:7b"]
    assert seen["residency"] == {"qwen2.5-coder:7b": "gpu", "big:70b": "partial"}
    assert seen["ok"] is True
    assert seen["sdk"] == []


@pytest.mark.asyncio
async def test_a_server_error_on_the_model_list_says_what_ollama_said(
    ollama_server: OllamaServer, provider: OllamaProvider
) -> None:
    ollama_server.status(500, "disk full", path="/api/tags")
    with pytest.raises(ServerError, match="disk full") as caught:
        await provider.list_models()
    assert caught.value.status_code == 500
    assert caught.value.retryable


@pytest.mark.asyncio
async def test_a_server_that_is_not_ollama_is_named_as_such(
    ollama_server: OllamaServer, provider: OllamaProvider
) -> None:
    ollama_server.queue(
        "/api/tags", lambda _r: Plan(status=404, body=b"404 page not found", content_type="text")
    )
    with pytest.raises(InvalidRequest, match="does not offer this service"):
        await provider.list_models()
    ollama_server.queue("/api/version", lambda _r: Plan(status=404, body=b"<html>nope</html>"))
    health = await provider.health()
    assert not health.ok
    assert isinstance(health.error, MalformedResponse)
    assert "does not look like Ollama" in health.detail
    assert "HTTP 404" in health.detail


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/tags", b"\x89PNG\r\n\x1a\n\x00\xff"),
        ("/api/tags", b'{"models": "qwen"}'),
        ("/api/tags", b'[{"name": "qwen"}]'),
        ("/api/tags", b'{"models": [{"name": "q", "size": "big"}]}'),
        ("/api/ps", b'{"models": [{"name": "q", "size_vram": 1.5}]}'),
        ("/api/ps", b'{"models": [{"name": 7}]}'),
    ],
)
async def test_garbage_from_the_server_is_an_unreadable_answer(
    ollama_server: OllamaServer, provider: OllamaProvider, path: str, body: bytes
) -> None:
    ollama_server.queue(path, lambda _r: Plan(body=body))
    with pytest.raises(MalformedResponse, match="sent a response CodeFace cannot read"):
        await provider.list_models()


@pytest.mark.asyncio
async def test_a_model_whose_details_are_garbled_is_still_listed(
    ollama_server: OllamaServer, provider: OllamaProvider
) -> None:
    ollama_server.queue("/api/show", lambda _r: Plan(body=b'{"capabilities": [1, 2]}'), times=1)
    models = await provider.list_models()
    assert len(models) == 2
    assert sorted(m.context_length is None for m in models) == [False, True]


@pytest.mark.asyncio
async def test_show_of_a_missing_model_is_model_missing(provider: OllamaProvider) -> None:
    with pytest.raises(ModelMissing, match="Model nope:1b is not available on Ollama"):
        await provider.show("nope:1b")


@pytest.mark.asyncio
async def test_an_answer_cut_short_or_never_sent_is_reported(
    ollama_server: OllamaServer, provider: OllamaProvider
) -> None:
    half = b'{"models": [{"name": "qwen'
    ollama_server.queue("/api/tags", lambda _r: Plan(frames=[half, b"]}"], drop_after=1))
    with pytest.raises(MalformedResponse):
        await provider.list_models()
    ollama_server.queue("/api/tags", lambda _r: Plan(frames=[half, b"]}"], stall_after=1))
    with pytest.raises(ProviderUnavailable, match="did not answer in time") as caught:
        await provider.list_models()
    assert caught.value.retryable


@pytest.mark.asyncio
async def test_a_host_with_a_path_prefix_is_asked_under_that_path(
    ollama_server: OllamaServer,
) -> None:
    provider = OllamaProvider(ollama_server.url + "/ollama")
    ollama_server.queue("/ollama/api/version", lambda _r: Plan(body=b'{"version": "9.9.9"}'))
    assert await provider.version() == "9.9.9"
