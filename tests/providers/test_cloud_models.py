"""Model lists and health checks of the cloud and OpenAI-compatible providers."""

from __future__ import annotations

import pytest

from codeface.core.errors import AuthenticationFailed, MalformedResponse, ModelMissing
from codeface.core.provider import Provider
from codeface.providers.anthropic_provider import FALLBACK_MODELS as ANTHROPIC_FALLBACK
from codeface.providers.anthropic_provider import AnthropicProvider
from codeface.providers.ollama_provider import OllamaProvider
from codeface.providers.openai_provider import FALLBACK_MODELS as OPENAI_FALLBACK
from codeface.providers.openai_provider import OpenAIProvider
from tests.fakes.anthropic_server import MODELS as ANTHROPIC_MODELS
from tests.fakes.anthropic_server import AnthropicServer
from tests.fakes.openai_server import MODELS as OPENAI_MODELS
from tests.fakes.openai_server import OpenAIServer
from tests.providers.conftest import Rig, calls_of, collect, text_of


@pytest.mark.asyncio
async def test_model_lists_come_from_the_server(cloud_rig: Rig) -> None:
    models = await cloud_rig.provider.list_models()
    expected = ANTHROPIC_MODELS if cloud_rig.kind == "anthropic" else OPENAI_MODELS
    assert [m.name for m in models] == list(expected)
    assert {(m.tier, m.residency, m.provider) for m in models} == {
        ("cloud", "cloud", cloud_rig.kind)
    }


@pytest.mark.asyncio
async def test_model_list_falls_back_to_built_in_names(cloud_rig: Rig) -> None:
    cloud_rig.server.status(500, path="/v1/models")
    models = await cloud_rig.provider.list_models()
    expected = ANTHROPIC_FALLBACK if cloud_rig.kind == "anthropic" else OPENAI_FALLBACK
    assert [m.name for m in models] == list(expected)


@pytest.mark.asyncio
async def test_bad_key_is_told_apart_from_no_connection(cloud_rig: Rig) -> None:
    cloud_rig.server.valid_keys = {"the-right-key"}  # type: ignore[attr-defined]
    health = await cloud_rig.provider.health()
    assert not health.ok
    assert isinstance(health.error, AuthenticationFailed)
    with pytest.raises(AuthenticationFailed):
        await cloud_rig.provider.list_models()


@pytest.mark.asyncio
async def test_healthy_cloud_provider(cloud_rig: Rig) -> None:
    health = await cloud_rig.provider.health()
    assert health.ok
    assert cloud_rig.server.host in health.detail


@pytest.mark.asyncio
async def test_compatible_server_with_placeholder_key(openai_server: OpenAIServer) -> None:
    provider = OpenAIProvider(
        None,
        base_url=openai_server.url + "/v1",
        provider_id="compat:lmstudio",
        name="lmstudio",
        tier="local",
        default_model="qwen-local",
    )
    assert (provider.id, provider.tier, provider.kind) == ("compat:lmstudio", "local", "openai")
    openai_server.tool_call("run", {"command": "ls"}, text="Listing.", pieces=4)
    rig = Rig("openai", openai_server, provider, "qwen-local")
    events = await collect(provider, rig.request())
    assert text_of(events) == "Listing."
    assert calls_of(events) == [("run", {"command": "ls"})]
    request = openai_server.requests[-1]
    assert request.headers["authorization"] == "Bearer not-needed"
    assert request.json["model"] == "qwen-local"
    models = await provider.list_models()
    assert {m.residency for m in models} == {"not_loaded"}
    await provider.aclose()


@pytest.mark.asyncio
async def test_compatible_server_without_model_list_offers_its_model(
    openai_server: OpenAIServer,
) -> None:
    provider = OpenAIProvider(
        None,
        base_url=openai_server.url + "/v1",
        provider_id="compat:llama",
        name="llama.cpp",
        default_model="local.gguf",
    )
    openai_server.status(404, path="/v1/models")
    assert [m.name for m in await provider.list_models()] == ["local.gguf"]
    await provider.aclose()


@pytest.mark.asyncio
async def test_ollama_health_on_a_server_that_is_not_ollama(openai_server: OpenAIServer) -> None:
    provider = OllamaProvider(openai_server.url)
    health = await provider.health()
    assert not health.ok
    assert isinstance(health.error, MalformedResponse)
    assert "does not look like Ollama" in health.detail
    await provider.aclose()


@pytest.mark.asyncio
async def test_unknown_cloud_model_is_model_missing(anthropic_server: AnthropicServer) -> None:
    provider = AnthropicProvider("sk-ant-k", base_url=anthropic_server.url)
    anthropic_server.status(404, "model: claude-nope")
    rig = Rig("anthropic", anthropic_server, provider, "claude-nope")
    with pytest.raises(ModelMissing, match="claude-nope"):
        await collect(provider, rig.request())
    await provider.aclose()


def test_every_provider_satisfies_the_protocol() -> None:
    providers = [OllamaProvider(), AnthropicProvider("k" * 10), OpenAIProvider("k" * 10)]
    assert all(isinstance(p, Provider) for p in providers)
    assert [p.kind for p in providers] == ["ollama", "anthropic", "openai"]
    assert [p.host for p in providers] == ["127.0.0.1:11434", "api.anthropic.com", "api.openai.com"]
