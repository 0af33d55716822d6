"""Full-screen programs in our screen model and in real tmux, side by side.

Each program runs twice at 80x24 with the same files and environment: once on a real pty
feeding `TerminalModel` (what the widget paints), once in a detached tmux session. After
the same keystrokes both must show the same text. Needs vim, less, procps (top) and git.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.terminal.helpers import diff, poll_until, program_env, screens_agree, side_by_side


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    folder = tmp_path / "work"
    folder.mkdir()
    (folder / "notes.txt").write_text(
        "".join(f"line {n:03d}: the quick brown fox jumps over the lazy dog\n" for n in range(120))
    )
    return folder


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    home = tmp_path / "home"
    home.mkdir()
    return program_env(home)


def _agree(ours, theirs, what: str) -> None:
    assert screens_agree(ours, theirs), f"{what}: screens differ (ours | tmux)\n" + diff(
        ours, theirs
    )


def test_vim_edits_and_restores_the_shell_screen(workdir: Path, env: dict[str, str]) -> None:
    argv = ["vim", "-u", "NONE", "-i", "NONE", "-N", "-n", "notes.txt"]
    with side_by_side(argv, cwd=workdir, env=env) as (ours, theirs):
        assert ours.wait_text('"notes.txt" 120L')
        _agree(ours, theirs, "vim opened")
        assert ours.model.screen.in_alternate_screen
        for keys in (":set number\r", "50Gdd", "ggOinserted at the top\x1b", ":set nonu\r"):
            ours.send(keys.encode())
            theirs.send(keys)
            _agree(ours, theirs, f"vim after {keys!r}")
        assert ours.lines[0] == "inserted at the top"
        ours.send(b":q!\r")
        assert ours.wait_for(lambda: ours.eof)
        assert not ours.model.screen.in_alternate_screen


def test_less_pages_forward_and_back(workdir: Path, env: dict[str, str]) -> None:
    with side_by_side(["less", "notes.txt"], cwd=workdir, env=env) as (ours, theirs):
        assert ours.wait_text("line 022")
        _agree(ours, theirs, "less opened")
        for keys in (" ", " ", "b", "G", "/line 07\r", "g"):
            ours.send(keys.encode())
            theirs.send(keys)
            _agree(ours, theirs, f"less after {keys!r}")
        assert ours.lines[0].startswith("line 000")


def test_git_log_in_its_pager(workdir: Path, env: dict[str, str]) -> None:
    git_env = {
        **env,
        "GIT_AUTHOR_NAME": "Ada",
        "GIT_AUTHOR_EMAIL": "ada@example.com",
        "GIT_COMMITTER_NAME": "Ada",
        "GIT_COMMITTER_EMAIL": "ada@example.com",
        "GIT_AUTHOR_DATE": "2024-01-01T12:00:00Z",
        "GIT_COMMITTER_DATE": "2024-01-01T12:00:00Z",
    }
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=workdir, env=git_env, check=True)
    for number in range(15):
        subprocess.run(
            ["git", "commit", "-q", "--allow-empty", "-m", f"change number {number}"],
            cwd=workdir,
            env=git_env,
            check=True,
        )
    argv = ["git", "-c", "color.ui=always", "log"]
    with side_by_side(argv, cwd=workdir, env=git_env) as (ours, theirs):
        assert ours.wait_text("change number 14")
        _agree(ours, theirs, "git log opened")
        screen = ours.model.screen
        commit_row = next(y for y, text in enumerate(ours.lines) if text.startswith("commit "))
        assert screen.buffer[commit_row][0].fg == "brown"  # git colours the hash yellow
        for keys in ("  ", "b", "q"):
            ours.send(keys.encode())
            theirs.send(keys)
            if keys != "q":
                _agree(ours, theirs, f"git log after {keys!r}")
        assert ours.wait_for(lambda: ours.eof)


def test_top_draws_its_header_and_process_table(workdir: Path, env: dict[str, str]) -> None:
    argv = ["top", "-d", "30"]
    with side_by_side(argv, cwd=workdir, env=env) as (ours, theirs):
        assert ours.wait_text("PID USER")

        def header_matches() -> bool:
            ours.pump(0.05)
            theirs_header = [line for line in theirs.lines if "PID USER" in line]
            ours_header = [line for line in ours.lines if "PID USER" in line]
            return bool(theirs_header) and ours_header == theirs_header

        assert poll_until(header_matches), diff(ours, theirs)
        labels = ("top -", "Tasks:", "%Cpu", "MiB Mem", "MiB Swap")
        for label in labels:
            ours_rows = [y for y, line in enumerate(ours.lines) if line.startswith(label)]
            theirs_rows = [y for y, line in enumerate(theirs.lines) if line.startswith(label)]
            assert ours_rows == theirs_rows, (label, diff(ours, theirs))
        ours.send(b"q")
        assert ours.wait_for(lambda: ours.eof)
