"""Which providers exist, in what order, from settings, keys and environment variables."""

from __future__ import annotations

import subprocess
import sys

from codeface.core.settings import CompatibleServer, Settings
from codeface.providers.openai_provider import OpenAIProvider
from codeface.providers.registry import build_providers


def keys(**found: str) -> object:
    return lambda name: found.get(name.replace(":", "_"))


def test_defaults_give_one_local_ollama_and_no_cloud() -> None:
    providers = build_providers(Settings(), keys(), env={})
    assert [p.id for p in providers] == ["ollama@127.0.0.1:11434"]
    assert providers[0].tier == "local"


def test_ollama_host_env_is_used_when_settings_name_none() -> None:
    providers = build_providers(Settings(), keys(), env={"OLLAMA_HOST": ":56789"})
    assert [p.id for p in providers] == ["ollama@127.0.0.1:56789"]


def test_settings_hosts_win_over_env_and_each_gets_a_provider() -> None:
    settings = Settings()
    settings.ollama.hosts = ["gpu-box:11434", "127.0.0.1", "gpu-box"]  # last is a duplicate
    providers = build_providers(settings, keys(), env={"OLLAMA_HOST": ":56789"})
    assert [p.id for p in providers] == ["ollama@gpu-box:11434", "ollama@127.0.0.1:11434"]


def test_cloud_providers_need_a_key() -> None:
    providers = build_providers(Settings(), keys(anthropic="sk-ant-x", openai="sk-y"), env={})
    assert [p.id for p in providers] == ["ollama@127.0.0.1:11434", "anthropic", "openai"]
    assert {p.tier for p in providers[1:]} == {"cloud"}
    assert providers[1].host == "api.anthropic.com"
    assert providers[2].host == "api.openai.com"


def test_disabled_cloud_provider_is_left_out_even_with_a_key() -> None:
    settings = Settings()
    settings.anthropic.enabled = False
    providers = build_providers(settings, keys(anthropic="sk-ant-x"), env={})
    assert "anthropic" not in [p.id for p in providers]


def test_base_url_env_vars_point_cloud_providers_elsewhere() -> None:
    env = {"ANTHROPIC_BASE_URL": "http://127.0.0.1:9001", "OPENAI_BASE_URL": "http://lan:8000/v1"}
    providers = build_providers(Settings(), keys(anthropic="a" * 10, openai="b" * 10), env=env)
    by_id = {p.id: p for p in providers}
    assert by_id["anthropic"].host == "127.0.0.1:9001"
    assert by_id["openai"].host == "lan:8000"
    assert by_id["openai"].tier == "cloud"  # an OpenAI-compatible server given this way


def test_settings_base_url_wins_over_env() -> None:
    settings = Settings()
    settings.anthropic.base_url = "http://proxy:1"
    providers = build_providers(
        settings, keys(anthropic="k" * 10), env={"ANTHROPIC_BASE_URL": "http://other:2"}
    )
    assert providers[1].host == "proxy:1"


def test_compatible_servers_get_their_own_ids_and_tiers() -> None:
    settings = Settings()
    settings.compatible = [
        CompatibleServer("lmstudio", "http://127.0.0.1:1234/v1", "qwen", "local"),
        CompatibleServer("vllm", "http://gpu:8000/v1", "", "cloud"),
        CompatibleServer("empty", "", "", "local"),  # no URL: ignored
    ]
    providers = build_providers(settings, keys(compat_vllm="token"), env={})
    compat = [p for p in providers if p.id.startswith("compat:")]
    assert [(p.id, p.tier, p.default_model) for p in compat] == [
        ("compat:lmstudio", "local", "qwen"),
        ("compat:vllm", "cloud", None),
    ]
    assert all(isinstance(p, OpenAIProvider) for p in compat)


def test_router_order_is_followed() -> None:
    settings = Settings()
    settings.router.order = ["anthropic", "compat", "ollama"]
    settings.compatible = [CompatibleServer("lm", "http://127.0.0.1:1234/v1")]
    providers = build_providers(settings, keys(anthropic="k" * 10, openai="o" * 10), env={})
    assert [p.id for p in providers] == [
        "anthropic",
        "compat:lm",
        "ollama@127.0.0.1:11434",
        "openai",
    ]


def test_importing_the_registry_loads_no_sdk() -> None:
    code = (
        "import sys, codeface.providers.registry\n"
        "print(sorted(m for m in ('anthropic', 'openai', 'ollama', 'httpx2') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"


def test_building_providers_loads_no_sdk() -> None:
    code = (
        "import sys\n"
        "from codeface.core.settings import Settings\n"
        "from codeface.providers.registry import build_providers\n"
        "build_providers(Settings(), lambda name: 'sk-test-key-123', {})\n"
        "print(sorted(m for m in ('anthropic', 'openai', 'ollama', 'httpx2') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"


def test_prewarm_imports_the_cloud_sdks_while_the_loop_keeps_running() -> None:
    code = (
        "import asyncio, sys\n"
        "from codeface.providers.registry import prewarm_sdks\n"
        "async def main():\n"
        "    ticks = 0\n"
        "    task = asyncio.ensure_future(prewarm_sdks())\n"
        "    while not task.done():\n"
        "        ticks += 1\n"
        "        await asyncio.sleep(0.005)\n"
        "    await task\n"
        "    print(ticks > 1, 'anthropic' in sys.modules, 'openai' in sys.modules)\n"
        "asyncio.run(main())\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.split() == ["True", "True", "True"]
