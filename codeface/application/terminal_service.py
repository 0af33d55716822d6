"""Terminals and tmux for the window, behind the application layer (no Qt).

The window's terminal widgets never start a process themselves: they ask this service to
open a terminal (a shell, or a tmux client) on a pseudo-terminal and get back an id; they
read its output as an async iterator of bytes, and write, resize and close it by id. The
tmux calls the terminal panel needs (check, list, the project's session, typing into a
pane, capturing one, the read-only view of the agent's window) are here too, each run
off the event loop.

Output is read when the pty is readable (``loop.add_reader``) into a bounded buffer; a
reader that stops taking output (a widget whose screen model is behind) makes the buffer
fill, reading pauses, and the kernel makes the child wait — flow control, not memory
growth. Writes never block: what the pty cannot take yet is retried when it is writable.

`TerminalService` implements the contract's `TerminalContract` section.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import os
import time
from collections.abc import AsyncIterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from codeface.application.contract.terminal_contract import TerminalContract
from codeface.terminal.tmux import SessionInfo, TmuxController

if TYPE_CHECKING:  # the pty and the shell hook load with the first terminal
    from codeface.terminal.pty_session import PtySession

log = logging.getLogger("codeface.application.terminals")

READ_PER_WAKE = 262_144
"""Bytes read per readiness callback, and the most one item of `terminal_output` holds."""
BUFFER_LIMIT = 1_048_576
"""Buffered output beyond which reading pauses until the reader catches up."""
EXIT_WAIT_S = 5.0
AGENT_VIEW_SUFFIX = "-agent-view"


class _Terminal:
    """One child on a pty, its output buffer and the reader waiting for it."""

    def __init__(self, session: PtySession, loop: asyncio.AbstractEventLoop) -> None:
        self.session = session
        self.loop = loop
        self.buffer = bytearray()
        self.waiter: asyncio.Future[None] | None = None
        self.eof = False
        self.reading = False
        self.writing = False
        self.closed = False

    def start_reading(self) -> None:
        if not self.reading and not self.eof and not self.closed:
            self.loop.add_reader(self.session.fd, self._on_readable)
            self.reading = True

    def stop_reading(self) -> None:
        if self.reading:
            self.loop.remove_reader(self.session.fd)
            self.reading = False

    def _on_readable(self) -> None:
        received = 0
        while received < READ_PER_WAKE and len(self.buffer) < BUFFER_LIMIT:
            try:
                data = self.session.read()
            except OSError as error:
                log.warning("reading a terminal failed: %s", error)
                data = None
            if data is None:
                self.eof = True
                self.stop_reading()
                break
            if not data:
                break
            self.buffer += data
            received += len(data)
        if len(self.buffer) >= BUFFER_LIMIT:
            self.stop_reading()  # the reader is behind: let the kernel hold the child
        self._wake()

    def _wake(self) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(None)

    async def output(self) -> AsyncIterator[bytes]:
        while True:
            if self.buffer:
                chunk = bytes(self.buffer[:READ_PER_WAKE])
                del self.buffer[:READ_PER_WAKE]
                if len(self.buffer) < BUFFER_LIMIT // 2:
                    self.start_reading()
                yield chunk
                continue
            if self.eof or self.closed:
                return
            self.start_reading()
            self.waiter = self.loop.create_future()
            try:
                await self.waiter
            finally:
                self.waiter = None

    def write(self, data: bytes) -> None:
        self.session.write(data)
        if self.session.pending_input and not self.writing and not self.closed:
            self.loop.add_writer(self.session.fd, self._on_writable)
            self.writing = True

    def _on_writable(self) -> None:
        if self.session.flush() or self.closed:
            self.loop.remove_writer(self.session.fd)
            self.writing = False

    def close(self) -> None:
        if self.closed:
            return
        self.stop_reading()
        if self.writing:
            self.loop.remove_writer(self.session.fd)
            self.writing = False
        self.closed = True
        self.session.close()
        self._wake()


class TerminalService(TerminalContract):
    """Owns every pty the window opened, and talks to CodeFace's tmux server."""

    def __init__(self, tmux: TmuxController | None = None) -> None:
        self.tmux = tmux or TmuxController()
        self._terminals: dict[str, _Terminal] = {}
        self._ids = itertools.count(1)

    # --- terminals -----------------------------------------------------------------------
    def environment(
        self, env: Mapping[str, str] | None, argv: Sequence[str], share_history: bool
    ) -> dict[str, str]:
        """The child's environment: ``env`` (default: ours) without provider keys, plus
        the shell hook that reports commands when the user shares history."""
        from codeface.terminal.history import shell_hook_env
        from codeface.terminal.pty_session import clean_environment

        environment = clean_environment(env)
        if share_history:
            environment.update(shell_hook_env(argv[0], environment.get("PROMPT_COMMAND", "")))
        return environment

    async def open_terminal(
        self,
        cwd: str,
        *,
        argv: Sequence[str] | None = None,
        env: Mapping[str, str] | None = None,
        rows: int = 24,
        columns: int = 80,
        share_history: bool = False,
    ) -> str:
        """Start a child on a new pty (the fork runs on a worker thread)."""
        from codeface.terminal.pty_session import default_shell

        command = list(argv) if argv else [default_shell(), "-l"]
        environment = self.environment(env, command, share_history)
        spawning = asyncio.ensure_future(
            asyncio.to_thread(self._spawn, command, cwd, environment, rows, columns)
        )
        try:
            session = await asyncio.shield(spawning)
        except asyncio.CancelledError:
            spawning.add_done_callback(_close_spawned)  # the caller went away: hang it up
            raise
        terminal_id = f"t{next(self._ids)}"
        self._terminals[terminal_id] = _Terminal(session, asyncio.get_running_loop())
        return terminal_id

    def _spawn(
        self, argv: list[str], cwd: str, env: dict[str, str], rows: int, columns: int
    ) -> PtySession:
        """Fork the child (on a worker thread)."""
        from codeface.terminal.pty_session import PtySession

        return PtySession.spawn(argv, cwd=cwd, env=env, rows=rows, columns=columns)

    def _get(self, terminal_id: str) -> _Terminal:
        terminal = self._terminals.get(terminal_id)
        if terminal is None:
            raise KeyError(f"No terminal {terminal_id}")
        return terminal

    def terminal_output(self, terminal_id: str) -> AsyncIterator[bytes]:
        """What the child writes until it exits."""
        return self._get(terminal_id).output()

    def write_terminal(self, terminal_id: str, data: bytes) -> None:
        """Send input (dropped once the terminal is closed)."""
        terminal = self._terminals.get(terminal_id)
        if terminal is not None and not terminal.closed:
            terminal.write(data)

    def resize_terminal(self, terminal_id: str, rows: int, columns: int) -> None:
        """TIOCSWINSZ; the kernel sends the child SIGWINCH."""
        terminal = self._terminals.get(terminal_id)
        if terminal is not None and not terminal.closed:
            terminal.session.resize(rows, columns)

    def terminal_directory(self, terminal_id: str) -> str | None:
        """The child's folder (Linux /proc; None elsewhere or once it has gone)."""
        terminal = self._terminals.get(terminal_id)
        if terminal is None or terminal.closed:
            return None
        return terminal.session.working_directory()

    def terminal_foreground(self, terminal_id: str) -> str | None:
        """The foreground program's name (Linux), e.g. ``cat``."""
        terminal = self._terminals.get(terminal_id)
        if terminal is None or terminal.closed:
            return None
        return terminal.session.foreground_command()

    def terminal_size(self, terminal_id: str) -> tuple[int, int] | None:
        """The pty's (rows, columns) as the child sees them."""
        terminal = self._terminals.get(terminal_id)
        return None if terminal is None or terminal.closed else terminal.session.size()

    async def terminal_exit(self, terminal_id: str) -> int:
        """Wait (off the loop, at most a few seconds) for the child to be reaped."""
        session = self._get(terminal_id).session
        status = await asyncio.to_thread(_wait_exit, session, EXIT_WAIT_S)
        self.close_terminal(terminal_id)
        return status

    def close_terminal(self, terminal_id: str) -> None:
        """Hang up and forget a terminal."""
        terminal = self._terminals.pop(terminal_id, None)
        if terminal is not None:
            terminal.close()

    def close_all(self) -> None:
        """Hang up every terminal (the window is closing; tmux sessions keep running)."""
        for terminal_id in list(self._terminals):
            self.close_terminal(terminal_id)

    @property
    def open_count(self) -> int:
        """How many terminals are open."""
        return len(self._terminals)

    # --- tmux ----------------------------------------------------------------------------
    async def tmux_check(self) -> tuple[int, int]:
        """tmux's version (raises `TmuxMissing`)."""
        return await asyncio.to_thread(self.tmux.check)

    async def tmux_sessions(self) -> list[SessionInfo]:
        """Sessions on CodeFace's server, without the read-only agent views."""
        sessions = await asyncio.to_thread(self.tmux.list_sessions)
        return [s for s in sessions if AGENT_VIEW_SUFFIX not in s.name]

    async def project_tmux_session(self, root: str, *, shell: str | None = None) -> str:
        """``codeface-<project>``, created with the layout from tmux.conf if needed."""
        return await asyncio.to_thread(self.tmux.ensure_project_session, root, shell=shell)

    async def open_tmux_terminal(
        self,
        session: str,
        *,
        cwd: str,
        env: Mapping[str, str] | None = None,
        rows: int = 24,
        columns: int = 80,
    ) -> str:
        """A terminal running ``tmux attach`` for ``session``."""
        argv = await asyncio.to_thread(self.tmux.attach_argv, session)
        return await self.open_terminal(cwd, argv=argv, env=env, rows=rows, columns=columns)

    async def open_agent_terminal(
        self,
        root: str,
        *,
        env: Mapping[str, str] | None = None,
        rows: int = 24,
        columns: int = 80,
    ) -> str:
        """A read-only client on a session grouped with the project's, showing its agent
        window: the user watches the agent's commands live without moving their own
        session to that window, and cannot type into the agent's command by accident."""
        argv = await asyncio.to_thread(_agent_view_argv, self.tmux, Path(root))
        return await self.open_terminal(root, argv=argv, env=env, rows=rows, columns=columns)

    async def tmux_targets(self, session: str) -> list[str]:
        """Pane roles (or ids) of ``session``."""
        panes = await asyncio.to_thread(self.tmux.list_panes, session)
        return [pane.role or pane.pane_id for pane in panes]

    async def tmux_type(self, session: str, pane: str, text: str) -> str:
        """Type into a pane of ``session`` without Enter; the pane's id."""

        def send() -> str:
            target = self.tmux.resolve_pane(pane, session)
            self.tmux.send_text(target, text)
            return target

        return await asyncio.to_thread(send)

    async def tmux_press_enter(self, pane_id: str) -> None:
        """Press Enter in a pane."""
        await asyncio.to_thread(self.tmux.press_enter, pane_id)

    async def tmux_clear_line(self, pane_id: str) -> None:
        """Clear the prompt's line in a pane."""
        await asyncio.to_thread(self.tmux.cmd, "send-keys", "-t", pane_id, "C-e", "C-u")

    async def tmux_capture(self, session: str, pane: str, lines: int = 50) -> str:
        """The last lines of a pane of ``session``."""

        def grab() -> str:
            return self.tmux.capture(self.tmux.resolve_pane(pane, session), lines)

        return await asyncio.to_thread(grab)


def _close_spawned(future: asyncio.Future[PtySession]) -> None:
    if not future.cancelled() and future.exception() is None:
        future.result().close()


def _wait_exit(session: PtySession, timeout: float) -> int:
    """Poll until the child is reaped (in a worker thread); hang it up past ``timeout``."""
    deadline = time.monotonic() + timeout
    delay = 0.002
    while True:
        status = session.poll()
        if status is not None:
            return status
        if time.monotonic() >= deadline:
            session.close()
            return session.poll() or -1
        time.sleep(delay)  # a worker thread waiting on another process, not a test
        delay = min(delay * 2, 0.05)


def _agent_view_argv(tmux: TmuxController, root: Path) -> list[str]:
    """The tmux client command for a read-only view of the project's agent window: a new
    session grouped with the project's (so it shares its windows but not which one is
    shown), destroyed when the client goes, showing the agent window."""
    from codeface.workspace.tmux_runner import AGENT_WINDOW, agent_pane

    session, pane = agent_pane(tmux, root)
    window = tmux.cmd("display-message", "-p", "-t", pane, "#{window_id}")[0].strip()
    tmux.cmd("select-pane", "-t", pane, "-T", "agent: the commands CodeFace agents run")
    view = f"{session}{AGENT_VIEW_SUFFIX}-{os.urandom(3).hex()}"
    return [
        *tmux.base_argv(),
        "new-session", "-f", "read-only", "-t", f"={session}", "-s", view,
        ";", "set-option", "destroy-unattached", "on",
        ";", "select-window", "-t", f"={view}:{window or AGENT_WINDOW}",
    ]  # fmt: skip
