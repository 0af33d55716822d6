"""tmux control on a real tmux server with its own socket (killed after each test)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from codeface.terminal.history import CommandHistory
from codeface.terminal.tmux import (
    TmuxController,
    TmuxError,
    TmuxMissing,
    config_file,
    session_name_for,
)
from tests.terminal.helpers import poll_until

SHELL = "bash --norc --noprofile"


@pytest.fixture
def tmux(monkeypatch: pytest.MonkeyPatch) -> Iterator[TmuxController]:
    monkeypatch.setenv("PS1", "$ ")
    controller = TmuxController("codeface-test-" + uuid.uuid4().hex[:8])
    try:
        yield controller
    finally:
        controller.kill_server()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    folder = tmp_path / "My Project"
    folder.mkdir()
    return folder


def test_detects_tmux_and_reports_a_missing_binary(tmp_path: Path) -> None:
    assert TmuxController("codeface-test-x").check() >= (3, 2)
    missing = TmuxController("codeface-test-x", binary=None)
    missing._binary = None
    import codeface.terminal.tmux as tmux_module

    original = tmux_module.find_tmux
    tmux_module.find_tmux = lambda: None
    try:
        with pytest.raises(TmuxMissing) as caught:
            missing.check()
    finally:
        tmux_module.find_tmux = original
    assert "not installed" in caught.value.user_message
    assert "apt install tmux" in caught.value.hint


def test_project_session_gets_the_default_layout(tmux: TmuxController, project: Path) -> None:
    assert tmux.list_sessions() == []
    name = tmux.ensure_project_session(project, shell=SHELL)
    assert name == session_name_for(project) == "codeface-my-project"
    assert [s.name for s in tmux.list_sessions()] == [name]
    panes = tmux.list_panes(name)
    assert [pane.role for pane in panes] == ["editor", "shell", "tests"]
    widths = [pane.width for pane in panes]
    assert max(widths) - min(widths) <= 1  # even-horizontal: editor | shell | tests
    assert tmux.ensure_project_session(project, shell=SHELL) == name  # reused, not doubled
    assert len(tmux.list_sessions()) == 1


def test_user_tmux_conf_override_changes_the_layout(
    tmux: TmuxController, project: Path, codeface_home: Path
) -> None:
    override = codeface_home / "config" / "tmux.conf"
    override.parent.mkdir(parents=True)
    override.write_text('set -g @codeface-panes "code logs"\nset -g status off\n')
    assert config_file() == override
    name = tmux.ensure_project_session(project, shell=SHELL)
    assert [pane.role for pane in tmux.list_panes(name)] == ["code", "logs"]


def test_send_text_types_without_running(tmux: TmuxController, project: Path) -> None:
    name = tmux.ensure_project_session(project, shell=SHELL)
    pane = tmux.resolve_pane("shell", name)
    target = project / "created.txt"
    tmux.send_text(pane, f"touch '{target}'")
    assert poll_until(lambda: "created.txt" in tmux.capture(pane, 5))
    assert not target.exists()
    tmux.press_enter(pane)
    assert poll_until(target.exists)
    # tmux treats an argument ending in ";" as a command separator; text must survive it.
    tmux.send_text(pane, "echo 'a;b' ;")
    assert poll_until(lambda: "echo 'a;b' ;" in tmux.capture(pane, 3))


def test_run_and_wait_reports_output_and_exit_status(tmux: TmuxController, project: Path) -> None:
    history = CommandHistory(enabled=True)
    tmux.on_command = lambda pane, command, status: history.record(pane, command, status)
    name = tmux.ensure_project_session(project, shell=SHELL)
    pane = tmux.resolve_pane("tests", name)
    ok = tmux.run_and_wait(pane, "echo alpha; echo beta", timeout=10)
    assert (ok.exit_status, ok.output, ok.timed_out) == (0, "alpha\nbeta", False)
    failed = tmux.run_and_wait(pane, "ls /definitely-missing", timeout=10)
    assert failed.exit_status == 2
    assert "definitely-missing" in failed.output
    slow = tmux.run_and_wait(pane, "sleep 5", timeout=0.3)
    assert (slow.timed_out, slow.exit_status) == (True, None)
    assert [r.exit_status for r in history.recent()] == [0, 2, None]


def test_capture_returns_the_last_lines(tmux: TmuxController, project: Path) -> None:
    name = tmux.ensure_project_session(project, shell=SHELL)
    pane = tmux.resolve_pane("shell", name)
    tmux.run_and_wait(pane, "seq 1 300", timeout=10)
    text = tmux.capture(pane, lines=4)
    lines = text.splitlines()
    assert len(lines) == 4
    assert lines[:2] == ["299", "300"]


def test_unknown_pane_is_a_clear_error(tmux: TmuxController, project: Path) -> None:
    name = tmux.ensure_project_session(project, shell=SHELL)
    with pytest.raises(TmuxError, match="No pane named 'docs'"):
        tmux.resolve_pane("docs", name)


@pytest.mark.asyncio
async def test_async_wrappers_run_off_the_loop(tmux: TmuxController, project: Path) -> None:
    name = await tmux.aensure_project_session(project, shell=SHELL)
    sessions = await tmux.alist_sessions()
    assert [s.name for s in sessions] == [name]
    panes = await tmux.alist_panes(name)
    result = await tmux.arun_and_wait(panes[1].pane_id, "echo from-async", timeout=10)
    assert (result.exit_status, result.output) == (0, "from-async")
    assert "from-async" in await tmux.acapture(panes[1].pane_id, 10)


def test_attach_command_targets_the_isolated_socket(tmux: TmuxController) -> None:
    argv = tmux.attach_argv("codeface-x")
    assert argv[1:3] == ["-L", tmux.socket_name]
    assert argv[-2:] == ["-t", "=codeface-x"]


def test_the_project_session_made_by_two_callers_at_once_is_one_session(
    tmux: TmuxController, project: Path
) -> None:
    # The agent's command and the terminal panel may both ask for it at the same moment.
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=4) as pool:
        names = list(
            pool.map(lambda _n: tmux.ensure_project_session(project, shell=SHELL), range(4))
        )
    assert set(names) == {session_name_for(project)}
    assert [s.name for s in tmux.list_sessions()] == [session_name_for(project)]
