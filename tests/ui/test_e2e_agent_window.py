"""End to end: the real window, bridge, pane and `AppBackend` run an agent turn against
the scripted Ollama server, on a real project folder.

Open a project; ``@coder`` makes the session an agent session; the agent reads, proposes
an edit, the test approves the card with the keyboard and the file changes on disk; the
test command's output streams into its card. Denying leaves the file as it was.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from codeface.app import build_backend
from codeface.core.settings import Settings
from codeface.ui.bridge import Bridge
from codeface.ui.chat.agent_items import ApprovalItem, ToolStep
from codeface.ui.chat.approval_card import ApprovalCardRow
from codeface.ui.chat.tool_card import ToolCardRow
from codeface.ui.main_window import MainWindow
from codeface.workspace import Workspace, WorkspaceOptions
from tests.fakes.ollama_server import OllamaServer
from tests.ui.conftest import wait_until
from tests.ui.local_settings import save_local_only_settings

pytest_plugins = ["tests.fakes.fixtures"]

BROKEN = "def add(a, b):\n    return a - b\n"
TEST = "from calc import add\n\n\ndef test_add():\n    assert add(2, 3) == 5\n"
FIX = {"path": "calc.py", "old_text": "return a - b", "new_text": "return a + b"}
RUN_TESTS = {"command": f"{sys.executable} -m pytest -q -p no:cacheprovider test_calc.py"}


@pytest.fixture
def configured(ollama_server: OllamaServer) -> Settings:
    """Settings on disk: only the fake Ollama, local only."""
    return save_local_only_settings(ollama_server.url)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A small project with a bug and the test that shows it."""
    folder = tmp_path / "calc-project"
    folder.mkdir()
    (folder / "calc.py").write_text(BROKEN)
    (folder / "test_calc.py").write_text(TEST)
    return folder


async def open_agent_window(project: Path) -> MainWindow:
    """The real window on ``project`` with a new session; commands run in a pty (not in
    the user's tmux server)."""
    backend = build_backend()
    workspace = Workspace.open(project, options=WorkspaceOptions(terminal="pty"))
    backend.context.workspaces[workspace.key] = workspace  # type: ignore[attr-defined]
    window = MainWindow(Bridge(backend), project=str(project))
    window.resize(1100, 800)
    window.show()
    await window.start()
    assert window.project is not None
    assert window.project.key == workspace.key
    await window.on_new_session()
    await wait_until(lambda: window.conversation.session_id is not None)
    return window


def items(window: MainWindow, kind: type) -> list:  # type: ignore[type-arg]
    return [item for item in window.chat.transcript.items if isinstance(item, kind)]


async def pending_card(window: MainWindow, count: int) -> ApprovalCardRow:
    await wait_until(
        lambda: (
            len(items(window, ApprovalItem)) == count
            and items(window, ApprovalItem)[-1].state == "pending"
        ),
        timeout=15,
    )
    await wait_until(window.chat.transcript.settled)
    row = window.chat.transcript.widget_for(items(window, ApprovalItem)[-1].id)
    assert isinstance(row, ApprovalCardRow)
    await wait_until(lambda: QApplication.focusWidget() is row.allow_button)
    return row


@pytest.mark.usefixtures("close_windows")
@pytest.mark.asyncio
async def test_an_agent_reads_edits_with_approval_and_runs_the_tests(
    configured: Settings, ollama_server: OllamaServer, project: Path
) -> None:
    ollama_server.tool_call("read_file", {"path": "calc.py"}, text="Let me look.")
    ollama_server.tool_call("edit_file", FIX)
    ollama_server.tool_call("run_command", RUN_TESTS)
    ollama_server.reply_text("Fixed add(): it subtracted. The test passes.")
    window = await open_agent_window(project)

    window.chat.composer.edit.setPlainText("@coder Fix the failing test")
    window.chat.composer.submit()

    edit_card = await pending_card(window, 1)
    assert edit_card._diff is not None
    assert [(h.removed, h.added) for h in edit_card._diff.hunks] == [(1, 1)]
    assert window.chat.composer.waiting.isVisibleTo(window.chat)
    assert (project / "calc.py").read_text() == BROKEN
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)  # type: ignore[arg-type]
    await wait_until(lambda: (project / "calc.py").read_text() != BROKEN, timeout=10)
    assert (project / "calc.py").read_text() == "def add(a, b):\n    return a + b\n"

    command_card = await pending_card(window, 2)
    assert command_card.command.text() == RUN_TESTS["command"]
    assert command_card.folder.text() == f"in {Workspace.open(project).root}"
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)  # type: ignore[arg-type]

    def command_step() -> ToolStep | None:
        found = [s for s in items(window, ToolStep) if s.call.name == "run_command"]
        return found[0] if found else None

    # The output arrives while the command runs, into the card's own output box.
    await wait_until(lambda: command_step() is not None and "passed" in command_step().output)  # type: ignore[union-attr]
    await window.bridge.wait_turn()
    await wait_until(window.chat.transcript.settled)
    steps = items(window, ToolStep)
    assert [(s.call.name, s.status) for s in steps] == [
        ("read_file", "ok"),
        ("edit_file", "ok"),
        ("run_command", "ok"),
    ]
    assert steps[0].description == "read calc.py"
    # "@coder" made the session an agent session: the Agents dock says so too, and
    # followed the turn although it was never opened (it was built as the turn began).
    assert window.docks is not None
    assert "agents" in window.docks.panels
    assert window.agents_panel is not None
    assert len(window.agents_panel.turn_view.timeline.step_items()) == 4
    assert window.agents_panel.bar.role_combo.currentData() == "coder"
    assert window.sessions[window.conversation.session_id or ""].role == "coder"
    # "Open" on the card of the file it read shows that file in the Code dock.
    read_card = window.chat.transcript.widget_for(steps[0].id)
    assert isinstance(read_card, ToolCardRow)
    read_card.open_button.click()
    await wait_until(lambda: window.code_panel is not None and window.code_panel.isVisible())
    assert window.code_panel is not None
    shown = window.code_panel.tabs.current()
    assert shown is not None
    assert shown.path == "calc.py"
    card = window.chat.transcript.widget_for(steps[2].id)
    assert isinstance(card, ToolCardRow)
    assert card._text_view is not None
    assert "1 passed" in card._text_view.toPlainText()
    assert [a.decision for a in items(window, ApprovalItem)] == ["once", "once"]
    assert not window.chat.composer.waiting.isVisibleTo(window.chat)
    session = window.conversation.session_id
    assert session is not None
    runs = await window.bridge.backend.tool_runs(session)
    assert [(r.tool, r.approver) for r in runs] == [
        ("read_file", "auto"),
        ("edit_file", "user"),
        ("run_command", "user"),
    ]
    live_summaries = [s.summary for s in steps]
    assert live_summaries[1] == "changed calc.py"
    live_rows = [(a.description, a.reason) for a in items(window, ApprovalItem)]
    # Opened again from the store, the session shows the same steps.
    await window.open_session(session)
    await wait_until(window.chat.transcript.settled)
    reopened = items(window, ToolStep)
    assert [(s.call.name, s.status) for s in reopened] == [
        ("read_file", "ok"),
        ("edit_file", "ok"),
        ("run_command", "ok"),
    ]
    assert [s.summary for s in reopened] == live_summaries
    # ... and the two rows of what the user allowed ("once"), each after its step.
    # (A stored call is said by the window's own words, without the live "in <project>".)
    approvals = items(window, ApprovalItem)
    assert [a.description for a in approvals] == [s.description for s in reopened[1:]]
    assert all(
        live.startswith(again.description) and live_reason == again.reason
        for (live, live_reason), again in zip(live_rows, approvals, strict=True)
    )
    assert [(a.state, a.decision) for a in approvals] == [("decided", "once")] * 2
    shown = window.chat.transcript.items
    assert [shown.index(a) for a in approvals] == [shown.index(s) + 1 for s in reopened[1:]]
    await wait_until(window.chat.transcript.settled)
    row = window.chat.transcript.widget_for(approvals[0].id)
    assert isinstance(row, ApprovalCardRow)
    assert row.title.text().startswith("✓ Allowed once: ")
    await window.shutdown()


@pytest.mark.usefixtures("close_windows")
@pytest.mark.asyncio
async def test_denying_the_edit_leaves_the_file_unchanged(
    configured: Settings, ollama_server: OllamaServer, project: Path
) -> None:
    ollama_server.tool_call("edit_file", FIX)
    ollama_server.reply_text("Understood, I will not change it.")
    window = await open_agent_window(project)
    window.chat.composer.edit.setPlainText("@coder fix it")
    window.chat.composer.submit()

    card = await pending_card(window, 1)
    QTest.keyClicks(card.reason, "not today")
    QTest.keyClick(card.reason, Qt.Key.Key_Return)
    await window.bridge.wait_turn()

    assert (project / "calc.py").read_text() == BROKEN
    (step,) = items(window, ToolStep)
    assert step.status == "denied"
    (approval,) = items(window, ApprovalItem)
    assert (approval.decision, approval.reason) == ("deny", "not today")
    second = ollama_server.requests_to("/api/chat")[1].json
    assert "The user denied this (not today)" in str(second)
    live_title = row_title(window, approval.id)
    assert live_title.startswith("✗ Denied: edit calc.py")
    # Opened again, the denial reads as it did live.
    session = window.conversation.session_id
    assert session is not None
    await window.open_session(session)
    await wait_until(window.chat.transcript.settled)
    (reopened,) = items(window, ApprovalItem)
    assert (reopened.decision, reopened.reason) == ("deny", "not today")
    assert row_title(window, reopened.id) == live_title
    (step,) = items(window, ToolStep)
    assert (step.status, step.summary) == ("denied", "denied by the user (not today)")
    await window.shutdown()


def row_title(window: MainWindow, item_id: str) -> str:
    row = window.chat.transcript.widget_for(item_id)
    assert isinstance(row, ApprovalCardRow)
    return row.title.text()
