"""`AppContext`: what the backend's services share — the engine, the store (opened on first
use), the open projects' workspaces, and each session's approval gate."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

from codeface.application.engine import Engine
from codeface.core.errors import WorkspaceError
from codeface.core.provider import Provider
from codeface.store.models import Session
from codeface.store.service import Store

if TYPE_CHECKING:
    from codeface.agents.approvals import ApprovalGate
    from codeface.application.agent_turn import AgentSetup
    from codeface.workspace import Workspace


class AppContext:
    """Shared state of one backend (one window)."""

    def __init__(self, engine: Engine, store: Store | None = None) -> None:
        self.engine = engine
        self._store = store
        self._open_lock = asyncio.Lock()
        self.retired: list[Provider] = []
        self.workspaces: dict[str, Workspace] = {}
        self.gates: dict[str, ApprovalGate] = {}

    async def store(self) -> Store:
        """The store, opened on first use (off the GUI thread)."""
        async with self._open_lock:
            if self._store is None:
                self._store = await Store.open(self.engine.paths.database)
            return self._store

    async def close_store(self) -> None:
        """Close the store if it was opened."""
        if self._store is not None:
            await self._store.close()
            self._store = None

    def workspace(self, project: str) -> Workspace:
        """The workspace of an open project (opened again after a restart)."""
        found = self.workspaces.get(project)
        if found is None:
            from codeface.workspace import Workspace  # the project's modules load with it

            found = Workspace.open(project)
            self.workspaces[found.key] = found
            self.workspaces[project] = found
        return found

    def gate(self, session_id: str) -> ApprovalGate:
        """The approval gate of a session (its for-this-session rules live here)."""
        from codeface.agents.approvals import ApprovalGate

        gate = self.gates.get(session_id)
        if gate is None:
            gate = self.gates[session_id] = ApprovalGate()
        return gate

    async def agent_setup(self, session: Session) -> AgentSetup | None:
        """What an agent turn of this session needs; None for a plain chat session."""
        if not session.role:
            return None
        from codeface.application.agent_turn import AgentSetup
        from codeface.application.agents_setup import load_project_roles

        if not session.project:
            raise WorkspaceError(
                "This agent session has no project",
                hint="Open a project (File ▸ Open Project) and start the session there.",
            )
        workspace = await asyncio.to_thread(self.workspace, session.project)
        roles, _problems = await asyncio.to_thread(load_project_roles, workspace, self.engine.paths)
        role = roles.get(session.role)
        if role is None:
            raise WorkspaceError(
                f"There is no agent role {session.role!r}",
                hint=f"Pick one of: {', '.join(sorted(roles))}",
            )
        return AgentSetup(workspace, role, self.gate(session.id), self.private_folders())

    def private_folders(self) -> tuple[Path, ...]:
        """CodeFace's own folders, treated like credentials by command approval."""
        from codeface.application.agents_setup import private_folders

        return private_folders(self.engine.paths)
