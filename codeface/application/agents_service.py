"""Agent sessions as the window sees them: roles, approvals, undo, the audit trail
(`AgentsContract`). A session with a role answers with agent turns (`ChatService.send`)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncGenerator
from contextlib import aclosing
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from codeface.agents.events import Decision
from codeface.application.chat_service import ContextUser
from codeface.application.contract import (
    ApprovalMode,
    ConversationEvent,
    RoleView,
    ToolRunView,
    TurnCheckpointView,
    UndoView,
)
from codeface.application.contract.agents_contract import AgentsContract
from codeface.application.conversation import Conversation
from codeface.core.errors import WorkspaceError
from codeface.core.messages import ToolCall

if TYPE_CHECKING:
    from codeface.workspace import Workspace


def _call_of(call_id: str, tool: str, arguments: str) -> ToolCall:
    """A stored audit row's call (arguments that no longer parse are left out)."""
    try:
        parsed = json.loads(arguments)
    except json.JSONDecodeError:
        parsed = {}
    return ToolCall(call_id, tool, parsed if isinstance(parsed, dict) else {})


def _iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="seconds")


class AgentsService(ContextUser, AgentsContract):
    """Roles, approvals, undo and the audit trail of agent sessions."""

    async def list_roles(self, project: str | None = None) -> list[RoleView]:
        """Built-in, the user's and the project's roles (broken files are skipped)."""
        from codeface.application.agents_setup import load_project_roles

        workspace = await asyncio.to_thread(self.context.workspace, project) if project else None
        roles, _problems = await asyncio.to_thread(load_project_roles, workspace, self.engine.paths)
        return [
            RoleView(
                name=role.name,
                description=role.description,
                source=role.source,
                tools=role.tools,
                path=str(role.path) if role.path else None,
                max_steps=role.max_steps,
            )
            for role in sorted(roles.values(), key=lambda role: role.name)
        ]

    async def set_session_role(self, session_id: str, role: str | None) -> None:
        """Make a session an agent session of ``role`` (None: a plain chat again)."""
        await (await self.store()).update_session(session_id, role=role)

    async def set_session_project(self, session_id: str, project: str | None) -> None:
        """Move a session to a project (an agent session needs one)."""
        key = (await asyncio.to_thread(self.context.workspace, project)).key if project else None
        await (await self.store()).update_session(session_id, project=key)

    async def approval_mode(self, session_id: str) -> ApprovalMode:
        """What the session's agents may do without asking."""
        policy = self.context.gate(session_id).policy
        return ApprovalMode(policy.allow_edits, policy.allow_commands, policy.plan_only)

    async def set_approval_mode(self, session_id: str, mode: ApprovalMode) -> None:
        """Change what the session's agents may do without asking."""
        policy = self.context.gate(session_id).policy
        policy.allow_edits = mode.allow_edits
        policy.allow_commands = mode.allow_commands
        policy.plan_only = mode.plan_only

    async def answer_approval(self, request_id: str, decision: Decision, reason: str = "") -> bool:
        """Answer a waiting approval; False when none waits under that id."""
        return any(
            gate.answer(request_id, decision, reason) for gate in self.context.gates.values()
        )

    async def answer_question(self, question_id: str, text: str) -> bool:
        """Reply to a question an agent asked; False when none waits under that id."""
        return any(gate.answer_question(question_id, text) for gate in self.context.gates.values())

    async def continue_turn(self, session_id: str) -> AsyncGenerator[ConversationEvent, None]:
        """Go on with an agent turn that was interrupted."""
        store = await self.store()
        session = await store.get_session(session_id)
        setup = await self.context.agent_setup(session)
        if setup is None:
            raise WorkspaceError("This session has no agent role to continue with")
        conversation = Conversation(self.engine, store)
        async with aclosing(conversation.continue_turn(session_id, setup)) as events:
            async for event in events:
                yield event

    async def _workspace_of(self, session_id: str) -> Workspace:
        session = await (await self.store()).get_session(session_id)
        if not session.project:
            raise WorkspaceError("This session has no project, so no agent changed files")
        return await asyncio.to_thread(self.context.workspace, session.project)

    async def turn_checkpoints(self, session_id: str) -> list[TurnCheckpointView]:
        """The session's agent turns that changed files, oldest first."""
        from codeface.application.undo import turns_with_changes

        store = await self.store()
        workspace = await self._workspace_of(session_id)
        prompts = {m.id: m for m in await store.session_messages(session_id) if m.role == "user"}
        live = set(await turns_with_changes(store, workspace, session_id))
        found = []
        for checkpoint in await workspace.checkpoints.list():
            prompt = prompts.get(checkpoint.turn_id)
            if checkpoint.kind == "undo" or prompt is None or not checkpoint.paths:
                continue
            found.append(
                TurnCheckpointView(
                    turn_id=checkpoint.turn_id,
                    prompt=prompt.content.strip().splitlines()[0][:120]
                    if prompt.content.strip()
                    else "",
                    created_at=_iso(checkpoint.created_at),
                    paths=checkpoint.paths,
                    undone=checkpoint.turn_id not in live,
                )
            )
        return found

    async def undo_turn(self, session_id: str, turn_id: str) -> UndoView:
        """Restore the files of one turn; the state before is saved so undo can be undone."""
        from codeface.application.undo import undo_turn

        store = await self.store()
        workspace = await self._workspace_of(session_id)
        report = await undo_turn(store, workspace, session_id, turn_id)
        restore = report.restore
        return UndoView(
            turn_id=turn_id,
            restored=restore.restored,
            deleted=restore.deleted,
            not_restored=restore.not_restored,
            changed_since=restore.changed_since,
            lines=tuple(report.lines()),
        )

    async def turn_diff(self, session_id: str, turn_id: str) -> str:
        """A unified diff from a turn's checkpoint to the files as they are now."""
        workspace = await self._workspace_of(session_id)
        return await workspace.checkpoints.diff(turn_id)

    async def tool_runs(self, session_id: str) -> list[ToolRunView]:
        """The session's audit trail."""
        from codeface.agents.describe import describe_call

        runs = await (await self.store()).tool_runs(session_id)
        return [
            ToolRunView(
                turn_id=run.turn_id,
                call_id=run.call_id,
                description=describe_call(_call_of(run.call_id, run.tool, run.arguments)),
                tool=run.tool,
                arguments=run.arguments,
                status=run.status,
                summary=run.summary,
                approver=run.approver,
                decided_at=_iso(run.decided_at),
                duration=run.duration,
                changed_paths=run.changed_paths,
            )
            for run in runs
        ]
