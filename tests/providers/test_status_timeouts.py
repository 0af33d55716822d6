"""Status questions (models, health, version) are bounded by a short timeout in all.

A server that accepts the connection and never answers, or sends half an answer and stops,
or trickles bytes, costs `status_timeout` (injected small here), never the minute-long
read timeout a streamed answer gets.
"""

from __future__ import annotations

import json

import pytest

from codeface.core.errors import MalformedResponse, ProviderUnavailable
from codeface.providers import ollama_api
from codeface.providers.anthropic_provider import FALLBACK_MODELS
from tests.fakes.loopback import Plan
from tests.fakes.scripted import ScriptedServer
from tests.providers.conftest import KINDS, make_provider

STATUS_TIMEOUT = 0.3
HEALTH_PATH = {"ollama": "/api/version", "anthropic": "/v1/models", "openai": "/v1/models"}
MODELS_PATH = {"ollama": "/api/tags", "anthropic": "/v1/models", "openai": "/v1/models"}


def hang(server: ScriptedServer, path: str, how: str) -> None:
    """Make ``path`` hang the way ``how`` says, for every request."""
    if how == "no headers":
        server.silent(path=path, times=None)
    elif how == "half an answer":
        server.raw(b'{"models": [{"na', path=path, then_stall=True, times=None)
    else:  # a byte every 50 ms: each read is quick, the whole never ends in time
        plan = Plan(frames=[b" "] * 10_000, chunk_delay=0.05, content_type="application/json")
        server.queue(path, lambda _r: plan, times=None)


HANGS = ["no headers", "half an answer", "trickle"]


@pytest.fixture(params=KINDS)
def server(request: pytest.FixtureRequest) -> ScriptedServer:
    return request.getfixturevalue(f"{request.param}_server")  # type: ignore[no-any-return]


def kind_of(server: ScriptedServer) -> str:
    return type(server).__name__.removesuffix("Server").lower()


@pytest.mark.asyncio
@pytest.mark.parametrize("how", HANGS)
async def test_health_of_a_hung_server_says_so_within_the_status_timeout(
    server: ScriptedServer, how: str
) -> None:
    kind = kind_of(server)
    hang(server, HEALTH_PATH[kind], how)
    provider = make_provider(kind, server.url, status_timeout=STATUS_TIMEOUT)

    health = await provider.health()

    assert not health.ok
    assert isinstance(health.error, ProviderUnavailable)
    assert f"at {server.host} did not answer in time" in health.detail
    assert len(server.requests_to(HEALTH_PATH[kind])) == 1  # asked once, not retried
    await provider.aclose()


@pytest.mark.asyncio
@pytest.mark.parametrize("how", HANGS)
async def test_the_model_list_of_a_hung_server_is_bounded(server: ScriptedServer, how: str) -> None:
    kind = kind_of(server)
    hang(server, MODELS_PATH[kind], how)
    provider = make_provider(kind, server.url, status_timeout=STATUS_TIMEOUT)

    if kind == "ollama":
        with pytest.raises(ProviderUnavailable, match="did not answer in time"):
            await provider.list_models()
    else:  # the cloud providers fall back to the models they know
        models = await provider.list_models()
        assert models
        if kind == "anthropic":
            assert [m.name for m in models] == list(FALLBACK_MODELS)
    await provider.aclose()


@pytest.mark.asyncio
async def test_a_model_list_that_pages_forever_stops(anthropic_server: ScriptedServer) -> None:
    def page(_request: object) -> Plan:
        data = [{"type": "model", "id": f"m{n}", "display_name": "m"} for n in range(100)]
        body = {"data": data, "has_more": True, "first_id": "m0", "last_id": "m99"}
        return Plan(body=json.dumps(body).encode())

    anthropic_server.queue("/v1/models", page, times=None)
    provider = make_provider("anthropic", anthropic_server.url)

    health = await provider.health()

    assert health.ok
    assert health.detail.endswith(": 1000 models")
    assert len(anthropic_server.requests_to("/v1/models")) == 10
    await provider.aclose()


@pytest.mark.asyncio
async def test_an_ollama_answer_too_large_to_be_a_status_is_refused(
    ollama_server: ScriptedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ollama_api, "MAX_ANSWER_BYTES", 1000)
    huge = b'{"models": [], "padding": "' + b"x" * 5000 + b'"}'
    ollama_server.queue("/api/tags", lambda _r: Plan(body=huge))
    provider = make_provider("ollama", ollama_server.url)
    with pytest.raises(MalformedResponse, match="cannot read"):
        await provider.list_models()
    await provider.aclose()
