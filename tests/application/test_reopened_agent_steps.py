"""A session reopened from the store tells its tool calls the way the live turn did: the
same one-line summaries, and who decided each side effect (``load_branch`` on the real
`AppBackend`, after a real agent turn on the scripted Ollama server)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from codeface.agents.events import ApprovalRequested, Decision, ToolCallFinished
from codeface.application.backend import AppBackend
from codeface.application.views import message_view
from tests.application.conftest import PYTHON, AgentRig

pytestmark = pytest.mark.asyncio

FIX = {"path": "calc.py", "old_text": "return a - b", "new_text": "return a + b"}
NOTES = {"path": "notes.txt", "content": "fixed\n"}
RUN_TESTS = {"command": f"{PYTHON} -m pytest -q -p no:cacheprovider test_calc.py"}


@pytest_asyncio.fixture
async def backend(ollama_rig: AgentRig) -> AsyncIterator[AppBackend]:
    """The window's backend over the rig's engine, store and project."""
    app = AppBackend(ollama_rig.engine, ollama_rig.store)
    app.context.workspaces[ollama_rig.workspace.key] = ollama_rig.workspace
    yield app


async def live_turn(
    backend: AppBackend, session_id: str, text: str, answers: dict[str, tuple[Decision, str]]
) -> list[ToolCallFinished]:
    """Send ``text`` and answer each approval by tool name; the finished calls."""
    finished: list[ToolCallFinished] = []
    async for event in backend.send(session_id, text):
        if isinstance(event, ApprovalRequested):
            decision, reason = answers[event.request.call.name]
            assert await backend.answer_approval(event.request.id, decision, reason)
        elif isinstance(event, ToolCallFinished):
            finished.append(event)
    return finished


async def test_reopened_steps_carry_the_live_summaries_and_the_decisions(
    ollama_rig: AgentRig, backend: AppBackend
) -> None:
    server = ollama_rig.server
    server.tool_call("read_file", {"path": "calc.py"}, text="Let me look.")
    server.tool_call("edit_file", FIX)
    server.tool_call("write_file", NOTES)
    server.tool_call("run_command", RUN_TESTS)
    server.reply_text("Fixed, but the tests were not run.")
    session_id = await ollama_rig.new_session()

    live = await live_turn(
        backend,
        session_id,
        "fix it",
        {"edit_file": ("session", ""), "run_command": ("deny", "not now")},
    )

    branch = await backend.load_branch(session_id)
    tools = [m for m in branch if m.role == "tool"]
    assert [m.tool_name for m in tools] == ["read_file", "edit_file", "write_file", "run_command"]
    assert [m.tool_summary for m in tools] == [event.summary for event in live]
    assert tools[1].tool_summary == "changed calc.py"
    assert tools[3].tool_summary == "denied by the user (not now)"
    # The read ran by itself, the second edit under the session rule: nobody was asked.
    assert [(m.approval, m.approval_reason) for m in tools] == [
        ("", ""),
        ("session", ""),
        ("", ""),
        ("deny", "not now"),
    ]
    assert all(m.tool_summary == "" and m.approval == "" for m in branch if m.role != "tool")


async def test_a_message_without_an_audit_row_keeps_the_old_view(
    ollama_rig: AgentRig, backend: AppBackend
) -> None:
    ollama_rig.server.tool_call("edit_file", FIX)
    ollama_rig.server.reply_text("Done.")
    session_id = await ollama_rig.new_session()
    await live_turn(backend, session_id, "fix it", {"edit_file": ("once", "")})

    stored = [m for m in await ollama_rig.store.path_to_leaf(session_id) if m.role == "tool"]
    [view] = [message_view(m) for m in stored]

    assert (view.tool_summary, view.approval, view.approval_reason) == ("", "", "")
    assert view.content == "Edited calc.py."
