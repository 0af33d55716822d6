"""The terminal follows the window's project, and the agent's commands appear live in its
agent tab (a read-only view of the project's tmux window), marked as the agent's.
Real shells, real tmux on a throw-away socket."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from codeface.application.terminal_service import TerminalService
from codeface.terminal.tmux import TmuxController, find_tmux, session_name_for
from codeface.ui.bridge import Bridge
from codeface.ui.main_window import MainWindow
from codeface.ui.widgets.terminal_panel import TerminalPanel
from codeface.ui.widgets.terminal_tmux import AGENT_TAB_COLOR
from codeface.workspace.command_output import command_environment
from codeface.workspace.tmux_runner import run_in_tmux
from tests.ui.agents_dock_fakes import AgentTurnScript, CallScript, ScriptedAgentBackend
from tests.ui.conftest import wait_until
from tests.ui.fake_backend import RecordingChatPane
from tests.ui.terminal_fixtures import BASH

pytestmark = pytest.mark.skipif(find_tmux() is None, reason="tmux is not installed")


@pytest.fixture
def tmux() -> Iterator[TmuxController]:
    controller = TmuxController("codeface-test-" + uuid.uuid4().hex[:8])
    try:
        yield controller
    finally:
        controller.kill_server()


def screen(panel: TerminalPanel, index: int) -> str:
    view = panel.views()[index]
    return "\n".join(view.screen_lines())


@pytest.mark.asyncio
async def test_agent_commands_show_live_in_a_marked_read_only_tab(
    tmux: TmuxController, tmp_path: Path, qapp: object
) -> None:
    project = tmp_path / "proj"
    project.mkdir()
    panel = TerminalPanel(terminals=TerminalService(tmux), project_dir=project, shell_argv=BASH)
    panel.resize(900, 500)
    panel.show()
    try:
        panel.check_tmux()
        await wait_until(lambda: panel.tmux_available is True)
        panel.new_tab()
        view = panel.watch_agent(focus=False)
        assert view is not None
        index = panel.tabs.indexOf(view)
        assert panel.tabs.currentIndex() != index  # it did not take the user's tab
        assert panel.tabs.tabText(index) == f"agent ▸ {session_name_for(project)}"
        assert panel.tabs.tabBar().tabTextColor(index) == AGENT_TAB_COLOR
        assert "read-only" in panel.tabs.tabToolTip(index)
        await wait_until(lambda: "agent: the commands" in screen(panel, index), 10)
        assert view.grid_size() == panel.views()[0].grid_size()  # full size while behind

        result = await run_in_tmux(
            tmux,
            project,
            "echo agent-was-here-$((6*7))",
            command_environment(),
            10,
            lambda _data: None,
        )
        assert result.exit_code == 0
        await wait_until(lambda: "agent-was-here-42" in screen(panel, index), 10)
        assert panel.watch_agent(focus=True) is view  # one agent tab per project
        assert panel.tabs.currentIndex() == index
        # The chat never types into the agent's view: it gets a shell tab of its own.
        panel.send_to_terminal("echo from-chat")
        assert panel.current_view() is not view
        panel.cancel_pending()
    finally:
        panel.shutdown()
        panel.close()
        panel.deleteLater()


@pytest.mark.usefixtures("close_windows")
@pytest.mark.asyncio
async def test_the_terminal_follows_the_project_and_the_agents_commands(
    tmux: TmuxController, tmp_path: Path, recording_pane: RecordingChatPane, state_path: Path
) -> None:
    first, second = tmp_path / "alpha", tmp_path / "beta"
    first.mkdir()
    second.mkdir()
    backend = ScriptedAgentBackend()
    backend.settings.terminal.shell = "/bin/sh"
    window = MainWindow(
        Bridge(backend),
        chat_factory=lambda: recording_pane,
        state_path=state_path,
        project=str(first),
    )
    window.show()
    await window.start()
    window.docks.terminals = TerminalService(tmux)
    window.show_terminal()
    panel = window.docks.terminal
    assert isinstance(panel, TerminalPanel)
    assert panel.project_dir == first
    assert panel.current_view().working_directory == str(first)
    await wait_until(lambda: panel.tmux_available is True)

    assert await window.open_project(str(second))
    assert panel.project_dir == second
    assert panel.create_button.text() == f"Open {session_name_for(second)}"
    assert panel.current_view().working_directory == str(second)

    # An agent command runs (its first output arrived) while the terminal is open: the
    # agent tab opens beside the user's tab.
    session = await backend.create_session(project=str(second), role="coder")
    await window.reload_sessions()
    await window.open_session(session.id)
    hold = asyncio.Event()
    backend.agent_scripts.append(
        AgentTurnScript(
            steps=[
                [
                    CallScript(
                        "run_command",
                        {"command": "pytest"},
                        kind="command",
                        description="run pytest",
                        hold=hold,
                        output=("collected 1 item\n",),
                    )
                ]
            ]
        )
    )
    recording_pane.sig_send.emit("Run the tests", [])
    await wait_until(lambda: panel.agent_view() is not None)
    agent = panel.agent_view()
    assert panel.current_view() is not agent  # shown, not focused
    window.agents_panel.watch_button.click()
    assert panel.current_view() is agent
    hold.set()
    await window.bridge.wait_turn()
    await window.shutdown()
