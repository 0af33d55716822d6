"""Undo an agent turn: put back, byte for byte, the files it changed.

The workspace's checkpoints know what each turn saved; the store knows which turns belong
to which session (a turn is named by its prompt's message id). Undo picks the latest turn
of the session that changed files and is not undone yet; the state before the undo is
saved too, so an undo can itself be undone.
"""

from __future__ import annotations

from dataclasses import dataclass

from codeface.core.errors import WorkspaceError
from codeface.store.service import Store
from codeface.workspace import Workspace
from codeface.workspace.checkpoints import RestoreReport


@dataclass(frozen=True)
class UndoReport:
    """What an undo restored, for the session and turn it undid."""

    session_id: str
    turn_id: str
    restore: RestoreReport

    def lines(self) -> list[str]:
        """A readable account, one fact a line."""
        restore = self.restore
        lines = [f"Undid turn {self.turn_id[:8]} of session {self.session_id[:8]}."]
        lines += [f"restored {path}" for path in restore.restored]
        lines += [f"deleted {path} (the turn created it)" for path in restore.deleted]
        lines += [f"not restored {path}: {why}" for path, why in restore.not_restored]
        if restore.changed_since:
            changed = ", ".join(restore.changed_since)
            lines.append(f"note: changed after the agent's last write, now replaced: {changed}")
        if not (restore.restored or restore.deleted or restore.not_restored):
            lines.append("nothing to restore: the files are as the turn found them")
        lines.append(f"the state before this undo is saved as {restore.undo_id}")
        return lines


async def turns_with_changes(store: Store, workspace: Workspace, session_id: str) -> list[str]:
    """Turns of the session that saved a checkpoint and are not undone, oldest first."""
    prompts = {m.id for m in await store.session_messages(session_id) if m.role == "user"}
    checkpoints = await workspace.checkpoints.list()
    undone = {c.undoes for c in checkpoints if c.kind == "undo" and c.undoes}
    return [
        c.turn_id
        for c in checkpoints
        if c.kind != "undo" and c.turn_id in prompts and c.turn_id not in undone and c.paths
    ]


async def latest_project_session(store: Store, workspace: Workspace) -> str:
    """The most recently used session of this project."""
    for session in await store.list_sessions():
        if session.project == workspace.key:
            return str(session.id)
    raise WorkspaceError(
        f"No session of {workspace.name} has run an agent yet",
        hint='Start one with: codeface agent "your goal"',
    )


async def undo_turn(
    store: Store, workspace: Workspace, session_id: str, turn_id: str
) -> UndoReport:
    """Restore the files of one turn."""
    return UndoReport(session_id, turn_id, await workspace.checkpoints.restore(turn_id))


async def undo_last_turn(
    store: Store, workspace: Workspace, *, session: str | None = None, turn: str | None = None
) -> UndoReport:
    """Undo ``turn``, or the latest undoable turn of ``session`` (default: the project's
    latest session)."""
    session_id = (
        await store.resolve_session_id(session)
        if session
        else await latest_project_session(store, workspace)
    )
    turns = await turns_with_changes(store, workspace, session_id)
    if turn is not None:
        matches = [t for t in turns if t.startswith(turn)]
        if len(matches) != 1:
            raise WorkspaceError(
                f"No undoable turn {turn!r} in session {session_id[:8]}",
                hint="Omit --turn to undo the latest turn.",
            )
        return await undo_turn(store, workspace, session_id, matches[0])
    if not turns:
        raise WorkspaceError(
            f"Session {session_id[:8]} has no agent turn left to undo",
            hint="Only turns that changed files can be undone.",
        )
    return await undo_turn(store, workspace, session_id, turns[-1])
