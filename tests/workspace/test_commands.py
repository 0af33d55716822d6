"""Commands in a real tmux session and on a real pty: status, timeout, cut output, clean keys."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest

from codeface.core.errors import WorkspaceError
from codeface.terminal.tmux import TmuxController, session_name_for
from codeface.workspace import Workspace
from codeface.workspace.command_output import HEAD_CHARS, TAIL_CHARS
from tests.terminal.helpers import poll_until

TERMINALS = ["tmux", "pty"]
SECRET = "-".join(("sk", "ant", "api03", "fake", "test", "value"))  # built: not a real key


def gone(pid: int) -> bool:
    """True once ``pid`` no longer runs (exited and reaped, or a zombie)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stream:
            return stream.read().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


@pytest.fixture(params=TERMINALS)
def workspace(
    request: pytest.FixtureRequest, project: Path, open_workspace: Callable[..., Workspace]
) -> Workspace:
    return open_workspace(project, terminal=request.param)


@pytest.mark.asyncio
async def test_exit_code_output_and_folder(workspace: Workspace) -> None:
    chunks: list[str] = []
    result = await workspace.run_command(
        "echo out; echo err >&2; pwd; exit 3", timeout_s=30, on_output=chunks.append
    )
    assert result.exit_code == 3
    assert not result.timed_out
    assert result.output == f"out\nerr\n{workspace.root}\n"
    assert "".join(chunks) == result.output
    assert result.ran_in == workspace.options.terminal
    assert result.cwd == str(workspace.root)
    assert result.duration_s > 0
    ok = await workspace.run_command("true", timeout_s=30)
    assert (ok.exit_code, ok.output) == (0, "")


@pytest.mark.asyncio
async def test_timeout_kills_the_whole_process_group(workspace: Workspace) -> None:
    pid_file = workspace.root / "child.pid"
    result = await workspace.run_command(
        f"sleep 300 & echo $! > {pid_file}; echo waiting; wait", timeout_s=1.5
    )
    assert result.timed_out
    assert result.exit_code is None
    assert "waiting" in result.output
    child = int(pid_file.read_text())
    assert poll_until(lambda: gone(child), timeout=10), "the background child survived"


@pytest.mark.asyncio
async def test_cancelling_the_turn_kills_the_command(workspace: Workspace) -> None:
    started = asyncio.Event()
    pid_file = workspace.root / "child.pid"

    def on_output(text: str) -> None:
        if "started" in text:
            started.set()

    task = asyncio.create_task(
        workspace.run_command(
            f"sleep 300 & echo $! > {pid_file}; echo started; wait",
            timeout_s=120,
            on_output=on_output,
        )
    )
    await asyncio.wait_for(started.wait(), 30)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    child = int(pid_file.read_text())
    assert poll_until(lambda: gone(child), timeout=10)


@pytest.mark.asyncio
async def test_long_output_keeps_head_and_tail_with_the_cut_marked(workspace: Workspace) -> None:
    result = await workspace.run_command("seq 1 200000", timeout_s=60)
    assert result.exit_code == 0
    assert result.output_cut
    assert result.output.startswith("1\n2\n3\n")
    assert result.output.endswith("199999\n200000\n")
    assert "characters of output cut here" in result.output
    assert len(result.output) < HEAD_CHARS + TAIL_CHARS + 100
    short = await workspace.run_command("seq 1 10", timeout_s=30)
    assert not short.output_cut
    assert short.output == "".join(f"{n}\n" for n in range(1, 11))


@pytest.mark.asyncio
async def test_keys_never_reach_the_command(
    project: Path, open_workspace: Callable[..., Workspace], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", SECRET)
    monkeypatch.setenv("OPENAI_API_KEY", "-".join(("sk", "openai", "secret", "1234")))
    monkeypatch.setenv("CODEFACE_OLLAMA_KEY", "codeface-own-secret")
    monkeypatch.setenv("MY_COPY", f"Bearer {SECRET}")  # a key's value under another name
    monkeypatch.setenv("FROM_KEYRING", "keyring-held-secret")
    monkeypatch.setenv("HARMLESS_SETTING", "kept")
    for terminal in TERMINALS:
        # the tmux server starts now, inheriting this environment; the command must not
        workspace = open_workspace(project, terminal=terminal, secrets=("keyring-held-secret",))
        result = await workspace.run_command("env", timeout_s=30)
        assert result.exit_code == 0
        assert "HARMLESS_SETTING=kept" in result.output
        for leaked in (SECRET, "sk-openai", "codeface-own-secret", "keyring-held-secret"):
            assert leaked not in result.output, (terminal, leaked)
        for name in (
            "ANTHROPIC_API_KEY",
            "OPENAI_API_KEY",
            "CODEFACE_OLLAMA_KEY",
            "MY_COPY",
            "TMUX=",
        ):
            assert name not in result.output, (terminal, name)


@pytest.mark.asyncio
async def test_output_is_clean_text(workspace: Workspace) -> None:
    result = await workspace.run_command(
        r"printf '\033[31mred\033[0m \033]0;title\007plain\n'; printf 'bad \377\376 bytes\n';"
        r" printf '10%%\r50%%\r100%%\n'",
        timeout_s=30,
    )
    assert result.output == "red plain\nbad \ufffd\ufffd bytes\n100%\n"


@pytest.mark.asyncio
async def test_commands_have_no_input_and_no_pager(workspace: Workspace) -> None:
    result = await workspace.run_command(
        'read answer; echo "got [$answer] $?"; echo $PAGER', timeout_s=30
    )
    assert result.output == "got [] 1\ncat\n"


@pytest.mark.asyncio
async def test_tmux_command_runs_in_the_agent_window_the_user_can_watch(
    project: Path, open_workspace: Callable[..., Workspace], tmux_socket: str
) -> None:
    workspace = open_workspace(project, terminal="tmux")
    first = await workspace.run_command("echo visible-to-the-user", timeout_s=30)
    second = await workspace.run_command("echo second-run", timeout_s=30)
    controller = TmuxController(tmux_socket)
    session = session_name_for(project)
    windows = controller.cmd(
        "list-windows", "-t", f"={session}", "-F", "#{window_name} #{@codeface-agent}"
    )
    assert windows.count("agent 1") == 1  # one agent window, reused
    assert first.location == second.location
    assert session in first.location
    pane = first.location.rsplit("(pane ", 1)[1].rstrip(")")
    screen = controller.capture(pane, lines=50)
    assert "$ echo second-run" in screen
    assert "second-run" in screen
    roles = [info.role for info in controller.list_panes(session) if info.role]
    assert roles == ["editor", "shell", "tests"]  # the user's panes are left alone


@pytest.mark.asyncio
async def test_commands_in_one_workspace_run_one_at_a_time(workspace: Workspace) -> None:
    results = await asyncio.gather(
        workspace.run_command("echo one", timeout_s=30),
        workspace.run_command("echo two", timeout_s=30),
    )
    assert [result.output for result in results] == ["one\n", "two\n"]


@pytest.mark.asyncio
async def test_bad_requests_are_refused(workspace: Workspace) -> None:
    with pytest.raises(WorkspaceError, match="empty"):
        await workspace.run_command("   ")
    with pytest.raises(WorkspaceError, match="timeout_s"):
        await workspace.run_command("true", timeout_s=0)


@pytest.mark.asyncio
async def test_auto_uses_tmux_when_installed(
    project: Path, open_workspace: Callable[..., Workspace]
) -> None:
    assert (await open_workspace(project).run_command("true", timeout_s=30)).ran_in == "tmux"
