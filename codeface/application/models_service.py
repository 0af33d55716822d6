"""Models, providers, the built-in engine, settings and keys (`ModelsContract`)."""

from __future__ import annotations

import asyncio
import importlib
import logging
import sys
from collections.abc import AsyncIterator
from contextlib import aclosing

from codeface.application.chat_service import ContextUser
from codeface.application.contract import (
    BuiltinOverview,
    DownloadProgress,
    ProviderStatus,
)
from codeface.application.contract.models_contract import ModelsContract
from codeface.application.engine_views import builtin_overview_view
from codeface.core.errors import CodefaceError, ModelMissing, NoProviderAvailable
from codeface.core.events import Progress
from codeface.core.provider import Health, ModelInfo, Provider
from codeface.core.router import LOCAL_MODEL_KINDS
from codeface.core.settings import Settings

log = logging.getLogger(__name__)
HEALTH_TIMEOUT = 5.0
AGENT_MODULES = ("codeface.application.agent_turn", "codeface.application.agents_setup")
"""What an agent session's first send imports (`AppContext.agent_setup`)."""


def import_modules(names: tuple[str, ...]) -> None:
    """Import modules ahead of their first use (called in a worker thread)."""
    for name in names:
        importlib.import_module(name)


class ModelsService(ContextUser, ModelsContract):
    """What the window asks about models, providers, settings and keys."""

    @property
    def settings(self) -> Settings:
        """The settings in force."""
        return self.engine.settings

    # models and providers -------------------------------------------------------
    async def prepare_to_send(self) -> None:
        """Build the local providers' clients while the user writes, so the first answer
        does not wait for the SDK to load (cloud SDKs are prewarmed apart). With a project
        open, an agent session may be the one that sends: its turn's modules load too, in
        a worker thread (the window starts without them)."""
        local = [p for p in self.engine.providers if p.tier == "local"]
        agents = self.context.workspaces and not all(m in sys.modules for m in AGENT_MODULES)
        loading = (
            asyncio.ensure_future(asyncio.to_thread(import_modules, AGENT_MODULES))
            if agents
            else None
        )
        outcomes = await asyncio.gather(*(p.prepare() for p in local), return_exceptions=True)
        for provider, outcome in zip(local, outcomes, strict=True):
            if isinstance(outcome, Exception):  # shown again, with its reason, when sending
                log.warning("preparing %s failed: %r", provider.id, outcome)
        if loading is not None:
            await loading

    async def list_models(self) -> list[ModelInfo]:
        """Models of every provider that answers (the others are left out)."""

        async def models_of(provider: Provider) -> list[ModelInfo]:
            try:
                async with asyncio.timeout(HEALTH_TIMEOUT):
                    if provider.kind in LOCAL_MODEL_KINDS:
                        return await self.engine.router.local_models(provider)
                    return await provider.list_models()
            except (CodefaceError, TimeoutError) as error:
                log.info("no models from %s: %s", provider.id, error)
                return []

        lists = await asyncio.gather(*(models_of(p) for p in self.engine.providers))
        return [model for models in lists for model in models]

    async def provider_status(self) -> list[ProviderStatus]:
        """The health of every configured provider, checked in parallel."""
        from codeface.store import secrets

        async def status(provider: Provider) -> ProviderStatus:
            try:
                async with asyncio.timeout(HEALTH_TIMEOUT):
                    health = await provider.health()
            except TimeoutError:
                health = Health(False, f"{provider.host} did not answer in time")
            return ProviderStatus(
                id=provider.id,
                kind=provider.kind,
                tier=provider.tier,
                host=provider.host,
                health=health,
            )

        statuses = list(await asyncio.gather(*(status(p) for p in self.engine.providers)))
        configured = {s.kind for s in statuses}
        keys = await asyncio.to_thread(secrets.list_keys)
        for info in keys:
            if info.provider not in configured:
                continue
            statuses = [
                ProviderStatus(s.id, s.kind, s.tier, s.host, s.health, True, info.detail)
                if s.kind == info.provider
                else s
                for s in statuses
            ]
        return statuses

    def _ollama(self) -> Provider:
        providers = self.engine.ollama_providers()
        if not providers:
            raise NoProviderAvailable("No Ollama host is configured")
        return providers[0]

    async def pull_model(self, name: str) -> AsyncIterator[Progress]:
        """Download a model into the first Ollama host, with progress."""
        provider = self._ollama()
        try:
            async with aclosing(provider.pull(name)) as progress_events:  # type: ignore[attr-defined]
                async for progress in progress_events:
                    yield progress
        finally:
            self.engine.router.forget_models(provider.id)

    async def delete_model(self, name: str) -> None:
        provider = self._ollama()
        await provider.delete(name)  # type: ignore[attr-defined]
        self.engine.router.forget_models(provider.id)

    async def model_details(self, name: str) -> dict[str, object]:
        """Context length, capabilities, family, size and quantisation of a local model."""
        for model in await self.list_models():
            if model.name == name:
                return {
                    "name": model.name,
                    "provider": model.provider,
                    "family": model.family,
                    "parameter_size": model.parameter_size,
                    "quantization": model.quantization,
                    "context_length": model.context_length,
                    "capabilities": list(model.capabilities),
                    "size_bytes": model.size_bytes,
                    "residency": model.residency,
                }
        raise ModelMissing(f"Model {name} is not installed")

    async def test_ollama_host(self, host: str) -> Health:
        """Check an Ollama address without saving it."""
        from codeface.providers.ollama_provider import OllamaProvider

        provider = OllamaProvider(host, connect_timeout=self.settings.general.connect_timeout)
        try:
            return await provider.health()
        finally:
            await provider.aclose()

    # built-in engine --------------------------------------------------------------
    async def builtin_overview(self) -> BuiltinOverview:
        """The built-in engine: installed or not, where it runs and why, its models."""
        from codeface.providers import builtin_engine

        found = await asyncio.to_thread(
            builtin_engine.overview, self.engine.settings, self.engine.paths
        )
        return builtin_overview_view(found)

    async def download_builtin_model(self, name: str) -> AsyncIterator[DownloadProgress]:
        """Download a catalog model (cancel the task to stop; a later download resumes)."""
        from codeface.providers import model_catalog
        from codeface.providers.local_models import ModelRegistry
        from codeface.providers.model_download import ModelDownloader

        entry = model_catalog.find(name)
        if entry is None:
            names = ", ".join(item.name for item in model_catalog.CATALOG)
            raise ModelMissing(
                f"There is no catalog model {name!r}", hint=f"Choose one of: {names}"
            )
        downloader = ModelDownloader(ModelRegistry.at(self.engine.paths))
        async with aclosing(downloader.download(entry)) as reports:  # type: ignore[type-var]
            async for report in reports:
                done = report.status == "done"
                if done:
                    self._rebuild()
                yield DownloadProgress(
                    name=name,
                    status=report.status,
                    completed=report.completed,
                    total=report.total,
                    bytes_per_second=report.speed,
                    seconds_left=report.seconds_left,
                    done=done,
                )

    async def add_builtin_model(self, source: str, name: str | None = None) -> None:
        """Register a GGUF on disk (a path or ``ollama:NAME``) without copying it."""
        from codeface.providers import builtin_engine
        from codeface.providers.local_models import ModelRegistry

        registry = ModelRegistry.at(self.engine.paths)
        await asyncio.to_thread(builtin_engine.add_model, registry, source, name=name)
        self._rebuild()

    async def remove_builtin_model(self, name: str) -> None:
        """Forget a built-in model (its file goes only when CodeFace downloaded it)."""
        from codeface.providers.local_models import ModelRegistry

        await asyncio.to_thread(ModelRegistry.at(self.engine.paths).remove, name)
        self._rebuild()

    # settings and keys ----------------------------------------------------------
    async def save_settings(self, settings: Settings) -> None:
        """Write settings atomically and rebuild the providers."""
        self.context.retired.extend(self.engine.providers)
        await asyncio.to_thread(self.engine.save_settings, settings)

    async def set_key(self, provider: str, key: str) -> None:
        """Store a key (keyring first) and make it take effect now."""
        from codeface.store import secrets

        await asyncio.to_thread(secrets.set_key, provider, key)
        self._rebuild()

    async def remove_key(self, provider: str) -> None:
        """Forget a key."""
        from codeface.store import secrets

        await asyncio.to_thread(secrets.delete_key, provider)
        self._rebuild()

    def _rebuild(self) -> None:
        self.context.retired.extend(self.engine.providers)
        self.engine.rebuild()

    async def test_key(self, provider: str, key: str | None = None) -> Health:
        """Ask the provider for real whether the key works."""
        from codeface.providers.registry import build_providers

        def lookup(name: str) -> str | None:
            return key if key is not None and name == provider else self.engine.get_key(name)

        candidates = await asyncio.to_thread(build_providers, self.settings, lookup)
        try:
            for candidate in candidates:
                if candidate.kind == provider or candidate.id == provider:
                    return await candidate.health()
            return Health(False, f"No key is set for {provider}")
        finally:
            for candidate in candidates:
                await candidate.aclose()

    async def key_storage_description(self) -> str:
        """Where keys are kept, for the UI."""
        from codeface.store import secrets

        return await asyncio.to_thread(secrets.backend_description)

    async def aclose(self) -> None:
        """Close providers (current and replaced) and the store."""
        for provider in self.context.retired:
            await provider.aclose()
        self.context.retired.clear()
        await self.engine.aclose()
        await self.context.close_store()
