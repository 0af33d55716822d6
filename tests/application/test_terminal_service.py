"""The terminal service (no Qt): real shells on real ptys, real tmux on a throw-away socket.

Output as an async iterator of bytes, input, resize, exit status, bounded buffering when
the reader falls behind, no key in a shell's environment, no child left behind when an
open is cancelled, and the read-only view of the agent's tmux window.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest

from codeface.application.terminal_service import (
    AGENT_VIEW_SUFFIX,
    BUFFER_LIMIT,
    READ_PER_WAKE,
    TerminalService,
)
from codeface.terminal.pty_session import PtySession
from codeface.terminal.tmux import TmuxController, find_tmux
from codeface.workspace.command_output import command_environment
from codeface.workspace.tmux_runner import run_in_tmux

BASH = ["/bin/bash", "--norc", "--noprofile"]


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    home = tmp_path / "home"
    home.mkdir()
    return {**os.environ, "HOME": str(home), "PS1": "$ ", "OPENAI_API_KEY": "sk-secret-123"}


@pytest.fixture
def service() -> Iterator[TerminalService]:
    terminals = TerminalService(TmuxController("codeface-test-" + uuid.uuid4().hex[:8]))
    yield terminals
    terminals.close_all()


class Screen:
    """What a terminal printed so far, read by a task."""

    def __init__(self, service: TerminalService, terminal_id: str) -> None:
        self.data = bytearray()
        self.ended = asyncio.Event()
        self.task = asyncio.ensure_future(self._read(service.terminal_output(terminal_id)))

    async def _read(self, output: AsyncIterator[bytes]) -> None:
        async for chunk in output:
            self.data.extend(chunk)
        self.ended.set()

    async def wait_for(self, text: bytes) -> None:
        await until(lambda: text in self.data)


@pytest.mark.asyncio
async def test_a_shell_runs_reads_input_resizes_and_reports_its_exit(
    service: TerminalService, tmp_path: Path, env: dict[str, str]
) -> None:
    terminal = await service.open_terminal(str(tmp_path), argv=BASH, env=env, rows=20, columns=70)
    screen = Screen(service, terminal)
    service.write_terminal(terminal, b"pwd; stty size; echo key=${OPENAI_API_KEY:-none}\r")
    await screen.wait_for(b"key=none")  # the provider key never reaches the shell
    assert str(tmp_path).encode() in screen.data
    assert b"20 70" in screen.data
    assert service.terminal_directory(terminal) == str(tmp_path)
    service.resize_terminal(terminal, 30, 100)
    service.write_terminal(terminal, b"stty size; exit 7\r")
    await asyncio.wait_for(screen.ended.wait(), 10)
    assert b"30 100" in screen.data
    assert await service.terminal_exit(terminal) == 7
    assert service.open_count == 0


@pytest.mark.asyncio
async def test_a_reader_that_falls_behind_bounds_the_buffer(
    service: TerminalService, tmp_path: Path, env: dict[str, str]
) -> None:
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * 100 + b"\n" * 1 + b"".join(b"line %08d\n" % n for n in range(400_000)))
    terminal = await service.open_terminal(
        str(tmp_path), argv=["/bin/cat", str(big)], env=env, rows=24, columns=80
    )
    output = service.terminal_output(terminal)
    first = await anext(output)
    # Nobody reads for a while: the service stops reading at its limit.
    state = service._terminals[terminal]
    await until(lambda: not state.reading)
    assert len(state.buffer) <= BUFFER_LIMIT + READ_PER_WAKE
    total = len(first)
    largest = len(first)
    async for chunk in output:
        total += len(chunk)
        largest = max(largest, len(chunk))
    assert largest <= READ_PER_WAKE
    assert total >= big.stat().st_size  # every byte arrived (the pty adds CRs)
    assert await service.terminal_exit(terminal) == 0


class RecordingService(TerminalService):
    """Keeps every session it spawned, to see what became of them."""

    def __init__(self) -> None:
        super().__init__(TmuxController("codeface-test-unused"))
        self.spawned: list[PtySession] = []

    def _spawn(
        self, argv: list[str], cwd: str, env: dict[str, str], rows: int, columns: int
    ) -> PtySession:
        session = super()._spawn(argv, cwd, env, rows, columns)
        self.spawned.append(session)
        return session


@pytest.mark.asyncio
async def test_a_cancelled_open_leaves_no_child(tmp_path: Path, env: dict[str, str]) -> None:
    service = RecordingService()
    opening = asyncio.ensure_future(
        service.open_terminal(str(tmp_path), argv=["/bin/sleep", "60"], env=env)
    )
    await asyncio.sleep(0)  # the fork is on its way in a worker thread
    opening.cancel()
    with pytest.raises(asyncio.CancelledError):
        await opening
    await until(lambda: bool(service.spawned))
    child = service.spawned[0]
    await until(lambda: not child.alive)  # hung up as soon as it had started
    assert service.open_count == 0


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


async def until(predicate: Callable[[], bool], timeout: float = 10.0) -> None:  # noqa: ASYNC109
    async def poll() -> None:
        while not predicate():  # noqa: ASYNC110 - a condition of another process
            await asyncio.sleep(0.01)

    await asyncio.wait_for(poll(), timeout)


@pytest.mark.asyncio
async def test_a_command_that_cannot_start_is_an_error(
    service: TerminalService, tmp_path: Path
) -> None:
    with pytest.raises(OSError):
        await service.open_terminal(str(tmp_path), argv=[str(tmp_path / "no-such-shell")])


@pytest.mark.skipif(find_tmux() is None, reason="tmux is not installed")
@pytest.mark.asyncio
async def test_the_agent_view_shows_agent_commands_live_and_ignores_typing(
    service: TerminalService, tmp_path: Path, env: dict[str, str]
) -> None:
    tmux = service.tmux
    try:
        terminal = await service.open_agent_terminal(str(tmp_path), env=env, rows=20, columns=90)
        screen = Screen(service, terminal)
        await screen.wait_for(b"Commands that CodeFace agents run appear here")
        sessions = [s.name for s in await service.tmux_sessions()]
        assert sessions == [f"codeface-{tmp_path.name.lower()}"]  # the view is not listed
        views = [s.name for s in tmux.list_sessions() if AGENT_VIEW_SUFFIX in s.name]
        assert len(views) == 1

        command_env = command_environment()
        outcome = await run_in_tmux(
            tmux, tmp_path, "echo agent-was-here", command_env, 10, lambda _data: None
        )
        assert outcome.exit_code == 0
        await screen.wait_for(b"agent-was-here")

        # The user watches; the client is read-only, so typing cannot reach the command.
        clients = tmux.cmd("list-clients", "-F", "#{session_name} #{client_readonly}")
        assert clients == [f"{views[0]} 1"]

        service.close_terminal(terminal)
        await until(lambda: all(AGENT_VIEW_SUFFIX not in s.name for s in tmux.list_sessions()))
    finally:
        tmux.kill_server()
