"""SDK clients are built once, off the event loop's thread, and the SDKs' response models
are warmed over an in-memory transport (no request reaches any server)."""

from __future__ import annotations

import asyncio
import logging
import os
import ssl
import subprocess
import sys
import threading

import pytest

from codeface.providers import sdk_warmup
from codeface.providers.lazy_client import LazyClient
from tests.providers.conftest import Rig, collect, text_of


@pytest.mark.asyncio
async def test_a_client_is_built_once_in_a_worker_thread() -> None:
    builders: list[int] = []

    def build() -> object:
        builders.append(threading.get_ident())
        return object()

    lazy = LazyClient(build)
    first, second, third = await asyncio.gather(lazy.get(), lazy.get(), lazy.get())
    assert first is second is third
    assert builders
    assert set(builders) == {builders[0]}
    assert len(builders) == 1
    assert builders[0] != threading.get_ident()
    assert await lazy.get() is first
    assert lazy.take() is first
    assert lazy.take() is None
    assert await lazy.get() is not first  # rebuilt after being taken (closed)


@pytest.mark.asyncio
async def test_the_first_cloud_request_does_not_build_on_the_loop_thread(cloud_rig: Rig) -> None:
    loop_thread = threading.get_ident()
    seen: list[int] = []
    original = cloud_rig.provider._build_client  # type: ignore[attr-defined]

    def spying() -> object:
        seen.append(threading.get_ident())
        return original()

    cloud_rig.provider._client = LazyClient(spying)  # type: ignore[attr-defined]
    cloud_rig.server.reply_text("warm hello", chunks=2)
    events = await collect(cloud_rig.provider, cloud_rig.request())
    assert text_of(events) == "warm hello"
    assert seen
    assert loop_thread not in seen


def test_warming_needs_no_network() -> None:
    # In a fresh process, so that the warm-up really runs (it happens once per process),
    # with every proxy pointing at a closed port: any real request would fail and be logged.
    probe = (
        "import logging; logging.basicConfig()\n"
        "from codeface.providers import sdk_warmup as w\n"
        "w.warm_anthropic(); w.warm_openai()\n"
        "print(sorted(w._warmed))"
    )
    closed = "http://127.0.0.1:9"
    env = {**os.environ, "HTTP_PROXY": closed, "HTTPS_PROXY": closed, "ALL_PROXY": closed}
    result = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['anthropic', 'openai']"
    assert "warming up" not in result.stderr, result.stderr


def test_a_failing_warm_up_is_logged_and_never_raises(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken() -> None:
        raise RuntimeError("the SDK changed shape")

    monkeypatch.setattr(sdk_warmup, "_warmed", set())
    with caplog.at_level(logging.WARNING, logger="codeface.providers.sdk_warmup"):
        sdk_warmup._once("anthropic", broken)
        sdk_warmup._once("anthropic", broken)  # once per process, even after a failure
    assert "anthropic" in sdk_warmup.warmed()
    assert [r.getMessage() for r in caplog.records] == [
        "warming up the anthropic SDK failed: RuntimeError('the SDK changed shape')"
    ]


def test_ollama_clients_share_one_verifying_ssl_context() -> None:
    from codeface.providers.ollama_provider import OllamaProvider

    first = OllamaProvider("https://gpu-box.example:11434")
    second = OllamaProvider("http://127.0.0.1:11434")
    contexts = [
        provider._build_client()._client._transport._pool._ssl_context
        for provider in (first, second)
    ]
    assert all(context is contexts[0] for context in contexts)
    assert contexts[0].verify_mode == ssl.CERT_REQUIRED
    assert contexts[0].check_hostname is True


def test_building_an_ollama_client_leaves_nothing_for_its_first_request_to_import() -> None:
    # In a fresh process: the client is built (as in the app's worker thread), then the
    # first request is sent from the event loop; it must not import anything itself.
    probe = (
        "import asyncio, sys\n"
        "from codeface.providers.ollama_provider import OllamaProvider\n"
        "async def main():\n"
        "    provider = OllamaProvider('http://127.0.0.1:9')\n"
        "    sdk = await provider._client.get()\n"
        "    before = set(sys.modules)\n"
        "    try:\n"
        "        await sdk.list()\n"
        "    except ConnectionError:\n"
        "        pass\n"
        "    print(sorted(set(sys.modules) - before))\n"
        "    await provider.aclose()\n"
        "asyncio.run(main())\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


@pytest.mark.asyncio
@pytest.mark.parametrize("kind", ["anthropic", "openai"])
async def test_a_cloud_key_is_read_when_the_provider_first_connects(
    kind: str, request: pytest.FixtureRequest
) -> None:
    from codeface.providers.anthropic_provider import AnthropicProvider
    from codeface.providers.openai_provider import OpenAIProvider

    server = request.getfixturevalue(f"{kind}_server")
    readers: list[int] = []

    def read_key() -> str:
        readers.append(threading.get_ident())
        return "sk-test-from-the-keyring"

    provider = (
        AnthropicProvider(read_key, base_url=server.url)
        if kind == "anthropic"
        else OpenAIProvider(read_key, base_url=server.url + "/v1")
    )
    assert readers == []  # building the provider reads nothing
    assert (await provider.health()).ok
    assert (await provider.health()).ok
    assert len(readers) == 1
    assert readers[0] != threading.get_ident()
    sent = server.requests[-1].headers
    assert "sk-test-from-the-keyring" in (sent.get("x-api-key", "") + sent.get("authorization", ""))
    await provider.aclose()


@pytest.mark.asyncio
async def test_a_key_that_vanished_is_named_not_sent_empty(anthropic_server: object) -> None:
    from codeface.core.errors import AuthenticationFailed
    from codeface.providers.anthropic_provider import AnthropicProvider

    provider = AnthropicProvider(lambda: None, base_url=anthropic_server.url)  # type: ignore[attr-defined]
    health = await provider.health()
    assert not health.ok
    assert isinstance(health.error, AuthenticationFailed)
    assert health.detail == "No API key is set for Anthropic"
    assert "codeface keys set anthropic" in health.error.hint
    assert anthropic_server.requests == []  # type: ignore[attr-defined]
    await provider.aclose()
