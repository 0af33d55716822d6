"""Settings on disk for window tests with the real backend: only the scripted Ollama
answers (local only, no retries), so a test never reaches another provider."""

from __future__ import annotations

from codeface.core.paths import app_paths
from codeface.core.settings import Settings, save_settings


def local_only_settings(ollama_url: str) -> Settings:
    """Settings where the Ollama server at ``ollama_url`` is the only provider."""
    settings = Settings()
    settings.ollama.hosts = [ollama_url]
    settings.general.model = "qwen2.5-coder:7b"
    settings.general.policy = "local-only"
    settings.anthropic.enabled = False
    settings.openai.enabled = False
    settings.builtin.enabled = False
    settings.router.max_retries = 0
    return settings


def save_local_only_settings(ollama_url: str) -> Settings:
    """Write and return `local_only_settings`."""
    settings = local_only_settings(ollama_url)
    save_settings(settings, app_paths().settings_file)
    return settings
