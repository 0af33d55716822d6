"""tmux control: find tmux, list and create sessions, type into panes, read them back.

Everything here blocks (each call runs a ``tmux`` process, 2–4 ms), so the GUI uses the
``a*`` coroutines, which run the same calls in a worker thread. CodeFace's sessions live
on their own server socket (``tmux -L codeface`` by default, configurable so tests use a
throw-away one), started with ``resources/tmux.conf`` or the user's copy in the config
folder; they outlive CodeFace and are reattached on the next start.

The agent API is `send_text` (type without Enter), `run_and_wait` (type, run, wait for
the exit status or a timeout) and `capture` (the last N lines of a pane).
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from codeface.core.errors import CodefaceError
from codeface.core.paths import app_paths, resource_path

DEFAULT_SOCKET = "codeface"
DEFAULT_PANES = ("editor", "shell", "tests")


class TmuxMissing(CodefaceError):
    """tmux is not installed (or too old), so the tmux features are off."""

    default_hint = "Install tmux 3.2 or newer (apt install tmux, brew install tmux); the terminal works without it."


class TmuxError(CodefaceError):
    """A tmux command failed (no such session or pane, server gone)."""

    default_hint = "Check the session still exists (tmux -L codeface ls)."


@dataclass(frozen=True)
class SessionInfo:
    """A tmux session as listed."""

    name: str
    session_id: str
    windows: int
    attached: bool


@dataclass(frozen=True)
class PaneInfo:
    """A pane: its id (``%3``), role (``tests``) or title, and size."""

    pane_id: str
    role: str
    title: str
    width: int
    height: int
    command: str


@dataclass(frozen=True)
class RunResult:
    """What `run_and_wait` saw: exit status (None on timeout), output and duration."""

    command: str
    exit_status: int | None
    output: str
    timed_out: bool
    seconds: float


def find_tmux() -> str | None:
    """The tmux executable, or None (always None on Windows)."""
    if sys.platform == "win32":
        return None
    return shutil.which("tmux")


def tmux_version(binary: str | None = None) -> tuple[int, int] | None:
    """tmux's (major, minor) version, e.g. (3, 3) for "tmux 3.3a"; None if missing."""
    binary = binary or find_tmux()
    if binary is None:
        return None
    try:
        out = subprocess.run([binary, "-V"], capture_output=True, text=True, timeout=5).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r"(\d+)\.(\d+)", out)
    return (int(match.group(1)), int(match.group(2))) if match else None


def config_file() -> Path:
    """The tmux.conf in force: the user's override in the config folder, else ours."""
    override = app_paths().config / "tmux.conf"
    return override if override.is_file() else resource_path("tmux.conf")


def session_name_for(project: str | Path) -> str:
    """``codeface-<project>``: the folder name with characters tmux dislikes replaced."""
    name = Path(project).resolve().name or "home"
    return "codeface-" + re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-").lower()


class TmuxController:
    """One tmux server (by socket name) and the operations CodeFace needs on it."""

    def __init__(
        self,
        socket_name: str = DEFAULT_SOCKET,
        *,
        config: Path | None = None,
        binary: str | None = None,
        on_command: Callable[[str, str, int | None], None] | None = None,
    ) -> None:
        self.socket_name = socket_name
        self.config = config
        self._binary = binary
        self.on_command = on_command

    # --- plumbing ------------------------------------------------------------------
    @property
    def binary(self) -> str:
        """The tmux executable; raises `TmuxMissing` when there is none."""
        if self._binary is None:
            self._binary = find_tmux()
        if self._binary is None:
            raise TmuxMissing("tmux is not installed, so tmux sessions are unavailable.")
        return self._binary

    def check(self) -> tuple[int, int]:
        """tmux's version; raises `TmuxMissing` if it is absent or older than 3.2."""
        version = tmux_version(self.binary)
        if version is None:
            raise TmuxMissing("tmux could not be run, so tmux sessions are unavailable.")
        if version < (3, 2):
            raise TmuxMissing(f"tmux {version or '?'} is too old; CodeFace needs 3.2 or newer.")
        return version

    def base_argv(self) -> list[str]:
        """``tmux -L <socket> -f <conf>``: the prefix of every command for this server."""
        return [self.binary, "-L", self.socket_name, "-f", str(self.config or config_file())]

    def cmd(self, *args: str, check: bool = True, stdin: str | None = None) -> list[str]:
        """Run one tmux command line (``";"`` separates commands); its stdout lines.

        Raises `TmuxError` when it fails. tmux reads an argument ending in ``;`` as a
        separator, so free text goes through ``stdin`` (``load-buffer -``), not argv.
        """
        try:
            done = subprocess.run(
                [*self.base_argv(), *args],
                capture_output=True,
                text=True,
                timeout=15,
                input=stdin if stdin is not None else "",
            )
        except subprocess.TimeoutExpired as error:
            raise TmuxError(f"tmux {args[0]} did not answer in 15 s") from error
        if check and done.returncode != 0:
            message = done.stderr.strip() or f"tmux {args[0]} failed"
            raise TmuxError(message)
        return done.stdout.splitlines()

    def attach_argv(self, session: str) -> list[str]:
        """The command that attaches a terminal to ``session`` (run it in a TerminalView)."""
        return [*self.base_argv(), "attach-session", "-t", f"={session}"]

    def kill_server(self) -> None:
        """Stop this server and every session on it, and remove its socket file."""
        socket = self.cmd("display-message", "-p", "#{socket_path}", check=False)
        self.cmd("kill-server", check=False)
        if socket and socket[0].strip():
            Path(socket[0].strip()).unlink(missing_ok=True)

    # --- sessions ------------------------------------------------------------------
    def list_sessions(self) -> list[SessionInfo]:
        """Sessions on this server; empty when the server is not running."""
        fmt = "#{session_name}\t#{session_id}\t#{session_windows}\t#{session_attached}"
        sessions = []
        for line in self.cmd("list-sessions", "-F", fmt, check=False):
            parts = line.split("\t")
            if len(parts) == 4:
                attached = parts[3].isdigit() and int(parts[3]) > 0
                sessions.append(SessionInfo(parts[0], parts[1], int(parts[2] or 0), attached))
        return sessions

    def has_session(self, name: str) -> bool:
        """True if a session of exactly this name exists."""
        return any(session.name == name for session in self.list_sessions())

    def ensure_project_session(self, project: str | Path, *, shell: str | None = None) -> str:
        """The name of ``codeface-<project>``, creating it with the configured layout."""
        name = session_name_for(project)
        if self.has_session(name):
            return name
        folder = str(Path(project).resolve())
        command = [] if shell is None else [shell]
        try:
            self.cmd(
                "new-session", "-d", "-s", name, "-c", folder, "-x", "200", "-y", "50", *command
            )
        except TmuxError as error:
            if "duplicate session" in str(error):
                return name  # made meanwhile by another caller (the agent, the panel)
            raise
        roles = self._option("@codeface-panes").split() or list(DEFAULT_PANES)
        layout = self._option("@codeface-layout") or "even-horizontal"
        first = self.cmd("display-message", "-p", "-t", f"={name}:", "#{pane_id}")[0]
        pane_ids = [first]
        for _ in roles[1:]:
            pane_ids.append(
                self.cmd(
                    "split-window",
                    "-d",
                    "-h",
                    "-P",
                    "-F",
                    "#{pane_id}",
                    "-t",
                    pane_ids[-1],
                    "-c",
                    folder,
                    *command,
                )[0]
            )
            self.cmd("select-layout", "-t", f"={name}:", layout, check=False)
        for pane_id, role in zip(pane_ids, roles, strict=False):
            self.cmd("set-option", "-p", "-t", pane_id, "@codeface-role", role)
            self.cmd("select-pane", "-t", pane_id, "-T", role)
        self.cmd("select-pane", "-t", first)
        return name

    def _option(self, option: str) -> str:
        lines = self.cmd("show-options", "-gqv", option, check=False)
        return lines[0].strip() if lines else ""

    def kill_session(self, name: str) -> None:
        """Close a session and its panes."""
        self.cmd("kill-session", "-t", f"={name}")

    # --- panes ---------------------------------------------------------------------
    def list_panes(self, session: str) -> list[PaneInfo]:
        """Every pane of ``session`` (all windows)."""
        fmt = (
            "#{pane_id}\t#{@codeface-role}\t#{pane_title}\t#{pane_width}\t#{pane_height}"
            "\t#{pane_current_command}"
        )
        panes = []
        for line in self.cmd("list-panes", "-s", "-t", f"={session}", "-F", fmt):
            pane_id, role, title, width, height, command = (line.split("\t") + [""] * 6)[:6]
            panes.append(PaneInfo(pane_id, role, title, int(width or 0), int(height or 0), command))
        return panes

    def resolve_pane(self, pane: str, session: str | None = None) -> str:
        """A pane id (``%3``) for a role ("tests"), a title, an id or a tmux target."""
        if pane.startswith("%") or (":" in pane and session is None):
            return pane
        if session is None:
            raise TmuxError(f"Pane {pane!r} needs a session to look it up in")
        for info in self.list_panes(session):
            if pane in (info.role, info.title):
                return info.pane_id
        if pane.isdigit() or "." in pane:
            return f"={session}:{pane}"
        raise TmuxError(f"No pane named {pane!r} in session {session}")

    def send_text(self, pane: str, text: str, *, enter: bool = False) -> None:
        """Type ``text`` into ``pane`` as a paste (bracketed when the program asked), so
        multi-line text is not run line by line; press Enter only when ``enter``."""
        body = text.rstrip("\n")
        if body:
            buffer = "codeface-" + os.urandom(4).hex()
            self.cmd(
                "load-buffer",
                "-b",
                buffer,
                "-",
                ";",
                "paste-buffer",
                "-p",
                "-d",
                "-b",
                buffer,
                "-t",
                pane,
                stdin=body,
            )
        if enter:
            self.press_enter(pane)

    def press_enter(self, pane: str) -> None:
        """Press Enter in ``pane`` (after the user confirmed a typed command)."""
        self.cmd("send-keys", "-t", pane, "Enter")

    def capture(self, pane: str, lines: int = 50) -> str:
        """The last ``lines`` non-blank-trailing lines of ``pane`` (history included)."""
        captured = self.cmd("capture-pane", "-p", "-J", "-t", pane, "-S", f"-{max(lines, 1)}")
        while captured and not captured[-1].strip():
            captured.pop()
        return "\n".join(line.rstrip() for line in captured[-lines:])

    def run_and_wait(self, pane: str, command: str, timeout: float = 30.0) -> RunResult:
        """Run ``command`` in ``pane`` and wait until it finishes or ``timeout`` passes.

        A unique marker printed after the command (``echo __cf_<id>:$?``) reports the
        exit status; the output is what appeared between the command line and it. Works
        with POSIX shells (sh, bash, zsh) at a prompt.
        """
        token = "__cf_" + os.urandom(6).hex()
        marker = re.compile(rf"^{token}:(-?\d+)\s*$")
        start = time.monotonic()
        self.send_text(pane, f"{command}; echo {token}:$?", enter=True)
        delay = 0.01
        while True:
            lines = self.cmd("capture-pane", "-p", "-J", "-t", pane, "-S", "-5000")
            for index in range(len(lines) - 1, -1, -1):
                found = marker.match(lines[index].strip())
                if found:
                    output = _output_before(lines, index, token)
                    result = RunResult(
                        command, int(found.group(1)), output, False, time.monotonic() - start
                    )
                    self._notify(pane, command, result.exit_status)
                    return result
            if time.monotonic() - start >= timeout:
                tail = "\n".join(line.rstrip() for line in lines).rstrip("\n")
                self._notify(pane, command, None)
                return RunResult(command, None, tail, True, time.monotonic() - start)
            time.sleep(delay)  # polling a separate process, not synchronising a test
            delay = min(delay * 1.5, 0.2)

    def _notify(self, pane: str, command: str, status: int | None) -> None:
        if self.on_command is not None:
            self.on_command(pane, command, status)

    # --- async wrappers (worker thread; safe to await from the GUI loop) -------------
    async def alist_sessions(self) -> list[SessionInfo]:
        """`list_sessions` off the calling thread."""
        return await asyncio.to_thread(self.list_sessions)

    async def aensure_project_session(
        self, project: str | Path, *, shell: str | None = None
    ) -> str:
        """`ensure_project_session` off the calling thread."""
        return await asyncio.to_thread(self.ensure_project_session, project, shell=shell)

    async def alist_panes(self, session: str) -> list[PaneInfo]:
        """`list_panes` off the calling thread."""
        return await asyncio.to_thread(self.list_panes, session)

    async def asend_text(self, pane: str, text: str, *, enter: bool = False) -> None:
        """`send_text` off the calling thread."""
        await asyncio.to_thread(self.send_text, pane, text, enter=enter)

    async def apress_enter(self, pane: str) -> None:
        """`press_enter` off the calling thread."""
        await asyncio.to_thread(self.press_enter, pane)

    async def acapture(self, pane: str, lines: int = 50) -> str:
        """`capture` off the calling thread."""
        return await asyncio.to_thread(self.capture, pane, lines)

    # ``timeout`` is the command's deadline, enforced in the worker thread.
    async def arun_and_wait(
        self,
        pane: str,
        command: str,
        timeout: float = 30.0,  # noqa: ASYNC109
    ) -> RunResult:
        """`run_and_wait` off the calling thread."""
        return await asyncio.to_thread(self.run_and_wait, pane, command, timeout)

    async def acheck(self) -> tuple[int, int]:
        """`check` off the calling thread (raises `TmuxMissing`)."""
        return await asyncio.to_thread(self.check)


def _output_before(lines: list[str], marker_index: int, token: str) -> str:
    """The lines between the typed command (which contains the token) and the marker."""
    begin = 0
    for index in range(marker_index - 1, -1, -1):
        if token in lines[index]:
            begin = index + 1
            break
    return "\n".join(line.rstrip() for line in lines[begin:marker_index]).strip("\n")
