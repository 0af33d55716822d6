"""A fake backend that answers agent sessions with scripted agent turns (for the Agents dock).

`AgentTurnScript` describes a turn as steps of tool calls; `ScriptedAgentBackend.send`
plays it through the same events, in the same order, as the real `run_stored_agent_turn`
(step, answer placeholder, model chosen, text, answer done, each call started /
approval / output / checkpoint / finished with its stored tool message, totals), storing
the messages so the branch looks like a real agent session afterwards. An approval waits
until `answer_approval` is called, like the real gate.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace

from codeface.agents.events import (
    AgentTurnDone,
    ApprovalGiven,
    ApprovalRequest,
    ApprovalRequested,
    CheckpointSaved,
    CommandOutput,
    StepStarted,
    ToolCallFinished,
    ToolCallStarted,
    ToolKind,
)
from codeface.application.contract import (
    Attachment,
    ConversationEvent,
    MessageSaved,
    SessionView,
    ToolRunView,
    TurnCheckpointView,
)
from codeface.core.events import AnswerStats, TextDelta, TurnDone, TurnStarted
from codeface.core.messages import ToolCall
from codeface.core.settings import Policy
from tests.ui.fake_backend import FakeBackend

MODEL = "qwen2.5-coder:7b"
PROVIDER = "ollama@127.0.0.1:11434"


@dataclass
class CallScript:
    """One tool call of a scripted step."""

    name: str
    arguments: dict[str, object]
    kind: ToolKind = "read"
    description: str = ""
    summary: str = "done"
    result: str = "ok"
    detail: str = ""
    status: str = "ok"
    ask: bool = False
    output: tuple[str, ...] = ()
    hold: asyncio.Event | None = None
    """Wait for this event after its output (the test sees the call running)."""
    changed: tuple[str, ...] = ()


@dataclass
class AgentTurnScript:
    """Steps of calls; a last step with only ``final_text`` ends the turn."""

    steps: list[list[CallScript]] = field(default_factory=list)
    final_text: str = "All done."
    cost_per_step: float | None = 0.001
    gate: asyncio.Event | None = None
    """Wait here before the final step (so a test can look at a running turn)."""


class ScriptedAgentBackend(FakeBackend):
    """`FakeBackend` whose agent sessions answer with `AgentTurnScript`s."""

    def __init__(self, **options: object) -> None:
        super().__init__(**options)  # type: ignore[arg-type]
        self.agent_scripts: deque[AgentTurnScript] = deque()
        self.approval_waiters: dict[str, asyncio.Future[str]] = {}

    # --- sessions with a project and a role ----------------------------------------------
    async def create_session(
        self, *, project: str | None = None, policy: Policy | None = None, role: str | None = None
    ) -> SessionView:
        session = await super().create_session(project=project, policy=policy, role=role)
        updated = replace(session, project=project, role=role)
        self.sessions[session.id] = updated
        return updated

    async def set_session_role(self, session_id: str, role: str | None) -> None:
        await super().set_session_role(session_id, role)
        self.sessions[session_id] = replace(self.sessions[session_id], role=role)

    async def answer_approval(self, request_id: str, decision: str, reason: str = "") -> bool:  # type: ignore[override]
        answered = await super().answer_approval(request_id, decision, reason)  # type: ignore[arg-type]
        waiter = self.approval_waiters.pop(request_id, None)
        if waiter is not None and not waiter.done():
            waiter.set_result(decision)
        return answered

    # --- turns ---------------------------------------------------------------------------
    def send(
        self, session_id: str, text: str, attachments: tuple[Attachment, ...] = ()
    ) -> AsyncIterator[ConversationEvent]:
        if self.sessions[session_id].role and self.agent_scripts:
            self.calls.append(("send", session_id, text))
            return self._agent_turn(session_id, text, self.agent_scripts.popleft())
        return super().send(session_id, text, attachments)

    async def _agent_turn(
        self, session_id: str, text: str, script: AgentTurnScript
    ) -> AsyncIterator[ConversationEvent]:
        user = self._add(session_id, "user", text)
        yield MessageSaved(user)
        turn_id = user.id
        changed: list[str] = []
        steps = [*script.steps, []]
        total_in = total_out = 0
        for number, calls in enumerate(steps, 1):
            if not calls and script.gate is not None:
                await script.gate.wait()
            yield StepStarted(turn_id, number)
            answer = self._add(session_id, "assistant", "", status="streaming", model=MODEL)
            yield MessageSaved(answer)
            yield TurnStarted(PROVIDER, MODEL, "127.0.0.1:11434", "local")
            words = script.final_text if not calls else f"Step {number}: calling tools."
            yield TextDelta(words)
            tool_calls = tuple(
                ToolCall(f"call-{number}-{index}", call.name, dict(call.arguments))
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
            total_in, total_out = total_in + 100, total_out + 20
            yield TurnDone(words, stats, tool_calls)
            final = replace(
                self.messages[answer.id],
                content=words,
                status="complete",
                tool_calls=tool_calls,
                input_tokens=100,
                output_tokens=20,
                cost_usd=script.cost_per_step,
            )
            self.messages[answer.id] = final
            yield MessageSaved(final)
            for call, spec in zip(tool_calls, calls, strict=True):
                async for event in self._call(session_id, turn_id, call, spec, changed):
                    yield event
        yield AgentTurnDone(
            turn_id,
            len(steps),
            total_in,
            total_out,
            (script.cost_per_step or 0.0) * len(steps) if script.cost_per_step else None,
            (MODEL,),
            False,
            tuple(changed),
        )

    async def _call(
        self,
        session_id: str,
        turn_id: str,
        call: ToolCall,
        spec: CallScript,
        changed: list[str],
    ) -> AsyncIterator[ConversationEvent]:
        description = spec.description or f"{spec.name} {call.arguments}"
        yield ToolCallStarted(call, spec.kind, description)
        approver = "auto"
        status = spec.status
        if spec.ask:
            request = ApprovalRequest(
                f"approval-{call.id}", call, spec.kind, description, spec.detail or description
            )
            waiter: asyncio.Future[str] = asyncio.get_running_loop().create_future()
            self.approval_waiters[request.id] = waiter
            yield ApprovalRequested(request)
            decision = await waiter
            yield ApprovalGiven(call.id, decision, "user")  # type: ignore[arg-type]
            approver = "user"
            if decision == "deny":
                status = "denied"
        for piece in spec.output:
            yield CommandOutput(call.id, piece)
        if spec.hold is not None:
            await spec.hold.wait()
        if spec.changed and status == "ok":
            if not changed:
                yield CheckpointSaved(turn_id, spec.changed)
                checkpoints = self.checkpoints.setdefault(session_id, [])
                prompt = self.messages[turn_id].content
                checkpoints.append(
                    TurnCheckpointView(turn_id, prompt, "2026-12-06T10:00:00+00:00", spec.changed)
                )
            changed.extend(p for p in spec.changed if p not in changed)
        yield ToolCallFinished(
            call,
            spec.kind,
            status,  # type: ignore[arg-type]
            spec.result if status == "ok" else "denied by the user",
            spec.summary if status == "ok" else "denied",
            spec.detail,
            0.25,
            spec.changed if status == "ok" else (),
            approver,  # type: ignore[arg-type]
        )
        message = self._add(
            session_id,
            "tool",  # type: ignore[arg-type]
            spec.result,
            tool_call_id=call.id,
            tool_name=call.name,
            status="complete" if status == "ok" else "error",
        )
        self.runs.setdefault(session_id, []).append(
            ToolRunView(
                turn_id,
                call.name,
                str(call.arguments),
                status,
                spec.summary,
                approver,
                "2026-12-06T10:00:00+00:00",
                0.25,
                spec.changed,
            )
        )
        yield MessageSaved(message)


def reading_turn(count: int = 3, **options: object) -> AgentTurnScript:
    """A turn of ``count`` file reads, one per step."""
    steps = [
        [CallScript("read_file", {"path": f"src/file{i}.py"}, description=f"read src/file{i}.py")]
        for i in range(count)
    ]
    return AgentTurnScript(steps=steps, **options)  # type: ignore[arg-type]
