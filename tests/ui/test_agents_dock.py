"""The Agents dock on the fake backend: the live turn, roles, approval switches, Cancel,
"open" on a step, and the last turn of a session rebuilt from its stored branch."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from PySide6.QtCore import Qt

from codeface.application.contract import ApprovalMode, RoleView
from codeface.ui.agents import AgentsPanel
from codeface.ui.agents.output_view import OutputView
from codeface.ui.agents.session_bar import CHAT_ONLY
from codeface.ui.agents.turn_state import CallRecord
from codeface.ui.bridge import Bridge
from tests.ui.agents_dock_fakes import (
    AgentTurnScript,
    CallScript,
    ScriptedAgentBackend,
    reading_turn,
)
from tests.ui.conftest import wait_until
from tests.ui.fake_project import FAKE_ROOT


@dataclass(frozen=True)
class LimitedRole(RoleView):
    """A role view that carries its step limit (the field the dock asks the lead for)."""

    max_steps: int = 8


@pytest.fixture
def backend() -> ScriptedAgentBackend:
    fake = ScriptedAgentBackend()
    fake.add_session("Plain chat", [("user", "hi"), ("assistant", "hello")], project=FAKE_ROOT)
    return fake


@pytest.fixture
def panel(backend: ScriptedAgentBackend, qapp: object) -> Iterator[AgentsPanel]:
    widget = AgentsPanel(Bridge(backend))
    widget.resize(520, 640)
    widget.show()
    yield widget
    widget.close()
    widget.deleteLater()


async def open_session(panel: AgentsPanel, backend: ScriptedAgentBackend, session_id: str) -> None:
    branch = await backend.load_branch(session_id)
    panel.set_session(backend.sessions[session_id], branch)


async def open_project(panel: AgentsPanel, backend: ScriptedAgentBackend) -> None:
    panel.set_project(backend.project())
    await wait_until(lambda: panel.bar.role_combo.count() > 1)


async def open_agent_session(panel: AgentsPanel, backend: ScriptedAgentBackend) -> str:
    """The project open and a new coder session of it shown in the panel; its id."""
    await open_project(panel, backend)
    session_id = backend.add_session("Agent", project=FAKE_ROOT, role="coder")
    await open_session(panel, backend, session_id)
    return session_id


def status(panel: AgentsPanel) -> str:
    return panel.turn_view.status_label.text()


@pytest.mark.asyncio
async def test_a_plain_chat_says_how_to_start_and_a_role_makes_it_an_agent(
    panel: AgentsPanel, backend: ScriptedAgentBackend
) -> None:
    await open_project(panel, backend)
    session_id = next(iter(backend.sessions))
    await open_session(panel, backend, session_id)
    view = panel.turn_view
    assert view.pages.currentWidget() is view.hint
    assert "plain chat" in view.hint.text()
    assert "@coder" in view.hint.text()
    assert not panel.bar.allow_edits.isVisible()

    changed: list[object] = []
    panel.sig_session_changed.connect(changed.append)
    combo = panel.bar.role_combo
    combo.setCurrentIndex(combo.findData("coder"))
    await wait_until(lambda: backend.sessions[session_id].role == "coder")
    assert changed
    assert changed[-1].role == "coder"
    assert view.pages.currentWidget() is view.turn_page
    assert panel.bar.allow_edits.isVisible()
    assert panel.bar.note.isVisible()
    assert "not an operating-system sandbox" in panel.bar.note.toolTip()
    assert "not an OS sandbox" in panel.bar.note.text()

    combo.setCurrentIndex(combo.findText(CHAT_ONLY))
    await wait_until(lambda: backend.sessions[session_id].role is None)
    assert view.pages.currentWidget() is view.hint


@pytest.mark.asyncio
async def test_approval_switches_are_saved_per_session_and_plan_only_greys_the_others(
    panel: AgentsPanel, backend: ScriptedAgentBackend
) -> None:
    await open_project(panel, backend)
    session_id = backend.add_session("Agent", project=FAKE_ROOT, role="coder")
    other = backend.add_session("Other agent", project=FAKE_ROOT, role="coder")
    backend.modes[other] = ApprovalMode(allow_commands=True)
    await open_session(panel, backend, session_id)
    bar = panel.bar
    bar.allow_edits.click()
    await wait_until(lambda: backend.modes.get(session_id) == ApprovalMode(allow_edits=True))
    bar.plan_only.click()
    await wait_until(lambda: backend.modes[session_id].plan_only)
    assert not bar.allow_edits.isEnabled()
    assert not bar.allow_commands.isEnabled()

    await open_session(panel, backend, other)
    await wait_until(lambda: bar.allow_commands.isChecked())
    assert not bar.allow_edits.isChecked()
    assert not bar.plan_only.isChecked()
    assert bar.allow_edits.isEnabled()
    assert backend.modes[other] == ApprovalMode(allow_commands=True)  # showing it saved nothing


@pytest.mark.asyncio
async def test_a_live_turn_shows_steps_calls_waiting_approval_and_totals(
    panel: AgentsPanel, backend: ScriptedAgentBackend
) -> None:
    session_id = await open_agent_session(panel, backend)
    gate = asyncio.Event()
    edit = CallScript(
        "edit_file",
        {"path": "src/app.py"},
        kind="edit",
        description="edit src/app.py (1 change)",
        detail="--- a/src/app.py\n+++ b/src/app.py\n@@ -1 +1 @@\n-x\n+y\n",
        ask=True,
        changed=("src/app.py",),
    )
    read = CallScript("read_file", {"path": "src/app.py"}, description="read src/app.py")
    backend.agent_scripts.append(AgentTurnScript(steps=[[read], [edit]], gate=gate))
    assert panel.bridge.send(session_id, "Fix the greeting")

    view = panel.turn_view
    await wait_until(lambda: "approval-call-2-0" in backend.approval_waiters)
    await wait_until(lambda: "Waiting for your approval" in status(panel))
    row = view.timeline.item_for_call("call-2-0")
    assert row is not None
    assert row.text(1) == "waits for approval"
    assert row.background(0).color().alpha() > 0  # highlighted
    assert view.cancel_button.isEnabled()

    await backend.answer_approval("approval-call-2-0", "once")
    await wait_until(lambda: row.text(1) == "✓ done")
    assert row.background(0).style() == Qt.BrushStyle.NoBrush
    # Held before the final step: step 2 is the current one, drawn bold.
    current = view.timeline.current_item
    assert current is not None
    assert current.text(0).startswith("Step 2")
    assert current.font(0).bold()
    assert "step 2" in status(panel)
    assert "$0.0020" in status(panel)
    assert "qwen2.5-coder" in status(panel)
    assert view.progress.maximum() == 25  # the role's step limit

    gate.set()
    await panel.bridge.wait_turn()
    await wait_until(lambda: not view.turn.running)
    steps = view.timeline.step_items()
    assert [item.text(0).split(" · ")[0] for item in steps] == ["Step 1", "Step 2", "Step 3"]
    assert steps[0].child(0).text(0) == "read src/app.py"
    assert status(panel) == "Last turn"
    summary = view.summary_label.text()
    assert "3 steps" in summary
    assert "2 tool calls" in summary
    assert "changed src/app.py" in summary
    assert view.progress.text() == "done"
    assert not view.cancel_button.isEnabled()
    # The checkpoint the turn saved is listed in the Undo tab.
    panel.tabs.setCurrentWidget(panel.checkpoints)
    await wait_until(lambda: len(panel.checkpoints.rows) == 1)


@pytest.mark.asyncio
async def test_progress_counts_steps_against_the_roles_limit(
    panel: AgentsPanel, backend: ScriptedAgentBackend
) -> None:
    backend.roles = [
        LimitedRole("coder", "Makes changes.", "built-in", ("read_file",), max_steps=8)
    ]
    session_id = await open_agent_session(panel, backend)
    gate = asyncio.Event()
    backend.agent_scripts.append(reading_turn(2, gate=gate))
    panel.bridge.send(session_id, "Read around")
    progress = panel.turn_view.progress
    await wait_until(lambda: progress.value() == 2)  # held before the final step
    assert progress.maximum() == 8
    assert progress.text() == "2 of 8 steps"
    assert "step 2 of 8" in status(panel)
    gate.set()
    await panel.bridge.wait_turn()


@pytest.mark.asyncio
async def test_cancel_stops_the_turn_and_the_running_call_says_stopped(
    panel: AgentsPanel, backend: ScriptedAgentBackend
) -> None:
    session_id = await open_agent_session(panel, backend)
    hold = asyncio.Event()
    run = CallScript(
        "run_command", {"command": "pytest"}, kind="command", description="run pytest", hold=hold
    )
    backend.agent_scripts.append(AgentTurnScript(steps=[[run]]))
    commands: list[CallRecord] = []
    panel.sig_agent_command.connect(commands.append)
    panel.bridge.send(session_id, "Run the tests")
    view = panel.turn_view
    await wait_until(lambda: view.timeline.item_for_call("call-1-0") is not None)
    assert commands
    assert commands[0].description == "run pytest"
    assert panel.command_line.isVisible()
    assert "run pytest" in panel.command_label.text()

    view.cancel_button.click()
    await panel.bridge.wait_turn()
    await wait_until(lambda: view.turn is not None and not view.turn.running)
    assert view.turn.status == "stopped"
    assert status(panel) == "Stopped"
    assert view.timeline.item_for_call("call-1-0").text(1) == "stopped"
    assert not panel.command_line.isVisible()


@pytest.mark.asyncio
async def test_open_shows_a_commands_full_output_as_it_streams(
    panel: AgentsPanel, backend: ScriptedAgentBackend
) -> None:
    session_id = await open_agent_session(panel, backend)
    hold = asyncio.Event()
    run = CallScript(
        "run_command",
        {"command": "pytest -q"},
        kind="command",
        description="run pytest -q",
        output=("collected 3 items\n", "... 3 passed\n"),
        hold=hold,
        summary="exit 0",
        result="3 passed",
        detail="collected 3 items\n... 3 passed\n",
    )
    backend.agent_scripts.append(AgentTurnScript(steps=[[run]]))
    panel.bridge.send(session_id, "Run the tests")
    view = panel.turn_view
    await wait_until(lambda: view.timeline.item_for_call("call-1-0") is not None)
    view.timeline.setCurrentItem(view.timeline.item_for_call("call-1-0"))
    view.open_button.click()
    output = next(iter(view.views.values()))
    assert isinstance(output, OutputView)
    assert "Status: running…" in output.text.toPlainText()
    hold.set()
    await wait_until(lambda: "3 passed" in output.text.toPlainText())
    await panel.bridge.wait_turn()
    text = output.text.toPlainText()
    assert "Status: ✓ done" in text
    assert "Summary: exit 0" in text
    assert text.count("collected 3 items") == 1  # the detail replaces the live copy
    output.close()

    step_row = view.timeline.step_items()[0]
    view.timeline.setCurrentItem(step_row)
    view.timeline.setFocus()
    from PySide6.QtTest import QTest

    QTest.keyClick(view.timeline, Qt.Key.Key_Return)
    step_view = next(v for v in view.views.values() if v is not output)
    assert "Step 1" in step_view.text.toPlainText()
    assert "run pytest -q" in step_view.text.toPlainText()
    step_view.close()


@pytest.mark.asyncio
async def test_reopening_a_session_shows_its_last_turn_from_the_stored_branch(
    panel: AgentsPanel, backend: ScriptedAgentBackend
) -> None:
    session_id = await open_agent_session(panel, backend)
    denied = CallScript(
        "write_file",
        {"path": "x.txt", "content": "x"},
        kind="edit",
        description="write x.txt",
        ask=True,
    )
    backend.agent_scripts.append(AgentTurnScript(steps=[[CallScript("list_dir", {})], [denied]]))
    panel.bridge.send(session_id, "Look around")
    await wait_until(lambda: "approval-call-2-0" in backend.approval_waiters)
    await backend.answer_approval("approval-call-2-0", "deny")
    await panel.bridge.wait_turn()

    plain = next(iter(backend.sessions))
    await open_session(panel, backend, plain)
    assert panel.turn_view.turn is None
    await open_session(panel, backend, session_id)
    view = panel.turn_view
    await wait_until(lambda: view.turn is not None)
    assert view.turn.stored
    steps = view.timeline.step_items()
    assert len(steps) == 3
    assert steps[1].child(0).text(1) == "⊘ denied"
    assert steps[0].child(0).text(1) == "✓ done"
    assert "1 denied" in view.summary_label.text()
    assert steps[0].text(0) == "Step 1"  # the model is named once, in the summary
    assert "qwen2.5-coder:7b" in view.summary_label.text()
    assert "model qwen2.5-coder:7b" in steps[0].toolTip(0)
