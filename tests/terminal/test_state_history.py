"""Per-project terminal state on disk, and the opt-in command history."""

from __future__ import annotations

from pathlib import Path

from codeface.terminal.history import CommandHistory, shell_hook_env
from codeface.terminal.state import ProjectTerminalState, load_project_state, save_project_state
from tests.terminal.helpers import PtyDriver, program_env


def test_state_round_trips_per_project(tmp_path: Path, codeface_home: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir()
    two.mkdir()
    assert load_project_state(one) == ProjectTerminalState()
    save_project_state(one, ProjectTerminalState("codeface-one", True, [str(one)]))
    save_project_state(two, ProjectTerminalState(None, False, []))
    assert load_project_state(one) == ProjectTerminalState("codeface-one", True, [str(one)])
    assert load_project_state(two).tmux_session is None
    assert (codeface_home / "data" / "terminal-state.json").is_file()


def test_corrupt_state_file_falls_back_to_defaults(tmp_path: Path, codeface_home: Path) -> None:
    path = codeface_home / "data" / "terminal-state.json"
    path.parent.mkdir(parents=True)
    path.write_text("{not json")
    assert load_project_state(tmp_path) == ProjectTerminalState()


def test_history_is_off_until_consent_and_forgets_on_withdrawal() -> None:
    history = CommandHistory()
    history.record("tests", "pytest -q", 1)
    assert (history.recent(), history.as_context()) == ([], "")
    history.set_enabled(True)
    history.record("tests", "pytest -q", 1)
    history.record("shell", "git status", 0)
    assert "[tests] $ pytest -q  (exit 1)" in history.as_context()
    history.set_enabled(False)
    history.set_enabled(True)
    assert history.recent() == []


def test_bash_hook_reports_commands_and_statuses(tmp_path: Path) -> None:
    env = program_env(tmp_path)
    env.update(shell_hook_env("/bin/bash"))
    marks: list[object] = []
    shell = PtyDriver(["/bin/bash", "--norc", "--noprofile", "-i"], cwd=tmp_path, env=env)
    shell.model.screen.on_mark = marks.append
    try:
        assert shell.wait_for(lambda: bool(marks))  # the first prompt
        marks.clear()
        shell.send(b"false\r")
        assert shell.wait_for(lambda: bool(marks))
        assert (marks[0].exit_status, marks[0].command) == (1, "false")  # type: ignore[attr-defined]
    finally:
        shell.close()
    assert shell_hook_env("/usr/bin/zsh") == {}
