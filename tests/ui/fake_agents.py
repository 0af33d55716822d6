"""The agent half of the fake backend: roles, approval modes, answers, undo, audit.

Agent turns themselves are scripted through `FakeBackend.script` like any answer (an
`AnswerScript` can carry agent events); answers to approvals are recorded in
``approvals`` and wake the waiting script through ``approval_answered``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from codeface.agents.events import Decision
from codeface.application.contract import (
    ApprovalMode,
    ConversationEvent,
    RoleView,
    ToolRunView,
    TurnCheckpointView,
    UndoView,
)
from codeface.application.contract.agents_contract import AgentsContract

ROLES = (
    RoleView("architect", "Proposes a design; changes nothing.", "built-in", ("read_file",)),
    RoleView("coder", "Makes changes and runs the tests.", "built-in", ("read_file", "edit_file")),
    RoleView("reviewer", "Reviews changes.", "built-in", ("read_file",)),
)


class FakeAgents(AgentsContract):
    """Agent state in memory."""

    def __init__(self) -> None:
        self.roles: list[RoleView] = list(ROLES)
        self.session_roles: dict[str, str | None] = {}
        self.modes: dict[str, ApprovalMode] = {}
        self.approvals: dict[str, tuple[Decision, str]] = {}
        self.questions: dict[str, str] = {}
        self.approval_answered = asyncio.Event()
        self.checkpoints: dict[str, list[TurnCheckpointView]] = {}
        self.runs: dict[str, list[ToolRunView]] = {}
        self.undone: list[str] = []

    async def list_roles(self, project: str | None = None) -> list[RoleView]:
        return list(self.roles)

    async def set_session_role(self, session_id: str, role: str | None) -> None:
        self.session_roles[session_id] = role

    async def approval_mode(self, session_id: str) -> ApprovalMode:
        return self.modes.get(session_id, ApprovalMode())

    async def set_approval_mode(self, session_id: str, mode: ApprovalMode) -> None:
        self.modes[session_id] = mode

    async def answer_approval(self, request_id: str, decision: Decision, reason: str = "") -> bool:
        if request_id in self.approvals:
            return False
        self.approvals[request_id] = (decision, reason)
        self.approval_answered.set()
        return True

    async def answer_question(self, question_id: str, text: str) -> bool:
        self.questions[question_id] = text
        self.approval_answered.set()
        return True

    async def continue_turn(self, session_id: str) -> AsyncIterator[ConversationEvent]:
        return
        yield

    async def turn_checkpoints(self, session_id: str) -> list[TurnCheckpointView]:
        return list(self.checkpoints.get(session_id, []))

    async def undo_turn(self, session_id: str, turn_id: str) -> UndoView:
        self.undone.append(turn_id)
        paths = next(
            (c.paths for c in self.checkpoints.get(session_id, []) if c.turn_id == turn_id), ()
        )
        return UndoView(turn_id, paths, (), (), (), tuple(f"restored {p}" for p in paths))

    async def turn_diff(self, session_id: str, turn_id: str) -> str:
        return ""

    async def tool_runs(self, session_id: str) -> list[ToolRunView]:
        return list(self.runs.get(session_id, []))
