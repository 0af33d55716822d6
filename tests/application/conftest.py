"""Agent rigs: a project on disk, a real store, and an engine pointed at one fake server
per wire protocol (Ollama NDJSON, Anthropic SSE, OpenAI SSE)."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import pytest_asyncio

from codeface.agents.approvals import ApprovalGate, ApprovalPolicy
from codeface.app import build_engine
from codeface.application.agent_turn import AgentSetup
from codeface.application.agents_setup import load_project_roles, private_folders
from codeface.application.conversation import Conversation
from codeface.application.engine import Engine
from codeface.core.settings import Settings
from codeface.store.service import Store
from codeface.workspace import Workspace, WorkspaceOptions
from tests.fakes.scripted import ScriptedServer

KINDS = ("ollama", "anthropic", "openai")
PYTHON = sys.executable

BROKEN_CALC = "def add(a, b):\n    return a - b\n"
TEST_CALC = "from calc import add\n\n\ndef test_add():\n    assert add(2, 3) == 5\n"


def engine_for(kind: str, url: str) -> Engine:
    """An engine whose only usable provider is the fake server of ``kind``."""
    settings = Settings()
    settings.anthropic.enabled = kind == "anthropic"
    settings.openai.enabled = kind == "openai"
    settings.builtin.enabled = False
    settings.router.max_retries = 0
    if kind == "ollama":
        settings.ollama.hosts = [url]
        settings.general.policy = "local-only"
    else:
        settings.ollama.hosts = []
        settings.general.policy = "cloud-first"
        section = settings.anthropic if kind == "anthropic" else settings.openai
        section.base_url = url if kind == "anthropic" else url + "/v1"
        section.model = "claude-sonnet-5" if kind == "anthropic" else "gpt-5"
    return build_engine(settings, get_key=lambda name: "sk-test-key-0123456789")


@dataclass
class AgentRig:
    """A project, a store and an engine on one fake server; ``setup()`` makes the agent."""

    kind: str
    server: ScriptedServer
    engine: Engine
    store: Store
    project: Path
    workspace: Workspace

    def setup(self, role: str = "coder", **policy: bool) -> AgentSetup:
        """An agent setup for this project with the given approval policy."""
        roles, problems = load_project_roles(self.workspace)
        assert problems == []
        gate = ApprovalGate(ApprovalPolicy(**policy))
        return AgentSetup(self.workspace, roles[role], gate, private_folders(self.engine.paths))

    @property
    def conversation(self) -> Conversation:
        """The conversation over this rig's engine and store."""
        return Conversation(self.engine, self.store)

    async def new_session(self) -> str:
        """A session of this project."""
        session = await self.store.create_session(
            project=self.workspace.key, role="coder", policy=self.engine.settings.general.policy
        )
        return str(session.id)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A small Python project with a bug and a test that shows it."""
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "calc.py").write_text(BROKEN_CALC)
    (folder / "test_calc.py").write_text(TEST_CALC)
    return folder


@pytest_asyncio.fixture(params=KINDS)
async def agent_rig(request: pytest.FixtureRequest, project: Path) -> AsyncIterator[AgentRig]:
    """Each wire protocol in turn."""
    async for rig in make_rig(request, request.param, project):
        yield rig


@pytest_asyncio.fixture
async def ollama_rig(request: pytest.FixtureRequest, project: Path) -> AsyncIterator[AgentRig]:
    """The Ollama protocol only (for tests about approvals, not about the wire)."""
    async for rig in make_rig(request, "ollama", project):
        yield rig


async def make_rig(
    request: pytest.FixtureRequest, kind: str, project: Path
) -> AsyncIterator[AgentRig]:
    server: ScriptedServer = request.getfixturevalue(f"{kind}_server")
    engine = engine_for(kind, server.url)
    store = await Store.open()
    workspace = Workspace.open(project, options=WorkspaceOptions(terminal="pty"))
    try:
        yield AgentRig(kind, server, engine, store, project, workspace)
    finally:
        await store.close()
        await engine.aclose()
