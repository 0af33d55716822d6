"""`Engine`: the settings, providers and router that answer, built once and handed on."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from codeface.core.paths import AppPaths
from codeface.core.provider import Provider
from codeface.core.router import Router
from codeface.core.settings import Settings, SettingsProblem, save_settings

log = logging.getLogger(__name__)
KeyLookup = Callable[[str], str | None]
KeyPresence = Callable[[str], bool]
ProviderFactory = Callable[[Settings, KeyLookup, KeyPresence | None], list[Provider]]


@dataclass
class Engine:
    """Everything that answers: settings, providers and the router over them."""

    settings: Settings
    paths: AppPaths
    providers: list[Provider]
    router: Router
    get_key: KeyLookup
    build_providers: ProviderFactory
    settings_problems: list[SettingsProblem] = field(default_factory=list)
    """What was wrong in the settings file (each bad value fell back to a safe one)."""
    settings_unreadable: bool = False
    """The settings file could not be read at all: cloud providers stay off until fixed."""
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
        if settings is not None:
            self.settings = settings
        self.providers = self.build_providers(self.settings, self.get_key, self.has_key)
        self.router = Router(self.providers, self.settings)

    def save_settings(self, settings: Settings) -> Path | None:
        """Write settings atomically and rebuild the providers; returns where an unreadable
        settings file was moved aside (None when there was none)."""
        moved = save_settings(settings, self.paths.settings_file)
        self.settings_problems = []
        self.settings_unreadable = False
        self.rebuild(settings)
        return moved

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
