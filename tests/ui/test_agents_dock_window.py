"""The Agents dock inside the window (fake backend): it follows the window's project and
open session, a role change reaches the window's session list, and "New agent session"
creates a session of the open project answered by the chosen role."""

from __future__ import annotations

from pathlib import Path

import pytest

from codeface.ui.agents import AgentsPanel
from codeface.ui.bridge import Bridge
from codeface.ui.main_window import MainWindow
from tests.ui.agents_dock_fakes import ScriptedAgentBackend, reading_turn
from tests.ui.conftest import wait_until
from tests.ui.fake_backend import RecordingChatPane
from tests.ui.fake_project import FAKE_ROOT


@pytest.mark.usefixtures("close_windows")
@pytest.mark.asyncio
async def test_the_dock_follows_the_window_and_starts_agent_sessions(
    recording_pane: RecordingChatPane, state_path: Path
) -> None:
    backend = ScriptedAgentBackend()
    plain = backend.add_session("Plain", [("user", "hi"), ("assistant", "hello")])
    window = MainWindow(
        Bridge(backend),
        chat_factory=lambda: recording_pane,
        state_path=state_path,
        project=FAKE_ROOT,
    )
    window.show()
    await window.start()
    panel = window.agents_panel
    assert isinstance(panel, AgentsPanel)
    assert window.docks.docks["agents"].widget() is panel
    assert panel.project is not None
    assert panel.project.key == FAKE_ROOT
    await wait_until(lambda: panel.bar.role_combo.count() > 1)
    assert panel.session is not None
    assert panel.session.id == plain
    # The plain session has no project: the bar offers a new agent session instead.
    assert panel.bar.new_session_button.isVisibleTo(panel)

    panel.bar.role_combo.setCurrentIndex(panel.bar.role_combo.findData("architect"))
    panel.bar.new_session_button.click()
    await wait_until(lambda: window.conversation.session_id not in (None, plain))
    created = window.sessions[window.conversation.session_id]
    assert created.role == "architect"
    assert created.project == FAKE_ROOT
    await wait_until(lambda: panel.session is not None and panel.session.id == created.id)
    assert panel.turn_view.pages.currentWidget() is panel.turn_view.turn_page
    assert not panel.bar.new_session_button.isVisibleTo(panel)

    # A turn sent from the chat shows in the dock.
    backend.agent_scripts.append(reading_turn(2))
    recording_pane.sig_send.emit("Explain the project", [])
    await window.bridge.wait_turn()
    await wait_until(lambda: len(panel.turn_view.timeline.step_items()) == 3)

    window.show_agents()
    assert window.docks.docks["agents"].isVisible()
    await window.shutdown()


@pytest.mark.usefixtures("close_windows")
@pytest.mark.asyncio
async def test_a_role_picked_in_the_dock_reaches_the_windows_session_list(
    recording_pane: RecordingChatPane, state_path: Path
) -> None:
    backend = ScriptedAgentBackend()
    session = backend.add_session("Work", [("user", "hi")], project=FAKE_ROOT)
    window = MainWindow(
        Bridge(backend),
        chat_factory=lambda: recording_pane,
        state_path=state_path,
        project=FAKE_ROOT,
    )
    window.show()
    await window.start()
    panel = window.agents_panel
    await wait_until(lambda: panel.bar.role_combo.count() > 1)
    panel.bar.role_combo.setCurrentIndex(panel.bar.role_combo.findData("reviewer"))
    await wait_until(lambda: window.sessions[session].role == "reviewer")
    assert backend.session_roles[session] == "reviewer"
    await window.shutdown()
