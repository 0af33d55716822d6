"""What the window asks about agents: roles, approvals, undo and the audit trail."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Protocol

from codeface.agents.events import Decision

if TYPE_CHECKING:
    from codeface.application.contract import ConversationEvent
    from codeface.application.contract.agent_views import (
        ApprovalMode,
        RoleView,
        ToolRunView,
        TurnCheckpointView,
        UndoView,
    )


class AgentsContract(Protocol):
    """Agent sessions: a session with a role answers with an agent turn (see `send`)."""

    async def list_roles(self, project: str | None = None) -> list[RoleView]:
        """Built-in, the user's and the project's roles (problems are logged and skipped)."""
        ...

    async def set_session_role(self, session_id: str, role: str | None) -> None:
        """Make a session an agent session of ``role`` (None: a plain chat again)."""
        ...

    async def set_session_project(self, session_id: str, project: str | None) -> None:
        """Move a session to a project (its key, from `open_project`; None: no project)."""
        ...

    async def approval_mode(self, session_id: str) -> ApprovalMode:
        """What the session's agents may do without asking."""
        ...

    async def set_approval_mode(self, session_id: str, mode: ApprovalMode) -> None:
        """Change what the session's agents may do without asking."""
        ...

    async def answer_approval(self, request_id: str, decision: Decision, reason: str = "") -> bool:
        """Answer a waiting approval (``once``, ``session`` or ``deny``); False if none waits."""
        ...

    async def answer_question(self, question_id: str, text: str) -> bool:
        """Reply to a question the agent asked; False if none waits under that id."""
        ...

    def continue_turn(self, session_id: str) -> AsyncIterator[ConversationEvent]:
        """Go on with an agent turn that was interrupted."""
        ...

    async def turn_checkpoints(self, session_id: str) -> list[TurnCheckpointView]:
        """The session's agent turns that changed files, oldest first."""
        ...

    async def undo_turn(self, session_id: str, turn_id: str) -> UndoView:
        """Restore the files of one turn (the state before is saved, so undo can be undone)."""
        ...

    async def turn_diff(self, session_id: str, turn_id: str) -> str:
        """A unified diff from a turn's checkpoint to the files as they are now."""
        ...

    async def tool_runs(self, session_id: str) -> list[ToolRunView]:
        """The session's audit trail: every tool call, its outcome and who approved it."""
        ...
