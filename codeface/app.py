"""Composition root: wires settings, keys, providers, the router, the store and the project.

Nothing here decides anything; it only builds. `build_engine()` is cheap (no network, no
SDK import) so the window can show at once; providers connect lazily on first use. The
CLI and the window share it.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from codeface.application.engine import Engine, KeyLookup, KeyPresence
from codeface.core.paths import AppPaths, app_paths
from codeface.core.provider import Provider
from codeface.core.router import Router
from codeface.core.settings import Settings, SettingsReport, read_settings

if TYPE_CHECKING:
    from codeface.application.backend import AppBackend

log = logging.getLogger(__name__)


def default_key_lookup(provider: str) -> str | None:
    """Keys from the OS keyring, then the environment, then the fallback file."""
    from codeface.store.secrets import get_key

    return get_key(provider)


def default_key_presence(provider: str) -> bool:
    """Whether a key is set, without opening the OS keyring for names it was asked before."""
    from codeface.store.secrets import has_key

    return has_key(provider)


def load_app_settings(paths: AppPaths) -> SettingsReport:
    """Settings from disk with what was wrong in them; never raises (a broken file gives
    private defaults: local models only)."""
    return read_settings(paths.settings_file)


def registry_providers(
    settings: Settings, get_key: KeyLookup, has_key: KeyPresence | None
) -> list[Provider]:
    """The providers the settings and keys describe (`codeface.providers.registry`)."""
    from codeface.providers.registry import build_providers

    return build_providers(settings, get_key, has_key=has_key)


def build_engine(settings: Settings | None = None, *, get_key: KeyLookup | None = None) -> Engine:
    """Build the engine from settings on disk (or the ones given)."""
    paths = app_paths()
    report = SettingsReport(settings) if settings is not None else load_app_settings(paths)
    settings = report.settings
    lookup = get_key or default_key_lookup
    presence = None if get_key else default_key_presence
    providers = registry_providers(settings, lookup, presence)
    return Engine(
        settings=settings,
        paths=paths,
        providers=providers,
        router=Router(providers, settings),
        get_key=lookup,
        build_providers=registry_providers,
        settings_problems=list(report.problems),
        settings_unreadable=report.unreadable,
        has_key=presence,
    )


def build_backend() -> AppBackend:
    """The window's backend: cheap to build; it opens the store and connects on first use."""
    from codeface.application.backend import AppBackend

    return AppBackend(build_engine())
