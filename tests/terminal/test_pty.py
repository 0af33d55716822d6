"""A real shell on a real pty: environment, size, folder, exit status."""

from __future__ import annotations

from pathlib import Path

import pytest

from codeface.terminal.pty_session import PtySession, clean_environment, is_secret_name
from tests.terminal.helpers import PtyDriver, poll_until, program_env

BASH = ["/bin/bash", "--norc", "--noprofile"]


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-secret-value")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://x")
    monkeypatch.setenv("MISTRAL_API_KEY", "m-secret")
    monkeypatch.setenv("HARMLESS_SETTING", "kept")
    home = tmp_path / "home"
    home.mkdir()
    return program_env(home)


def test_shell_environment_has_no_provider_keys(env: dict[str, str], tmp_path: Path) -> None:
    shell = PtyDriver(BASH, cwd=tmp_path, env=env)
    try:
        shell.send(b"env | grep -c -E 'API_KEY|OPENAI_' ; echo \"T=$TERM H=$HARMLESS_SETTING\"\r")
        assert shell.wait_text("T=xterm-256color H=kept")
        assert "0" in shell.lines
    finally:
        shell.close()


def test_clean_environment_rules() -> None:
    env = clean_environment(
        {
            "OPENAI_API_KEY": "x",
            "GROQ_API_KEY": "y",
            "PATH": "/bin",
            "ANTHROPIC_BASE_URL": "z",
            "TMUX": "/tmp/s",
            "LANG": "C",
        }
    )
    assert env["PATH"] == "/bin"
    assert env["TERM"] == "xterm-256color"
    assert "UTF-8" in env["LANG"]
    assert not any(is_secret_name(name) for name in env)
    assert "TMUX" not in env


def test_starts_in_the_requested_folder_and_follows_cd(env: dict[str, str], tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / "src").mkdir(parents=True)
    shell = PtyDriver(BASH, cwd=project, env=env)
    try:
        shell.send(b"pwd\r")
        assert shell.wait_text(str(project))
        shell.send(b"cd src && echo moved\r")
        assert shell.wait_for(
            lambda: (
                "moved" in shell.lines and shell.session.working_directory() == str(project / "src")
            )
        )
    finally:
        shell.close()


def test_resize_reaches_the_child(env: dict[str, str], tmp_path: Path) -> None:
    shell = PtyDriver(BASH, rows=24, columns=80, cwd=tmp_path, env=env)
    try:
        shell.send(b"stty size\r")
        assert shell.wait_text("24 80")
        shell.session.resize(30, 100)
        shell.model.resize(30, 100)
        shell.send(b"stty size; echo cols=$COLUMNS\r")
        assert shell.wait_text("30 100")
        assert shell.session.size() == (30, 100)
    finally:
        shell.close()


def test_exit_status_is_reported(env: dict[str, str], tmp_path: Path) -> None:
    shell = PtyDriver(BASH, cwd=tmp_path, env=env)
    shell.send(b"exit 7\r")
    assert shell.wait_for(lambda: shell.eof)
    assert poll_until(lambda: shell.session.poll() is not None, timeout=5)
    assert shell.session.poll() == 7
    shell.close()


def test_read_never_blocks_and_close_hangs_up(env: dict[str, str], tmp_path: Path) -> None:
    session = PtySession.spawn(["/bin/cat"], cwd=tmp_path, env=env)
    assert session.read() == b""  # nothing written yet: returns at once, empty
    assert session.alive
    session.close()
    assert session.read() is None
    assert poll_until(lambda: not session.alive, timeout=5)
