"""One tool call end to end with a real model: SmolLM2-135M in the built-in engine, no
server anywhere. The model has no tool format of its own, so the router sends the text
protocol and the engine holds it to one JSON reply with a grammar; the call runs through
the tool layer and the workspace, and its result is stored and sent back."""

from __future__ import annotations

from pathlib import Path

import pytest

from codeface.agents.approvals import ApprovalGate, ApprovalPolicy
from codeface.agents.events import AgentTurnDone, ToolCallFinished
from codeface.app import build_engine
from codeface.application.agent_turn import AgentSetup
from codeface.application.agents_setup import load_project_roles
from codeface.application.conversation import Conversation
from codeface.core.paths import app_paths
from codeface.core.settings import Settings
from codeface.providers.local_models import ModelRegistry
from codeface.store.service import Store
from codeface.workspace import Workspace, WorkspaceOptions
from tests.fakes.gguf_builder import smollm_path

pytestmark = pytest.mark.asyncio

READER = """---
name: reader
description: Reads files.
tools: [read_file, list_dir]
max_steps: 2
---
You read project files with the read_file tool when asked.
"""


async def test_a_real_small_model_makes_a_tool_call_that_runs(
    project: Path, refused_url: str
) -> None:
    (project / ".codeface" / "agents").mkdir(parents=True)
    (project / ".codeface" / "agents" / "reader.md").write_text(READER)
    ModelRegistry.at(app_paths().ensure()).add(smollm_path(), name="smollm2")
    settings = Settings()
    settings.ollama.hosts = [refused_url]
    settings.general.policy = "local-only"
    settings.general.temperature = 0.0
    settings.general.max_tokens = 200
    engine = build_engine(settings, get_key=lambda name: None)
    assert "builtin" in [provider.id for provider in engine.providers]
    store = await Store.open()
    workspace = Workspace.open(project, options=WorkspaceOptions(terminal="pty"))
    roles, _ = load_project_roles(workspace)
    setup = AgentSetup(workspace, roles["reader"], ApprovalGate(ApprovalPolicy(interactive=False)))
    session = await store.create_session(project=workspace.key, role="reader", policy="local-only")
    try:
        events = [
            event
            async for event in Conversation(engine, store).send(
                session.id, 'Call read_file with path "calc.py".', agent=setup
            )
        ]
        stored = await store.path_to_leaf(session.id)
    finally:
        await store.close()
        await engine.aclose()

    reads = [e for e in events if isinstance(e, ToolCallFinished) and e.call.name == "read_file"]
    assert reads, [type(e).__name__ for e in events]
    first = reads[0]
    # A 135M model may guess a wrong path; either way the call ran through the workspace
    # and its outcome went back to the model as the next step's input.
    assert first.status in ("ok", "error"), first
    if first.status == "ok":
        assert "return a - b" in first.result  # the real file, framed as data
    else:
        assert "does not exist" in first.result
    assert isinstance(events[-1], AgentTurnDone)
    tool_messages = [m for m in stored if m.role == "tool"]
    assert tool_messages[0].tool_name == "read_file"
    assert tool_messages[0].content == first.result
    answers = [m for m in stored if m.role == "assistant"]
    assert len(answers) == 2  # the result was answered: a second step ran
    assert (answers[0].model, answers[0].provider) == ("smollm2", "builtin")
