"""What the window asks about models, providers, the built-in engine, settings and keys."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Protocol

from codeface.core.events import Progress
from codeface.core.provider import Health, ModelInfo
from codeface.core.settings import Settings

if TYPE_CHECKING:
    from codeface.application.contract.chat_views import ProviderStatus
    from codeface.application.contract.engine_views import BuiltinOverview, DownloadProgress


class ModelsContract(Protocol):
    """Models of every provider, the built-in engine's files, settings and API keys."""

    @property
    def settings(self) -> Settings:
        """The settings in force."""
        ...

    async def prepare_to_send(self) -> None:
        """The user is writing a message: connect the local providers now (never raises)."""
        ...

    async def list_models(self) -> list[ModelInfo]:
        """Models of every provider that answers (the others are left out)."""
        ...

    async def provider_status(self) -> list[ProviderStatus]:
        """The health of every configured provider."""
        ...

    def pull_model(self, name: str) -> AsyncIterator[Progress]:
        """Download a model into Ollama, with progress."""
        ...

    async def delete_model(self, name: str) -> None:
        """Delete a model from Ollama."""
        ...

    async def model_details(self, name: str) -> dict[str, object]:
        """Context length, capabilities, family, size and quantisation of a model."""
        ...

    async def test_ollama_host(self, host: str) -> Health:
        """Check an Ollama address without saving it."""
        ...

    async def builtin_overview(self) -> BuiltinOverview:
        """The built-in engine: installed or not, where it runs and why, its models."""
        ...

    def download_builtin_model(self, name: str) -> AsyncIterator[DownloadProgress]:
        """Download a catalog model for the built-in engine (cancel the task to stop;
        a later download resumes)."""
        ...

    async def add_builtin_model(self, source: str, name: str | None = None) -> None:
        """Register a GGUF already on disk (a path, or ``ollama:NAME``) without copying."""
        ...

    async def remove_builtin_model(self, name: str) -> None:
        """Forget a built-in model (its file is deleted only when CodeFace downloaded it)."""
        ...

    async def save_settings(self, settings: Settings) -> None:
        """Write settings atomically and rebuild the providers."""
        ...

    async def set_key(self, provider: str, key: str) -> None:
        """Store a key (keyring first) and make it take effect now."""
        ...

    async def remove_key(self, provider: str) -> None:
        """Forget a key."""
        ...

    async def test_key(self, provider: str, key: str | None = None) -> Health:
        """Check a key against the provider for real (the stored one when ``key`` is None)."""
        ...

    async def key_storage_description(self) -> str:
        """Where keys are kept (keyring backend, or the fallback in use), for the UI."""
        ...

    async def aclose(self) -> None:
        """Close providers and the store."""
        ...
