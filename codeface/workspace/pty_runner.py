"""Run one agent command on a fresh pty (when tmux is not available).

The command runs as ``bash -c`` (``sh`` without bash) with standard input from
``/dev/null``, in its own session and process group, so a timeout or a cancelled turn
kills everything it started (``SIGTERM``, then ``SIGKILL`` after a grace period). The
pty is read on the event loop (``add_reader``); the command is over when its process
exits (a pidfd says so on Linux), not when every background child has closed the pty.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from codeface.core.errors import WorkspaceError
from codeface.terminal.pty_session import PtySession

KILL_GRACE_S = 2.0


@dataclass(frozen=True)
class RunOutcome:
    """How a command ended: exit status (None when killed for time), and where it ran."""

    exit_code: int | None
    timed_out: bool
    location: str


def shell_argv(command: str) -> list[str]:
    """``bash -c`` (or ``sh -c``) running ``command`` with stdin from /dev/null."""
    shell = shutil.which("bash") or "/bin/sh"
    return [shell, "-c", f"exec </dev/null\n{command}"]


def kill_group(pid: int, sig: signal.Signals) -> None:
    """Send ``sig`` to the process group led by ``pid`` (gone already: nothing to do)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)


async def wait_for_exit(pid: int, is_gone: Callable[[], bool]) -> None:
    """Return once process ``pid`` has exited: a pidfd event on Linux, else a 50 ms check."""
    loop = asyncio.get_running_loop()
    pidfd_open = getattr(os, "pidfd_open", None)
    if pidfd_open is not None:
        try:
            pidfd = pidfd_open(pid)
        except OSError:
            return  # already gone
        exited: asyncio.Future[None] = loop.create_future()

        def on_exit() -> None:
            if not exited.done():
                exited.set_result(None)

        loop.add_reader(pidfd, on_exit)
        try:
            if not is_gone():
                await exited
        finally:
            loop.remove_reader(pidfd)
            os.close(pidfd)
        return
    # No exit event on this platform (macOS): check the child every 50 ms.
    while not is_gone():  # noqa: ASYNC110
        await asyncio.sleep(0.05)


async def run_in_pty(
    command: str,
    cwd: Path,
    env: dict[str, str],
    timeout_s: float,
    deliver: Callable[[bytes], None],
) -> RunOutcome:
    """Run ``command`` on a new pty in ``cwd``; ``deliver`` gets the raw output as it comes."""
    loop = asyncio.get_running_loop()
    try:
        session = PtySession.spawn(shell_argv(command), cwd=cwd, env=env, rows=50, columns=200)
    except ImportError as error:  # ptyprocess is not available on Windows
        raise WorkspaceError(
            "Commands need tmux or a pty, and neither is available on this system",
            hint="Run the command yourself in a terminal.",
        ) from error
    except OSError as error:
        raise WorkspaceError(f"The command could not start: {error.strerror}") from error
    location = f"pty (pid {session.pid})"
    eof = loop.create_future()

    def on_readable() -> None:
        data = session.read()
        if data is None:
            loop.remove_reader(session.fd)
            if not eof.done():
                eof.set_result(None)
        elif data:
            deliver(data)

    def drain() -> None:
        while not eof.done():
            data = session.read()
            if not data:
                break
            deliver(data)

    loop.add_reader(session.fd, on_readable)
    timed_out = False
    try:
        try:
            await asyncio.wait_for(
                wait_for_exit(session.pid, lambda: session.poll() is not None), timeout_s
            )
        except TimeoutError:
            timed_out = True
            kill_group(session.pid, signal.SIGTERM)
            try:
                await asyncio.wait_for(
                    wait_for_exit(session.pid, lambda: session.poll() is not None), KILL_GRACE_S
                )
            except TimeoutError:
                kill_group(session.pid, signal.SIGKILL)
                await wait_for_exit(session.pid, lambda: session.poll() is not None)
        drain()
    finally:
        if not eof.done():
            loop.remove_reader(session.fd)
        if session.poll() is None:
            kill_group(session.pid, signal.SIGKILL)
        session.close()
    status = None if timed_out else session.poll()
    return RunOutcome(status, timed_out, location)
