"""The one interface every model provider implements, and the model types it reports.

A provider streams one answer as `StreamEvent`s and raises only `CodefaceError`
subclasses (the SDK's exceptions are translated by `codeface.providers.errors`).
Cancelling the task that iterates `stream_chat` must close the HTTP response at once.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Literal, Protocol, runtime_checkable

from codeface.core.errors import CodefaceError
from codeface.core.events import StreamEvent
from codeface.core.messages import ChatRequest

Tier = Literal["local", "cloud"]
Residency = Literal["gpu", "partial", "cpu", "not_loaded", "cloud"]


@dataclass(frozen=True)
class ModelInfo:
    """A model a provider can run, with what is known about it."""

    name: str
    provider: str
    tier: Tier
    size_bytes: int | None = None
    parameter_size: str | None = None
    quantization: str | None = None
    family: str | None = None
    context_length: int | None = None
    capabilities: tuple[str, ...] = ()
    residency: Residency = "not_loaded"
    size_vram: int | None = None


@dataclass(frozen=True)
class Health:
    """Whether a provider answers, and what it said."""

    ok: bool
    detail: str
    version: str | None = None
    error: CodefaceError | None = None


@runtime_checkable
class Provider(Protocol):
    """A source of model answers (Ollama host, Anthropic, OpenAI, OpenAI-compatible)."""

    @property
    def id(self) -> str:
        """Unique and stable, e.g. ``ollama@127.0.0.1:11434``, ``anthropic``, ``compat:lmstudio``."""
        ...

    @property
    def kind(self) -> Literal["ollama", "anthropic", "openai", "builtin"]:
        """Which wire protocol it speaks."""
        ...

    @property
    def tier(self) -> Tier:
        """``local`` never leaves the machine/LAN; ``cloud`` does."""
        ...

    @property
    def host(self) -> str:
        """The address shown to the user (no credentials)."""
        ...

    @property
    def default_model(self) -> str | None:
        """The model used when the request names none for this provider."""
        ...

    def stream_chat(self, request: ChatRequest) -> AsyncIterator[StreamEvent]:
        """Stream one answer; raises only `CodefaceError` subclasses."""
        ...

    async def list_models(self) -> list[ModelInfo]:
        """The models this provider offers now."""
        ...

    async def prepare(self) -> None:
        """Build the client now, off the loop's thread, so the first request does not wait
        for it; never raises (a failure shows on that first request)."""
        ...

    async def health(self) -> Health:
        """Check reachability (and the key, where cheap) without raising."""
        ...

    async def aclose(self) -> None:
        """Release connections."""
        ...
