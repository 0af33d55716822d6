"""What the window asks about terminals: shells on a pty and tmux, by id."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Protocol

from codeface.terminal.tmux import SessionInfo


class TerminalContract(Protocol):
    """Terminals and tmux, for the window's terminal panel: processes start here, never in a
    widget; ids cross the contract, bytes come back."""

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
        """Start ``argv`` (default: the user's login shell) on a new pty in ``cwd``."""
        ...

    def terminal_output(self, terminal_id: str) -> AsyncIterator[bytes]:
        """What the child writes, as it comes, until it exits (then the iterator ends)."""
        ...

    def write_terminal(self, terminal_id: str, data: bytes) -> None:
        """Send input to the child (never blocks; a large paste is written as it drains)."""
        ...

    def resize_terminal(self, terminal_id: str, rows: int, columns: int) -> None:
        """Tell the child its new size."""
        ...

    def terminal_directory(self, terminal_id: str) -> str | None:
        """The child's current folder (None when unknown)."""
        ...

    def terminal_foreground(self, terminal_id: str) -> str | None:
        """The program in the terminal's foreground (e.g. ``vim``), when known."""
        ...

    async def terminal_exit(self, terminal_id: str) -> int:
        """The exit status once the output has ended (negative: killed by that signal)."""
        ...

    def close_terminal(self, terminal_id: str) -> None:
        """Hang up the child (never blocks; it is reaped in the background)."""
        ...

    async def tmux_check(self) -> tuple[int, int]:
        """tmux's version; raises `TmuxMissing` when tmux cannot be used."""
        ...

    async def tmux_sessions(self) -> list[SessionInfo]:
        """The sessions on CodeFace's tmux server (agent views left out)."""
        ...

    async def project_tmux_session(self, root: str, *, shell: str | None = None) -> str:
        """The name of the project's tmux session, created with the configured layout."""
        ...

    async def open_tmux_terminal(
        self,
        session: str,
        *,
        cwd: str,
        env: Mapping[str, str] | None = None,
        rows: int = 24,
        columns: int = 80,
    ) -> str:
        """A terminal attached to a tmux session."""
        ...

    async def open_agent_terminal(
        self,
        root: str,
        *,
        env: Mapping[str, str] | None = None,
        rows: int = 24,
        columns: int = 80,
    ) -> str:
        """A read-only terminal showing the project's agent window (created if needed)."""
        ...

    async def tmux_targets(self, session: str) -> list[str]:
        """Pane roles (or ids) of a session."""
        ...

    async def tmux_type(self, session: str, pane: str, text: str) -> str:
        """Type ``text`` into a pane (no Enter); the pane id it went to."""
        ...

    async def tmux_press_enter(self, pane_id: str) -> None:
        """Press Enter in a pane."""
        ...

    async def tmux_clear_line(self, pane_id: str) -> None:
        """Clear what was typed at a pane's prompt (Ctrl+E Ctrl+U)."""
        ...

    async def tmux_capture(self, session: str, pane: str, lines: int = 50) -> str:
        """The last ``lines`` lines of a pane."""
        ...
