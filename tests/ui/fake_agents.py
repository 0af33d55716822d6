"""The agent half of the fake backend: roles, approval modes, scripted agent turns, undo.

Scripted agent turns
--------------------
Queue an `AgentScript` with ``backend.script(...)`` (like an `AnswerScript`); the next
``send`` in any session plays it with the same events, in the same order, as the real
agent loop (`codeface.application.agent_turn`)::

    backend.script(
        AgentScript(
            steps=[
                [ScriptedCall("read_file", {"path": "src/app.py"})],
                [ScriptedCall("edit_file", {"path": "src/app.py",
                                            "old_text": "hello", "new_text": "bye"})],
                [ScriptedCall("run_command", {"command": "pytest -q"},
                              output=["..", "2 passed\\n"])],
            ],
            answer="Done: the greeting changed and the tests pass.",
        )
    )

Each step is an assistant message that calls its tools (``StepStarted``, the answer
placeholder, ``TurnStarted``, ``step_text``, ``TurnDone``, the saved answer with its
``tool_calls``); each call then plays ``ToolCallStarted`` → (``ApprovalRequested`` … the
test or the window answers with ``answer_approval`` … ``ApprovalGiven``) →
(``CheckpointSaved`` before a turn's first edit) → (``QuestionAsked`` … ``answer_question``)
→ ``CommandOutput`` pieces → (waits on ``hold``) → ``ToolCallFinished`` → the saved "tool"
message. The last step answers with ``answer`` and the turn ends with ``AgentTurnDone``.

Edits and commands ask by default (``ask=None``); reads never do. An allowed edit changes
``backend.files`` (the fake project), a denied one changes nothing and reports "denied".
Waiting requests are in ``backend.waiting_approvals`` (request id → ApprovalRequest);
every answer is recorded in ``backend.approvals`` / ``backend.questions`` and sets
``approval_answered``. Without a script, a session answers with plain text as before.
"""

from __future__ import annotations

import asyncio
import difflib
import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace
from types import EllipsisType
from typing import Any, Literal

from codeface.agents.events import (
    AgentTurnDone,
    ApprovalGiven,
    ApprovalRequest,
    ApprovalRequested,
    CheckpointSaved,
    CommandOutput,
    Decision,
    QuestionAsked,
    StepStarted,
    ToolCallFinished,
    ToolCallStarted,
    ToolKind,
    ToolStatus,
)
from codeface.application.contract import (
    ApprovalMode,
    ConversationEvent,
    MessageSaved,
    MessageStatus,
    MessageView,
    RoleView,
    SessionView,
    ToolRunView,
    TurnCheckpointView,
    UndoView,
)
from codeface.application.contract.agents_contract import AgentsContract
from codeface.core.events import AnswerStats, TextDelta, TurnDone, TurnStarted
from codeface.core.messages import ToolCall

ROLES = (
    RoleView("architect", "Proposes a design; changes nothing.", "built-in", ("read_file",)),
    RoleView("coder", "Makes changes and runs the tests.", "built-in", ("read_file", "edit_file")),
    RoleView("reviewer", "Reviews changes.", "built-in", ("read_file",)),
)
MODEL = "qwen2.5-coder:7b"
PROVIDER = "ollama@127.0.0.1:11434"
FAKE_PROJECT_ROOT = "/work/demo"
_KINDS: dict[str, ToolKind] = {
    "edit_file": "edit",
    "write_file": "edit",
    "run_command": "command",
    "ask_user": "question",
    "remember": "memory",
}


@dataclass
class ScriptedCall:
    """One tool call of a scripted agent step (defaults follow the real tools)."""

    name: str
    arguments: dict[str, Any] = field(default_factory=dict)
    description: str = ""
    """The call in words (default: "read src/app.py", "run `pytest -q`"...)."""
    ask: bool | None = None
    """Ask for approval (default: edits and commands ask, the rest do not)."""
    detail: str = ""
    """What the approval shows (default: the edit's diff, "$ command\\n(in root)")."""
    reasons: tuple[str, ...] = ()
    can_allow_for_session: bool = True
    output: list[str] = field(default_factory=list)
    """Live command output, piece by piece."""
    hold: asyncio.Event | None = None
    """Wait for this event before finishing (a test can look at the running call)."""
    result: str = ""
    summary: str = ""
    status: ToolStatus = "ok"
    duration: float = 0.2

    @property
    def kind(self) -> ToolKind:
        return _KINDS.get(self.name, "read")

    @property
    def asks(self) -> bool:
        return self.ask if self.ask is not None else self.kind in ("edit", "command")

    def words(self) -> str:
        if self.description:
            return self.description
        args = self.arguments
        match self.name:
            case "run_command":
                return f"run `{args.get('command', '')}`"
            case "ask_user":
                return f"ask: {args.get('question', '')}"
            case "edit_file" | "write_file" | "read_file":
                return f"{self.name.split('_')[0]} {args.get('path', '')}"
            case _:
                return self.name


@dataclass
class AgentScript:
    """An agent turn: steps of tool calls, then a final answer."""

    steps: list[list[ScriptedCall]] = field(default_factory=list)
    answer: str = "Done."
    step_text: str = ""
    """What each tool-calling step says before its calls ("" for nothing)."""
    gate: asyncio.Event | None = None
    """Wait here before the final answer (the turn stays running until it is set)."""
    cost_per_step: float | None = None
    yield_between_events: bool = True
    """Let the loop turn between events, as a real turn does between network reads."""


class FakeAgents(AgentsContract):
    """Agent state in memory, and the player of `AgentScript`s."""

    sessions: dict[str, SessionView]
    files: dict[str, str | None]
    messages: dict[str, MessageView]

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
        self.waiting_approvals: dict[str, ApprovalRequest] = {}
        self._approval_waiters: dict[str, asyncio.Future[tuple[Decision, str]]] = {}
        self._question_waiters: dict[str, asyncio.Future[str]] = {}
        self._agent_ids = itertools.count(1)

    # ------------------------------------------------------------------ contract
    async def list_roles(self, project: str | None = None) -> list[RoleView]:
        return list(self.roles)

    async def set_session_project(self, session_id: str, project: str | None) -> None:
        if session_id in self.sessions:
            self.sessions[session_id] = replace(self.sessions[session_id], project=project)

    async def set_session_role(self, session_id: str, role: str | None) -> None:
        self.session_roles[session_id] = role
        if session_id in self.sessions:
            self.sessions[session_id] = replace(self.sessions[session_id], role=role)

    async def approval_mode(self, session_id: str) -> ApprovalMode:
        return self.modes.get(session_id, ApprovalMode())

    async def set_approval_mode(self, session_id: str, mode: ApprovalMode) -> None:
        self.modes[session_id] = mode

    async def answer_approval(self, request_id: str, decision: Decision, reason: str = "") -> bool:
        if request_id in self.approvals:
            return False
        self.approvals[request_id] = (decision, reason)
        self.approval_answered.set()
        waiter = self._approval_waiters.pop(request_id, None)
        if waiter is not None and not waiter.done():
            waiter.set_result((decision, reason))
        return True

    async def answer_question(self, question_id: str, text: str) -> bool:
        self.questions[question_id] = text
        self.approval_answered.set()
        waiter = self._question_waiters.pop(question_id, None)
        if waiter is not None and not waiter.done():
            waiter.set_result(text)
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

    # ------------------------------------------------------------------ scripted turns
    def _add(
        self,
        session_id: str,
        role: Literal["user", "assistant"],
        text: str,
        parent: str | EllipsisType | None = ...,
        status: MessageStatus = "complete",
        **extra: object,
    ) -> MessageView:
        raise NotImplementedError  # FakeBackend's: a message on the session's branch

    def _decorate(self, message: MessageView) -> MessageView:
        raise NotImplementedError  # FakeBackend's: sibling numbers

    async def play_agent_turn(
        self, session_id: str, turn_id: str, script: AgentScript
    ) -> AsyncIterator[ConversationEvent]:
        """The events of ``script`` after the user message ``turn_id`` (see the module doc)."""
        changed: list[str] = []
        rounds = [*script.steps, []]
        for number, calls in enumerate(rounds, 1):
            if not calls and script.gate is not None:
                await script.gate.wait()
            yield StepStarted(turn_id, number)
            answer = self._add(session_id, "assistant", "", status="streaming", model=MODEL)
            yield MessageSaved(answer)
            yield TurnStarted(PROVIDER, MODEL, "127.0.0.1:11434", "local")
            text = script.answer if not calls else script.step_text
            if text:
                yield TextDelta(text)
            tool_calls = tuple(
                ToolCall(f"call_{index}", call.name, dict(call.arguments))
                for index, call in enumerate(calls)
            )
            stats = AnswerStats(
                PROVIDER,
                MODEL,
                "127.0.0.1:11434",
                100,
                20,
                0.05,
                40.0,
                script.cost_per_step,
                "tool_calls" if calls else "stop",
            )
            yield TurnDone(text, stats, tool_calls)
            final = replace(
                self.messages[answer.id],
                content=text,
                status="complete",
                tool_calls=tool_calls,
                input_tokens=100,
                output_tokens=20,
                cost_usd=script.cost_per_step,
                tokens_per_second=40.0,
            )
            self.messages[answer.id] = final
            yield MessageSaved(self._decorate(final))
            for call, spec in zip(tool_calls, calls, strict=True):
                async for event in self._play_call(session_id, turn_id, call, spec, changed):
                    yield event
                    if script.yield_between_events:
                        await asyncio.sleep(0)
        yield AgentTurnDone(
            turn_id,
            len(rounds),
            100 * len(rounds),
            20 * len(rounds),
            None if script.cost_per_step is None else script.cost_per_step * len(rounds),
            (MODEL,),
            False,
            tuple(changed),
        )

    def _edit_outcome(self, call: ToolCall) -> tuple[str, str | None, str]:
        """(diff, new text or None when the edit cannot apply, error)."""
        path = str(call.arguments.get("path", ""))
        old = self.files.get(path)
        if call.name == "write_file":
            new = str(call.arguments.get("content", ""))
        elif old is None:
            return "", None, f"{path} does not exist"
        else:
            old_text = str(call.arguments.get("old_text", ""))
            if old.count(old_text) != 1:
                return "", None, f"the text to replace occurs {old.count(old_text)} times"
            new = old.replace(old_text, str(call.arguments.get("new_text", "")))
        diff = "".join(
            difflib.unified_diff(
                (old or "").splitlines(keepends=True),
                new.splitlines(keepends=True),
                "/dev/null" if old is None else f"a/{path}",
                f"b/{path}",
            )
        )
        return diff, new, ""

    async def _play_call(
        self,
        session_id: str,
        turn_id: str,
        call: ToolCall,
        spec: ScriptedCall,
        changed: list[str],
    ) -> AsyncIterator[ConversationEvent]:
        kind = spec.kind
        description = spec.words()
        yield ToolCallStarted(call, kind, description)
        status: ToolStatus = spec.status
        summary, result, detail = spec.summary or "done", spec.result or "ok", ""
        diff, new_text, problem = self._edit_outcome(call) if kind == "edit" else ("", None, "")
        approver: Any = "auto"
        reason = ""
        if spec.asks:
            shown = spec.detail or diff
            if not shown and kind == "command":
                shown = f"$ {call.arguments.get('command', '')}\n(in {FAKE_PROJECT_ROOT})"
            request = ApprovalRequest(
                f"approval-{next(self._agent_ids)}",
                call,
                kind,
                description,
                shown or description,
                spec.reasons,
                spec.can_allow_for_session,
            )
            waiter: asyncio.Future[tuple[Decision, str]] = (
                asyncio.get_running_loop().create_future()
            )
            self._approval_waiters[request.id] = waiter
            self.waiting_approvals[request.id] = request
            yield ApprovalRequested(request)
            try:
                decision, reason = await waiter
            finally:
                self.waiting_approvals.pop(request.id, None)
                self._approval_waiters.pop(request.id, None)
            yield ApprovalGiven(call.id, decision, "user", reason)
            approver = "user"
            if decision == "deny":
                why = f" ({reason})" if reason else ""
                status, summary = "denied", f"denied by the user{why}"
                result = f"The user denied this{why}."
        if status == "ok" and kind == "edit":
            path = str(call.arguments.get("path", ""))
            if new_text is None:
                status, summary, result = "error", f"failed: {problem}", problem
            else:
                if not changed:
                    yield CheckpointSaved(turn_id, (path,))
                self.files[path] = new_text
                if path not in changed:
                    changed.append(path)
                summary, result, detail = f"changed {path}", f"Edited {path}.", diff
        if status == "ok" and kind == "question":
            question_id = f"question-{next(self._agent_ids)}"
            reply: asyncio.Future[str] = asyncio.get_running_loop().create_future()
            self._question_waiters[question_id] = reply
            yield QuestionAsked(question_id, call.id, str(call.arguments.get("question", "")))
            answer = await reply
            summary, result = f"answered: {answer[:80]}", answer
        if status == "ok":
            for piece in spec.output:
                yield CommandOutput(call.id, piece)
            if kind == "command":
                detail = "".join(spec.output)
        if spec.hold is not None:
            await spec.hold.wait()
        yield ToolCallFinished(
            call,
            kind,
            status,
            result,
            summary,
            detail or spec.detail,
            spec.duration,
            (str(call.arguments.get("path", "")),) if kind == "edit" and status == "ok" else (),
            approver,
        )
        message = self._add(
            session_id,
            "tool",  # type: ignore[arg-type]
            result,
            status="complete" if status == "ok" else "error",
            tool_call_id=call.id,
            tool_name=call.name,
            tool_summary=summary,
            approval=("deny" if status == "denied" else "allowed") if approver == "user" else "",
            approval_reason=reason if approver == "user" and status == "denied" else "",
        )
        self.runs.setdefault(session_id, []).append(
            ToolRunView(
                turn_id,
                call.name,
                str(call.arguments),
                status,
                summary,
                approver,
                "2026-12-06T10:00:00+00:00",
                spec.duration,
            )
        )
        yield MessageSaved(message)
