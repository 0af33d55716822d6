"""The terminal room's engine, without Qt: pty sessions, the pyte screen model, keys,
tmux control and the per-project state. The widgets live in ``codeface.ui.widgets``."""

from __future__ import annotations

from codeface.terminal.history import CommandHistory, CommandRecord
from codeface.terminal.model import TerminalModel
from codeface.terminal.pty_session import PtySession, clean_environment, default_shell
from codeface.terminal.screen import TerminalScreen
from codeface.terminal.state import (
    ProjectTerminalState,
    load_project_state,
    save_project_state,
)
from codeface.terminal.tmux import (
    RunResult,
    SessionInfo,
    TmuxController,
    TmuxError,
    TmuxMissing,
    find_tmux,
    session_name_for,
)

__all__ = [
    "CommandHistory",
    "CommandRecord",
    "ProjectTerminalState",
    "PtySession",
    "RunResult",
    "SessionInfo",
    "TerminalModel",
    "TerminalScreen",
    "TmuxController",
    "TmuxError",
    "TmuxMissing",
    "clean_environment",
    "default_shell",
    "find_tmux",
    "load_project_state",
    "save_project_state",
    "session_name_for",
]
