"""Ollama model management through the real client: list with residency, show, pull, delete."""

from __future__ import annotations

import pytest

from codeface.core.errors import ModelMissing
from codeface.core.events import Progress
from codeface.providers.ollama_provider import OllamaProvider, parse_host, residency_of
from tests.fakes.ollama_server import GIB, OllamaServer


@pytest.fixture
def provider(ollama_server: OllamaServer) -> OllamaProvider:
    return OllamaProvider(ollama_server.url)


@pytest.mark.asyncio
async def test_list_models_merges_tags_ps_and_show(
    ollama_server: OllamaServer, provider: OllamaProvider
) -> None:
    ollama_server.add_model(
        "big:70b",
        size=40 * GIB,
        loaded=True,
        size_vram=10 * GIB,
        context_length=131072,
        capabilities=["completion", "vision"],
        family="llama",
    )
    ollama_server.add_model("cpu:1b", size=GIB, loaded=True, size_vram=0)
    models = {m.name: m for m in await provider.list_models()}
    assert set(models) == {"qwen2.5-coder:7b", "llama3.2:3b", "big:70b", "cpu:1b"}
    assert models["qwen2.5-coder:7b"].residency == "gpu"
    assert models["big:70b"].residency == "partial"
    assert models["big:70b"].size_vram == 10 * GIB
    assert models["cpu:1b"].residency == "cpu"
    assert models["llama3.2:3b"].residency == "not_loaded"
    assert models["big:70b"].context_length == 131072
    assert models["big:70b"].capabilities == ("completion", "vision")
    assert models["llama3.2:3b"].parameter_size == "3.2B"
    assert all(m.tier == "local" and m.provider == provider.id for m in models.values())
    await provider.aclose()


@pytest.mark.asyncio
async def test_show_results_are_cached_between_listings(
    ollama_server: OllamaServer, provider: OllamaProvider
) -> None:
    await provider.list_models()
    await provider.list_models()
    assert len(ollama_server.requests_to("/api/show")) == 2  # two models, shown once each
    assert len(ollama_server.requests_to("/api/ps")) == 2  # residency is always fresh
    await provider.aclose()


@pytest.mark.asyncio
async def test_show_gives_context_length_and_capabilities(provider: OllamaProvider) -> None:
    info = await provider.show("qwen2.5-coder:7b")
    assert info.context_length == 32768
    assert "tools" in info.capabilities
    with pytest.raises(ModelMissing):
        await provider.show("absent:1b")
    await provider.aclose()


@pytest.mark.asyncio
async def test_ps_lists_only_loaded_models(provider: OllamaProvider) -> None:
    loaded = await provider.ps()
    assert [(m.name, m.residency) for m in loaded] == [("qwen2.5-coder:7b", "gpu")]
    await provider.aclose()


@pytest.mark.asyncio
async def test_pull_reports_progress_then_the_model_is_installed(
    ollama_server: OllamaServer, provider: OllamaProvider
) -> None:
    progress = [p async for p in provider.pull("phi4:14b")]
    assert progress[0] == Progress("pulling manifest")
    downloads = [p for p in progress if p.total]
    assert downloads[-1].completed == downloads[-1].total == 3 * 1024 * 1024
    assert downloads[-1].digest is not None
    assert progress[-1].status == "success"
    assert "phi4:14b" in {m.name for m in await provider.list_models()}
    await provider.aclose()


@pytest.mark.asyncio
async def test_pull_of_unknown_name_is_model_missing(
    ollama_server: OllamaServer, provider: OllamaProvider
) -> None:
    ollama_server.unpullable.add("nosuch")
    with pytest.raises(ModelMissing, match="not found in the Ollama library"):
        async for _ in provider.pull("nosuch"):
            pass
    await provider.aclose()


@pytest.mark.asyncio
async def test_delete_removes_and_missing_delete_is_model_missing(
    ollama_server: OllamaServer, provider: OllamaProvider
) -> None:
    await provider.delete("llama3.2:3b")
    assert "llama3.2:3b" not in {m.name for m in await provider.list_models()}
    with pytest.raises(ModelMissing):
        await provider.delete("llama3.2:3b")
    await provider.aclose()


@pytest.mark.asyncio
async def test_version_and_health(ollama_server: OllamaServer, provider: OllamaProvider) -> None:
    assert await provider.version() == "0.12.6"
    health = await provider.health()
    assert health.ok
    assert health.version == "0.12.6"
    assert ollama_server.host in health.detail
    await provider.aclose()


def test_identity_from_host_forms() -> None:
    assert OllamaProvider(":56789").id == "ollama@127.0.0.1:56789"
    assert OllamaProvider(None).host == "127.0.0.1:11434"
    assert OllamaProvider("gpu-box").base_url == "http://gpu-box:11434"
    assert OllamaProvider("https://gpu-box").id == "ollama@gpu-box:443"
    assert OllamaProvider("gpu-box:8080/ollama/").id == "ollama@gpu-box:8080/ollama"


@pytest.mark.parametrize(
    ("value", "url"),
    [
        (None, "http://127.0.0.1:11434"),
        ("", "http://127.0.0.1:11434"),
        (":56789", "http://127.0.0.1:56789"),
        ("1.2.3.4", "http://1.2.3.4:11434"),
        ("http://1.2.3.4", "http://1.2.3.4:80"),
        ("https://example.com", "https://example.com:443"),
        ("example.com:56789/path/", "http://example.com:56789/path"),
        ("[::1]:56789", "http://[::1]:56789"),
        ("0.0.0.0", "http://0.0.0.0:11434"),
    ],
)
def test_parse_host_matches_the_client(value: str | None, url: str) -> None:
    from ollama._client import _parse_host

    assert parse_host(value) == url == _parse_host(value)


@pytest.mark.parametrize(
    ("value", "problem"),
    [("http://[::1", "is not a valid address"), ("host:99999", "has an invalid port")],
)
def test_an_unusable_ollama_host_is_a_config_error(value: str, problem: str) -> None:
    from codeface.core.errors import ConfigError

    with pytest.raises(ConfigError, match=problem):
        OllamaProvider(value)


def test_residency_rules() -> None:
    assert residency_of(100, 100) == "gpu"
    assert residency_of(100, 40) == "partial"
    assert residency_of(100, 0) == "cpu"
