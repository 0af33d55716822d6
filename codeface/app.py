"""Composition root: settings, keys, providers and the router, built once and handed on.

`build_engine()` is cheap (no network, no SDK import) so the window can show at once;
providers connect lazily on first use. The CLI and the window share it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from codeface.core.errors import ConfigError
from codeface.core.paths import AppPaths, app_paths
from codeface.core.provider import Provider
from codeface.core.router import Router
from codeface.core.settings import Settings, load_settings, save_settings

if TYPE_CHECKING:
    from codeface.app_backend import AppBackend

log = logging.getLogger(__name__)
KeyLookup = Callable[[str], str | None]
KeyPresence = Callable[[str], bool]


@dataclass
class Engine:
    """Everything that answers: settings, providers and the router over them."""

    settings: Settings
    paths: AppPaths
    providers: list[Provider]
    router: Router
    get_key: KeyLookup
    settings_error: ConfigError | None = None
    has_key: KeyPresence | None = None
    _closed: bool = field(default=False, repr=False)

    def provider(self, provider_id: str) -> Provider | None:
        """The provider with this id (or kind), if configured."""
        for provider in self.providers:
            if provider_id in (provider.id, provider.kind):
                return provider
        return None

    def ollama_providers(self) -> list[Provider]:
        """The configured Ollama hosts, in order of preference."""
        return [provider for provider in self.providers if provider.kind == "ollama"]

    def rebuild(self, settings: Settings | None = None) -> None:
        """Rebuild providers and router after settings or keys changed."""
        from codeface.providers.registry import build_providers

        if settings is not None:
            self.settings = settings
        self.providers = build_providers(self.settings, self.get_key, has_key=self.has_key)
        self.router = Router(self.providers, self.settings)

    def save_settings(self, settings: Settings) -> None:
        """Write settings atomically and rebuild the providers."""
        save_settings(settings, self.paths.settings_file)
        self.rebuild(settings)

    async def aclose(self) -> None:
        """Close every provider's connections."""
        if self._closed:
            return
        self._closed = True
        for provider in self.providers:
            try:
                await provider.aclose()
            except Exception:  # closing must never hide the real outcome
                log.exception("closing %s failed", provider.id)


def default_key_lookup(provider: str) -> str | None:
    """Keys from the OS keyring, then the environment, then the fallback file."""
    from codeface.store.secrets import get_key

    return get_key(provider)


def default_key_presence(provider: str) -> bool:
    """Whether a key is set, without opening the OS keyring for names it was asked before."""
    from codeface.store.secrets import has_key

    return has_key(provider)


def load_app_settings(paths: AppPaths) -> tuple[Settings, ConfigError | None]:
    """Settings from disk; a broken file gives defaults plus the error to show."""
    try:
        return load_settings(paths.settings_file), None
    except ConfigError as error:
        log.warning("settings not loaded: %s", error.user_message)
        return Settings(), error


def build_engine(settings: Settings | None = None, *, get_key: KeyLookup | None = None) -> Engine:
    """Build the engine from settings on disk (or the ones given)."""
    from codeface.providers.registry import build_providers

    paths = app_paths()
    error = None
    if settings is None:
        settings, error = load_app_settings(paths)
    lookup = get_key or default_key_lookup
    presence = None if get_key else default_key_presence
    providers = build_providers(settings, lookup, has_key=presence)
    return Engine(
        settings=settings,
        paths=paths,
        providers=providers,
        router=Router(providers, settings),
        get_key=lookup,
        settings_error=error,
        has_key=presence,
    )


def build_backend() -> AppBackend:
    """The window's backend: cheap to build; it opens the store and connects on first use."""
    from codeface.app_backend import AppBackend

    return AppBackend(build_engine())
