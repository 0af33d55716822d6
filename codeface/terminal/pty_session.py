"""A child process on a pseudo-terminal, with a clean environment and non-blocking I/O.

The UI registers `PtySession.fd` with ``loop.add_reader`` and calls `read()` when it is
readable; `read()` never blocks and returns ``None`` once the child has gone. Writes
that the pty cannot take yet (a large paste) are kept and retried by `flush()`.
Provider API keys never reach the shell: `clean_environment()` removes them.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import signal
import sys
import threading
import time
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path

_SECRET_PREFIXES = ("ANTHROPIC_", "OPENAI_", "CODEFACE_SECRET")
_SECRET_SUFFIXES = ("_API_KEY", "_API_TOKEN", "_ACCESS_TOKEN", "_SECRET_KEY")
_SECRET_NAMES = {"HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "GITHUB_TOKEN", "GH_TOKEN"}
# Set by an outer terminal or multiplexer; wrong inside ours.
_TERMINAL_NAMES = {
    "LINES",
    "COLUMNS",
    "TMUX",
    "TMUX_PANE",
    "TERM_PROGRAM_VERSION",
    "VTE_VERSION",
    "KONSOLE_VERSION",
    "WINDOWID",
}


def is_secret_name(name: str) -> bool:
    """True for environment variables that hold provider credentials."""
    upper = name.upper()
    return (
        upper.startswith(_SECRET_PREFIXES)
        or upper.endswith(_SECRET_SUFFIXES)
        or upper in _SECRET_NAMES
    )


def clean_environment(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for the user's shell: ``base`` (default: ours) minus every
    provider key, with TERM=xterm-256color, truecolor and a UTF-8 locale."""
    source = os.environ if base is None else base
    env = {
        name: value
        for name, value in source.items()
        if not is_secret_name(name) and name not in _TERMINAL_NAMES
    }
    env["TERM"] = "xterm-256color"
    env["COLORTERM"] = "truecolor"
    env["TERM_PROGRAM"] = "CodeFace"
    if "UTF-8" not in (env.get("LC_ALL") or env.get("LC_CTYPE") or env.get("LANG") or "").upper():
        env["LANG"] = "C.UTF-8"
        env.pop("LC_ALL", None)
    return env


def default_shell(configured: str = "") -> str:
    """The shell to run: the configured one, ``$SHELL``, the passwd entry, or /bin/sh."""
    if configured:
        return configured
    shell = os.environ.get("SHELL")
    if shell and shutil.which(shell):
        return shell
    if sys.platform != "win32":
        import pwd

        try:
            entry = pwd.getpwuid(os.getuid()).pw_shell
        except KeyError:
            entry = ""
        if entry and shutil.which(entry):
            return entry
    return "/bin/sh"


def login_command(shell: str) -> list[str]:
    """``[shell, "-l"]``: a login shell, so the user's profile (PATH, aliases) applies."""
    return [shell, "-l"]


class PtySession:
    """One child process on a pty. Create with `PtySession.spawn`."""

    def __init__(self, process: object, argv: Sequence[str]) -> None:
        self._process = process
        self.argv = list(argv)
        self.fd: int = process.fd  # type: ignore[attr-defined]
        self.pid: int = process.pid  # type: ignore[attr-defined]
        os.set_blocking(self.fd, False)
        self._outgoing = bytearray()
        self._closed = False
        self.exit_status: int | None = None

    @classmethod
    def spawn(
        cls,
        argv: Sequence[str] | None = None,
        *,
        cwd: str | Path | None = None,
        env: Mapping[str, str] | None = None,
        rows: int = 24,
        columns: int = 80,
    ) -> PtySession:
        """Start ``argv`` (default: the user's login shell) on a new pty.

        ``env`` defaults to `clean_environment()`; ``cwd`` to the current folder.
        """
        from ptyprocess import PtyProcess

        command = list(argv) if argv else login_command(default_shell())
        folder = str(cwd) if cwd is not None and Path(cwd).is_dir() else None
        environment = dict(env) if env is not None else clean_environment()
        if folder:
            environment["PWD"] = folder
        with warnings.catch_warnings():
            # Python 3.12 warns about forkpty() in a threaded process; the child execs at
            # once without taking locks, which is the case the warning allows.
            warnings.simplefilter("ignore", DeprecationWarning)
            process = PtyProcess.spawn(
                command, cwd=folder, env=environment, dimensions=(max(1, rows), max(1, columns))
            )
        return cls(process, command)

    def read(self, size: int = 65536) -> bytes | None:
        """What the child wrote so far (``b""`` if nothing), or ``None`` once it exited."""
        if self._closed:
            return None
        try:
            data = os.read(self.fd, size)
        except BlockingIOError:
            return b""
        except OSError as error:
            if error.errno in (errno.EIO, errno.EBADF):
                return None
            raise
        return data if data else None

    def write(self, data: bytes) -> None:
        """Send input to the child; what the pty cannot take now is kept for `flush()`."""
        if self._closed or not data:
            return
        self._outgoing.extend(data)
        self.flush()

    def flush(self) -> bool:
        """Retry pending input; True when everything has been written."""
        while self._outgoing and not self._closed:
            try:
                written = os.write(self.fd, self._outgoing[:4096])
            except BlockingIOError:
                return False
            except OSError:
                self._outgoing.clear()
                return True
            del self._outgoing[:written]
        return True

    @property
    def pending_input(self) -> int:
        """Bytes of input not yet accepted by the pty."""
        return len(self._outgoing)

    def resize(self, rows: int, columns: int) -> None:
        """Tell the child its new size (TIOCSWINSZ; the kernel sends SIGWINCH)."""
        if self._closed:
            return
        # OSError: the child is gone; the next read reports it.
        with contextlib.suppress(OSError):
            self._process.setwinsize(max(1, rows), max(1, columns))  # type: ignore[attr-defined]

    def size(self) -> tuple[int, int]:
        """The pty's (rows, columns) as the child sees them."""
        rows, columns = self._process.getwinsize()  # type: ignore[attr-defined]
        return int(rows), int(columns)

    def poll(self) -> int | None:
        """The exit status once the child has exited (negative: killed by that signal)."""
        if self.exit_status is not None:
            return self.exit_status
        try:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
        except ChildProcessError:
            pid, status = self.pid, 0
        if pid == 0:
            return None
        if os.WIFSIGNALED(status):
            self.exit_status = -os.WTERMSIG(status)
        else:
            self.exit_status = os.waitstatus_to_exitcode(status)
        return self.exit_status

    @property
    def alive(self) -> bool:
        """True while the child runs."""
        return self.poll() is None

    def working_directory(self) -> str | None:
        """The child's current folder (Linux /proc; elsewhere None, use OSC 7)."""
        try:
            return os.readlink(f"/proc/{self.pid}/cwd")
        except OSError:
            return None

    def foreground_command(self) -> str | None:
        """The name of the program in the foreground of this pty (Linux), e.g. ``vim``."""
        try:
            group = os.tcgetpgrp(self.fd)
            return Path(f"/proc/{group}/comm").read_text().strip()
        except OSError:
            return None

    def close(self) -> None:
        """Hang up the child and release the pty, without blocking the caller.

        ptyprocess's own close sleeps 0.1–0.3 s; here the child gets SIGHUP at once and a
        daemon thread reaps it, sending SIGKILL if it ignores the hang-up for a second.
        """
        if self._closed:
            return
        self._closed = True
        for sig in (signal.SIGHUP, signal.SIGCONT):
            with contextlib.suppress(OSError):
                os.killpg(self.pid, sig)
        with contextlib.suppress(OSError):
            self._process.fileobj.close()  # type: ignore[attr-defined]
        self._process.closed = True  # type: ignore[attr-defined]
        if self.poll() is None:
            threading.Thread(target=self._reap, name="pty-reaper", daemon=True).start()

    def _reap(self) -> None:
        deadline = time.monotonic() + 1.0
        while self.poll() is None:
            if time.monotonic() >= deadline:
                with contextlib.suppress(OSError):
                    os.killpg(self.pid, signal.SIGKILL)
                with contextlib.suppress(ChildProcessError):
                    os.waitpid(self.pid, 0)
                return
            time.sleep(0.02)
