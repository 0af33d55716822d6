"""Printing an agent turn in a terminal: the answer on stdout, steps and tool calls on
stderr as they happen, approvals and questions asked at the terminal.

Without a terminal to ask (stdin not a TTY) nothing is asked: the approval policy denies
what ``--allow`` does not cover, and a question gets "no one is there to answer".
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TextIO, assert_never

from codeface.agents.approvals import ApprovalGate
from codeface.agents.events import (
    AgentTurnDone,
    ApprovalGiven,
    ApprovalRequested,
    CheckpointSaved,
    CommandOutput,
    Decision,
    QuestionAsked,
    StepStarted,
    ToolCallFinished,
    ToolCallStarted,
)
from codeface.application.contract import ConversationEvent, MessageSaved
from codeface.commands.common import guarded_write, terminal_safe
from codeface.commands.render import StreamPrinter
from codeface.core.events import (
    Finished,
    Notice,
    Progress,
    ProviderSwitched,
    Retrying,
    TextDelta,
    ThinkingDelta,
    ToolCallRequested,
    TurnDone,
    TurnFailed,
    TurnStarted,
    Usage,
)

NO_ANSWER = "(No one is there to answer: decide for yourself and say what you assumed.)"
_CHOICES: dict[str, Decision] = {
    "y": "once",
    "yes": "once",
    "s": "session",
    "n": "deny",
    "no": "deny",
}
Prompt = Callable[[str], str]


class AgentPrinter(StreamPrinter):
    """Shows an agent turn and answers its approvals and questions at the terminal."""

    def __init__(
        self,
        out: TextIO,
        err: TextIO,
        gate: ApprovalGate,
        *,
        ask: Prompt | None = None,
    ) -> None:
        super().__init__(out, err)
        self.gate = gate
        self.ask = ask
        self.undo_hint = ""
        self._output_open = False

    async def handle(self, event: ConversationEvent) -> None:
        """Print one event; answer it when it waits for the user."""
        match event:
            case ApprovalRequested():
                await self._approve(event)
            case QuestionAsked():
                await self._question(event)
            case CommandOutput():
                self._command_output(event.text)
            case (
                StepStarted()
                | ToolCallStarted()
                | ApprovalGiven()
                | CheckpointSaved()
                | ToolCallFinished()
                | AgentTurnDone()
            ):
                self._agent_note(event)
            case MessageSaved():
                pass
            case (
                TextDelta()
                | ThinkingDelta()
                | ToolCallRequested()
                | Usage()
                | Finished()
                | Retrying()
                | ProviderSwitched()
                | Progress()
                | Notice()
                | TurnStarted()
                | TurnDone()
                | TurnFailed()
            ):
                self._close_output()
                if not isinstance(event, ToolCallRequested):
                    self.show(event)
            case _:
                assert_never(event)

    def _agent_note(
        self,
        event: StepStarted
        | ToolCallStarted
        | ApprovalGiven
        | CheckpointSaved
        | ToolCallFinished
        | AgentTurnDone,
    ) -> None:
        self._close_output()
        match event:
            case ToolCallStarted():
                self._note(f"→ {event.description}")
            case ApprovalGiven():
                if event.decision == "deny" and event.approver != "user":
                    self._note(f"  not allowed: {event.reason}")
            case ToolCallFinished():
                mark = {"ok": "✓", "error": "✗", "denied": "⊘"}[event.status]
                self._note(f"  {mark} {event.summary}")
            case AgentTurnDone():
                parts = [f"{event.steps} step{'s' * (event.steps != 1)}"]
                if event.output_tokens or event.input_tokens:
                    parts.append(f"{event.input_tokens} in / {event.output_tokens} out tokens")
                if event.cost_usd is not None:
                    parts.append(f"${event.cost_usd:.4f}")
                if event.changed_paths:
                    parts.append("changed " + ", ".join(event.changed_paths))
                self._note("done: " + " · ".join(parts))
                if event.stopped_at_step_limit:
                    self._note("stopped at the role's step limit; continue with --session")
                if event.changed_paths and self.undo_hint:
                    self._note(self.undo_hint)
            case StepStarted() | CheckpointSaved():
                pass

    def _command_output(self, text: str) -> None:
        if not self._output_open:
            self._finish_line()
            self._output_open = True
        guarded_write(self.err, terminal_safe(text))

    def _close_output(self) -> None:
        if self._output_open:
            self._output_open = False
            guarded_write(self.err, "\n")

    async def _approve(self, event: ApprovalRequested) -> None:
        self._close_output()
        request = event.request
        self._note(f"approval needed: {request.description}")
        guarded_write(self.err, terminal_safe(request.detail).rstrip("\n") + "\n")
        for reason in request.reasons:
            self._note(f"  it asks because {reason}")
        choices = (
            "[y] once, [s] for this session, [n] deny"
            if request.can_allow_for_session
            else "[y] once, [n] deny"
        )
        decision: Decision = "deny"
        reason = ""
        if self.ask is not None:
            while True:
                reply = (await asyncio.to_thread(self.ask, f"Allow? {choices}: ")).strip().lower()
                if reply in _CHOICES and (reply not in ("s",) or request.can_allow_for_session):
                    decision = _CHOICES[reply]
                    break
                if reply.startswith("n "):
                    decision, reason = "deny", reply[2:].strip()
                    break
        self.gate.answer(request.id, decision, reason)

    async def _question(self, event: QuestionAsked) -> None:
        self._close_output()
        self._note(f"the agent asks: {event.question}")
        reply = NO_ANSWER
        if self.ask is not None:
            reply = (await asyncio.to_thread(self.ask, "Your answer: ")).strip() or NO_ANSWER
        self.gate.answer_question(event.id, reply)
