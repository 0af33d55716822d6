"""Agent turns end to end, through each wire protocol's fake server: the model reads,
edits, runs the tests and answers; every step is stored as it happens; approvals are
asked, remembered or refused; the model is told why an edit no longer applies."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from codeface.agents.events import (
    AgentTurnDone,
    ApprovalGiven,
    ApprovalRequested,
    CheckpointSaved,
    CommandOutput,
    Decision,
    ToolCallFinished,
)
from codeface.application.agent_turn import AgentSetup
from codeface.application.contract import ConversationEvent
from tests.application.conftest import BROKEN_CALC, PYTHON, AgentRig

pytestmark = pytest.mark.asyncio

FIX = {"path": "calc.py", "old_text": "return a - b", "new_text": "return a + b"}
RUN_TESTS = {"command": f"{PYTHON} -m pytest -q -p no:cacheprovider test_calc.py"}


async def run(
    setup: AgentSetup,
    events: AsyncIterator[ConversationEvent],
    answers: dict[str, Decision] | None = None,
) -> list[ConversationEvent]:
    """Drain a turn, answering each approval by tool name (allow once by default)."""
    seen: list[ConversationEvent] = []
    async for event in events:
        seen.append(event)
        if isinstance(event, ApprovalRequested):
            decision = (answers or {}).get(event.request.call.name, "once")
            assert setup.gate.answer(event.request.id, decision, "")
    return seen


def finished(events: list[ConversationEvent]) -> list[ToolCallFinished]:
    return [event for event in events if isinstance(event, ToolCallFinished)]


async def test_an_agent_reads_fixes_runs_the_tests_and_answers(agent_rig: AgentRig) -> None:
    server = agent_rig.server
    server.tool_call("read_file", {"path": "calc.py"}, text="Let me look.")
    server.tool_call("edit_file", FIX)
    server.tool_call("run_command", RUN_TESTS)
    server.reply_text("Fixed add(): it subtracted. The test passes.")
    setup = agent_rig.setup()
    session_id = await agent_rig.new_session()

    events = await run(
        setup, agent_rig.conversation.send(session_id, "Fix the failing test", agent=setup)
    )

    assert (agent_rig.project / "calc.py").read_text() == "def add(a, b):\n    return a + b\n"
    results = finished(events)
    assert [(r.call.name, r.status) for r in results] == [
        ("read_file", "ok"),
        ("edit_file", "ok"),
        ("run_command", "ok"),
    ]
    assert "1 passed" in results[2].detail
    assert any(isinstance(e, CommandOutput) and "passed" in e.text for e in events)
    approvals = [e for e in events if isinstance(e, ApprovalGiven)]
    assert [(a.decision, a.approver) for a in approvals] == [("once", "user"), ("once", "user")]
    assert [e.paths for e in events if isinstance(e, CheckpointSaved)] == [("calc.py",)]
    done = events[-2] if not isinstance(events[-1], AgentTurnDone) else events[-1]
    assert isinstance(done, AgentTurnDone)
    assert (done.steps, done.changed_paths) == (4, ("calc.py",))

    stored = await agent_rig.store.path_to_leaf(session_id)
    assert [m.role for m in stored] == [
        "user",
        "assistant",
        "tool",
        "assistant",
        "tool",
        "assistant",
        "tool",
        "assistant",
    ]
    assert [c.name for m in stored for c in m.tool_calls] == [
        "read_file",
        "edit_file",
        "run_command",
    ]
    assert stored[-1].content == "Fixed add(): it subtracted. The test passes."
    assert '<data source="file calc.py' in stored[2].content
    runs = await agent_rig.store.tool_runs(session_id)
    assert [(r.tool, r.status, r.approver) for r in runs] == [
        ("read_file", "ok", "auto"),
        ("edit_file", "ok", "user"),
        ("run_command", "ok", "user"),
    ]
    requests = server.requests_to(server.chat_path)
    assert len(requests) == 4
    assert "a - b" in str(requests[1].json)  # the file's text went back to the model


async def test_a_denied_edit_changes_nothing_and_the_model_hears_why(ollama_rig: AgentRig) -> None:
    ollama_rig.server.tool_call("edit_file", FIX)
    ollama_rig.server.reply_text("Understood, I will not change it.")
    setup = ollama_rig.setup()
    session_id = await ollama_rig.new_session()

    events = await run(
        setup,
        ollama_rig.conversation.send(session_id, "fix it", agent=setup),
        {"edit_file": "deny"},
    )

    assert (ollama_rig.project / "calc.py").read_text() == BROKEN_CALC
    [result] = finished(events)
    assert result.status == "denied"
    assert "The user denied this" in result.result
    second = ollama_rig.server.requests_to("/api/chat")[1].json
    assert "The user denied this" in str(second)


async def test_allow_for_this_session_covers_the_next_edit_but_not_a_command(
    ollama_rig: AgentRig,
) -> None:
    server = ollama_rig.server
    server.tool_call("edit_file", FIX)
    server.tool_call("write_file", {"path": "notes.txt", "content": "fixed\n"})
    server.tool_call("run_command", RUN_TESTS)
    server.reply_text("Done.")
    setup = ollama_rig.setup()
    session_id = await ollama_rig.new_session()

    events = await run(
        setup,
        ollama_rig.conversation.send(session_id, "fix it", agent=setup),
        {"edit_file": "session", "run_command": "deny"},
    )

    asked = [e.request.call.name for e in events if isinstance(e, ApprovalRequested)]
    assert asked == ["edit_file", "run_command"]
    given = [(e.decision, e.approver) for e in events if isinstance(e, ApprovalGiven)]
    assert given == [("session", "user"), ("deny", "user")]
    assert [(r.call.name, r.status, r.approver) for r in finished(events)] == [
        ("edit_file", "ok", "user"),
        ("write_file", "ok", "session rule"),
        ("run_command", "denied", "user"),
    ]
    assert (ollama_rig.project / "notes.txt").read_text() == "fixed\n"


async def test_without_a_terminal_only_what_is_allowed_runs(ollama_rig: AgentRig) -> None:
    server = ollama_rig.server
    server.tool_call("edit_file", FIX)
    server.tool_call("run_command", RUN_TESTS)
    server.reply_text("Could not run the tests.")
    setup = ollama_rig.setup(allow_edits=True, interactive=False)
    session_id = await ollama_rig.new_session()

    events = await run(setup, ollama_rig.conversation.send(session_id, "fix", agent=setup))

    assert not any(isinstance(e, ApprovalRequested) for e in events)
    results = finished(events)
    assert [(r.call.name, r.status, r.approver) for r in results] == [
        ("edit_file", "ok", "allowed"),
        ("run_command", "denied", "no terminal"),
    ]
    assert "no one to ask" in results[1].result


async def test_an_edit_refused_because_the_file_changed_on_disk(ollama_rig: AgentRig) -> None:
    server = ollama_rig.server
    server.tool_call("read_file", {"path": "calc.py"})
    server.tool_call("edit_file", FIX)
    server.reply_text("The file changed; I will read it again.")
    setup = ollama_rig.setup(allow_edits=True)
    session_id = await ollama_rig.new_session()
    calc = ollama_rig.project / "calc.py"

    seen: list[ConversationEvent] = []
    async for event in ollama_rig.conversation.send(session_id, "fix", agent=setup):
        seen.append(event)
        if isinstance(event, ToolCallFinished) and event.call.name == "read_file":
            calc.write_text("def add(a, b):\n    return a - b  # edited by the user\n")

    [read, edit] = finished(seen)
    assert read.status == "ok"
    assert edit.status == "error"
    assert "changed" in edit.result
    assert calc.read_text().endswith("# edited by the user\n")


async def test_plan_only_mode_offers_no_side_effects(ollama_rig: AgentRig) -> None:
    server = ollama_rig.server
    server.tool_call("write_file", {"path": "x.py", "content": "x = 1\n"})
    server.reply_text("Plan: change calc.py.")
    setup = ollama_rig.setup(plan_only=True, allow_edits=True)
    session_id = await ollama_rig.new_session()

    events = await run(setup, ollama_rig.conversation.send(session_id, "plan", agent=setup))

    assert not (ollama_rig.project / "x.py").exists()
    assert finished(events)[0].status == "denied"
    offered = [t["function"]["name"] for t in server.requests_to("/api/chat")[0].json["tools"]]
    assert "write_file" not in offered
    assert "run_command" not in offered
    assert "read_file" in offered


async def test_a_model_without_native_tools_works_through_the_text_protocol(
    ollama_rig: AgentRig,
) -> None:
    server = ollama_rig.server
    for name in list(server.models):
        server.remove_model(name)
    server.add_model("tiny-coder:1b", capabilities=["completion"], loaded=True)
    server.reply_text(
        'I will read it.\n<tool_call>\n{"name": "read_file", "arguments": {"path": "calc.py"}}\n'
        "</tool_call>"
    )
    server.reply_text("It subtracts instead of adding.")
    setup = ollama_rig.setup()
    session_id = await ollama_rig.new_session()

    events = await run(
        setup, ollama_rig.conversation.send(session_id, "what is wrong?", agent=setup)
    )

    [read] = finished(events)
    assert (read.call.name, read.status) == ("read_file", "ok")
    first, second = (r.json for r in server.requests_to("/api/chat"))
    assert not first.get("tools")
    assert "<tool_call>" in first["messages"][0]["content"]  # taught in the system prompt
    assert "Result of read_file" in second["messages"][-1]["content"]
    assert second["messages"][-1]["role"] == "user"
    stored = await ollama_rig.store.path_to_leaf(session_id)
    assert [c.name for c in stored[1].tool_calls] == ["read_file"]
