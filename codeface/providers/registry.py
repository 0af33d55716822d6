"""Build the configured providers from settings, keys and the environment.

Importing this module imports no SDK (the provider modules import theirs on first use),
and the cloud providers' own modules load only for a user with a key or a compatible
server; `prewarm_sdks` loads the heavy cloud SDKs in a worker thread once the window is up.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable, Mapping
from functools import partial
from typing import TYPE_CHECKING

from codeface.core.errors import StoreError
from codeface.core.paths import AppPaths, app_paths
from codeface.core.provider import Provider
from codeface.core.settings import Settings
from codeface.providers.ollama_provider import OllamaProvider

if TYPE_CHECKING:
    from codeface.providers.local_models import LocalModel

log = logging.getLogger(__name__)


def ollama_hosts(settings: Settings, env: Mapping[str, str]) -> list[str]:
    """Hosts from settings, else ``OLLAMA_HOST``, else the default (``""``)."""
    if settings.ollama.hosts:
        return list(dict.fromkeys(settings.ollama.hosts))
    return [env.get("OLLAMA_HOST", "")]


def build_providers(
    settings: Settings,
    get_key: Callable[[str], str | None],
    env: Mapping[str, str] = os.environ,
    *,
    has_key: Callable[[str], bool] | None = None,
    paths: AppPaths | None = None,
) -> list[Provider]:
    """Every usable provider, ordered by ``settings.router.order``.

    One Ollama provider per host; the built-in engine when llama-cpp-python is installed
    and a model is registered (`builtin_provider`); Anthropic and OpenAI only when
    ``has_key`` says a key is set (by default: when ``get_key`` finds one); then
    ``settings.compatible``. A provider asks ``get_key`` for its key only when it first
    connects, from a worker thread.
    """
    general = settings.general
    present = has_key or (lambda name: get_key(name) is not None)
    providers: list[Provider] = []
    seen: set[str] = set()
    for host in ollama_hosts(settings, env):
        ollama = OllamaProvider(
            host,
            keep_alive=settings.ollama.keep_alive or None,
            connect_timeout=general.connect_timeout,
        )
        if ollama.id not in seen:
            seen.add(ollama.id)
            providers.append(ollama)
    builtin = builtin_provider(settings, paths or app_paths())
    if builtin is not None:
        providers.append(builtin)
    if settings.anthropic.enabled and present("anthropic"):
        from codeface.providers.anthropic_provider import AnthropicProvider

        providers.append(
            AnthropicProvider(
                partial(get_key, "anthropic"),
                base_url=settings.anthropic.base_url or env.get("ANTHROPIC_BASE_URL") or None,
                default_model=settings.anthropic.model or None,
                connect_timeout=general.connect_timeout,
            )
        )
    if settings.openai.enabled and present("openai"):
        from codeface.providers.openai_provider import OpenAIProvider

        providers.append(
            OpenAIProvider(
                partial(get_key, "openai"),
                base_url=settings.openai.base_url or env.get("OPENAI_BASE_URL") or None,
                default_model=settings.openai.model or None,
                connect_timeout=general.connect_timeout,
            )
        )
    for server in settings.compatible:
        if not server.base_url:
            continue
        name = server.name or urlsafe_name(server.base_url)
        from codeface.providers.openai_provider import OpenAIProvider

        providers.append(
            OpenAIProvider(
                partial(get_key, f"compat:{name}"),
                base_url=server.base_url,
                default_model=server.model or None,
                connect_timeout=general.connect_timeout,
                provider_id=f"compat:{name}",
                name=name,
                tier=server.tier,
            )
        )
    return order_providers(providers, settings.router.order)


def builtin_provider(settings: Settings, paths: AppPaths) -> Provider | None:
    """The built-in engine, when enabled, installed (found without importing llama.cpp) and
    given at least one model; None otherwise (`codeface doctor` says which is missing)."""
    import importlib.util

    if not settings.builtin.enabled or importlib.util.find_spec("llama_cpp") is None:
        return None
    from codeface.providers.local_models import ModelRegistry

    registry = ModelRegistry.at(paths)
    try:
        models = registry.models()
    except StoreError as error:
        log.warning("built-in engine off: %s", error.user_message)
        return None
    if not models:
        return None
    # The engine's modules load only for a user who has registered a model.
    from codeface.providers.llama_provider import LlamaProvider

    return LlamaProvider(
        registry,
        default_model=settings.builtin.model or preferred_model(models),
        gpu_offload=settings.builtin.gpu_offload,
        context_size=settings.builtin.context_size or settings.general.context_size,
        threads=settings.builtin.threads,
    )


def preferred_model(models: list[LocalModel]) -> str:
    """The model to run when settings name none: the newest one the user added or
    downloaded whose file is present, else a packaged one."""
    present = [model for model in models if model.present] or models
    own = [model for model in present if model.source != "package"]
    return max(own, key=lambda model: model.added).name if own else present[0].name


def urlsafe_name(base_url: str) -> str:
    """A short name for a server given only by URL (its host and port)."""
    from urllib.parse import urlsplit

    return urlsplit(base_url).netloc or base_url


def order_providers(providers: list[Provider], order: list[str]) -> list[Provider]:
    """Sort by the first ``order`` entry matching each provider's id or kind (stable).

    An entry matches an id exactly, or a family: ``"ollama"`` matches ``ollama@…``,
    ``"compat"`` every ``compat:…``. Providers no entry names keep their place at the end.
    """

    def rank(provider: Provider) -> int:
        family = provider.id.split("@", 1)[0].split(":", 1)[0]
        for index, entry in enumerate(order):
            if entry in (provider.id, family):
                return index
        return len(order)

    return sorted(providers, key=rank)


async def prewarm_sdks() -> None:
    """Load the cloud SDKs and their response models in a worker thread, so that their first
    use does not freeze a UI."""

    def load() -> None:
        from codeface.providers.sdk_warmup import warm_anthropic, warm_openai

        warm_anthropic()
        warm_openai()

    await asyncio.to_thread(load)
