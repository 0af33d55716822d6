"""Run one agent command in the project's tmux session, where the user can watch it.

The command runs in the session's agent window (named ``agent``, marked with the window
option ``@codeface-agent``), created on first use beside the user's panes and kept after
each command (``remain-on-exit``), so the window's terminal panel and any ``tmux
attach`` show what the agent ran and what it printed. Each run replaces the previous
one in that pane (``respawn-pane -k``).

The pane runs a small script from a private temporary folder: ``env -i`` clears tmux's
environment and the script sets exactly the cleaned one, so no key in the tmux server's
environment reaches the command. Its output goes through ``tee`` to the pane and to a
FIFO that CodeFace reads on the event loop; the exit status comes through a second FIFO
the moment the command ends (background children it leaves do not hold the result).
A timeout or a cancelled turn kills the pane's process group.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shlex
import shutil
import signal
import tempfile
from collections.abc import Callable
from pathlib import Path

from codeface.core.errors import WorkspaceError
from codeface.terminal.tmux import TmuxController, TmuxError
from codeface.workspace.pty_runner import KILL_GRACE_S, RunOutcome, kill_group, wait_for_exit

AGENT_WINDOW = "agent"
AGENT_OPTION = "@codeface-agent"
OUTPUT_GRACE_S = 1.0
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_IDLE = "printf 'Commands that CodeFace agents run appear here.\\n'; exec tail -f /dev/null"


def agent_pane(controller: TmuxController, root: Path) -> tuple[str, str]:
    """The (session, pane id) of the project's agent window, creating both if needed."""
    session = controller.ensure_project_session(root)
    fmt = "#{window_id}\t#{" + AGENT_OPTION + "}\t#{pane_id}"
    for line in controller.cmd("list-panes", "-s", "-t", f"={session}", "-F", fmt):
        _, marked, pane_id = [*line.split("\t"), "", "", ""][:3]
        if marked == "1":
            return session, pane_id
    created = controller.cmd(
        "new-window",
        "-d",
        "-t",
        f"={session}:",
        "-n",
        AGENT_WINDOW,
        "-c",
        str(root),
        "-P",
        "-F",
        "#{window_id}\t#{pane_id}",
        _IDLE,
    )[0]
    window_id, pane_id = created.split("\t")
    controller.cmd("set-option", "-w", "-t", window_id, "remain-on-exit", "on")
    controller.cmd("set-option", "-w", "-t", window_id, AGENT_OPTION, "1")
    return session, pane_id


def _script(command: str, cwd: Path, env: dict[str, str], out_fifo: Path, done_fifo: Path) -> str:
    """The pane's script. It opens the output FIFO before the command starts (so the FIFO
    cannot read as closed before ``tee`` has written everything), keeps that descriptor
    from the command itself, and reports the exit status the moment the command ends."""
    shell = shutil.which("bash") or "/bin/sh"
    exports = "".join(
        f"export {name}={shlex.quote(value)}\n"
        for name, value in env.items()
        if _NAME.fullmatch(name)
    )
    quoted = shlex.quote(command)
    return (
        exports
        + f"cd {shlex.quote(str(cwd))} || exit 126\n"
        + f"exec 3>{shlex.quote(str(out_fifo))}\n"
        + f"printf '\\n$ %s\\n' {quoted}\n"
        + f"{{ {shlex.quote(shell)} -c {quoted} </dev/null 3>&-;"
        + f" echo $? > {shlex.quote(str(done_fifo))}; }} 2>&1 3>&- | tee /dev/fd/3\n"
        + "exec 3>&-\n"
    )


class _Fifo:
    """A FIFO read on the event loop; a writer of our own keeps it from reading as closed
    before the script opens it, and `finish` lets the end of its output come through."""

    def __init__(self, path: Path, on_data: Callable[[bytes], None]) -> None:
        self._loop = asyncio.get_running_loop()
        os.mkfifo(path, 0o600)
        self._reader = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        self._keeper = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
        self._on_data = on_data
        self.closed = self._loop.create_future()
        self._loop.add_reader(self._reader, self._on_readable)

    def _on_readable(self) -> None:
        try:
            data = os.read(self._reader, 65536)
        except BlockingIOError:
            return
        if data:
            self._on_data(data)
        else:
            self._loop.remove_reader(self._reader)
            if not self.closed.done():
                self.closed.set_result(None)

    def finish(self) -> None:
        """Drop our own writer: the FIFO reads as closed once the script's writers are gone."""
        if self._keeper >= 0:
            os.close(self._keeper)
            self._keeper = -1

    def close(self) -> None:
        """Stop reading and release both descriptors."""
        if not self.closed.done():
            self._loop.remove_reader(self._reader)
            self.closed.set_result(None)
        self.finish()
        os.close(self._reader)


async def run_in_tmux(
    controller: TmuxController,
    root: Path,
    command: str,
    env: dict[str, str],
    timeout_s: float,
    deliver: Callable[[bytes], None],
) -> RunOutcome:
    """Run ``command`` in the agent window of ``root``'s session; ``deliver`` gets its output."""
    loop = asyncio.get_running_loop()
    session, pane = await asyncio.to_thread(agent_pane, controller, root)
    folder = Path(tempfile.mkdtemp(prefix="codeface-run-"))
    status_text = bytearray()
    status = loop.create_future()

    def on_status(data: bytes) -> None:
        status_text.extend(data)
        if b"\n" in status_text and not status.done():
            status.set_result(status_text.decode("ascii", "replace").strip())

    output = _Fifo(folder / "out", deliver)
    done = _Fifo(folder / "done", on_status)
    script = folder / "run.sh"
    script.write_text(
        _script(command, root, env, folder / "out", folder / "done"), encoding="utf-8"
    )
    env_binary = shutil.which("env") or "/usr/bin/env"
    pane_command = f"exec {shlex.quote(env_binary)} -i /bin/sh {shlex.quote(str(script))}"
    location = f"tmux session {session}, window {AGENT_WINDOW} (pane {pane})"
    pid = 0
    exit_code: int | None = None
    timed_out = False
    # Not cancelled with the turn: a command that started must be known, to be killed.
    starting = asyncio.ensure_future(
        asyncio.to_thread(_respawn, controller, pane, root, pane_command)
    )
    try:
        pid = await asyncio.shield(starting)
        try:
            text = await asyncio.wait_for(asyncio.shield(status), timeout_s)
            exit_code = int(text) if text.lstrip("-").isdigit() else None
        except TimeoutError:
            timed_out = True
            await _kill(pid)
        output.finish()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(output.closed), OUTPUT_GRACE_S)
    finally:
        if not pid:
            with contextlib.suppress(BaseException):
                pid = await starting
        if pid and not timed_out and not status.done():
            kill_group(pid, signal.SIGKILL)  # cancelled or failed: stop the command
        output.close()
        done.close()
        shutil.rmtree(folder, ignore_errors=True)
    return RunOutcome(exit_code, timed_out, location)


def _respawn(controller: TmuxController, pane: str, root: Path, pane_command: str) -> int:
    """Start the script in the agent pane (killing what ran there); the pane's process id."""
    try:
        controller.cmd("clear-history", "-t", pane, check=False)
        controller.cmd("respawn-pane", "-k", "-t", pane, "-c", str(root), pane_command)
        return int(controller.cmd("display-message", "-p", "-t", pane, "#{pane_pid}")[0])
    except (TmuxError, ValueError, IndexError) as error:
        raise WorkspaceError(f"The command could not start in tmux: {error}") from error


async def _kill(pid: int) -> None:
    """Terminate the pane's process group; kill it if it does not go within the grace period."""
    kill_group(pid, signal.SIGTERM)
    try:
        await asyncio.wait_for(wait_for_exit(pid, lambda: not _alive(pid)), KILL_GRACE_S)
    except TimeoutError:
        kill_group(pid, signal.SIGKILL)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
