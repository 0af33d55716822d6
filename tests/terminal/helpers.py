"""Test helpers for the terminal: drive a real pty and a real tmux, wait on conditions.

Waiting on a pty uses ``select`` on its fd (an event, not a sleep). tmux has no event we
can block on from here, so `poll_until` re-checks a condition until a deadline, the way
``qtbot.waitUntil`` does.
"""

from __future__ import annotations

import select
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from codeface.terminal.model import TerminalModel
from codeface.terminal.pty_session import PtySession, clean_environment


def program_env(home: Path) -> dict[str, str]:
    """A deterministic environment: empty HOME (no rc files), UTF-8, a plain prompt."""
    env = clean_environment()
    env.update(
        {
            "HOME": str(home),
            "LANG": "C.UTF-8",
            "PS1": "$ ",
            "LESSHISTFILE": "-",
            "GIT_CONFIG_NOSYSTEM": "1",
            "PAGER": "less",
            "GIT_PAGER": "less",
            "LESS": "R",
            "EDITOR": "vim",
        }
    )
    env.pop("LC_ALL", None)
    env.pop("PROMPT_COMMAND", None)
    return env


class PtyDriver:
    """A real child on a pty feeding a `TerminalModel` (the widget's screen model)."""

    def __init__(
        self,
        argv: Sequence[str],
        *,
        rows: int = 24,
        columns: int = 80,
        cwd: Path | None = None,
        env: dict[str, str] | None = None,
    ) -> None:
        self.session = PtySession.spawn(argv, cwd=cwd, env=env, rows=rows, columns=columns)
        self.model = TerminalModel(columns, rows, reply=self.session.write)
        self.eof = False

    @property
    def lines(self) -> list[str]:
        return self.model.screen.screen_text()

    def pump(self, timeout: float) -> None:
        """Read whatever arrives within ``timeout`` (select on the fd) into the model."""
        if self.eof:
            return
        ready, _, _ = select.select([self.session.fd], [], [], timeout)
        if ready:
            data = self.session.read()
            if data is None:
                self.eof = True
            elif data:
                self.model.feed(data)

    def wait_for(self, condition: Callable[[], bool], timeout: float = 10.0) -> bool:
        """Pump until ``condition()`` holds; False on timeout or EOF."""
        deadline = time.monotonic() + timeout
        while not condition():
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self.eof:
                return condition()
            self.pump(min(remaining, 0.1))
        return True

    def wait_text(self, text: str, timeout: float = 10.0) -> bool:
        return self.wait_for(lambda: any(text in line for line in self.lines), timeout)

    def send(self, data: bytes) -> None:
        self.session.write(data)

    def close(self) -> None:
        self.session.close()


class TmuxDriver:
    """One program in a detached tmux session of a fixed size (status line off)."""

    def __init__(
        self,
        argv: Sequence[str],
        *,
        rows: int = 24,
        columns: int = 80,
        cwd: Path | None = None,
        env: dict[str, str] | None = None,
    ) -> None:
        self.socket = "codeface-test-" + uuid.uuid4().hex[:8]
        self.env = env
        self._tmux(
            "-f",
            "/dev/null",
            "new-session",
            "-d",
            "-s",
            "t",
            "-x",
            str(columns),
            "-y",
            str(rows),
            "-c",
            str(cwd or Path.cwd()),
            *argv,
        )
        self.socket_path = self._tmux("display-message", "-p", "#{socket_path}").strip()
        self._tmux("set-option", "-g", "status", "off")
        self._tmux("resize-window", "-t", "t", "-x", str(columns), "-y", str(rows))

    def _tmux(self, *args: str) -> str:
        done = subprocess.run(
            ["tmux", "-L", self.socket, *args],
            capture_output=True,
            text=True,
            env=self.env,
            timeout=10,
            check=True,
        )
        return done.stdout

    @property
    def lines(self) -> list[str]:
        out = self._tmux("capture-pane", "-p", "-t", "t")
        return [line.rstrip() for line in out.split("\n")[:-1]]

    def send(self, keys: str) -> None:
        self._tmux("send-keys", "-t", "t", "-l", keys)

    def close(self) -> None:
        subprocess.run(
            ["tmux", "-L", self.socket, "kill-server"],
            capture_output=True,
            env=self.env,
            timeout=10,
            check=False,
        )
        Path(self.socket_path).unlink(missing_ok=True)  # tmux leaves the file behind


def poll_until(
    condition: Callable[[], bool], timeout: float = 10.0, interval: float = 0.02
) -> bool:
    """Re-check ``condition`` until it holds or ``timeout`` passes (like waitUntil)."""
    deadline = time.monotonic() + timeout
    while True:
        if condition():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)


@contextmanager
def side_by_side(
    argv: Sequence[str], *, rows: int = 24, columns: int = 80, cwd: Path, env: dict[str, str]
) -> Iterator[tuple[PtyDriver, TmuxDriver]]:
    """The same program in our screen model and in real tmux, at the same size."""
    ours = PtyDriver(argv, rows=rows, columns=columns, cwd=cwd, env=env)
    theirs = TmuxDriver(argv, rows=rows, columns=columns, cwd=cwd, env=env)
    try:
        yield ours, theirs
    finally:
        ours.close()
        theirs.close()


def screens_agree(ours: PtyDriver, theirs: TmuxDriver, timeout: float = 10.0) -> bool:
    """Wait until both show the same text (trailing blank lines ignored)."""

    def same() -> bool:
        ours.pump(0.05)
        return _trim(ours.lines) == _trim(theirs.lines)

    return poll_until(same, timeout, interval=0.0)


def _trim(lines: list[str]) -> list[str]:
    lines = [line.rstrip() for line in lines]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def diff(ours: PtyDriver, theirs: TmuxDriver) -> str:
    """A readable side-by-side of the two screens for assertion messages."""
    rows = []
    a, b = ours.lines, theirs.lines
    for index in range(max(len(a), len(b))):
        left = a[index] if index < len(a) else ""
        right = b[index] if index < len(b) else ""
        mark = "  " if left.rstrip() == right.rstrip() else "!!"
        rows.append(f"{mark} {left!r:60.60} | {right!r}")
    return "\n".join(rows)
