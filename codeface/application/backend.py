"""`AppBackend`: the real `codeface.application.contract.Backend`, over the engine and the store.

The window calls these coroutines on the qasync loop; every blocking step (SQLite,
keyring, settings file) runs on a worker thread, and network work is plain asyncio.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from contextlib import aclosing
from typing import Literal

from codeface.application.contract import (
    Attachment,
    Backend,
    BackendState,
    ConversationEvent,
    MessageView,
    ProviderStatus,
    SearchHit,
    SessionView,
    StartupNotice,
)
from codeface.application.conversation import Conversation
from codeface.application.engine import Engine
from codeface.application.views import message_view, session_view
from codeface.core.errors import CodefaceError, ModelMissing, NoProviderAvailable
from codeface.core.events import Progress
from codeface.core.provider import Health, ModelInfo, Provider
from codeface.core.settings import Policy, Settings
from codeface.store.service import Store

log = logging.getLogger(__name__)
HEALTH_TIMEOUT = 5.0


class AppBackend(Backend):
    """Everything the window asks for, answered by the engine and the store."""

    def __init__(self, engine: Engine, store: Store | None = None) -> None:
        self.engine = engine
        self._store = store
        self._open_lock = asyncio.Lock()
        self._retired: list[Provider] = []

    @property
    def settings(self) -> Settings:
        """The settings in force."""
        return self.engine.settings

    async def store(self) -> Store:
        """The store, opened on first use (off the GUI thread)."""
        async with self._open_lock:
            if self._store is None:
                self._store = await Store.open(self.engine.paths.database)
            return self._store

    async def _conversation(self) -> Conversation:
        return Conversation(self.engine, await self.store())

    # start ----------------------------------------------------------------------
    async def load_state(self) -> BackendState:
        """Open the store and check providers, in parallel."""
        store_task = asyncio.create_task(self.store())
        providers = await self.provider_status()
        store = await store_task
        notices: list[StartupNotice] = []
        if store.notice is not None:
            notices.append(StartupNotice(store.notice.message(), "error"))
        if store.interrupted:
            notices.append(
                StartupNotice(
                    f"{store.interrupted} answer(s) were interrupted when CodeFace last closed; "
                    "they are kept and can be continued.",
                    "info",
                )
            )
        for problem in self.engine.settings_problems:
            notices.append(
                StartupNotice(
                    f"Settings: {problem.one_line()}",
                    "error" if self.engine.settings_unreadable else "warning",
                )
            )
        return BackendState(
            sessions=await self.list_sessions(), providers=providers, notices=notices
        )

    # sessions -------------------------------------------------------------------
    async def list_sessions(self, *, archived: bool = False) -> list[SessionView]:
        """Sessions not in the trash: active ones, or the archived ones."""
        sessions = await (await self.store()).list_sessions(include_archived=archived)
        return [session_view(s) for s in sessions if s.archived == archived]

    async def create_session(
        self, *, project: str | None = None, policy: Policy | None = None
    ) -> SessionView:
        """A new empty session with the default model and policy."""
        general = self.settings.general
        session = await (await self.store()).create_session(
            project=project, policy=policy or general.policy, model=general.model or None
        )
        return session_view(session)

    async def rename_session(self, session_id: str, title: str) -> None:
        await (await self.store()).rename_session(session_id, title)

    async def set_pinned(self, session_id: str, pinned: bool) -> None:
        await (await self.store()).update_session(session_id, pinned=pinned)

    async def set_archived(self, session_id: str, archived: bool) -> None:
        await (await self.store()).update_session(session_id, archived=archived)

    async def delete_session(self, session_id: str) -> None:
        """Move to the trash (restorable for 30 days)."""
        await (await self.store()).trash_session(session_id)

    async def restore_session(self, session_id: str) -> None:
        await (await self.store()).restore_session(session_id)

    async def set_session_model(self, session_id: str, model: str | None, policy: Policy) -> None:
        await (await self.store()).update_session(session_id, model=model, policy=policy)

    async def load_branch(self, session_id: str) -> list[MessageView]:
        """The active branch from root to leaf, each with its sibling position."""
        points = await (await self.store()).active_path(session_id)
        return [message_view(p.message, p.index, p.count) for p in points]

    async def switch_sibling(self, message_id: str, step: int) -> list[MessageView]:
        """Show the sibling ``step`` away; returns the new active branch."""
        store = await self.store()
        siblings = await store.siblings(message_id)
        ids = [sibling.id for sibling in siblings]
        target = ids[max(0, min(len(ids) - 1, ids.index(message_id) + step))]
        await store.set_active(target)
        return await self.load_branch(siblings[0].session_id)

    async def rate(self, message_id: str, rating: int | None) -> None:
        await (await self.store()).rate_message(message_id, rating)

    async def search(self, query: str, *, session_id: str | None = None) -> list[SearchHit]:
        """Full-text search over messages and titles, best first."""
        if not query.strip():
            return []
        hits = await (await self.store()).search(query, session_id=session_id)
        return [
            SearchHit(
                session_id=hit.session_id,
                session_title=hit.session_title,
                message_id=hit.message_id,
                snippet=hit.snippet,
                match_offsets=hit.snippet_spans,
                rank=hit.rank,
            )
            for hit in hits
        ]

    async def export_session(self, session_id: str, fmt: Literal["md", "json"]) -> str:
        store = await self.store()
        if fmt == "json":
            return await store.export_json([session_id])
        return await store.export_markdown([session_id])

    # conversation ---------------------------------------------------------------
    def send(
        self, session_id: str, text: str, attachments: tuple[Attachment, ...] = ()
    ) -> AsyncGenerator[ConversationEvent, None]:
        """Save the prompt and stream the answer."""
        return self._relay(lambda c: c.send(session_id, text, attachments))

    def regenerate(self, answer_id: str) -> AsyncGenerator[ConversationEvent, None]:
        """A new answer to the same prompt, as a sibling."""
        return self._relay(lambda c: c.regenerate(answer_id))

    def edit(self, message_id: str, text: str) -> AsyncGenerator[ConversationEvent, None]:
        """An edited sibling of a prompt, answered."""
        return self._relay(lambda c: c.edit(message_id, text))

    def continue_answer(self, answer_id: str) -> AsyncGenerator[ConversationEvent, None]:
        """More text for an interrupted answer."""
        return self._relay(lambda c: c.continue_answer(answer_id))

    async def _relay(
        self, start: Callable[[Conversation], AsyncGenerator[ConversationEvent, None]]
    ) -> AsyncGenerator[ConversationEvent, None]:
        conversation = await self._conversation()
        async with aclosing(start(conversation)) as events:
            async for event in events:
                yield event

    # models and providers -------------------------------------------------------
    async def prepare_to_send(self) -> None:
        """Build the local providers' clients while the user writes, so the first answer
        does not wait for the SDK to load (cloud SDKs are prewarmed apart)."""
        local = [p for p in self.engine.providers if p.tier == "local"]
        outcomes = await asyncio.gather(*(p.prepare() for p in local), return_exceptions=True)
        for provider, outcome in zip(local, outcomes, strict=True):
            if isinstance(outcome, Exception):  # shown again, with its reason, when sending
                log.warning("preparing %s failed: %r", provider.id, outcome)

    async def list_models(self) -> list[ModelInfo]:
        """Models of every provider that answers (the others are left out)."""

        async def models_of(provider: Provider) -> list[ModelInfo]:
            try:
                async with asyncio.timeout(HEALTH_TIMEOUT):
                    if provider.kind == "ollama":
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

    # settings and keys ----------------------------------------------------------
    async def save_settings(self, settings: Settings) -> None:
        """Write settings atomically and rebuild the providers."""
        self._retired.extend(self.engine.providers)
        await asyncio.to_thread(self.engine.save_settings, settings)

    async def set_key(self, provider: str, key: str) -> None:
        """Store a key (keyring first) and make it take effect now."""
        from codeface.store import secrets

        await asyncio.to_thread(secrets.set_key, provider, key)
        self._rebuild()

    async def remove_key(self, provider: str) -> None:
        from codeface.store import secrets

        await asyncio.to_thread(secrets.delete_key, provider)
        self._rebuild()

    def _rebuild(self) -> None:
        self._retired.extend(self.engine.providers)
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
        from codeface.store import secrets

        return await asyncio.to_thread(secrets.backend_description)

    async def aclose(self) -> None:
        """Close providers (current and replaced) and the store."""
        for provider in self._retired:
            await provider.aclose()
        self._retired.clear()
        await self.engine.aclose()
        if self._store is not None:
            await self._store.close()
            self._store = None
