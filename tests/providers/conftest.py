"""Provider test rigs: one fake server plus the provider pointed at it, per protocol."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
import pytest_asyncio

from codeface.core.events import StreamEvent, TextDelta, ToolCallRequested
from codeface.core.messages import ChatMessage, ChatRequest
from codeface.core.provider import Provider
from codeface.providers.anthropic_provider import AnthropicProvider
from codeface.providers.ollama_provider import OllamaProvider
from codeface.providers.openai_provider import OpenAIProvider
from tests.fakes.scripted import ScriptedServer

KINDS = ("ollama", "anthropic", "openai")
MODELS = {"ollama": "qwen2.5-coder:7b", "anthropic": "claude-sonnet-5", "openai": "gpt-5"}


@dataclass
class Rig:
    """A fake server and a provider talking to it."""

    kind: str
    server: ScriptedServer
    provider: Provider
    model: str

    def request(self, text: str = "hi", **fields: object) -> ChatRequest:
        """A one-message request for this rig's model."""
        return ChatRequest(
            model=self.model,
            messages=(ChatMessage("user", text),),
            **fields,  # type: ignore[arg-type]
        )


def make_provider(kind: str, url: str, **options: object) -> Provider:
    """The provider of ``kind`` pointed at ``url`` (a fake server or a refused port)."""
    if kind == "ollama":
        return OllamaProvider(url, **options)  # type: ignore[arg-type]
    if kind == "anthropic":
        return AnthropicProvider("sk-ant-test", base_url=url, **options)  # type: ignore[arg-type]
    return OpenAIProvider("sk-test", base_url=url + "/v1", **options)  # type: ignore[arg-type]


@pytest_asyncio.fixture(params=KINDS)
async def rig(request: pytest.FixtureRequest) -> AsyncIterator[Rig]:
    """Each protocol in turn: its fake server and provider."""
    async for made in _rig(request):
        yield made


@pytest_asyncio.fixture(params=("anthropic", "openai"))
async def cloud_rig(request: pytest.FixtureRequest) -> AsyncIterator[Rig]:
    """The two cloud protocols (JSON-string tool arguments, response headers visible)."""
    async for made in _rig(request):
        yield made


async def _rig(request: pytest.FixtureRequest) -> AsyncIterator[Rig]:
    kind: str = request.param
    server: ScriptedServer = request.getfixturevalue(f"{kind}_server")
    provider = make_provider(kind, server.url)
    try:
        yield Rig(kind, server, provider, MODELS[kind])
    finally:
        await provider.aclose()


async def collect(provider: Provider, request: ChatRequest) -> list[StreamEvent]:
    """Every event of one answer."""
    return [event async for event in provider.stream_chat(request)]


def text_of(events: list[StreamEvent]) -> str:
    """The answer text."""
    return "".join(e.text for e in events if isinstance(e, TextDelta))


def calls_of(events: list[StreamEvent]) -> list[tuple[str, dict[str, object]]]:
    """The tool calls as (name, arguments)."""
    return [(e.call.name, e.call.arguments) for e in events if isinstance(e, ToolCallRequested)]
