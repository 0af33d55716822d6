"""The engine behind an idle window imports only what the idle window uses: the planner,
the agent turn, the terminal's pty and shell hook, the cloud providers of a user without
a key, the GGUF reader and OpenSSL (TLS, hashlib) load on first use, and the agent turn's modules load while the
user types in an open project (so an agent session's first send does not wait for them).

Each case runs in a fresh interpreter (imports are per process), against a real Ollama
fake on 127.0.0.1, doing what the window does between its first paint and idle.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from tests.child_process import ROOT, run_json_child
from tests.fakes.ollama_server import OllamaServer

WORKSPACE_MODULES = (
    "codeface.workspace.project",
    "codeface.workspace.checkpoints",
    "codeface.terminal.pty_session",
)
"""Loaded when a project opens, not before."""
LAZY = (
    *WORKSPACE_MODULES,
    "codeface.application.agent_turn",
    "codeface.application.agents_setup",
    "codeface.application.plan_attempt",
    "codeface.application.plan_manager",
    "codeface.application.plan_options",
    "codeface.application.plan_recorder",
    "codeface.application.plans",
    "codeface.agents.prompt",
    "codeface.agents.roles",
    "codeface.agents.scheduler",
    "codeface.agents.task_attempt",
    "codeface.terminal.history",
    "codeface.providers.anthropic_provider",
    "codeface.providers.cloud_base",
    "codeface.providers.openai_chunks",
    "codeface.providers.openai_provider",
    "codeface.providers.sdk_warmup",
    "codeface.providers.gguf",
    "codeface.agents.loop",
    "codeface.agents.tools",
)
AGENT_MODULES = ("codeface.application.agent_turn", "codeface.application.agents_setup")
OPENSSL_AND_EMAIL = ("ssl", "_ssl", "_hashlib", "hmac", "email", "http.client")
"""What a window on a plain-http local Ollama never needs (about 5 MB resident)."""

CHILD = """
import json, sys
from codeface.core.deferred_tls import defer_tls
defer_tls()  # as the window does
import asyncio
from codeface.app import build_engine
from codeface.application.backend import AppBackend
from codeface.core.settings import Settings

URL, PROJECT = sys.argv[1], sys.argv[2]
LAZY, AGENT, OPENSSL = (json.loads(argument) for argument in sys.argv[3:6])

def loaded(names):
    return sorted(name for name in names if name in sys.modules)

async def main():
    settings = Settings()
    settings.ollama.hosts = [URL]
    backend = AppBackend(build_engine(settings, get_key=lambda name: None))
    seen = {}
    # What the window asks for between its first paint and idle.
    state = await backend.load_state()
    seen["providers"] = [status.health.ok for status in state.providers]
    seen["models"] = len(await backend.list_models())
    await backend.recent_projects()
    seen["idle"] = loaded(LAZY)
    seen["idle_openssl"] = loaded(OPENSSL)
    await backend.prepare_to_send()  # the user starts typing, no project open
    seen["typing"] = loaded(LAZY)
    if not PROJECT:
        await backend.aclose()
        print(json.dumps(seen))
        return
    project = (await backend.open_project(PROJECT)).key
    seen["unfinished"] = len(await backend.unfinished_plans(project))
    seen["project_open"] = loaded(LAZY)
    await backend.prepare_to_send()  # typing with a project open
    seen["typing_in_project"] = loaded(AGENT)
    seen["plans"] = len(await backend.list_plans(project))
    await backend.aclose()
    print(json.dumps(seen))

asyncio.run(main())
"""


def run_idle_engine(server: OllamaServer, project: Path | None, home: Path) -> dict[str, object]:
    """What the child saw; without ``project`` it stops once the user starts typing."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("ANTHROPIC_", "OPENAI_", "OLLAMA_"))
    }
    env.update(
        CODEFACE_HOME=str(home),
        PYTHONPATH=str(ROOT),
        PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring",
    )
    return run_json_child(
        CHILD,
        server.url,
        "" if project is None else str(project),
        json.dumps(LAZY),
        json.dumps(AGENT_MODULES),
        json.dumps(OPENSSL_AND_EMAIL),
        env=env,
        timeout=120,
    )


def test_the_idle_engine_leaves_plans_agents_terminals_cloud_and_openssl_unloaded(
    tmp_path: Path,
) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "main.py").write_text("print('hi')\n")
    with OllamaServer() as server:
        seen = run_idle_engine(server, project, tmp_path / "home")
    assert seen["providers"] == [True]  # the idle window did talk to Ollama
    assert seen["models"] > 0
    assert seen["idle"] == []
    assert seen["typing"] == []  # no project: no agent session can send
    # Opening a project asks for its unfinished plans without loading the planner.
    assert seen["unfinished"] == 0
    assert set(seen["project_open"]) <= set(WORKSPACE_MODULES)  # the project, nothing more
    assert seen["typing_in_project"] == sorted(AGENT_MODULES)
    assert seen["plans"] == 0  # and the plans still list when asked


def test_a_returning_users_idle_window_without_a_project_leaves_openssl_unloaded(
    tmp_path: Path,
) -> None:
    with OllamaServer() as server:
        first = run_idle_engine(server, None, tmp_path / "home")
        returning = run_idle_engine(server, None, tmp_path / "home")
    # The first start asks the OS keyring once whether cloud keys exist (keyring's imports
    # load OpenSSL); from then on the keyring index answers.
    assert first["models"] == returning["models"] == 2
    assert returning["idle_openssl"] == []
    assert returning["typing"] == []
