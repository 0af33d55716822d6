"""An Ollama behind https: the status questions (over asyncio streams) and the chat (over
the SDK) verify its certificate with the one shared context, and a certificate nobody
trusts is refused with a clear error."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from codeface.core.errors import ProviderUnavailable
from codeface.core.messages import ChatMessage, ChatRequest
from codeface.providers.http_clients import shared_ssl_context
from codeface.providers.ollama_provider import OllamaProvider
from tests.fakes.certificates import LocalCertificate
from tests.fakes.ollama_server import OllamaServer
from tests.fakes.scripted import Script
from tests.providers.conftest import collect, text_of


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> LocalCertificate:
    return LocalCertificate.make(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def https_server(certificate: LocalCertificate) -> Iterator[OllamaServer]:
    server = OllamaServer()
    server.tls = certificate.server_context()
    with server:
        yield server


@pytest.fixture
def trusted(certificate: LocalCertificate, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The shared context trusts the test certificate (as with SSL_CERT_FILE set)."""
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate.cert_file))
    shared_ssl_context.cache_clear()
    yield
    shared_ssl_context.cache_clear()


@pytest.mark.asyncio
@pytest.mark.usefixtures("trusted")
async def test_an_https_ollama_lists_its_models_and_answers(https_server: OllamaServer) -> None:
    assert https_server.url.startswith("https://")
    provider = OllamaProvider(https_server.url)
    try:
        assert (await provider.health()).ok
        assert {model.name for model in await provider.list_models()} == {
            "qwen2.5-coder:7b",
            "llama3.2:3b",
        }
        https_server.reply(Script(text=["over ", "TLS"]))
        request = ChatRequest("qwen2.5-coder:7b", (ChatMessage("user", "hi"),))
        assert text_of(await collect(provider, request)) == "over TLS"
    finally:
        await provider.aclose()


@pytest.mark.asyncio
async def test_a_certificate_nobody_trusts_is_refused(
    https_server: OllamaServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    shared_ssl_context.cache_clear()
    provider = OllamaProvider(https_server.url)
    try:
        refused = "has a certificate that failed verification: self-signed certificate"
        with pytest.raises(ProviderUnavailable, match=refused) as listing:
            await provider.list_models()
        assert "SSL_CERT_FILE" in (listing.value.hint or "")
        request = ChatRequest("qwen2.5-coder:7b", (ChatMessage("user", "hi"),))
        with pytest.raises(ProviderUnavailable, match=refused):
            await collect(provider, request)  # the SDK's own client is refused the same way
        assert not (await provider.health()).ok
    finally:
        await provider.aclose()
        shared_ssl_context.cache_clear()
    assert https_server.requests == []  # nothing was sent to a server not verified
