"""View data of agents: roles, approval modes, checkpoints of turns, undo reports, audit."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RoleView:
    """An agent role the user can pick for a session (or with ``@name`` in the composer)."""

    name: str
    description: str
    source: str
    tools: tuple[str, ...]
    path: str | None = None
    max_steps: int = 25


@dataclass(frozen=True)
class ApprovalMode:
    """What a session lets agents do without asking (risky commands always ask)."""

    allow_edits: bool = False
    allow_commands: bool = False
    plan_only: bool = False


@dataclass(frozen=True)
class TurnCheckpointView:
    """An agent turn that changed files, which "Undo this turn" can restore."""

    turn_id: str
    prompt: str
    created_at: str
    paths: tuple[str, ...]
    undone: bool = False


@dataclass(frozen=True)
class UndoView:
    """What an undo restored; ``lines`` say it in words."""

    turn_id: str
    restored: tuple[str, ...]
    deleted: tuple[str, ...]
    not_restored: tuple[tuple[str, str], ...]
    changed_since: tuple[str, ...]
    lines: tuple[str, ...]


@dataclass(frozen=True)
class ToolRunView:
    """One row of a session's audit trail."""

    turn_id: str
    tool: str
    arguments: str
    status: str
    summary: str
    approver: str
    decided_at: str
    duration: float
    changed_paths: tuple[str, ...] = ()
    call_id: str = ""
    description: str = ""
    """The call in words, e.g. "read src/app.py lines 1–80"."""
