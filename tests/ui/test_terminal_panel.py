"""The terminal panel: tabs, the chat's send/capture, tmux attach and restore."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QPoint

from codeface.application.terminal_service import TerminalService
from codeface.terminal.state import load_project_state
from codeface.terminal.tmux import TmuxController, session_name_for
from codeface.ui.widgets.terminal_panel import TerminalPanel
from tests.ui.conftest import wait_until
from tests.ui.terminal_fixtures import BASH, close_later, project, shell_env

_ = (close_later, project, shell_env)


@pytest.fixture
def tmux(monkeypatch: pytest.MonkeyPatch) -> Iterator[TmuxController]:
    monkeypatch.setenv("PS1", "$ ")
    controller = TmuxController("codeface-test-" + uuid.uuid4().hex[:8])
    try:
        yield controller
    finally:
        controller.kill_server()


def make_panel(qtbot, project, shell_env, close_later, tmux=None) -> TerminalPanel:
    service = TerminalService(tmux or TmuxController("codeface-test-unused"))
    panel = TerminalPanel(
        terminals=service,
        project_dir=project,
        shell_argv=BASH,
        env=shell_env,
    )
    qtbot.addWidget(panel)
    close_later.append(panel)
    panel.resize(900, 500)
    panel.show()
    return panel


def prompt_ready(panel: TerminalPanel) -> bool:
    view = panel.current_view()
    return view is not None and any(line.startswith("$") for line in view.screen_lines())


def test_tabs_start_in_the_project_and_are_remembered(
    qloop, qtbot, project, shell_env, close_later
):
    panel = make_panel(qtbot, project, shell_env, close_later)
    panel.restore()
    assert panel.tabs.count() == 1
    qtbot.waitUntil(lambda: prompt_ready(panel), timeout=5000)
    (project / "sub").mkdir()
    panel.new_tab(project / "sub")
    assert panel.tabs.count() == 2
    qtbot.waitUntil(
        lambda: panel.current_view().working_directory == str(project / "sub"), timeout=5000
    )
    panel.save_state()
    assert load_project_state(project).tabs == [str(project), str(project / "sub")]
    panel.close_tab(0)
    assert panel.tabs.count() == 1
    assert load_project_state(project).tabs == [str(project / "sub")]


def test_send_to_terminal_waits_for_confirmation(qloop, qtbot, project, shell_env, close_later):
    panel = make_panel(qtbot, project, shell_env, close_later)
    panel.new_tab()
    qtbot.waitUntil(lambda: prompt_ready(panel), timeout=5000)
    with qtbot.waitSignal(panel.sig_awaiting_confirmation, timeout=2000):
        panel.send_to_terminal("touch made-by-chat.txt\n")
    view = panel.current_view()
    qtbot.waitUntil(
        lambda: any("touch made-by-chat.txt" in line for line in view.screen_lines()), timeout=5000
    )
    assert panel.awaiting_confirmation
    assert panel.confirm_bar.isVisible()
    assert not (project / "made-by-chat.txt").exists()
    with qtbot.waitSignal(panel.sig_command_confirmed, timeout=2000):
        panel.confirm_run.click()
    qtbot.waitUntil(lambda: (project / "made-by-chat.txt").exists(), timeout=5000)
    assert not panel.confirm_bar.isVisible()


def test_cancel_clears_the_typed_command(qloop, qtbot, project, shell_env, close_later):
    panel = make_panel(qtbot, project, shell_env, close_later)
    panel.new_tab()
    qtbot.waitUntil(lambda: prompt_ready(panel), timeout=5000)
    panel.send_to_terminal("touch never.txt")
    view = panel.current_view()
    qtbot.waitUntil(lambda: any("never.txt" in line for line in view.screen_lines()), timeout=5000)
    panel.confirm_cancel.click()
    view.send_text("echo after-cancel", enter=True)
    qtbot.waitUntil(lambda: "after-cancel" in view.screen_lines(), timeout=5000)
    assert not (project / "never.txt").exists()


@pytest.mark.asyncio
async def test_capture_returns_the_last_lines(qtbot, project, shell_env, close_later):
    panel = make_panel(qtbot, project, shell_env, close_later)
    view = panel.new_tab()
    await wait_until(lambda: prompt_ready(panel))
    view.send_text("seq 1 40", enter=True)
    await wait_until(lambda: "40" in view.screen_lines())
    text = await panel.capture(3)
    assert text.splitlines() == ["39", "40", "$"]


def test_missing_tmux_is_explained(qloop, qtbot, project, shell_env, close_later):
    broken = TmuxController("codeface-test-none", binary=str(project / "no-tmux-here"))
    panel = make_panel(qtbot, project, shell_env, close_later, tmux=broken)
    panel.check_tmux()
    qtbot.waitUntil(lambda: panel.tmux_available is False, timeout=5000)
    assert "Install tmux" in panel.tmux_label.text()
    assert not panel.attach_button.isEnabled()


def test_project_session_attaches_beside_the_chat_and_is_reattached(
    qloop, qtbot, project, shell_env, close_later, tmux
):
    panel = make_panel(qtbot, project, shell_env, close_later, tmux=tmux)
    panel.check_tmux()
    qtbot.waitUntil(lambda: panel.tmux_available is True, timeout=5000)
    with qtbot.waitSignal(panel.sig_attached, timeout=10000) as attached:
        panel.attach_project_session()
    name = session_name_for(project)
    assert attached.args == [name]
    view = panel.current_view()
    qtbot.waitUntil(
        lambda: any("editor" in line and "shell" in line for line in view.screen_lines()),
        timeout=10000,
    )
    assert load_project_state(project).tmux_session == name

    # The chat types into the "tests" pane; Enter only after confirmation.
    with qtbot.waitSignal(panel.sig_awaiting_confirmation, timeout=5000):
        panel.send_to_terminal("echo from-chat > chat.txt", pane="tests")
    tests_pane = tmux.resolve_pane("tests", name)
    qtbot.waitUntil(lambda: "from-chat" in tmux.capture(tests_pane, 5), timeout=5000)
    assert not (project / "chat.txt").exists()
    panel.confirm_pending()
    qtbot.waitUntil(lambda: (project / "chat.txt").exists(), timeout=5000)

    panel.shutdown()
    assert [s.name for s in tmux.list_sessions()] == [name]  # outlives the panel

    again = make_panel(qtbot, project, shell_env, close_later, tmux=tmux)
    with qtbot.waitSignal(again.sig_attached, timeout=10000) as reattached:
        again.restore()
    assert reattached.args == [name]
    assert again.tabs.count() == 2  # the shell tab and the tmux tab


@pytest.mark.asyncio
async def test_targets_and_history_context_need_consent(qtbot, project, shell_env, close_later):
    panel = make_panel(qtbot, project, shell_env, close_later)
    assert await panel.targets() == ["current"]
    panel.history.record("tests", "pytest -q", 1)
    assert panel.recent_commands_context() == ""
    panel.set_history_sharing(True)
    view = panel.new_tab()
    await wait_until(lambda: prompt_ready(panel))
    marks: list[object] = []
    panel.sig_command_finished.connect(marks.append)
    view.send_text("false", enter=True)
    await wait_until(lambda: marks)
    assert "$ false  (exit 1)" in panel.recent_commands_context()


@pytest.mark.parametrize("width", [900, 420, 260])
def test_the_tmux_bar_wraps_in_a_narrow_dock_instead_of_cutting_controls_off(
    qloop, qtbot, project, shell_env, close_later, width
):
    panel = make_panel(qtbot, project, shell_env, close_later)
    panel.resize(width, 500)
    qtbot.waitUntil(lambda: panel.width() == width)
    controls = [
        panel.new_tab_button,
        panel.session_combo,
        panel.attach_button,
        panel.create_button,
        panel.agent_button,
        panel.refresh_button,
        panel.tmux_label,
    ]
    for control in controls:
        place = control.geometry().translated(control.parentWidget().mapTo(panel, QPoint()))
        assert panel.rect().contains(place), (control, place, panel.rect())
        assert control.isVisible()
    one_row = max(c.geometry().top() for c in controls) < min(
        c.geometry().bottom() for c in controls
    )
    assert one_row == (width == 900)  # one row when there is room, more when narrow
    assert panel.tabs.geometry().top() >= max(c.geometry().bottom() for c in controls)
