"""What the Agents dock knows about one agent turn, kept as plain data (no Qt).

`TurnState` folds the bridge's agent signals (steps, tool calls, approvals, command
output, usage, the final totals) into steps and tool calls the timeline draws; the same
shape is rebuilt from a stored branch (`turn_from_branch`) so the last turn of a session
can be shown when nothing runs. Every update says which step or call changed, so the
widget repaints one row, never the whole tree.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from codeface.application.contract import MessageView, ToolRunView
    from codeface.core.events import TurnDone, TurnStarted

# Widgets may not import codeface.agents (tests/test_architecture.py): the agent events
# arrive through the bridge's signals and are read by their fields, named here.
AgentTurnDone = Any
"""codeface.agents.events.AgentTurnDone"""
ApprovalGiven = Any
"""codeface.agents.events.ApprovalGiven"""
ApprovalRequest = Any
"""codeface.agents.events.ApprovalRequest"""
QuestionAsked = Any
"""codeface.agents.events.QuestionAsked"""
StepStarted = Any
"""codeface.agents.events.StepStarted"""
ToolCallFinished = Any
"""codeface.agents.events.ToolCallFinished"""
ToolCallStarted = Any
"""codeface.agents.events.ToolCallStarted"""

CallStatus = Literal["running", "waiting", "question", "ok", "error", "denied", "stopped"]
TurnStatus = Literal["running", "done", "stopped", "failed"]
OUTPUT_LIMIT = 1_000_000
"""Characters of live command output kept per call (the head is dropped beyond it)."""
TEXT_LIMIT = 200_000


@dataclass
class CallRecord:
    """One tool call of a step, as the timeline shows it."""

    call_id: str
    name: str
    description: str
    kind: str = ""
    arguments: str = ""
    status: CallStatus = "running"
    started: float = 0.0
    duration: float | None = None
    summary: str = ""
    detail: str = ""
    result: str = ""
    approver: str = ""
    waiting_for: str = ""
    """What the user is asked (the approval's detail, or the agent's question)."""
    reasons: tuple[str, ...] = ()
    output: list[str] = field(default_factory=list)
    output_size: int = 0

    def add_output(self, text: str) -> None:
        """Keep live command output, dropping the oldest pieces beyond `OUTPUT_LIMIT`."""
        self.output.append(text)
        self.output_size += len(text)
        while self.output_size > OUTPUT_LIMIT and len(self.output) > 1:
            self.output_size -= len(self.output.pop(0))

    @property
    def live_output(self) -> str:
        """The command output received so far."""
        return "".join(self.output)

    @property
    def finished(self) -> bool:
        """Whether the call has ended (however it ended)."""
        return self.status in ("ok", "error", "denied", "stopped")


@dataclass
class StepRecord:
    """One model answer of the turn and the tool calls it asked for."""

    number: int
    started: float
    model: str = ""
    provider: str = ""
    input_tokens: int | None = None
    output_tokens: int | None = None
    cost_usd: float | None = None
    text: str = ""
    ended: float | None = None
    calls: list[CallRecord] = field(default_factory=list)

    @property
    def running(self) -> bool:
        """Whether the model is still answering, or a call of this step still runs."""
        return self.ended is None or any(not call.finished for call in self.calls)


@dataclass
class TurnState:
    """One agent turn: its steps, calls, totals and how it stands."""

    session_id: str | None
    started: float = field(default_factory=time.monotonic)
    turn_id: str = ""
    status: TurnStatus = "running"
    ended: float | None = None
    steps: list[StepRecord] = field(default_factory=list)
    calls: dict[str, CallRecord] = field(default_factory=dict)
    call_steps: dict[str, StepRecord] = field(default_factory=dict)
    models: list[str] = field(default_factory=list)
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float | None = None
    changed_paths: tuple[str, ...] = ()
    stopped_at_step_limit: bool = False
    error: str = ""
    stored: bool = False
    """Rebuilt from the stored branch (durations and totals as far as they were kept)."""
    stored_seconds: float | None = None

    # --- queries -------------------------------------------------------------------
    @property
    def running(self) -> bool:
        """Whether the turn is still going."""
        return self.status == "running"

    @property
    def current_step(self) -> StepRecord | None:
        """The step being worked on (None before the first or once the turn ended)."""
        return self.steps[-1] if self.steps and self.running else None

    def elapsed(self, now: float | None = None) -> float:
        """Seconds since the turn started (until it ended)."""
        if self.stored_seconds is not None:
            return self.stored_seconds
        end = self.ended if self.ended is not None else (now or time.monotonic())
        return max(0.0, end - self.started)

    def steps_done(self) -> int:
        """Steps whose answer and calls have all finished."""
        return sum(1 for step in self.steps if not step.running)

    def waiting_calls(self) -> list[CallRecord]:
        """Calls that wait for the user (an approval or an answer)."""
        return [call for call in self.calls.values() if call.status in ("waiting", "question")]

    def all_calls(self) -> list[CallRecord]:
        """Every call of the turn, in order."""
        return [call for step in self.steps for call in step.calls]

    # --- live updates (each returns what changed) -----------------------------------
    def step_started(self, event: StepStarted) -> StepRecord:
        """A new model answer begins; the previous step's answer is over."""
        now = time.monotonic()
        self.turn_id = event.turn_id
        if self.steps and self.steps[-1].ended is None:
            self.steps[-1].ended = now
        step = StepRecord(event.step, now)
        self.steps.append(step)
        return step

    def _attach(self, call: CallRecord) -> None:
        step = self._step()
        step.calls.append(call)
        self.calls[call.call_id] = call
        self.call_steps[call.call_id] = step

    def step_of(self, call: CallRecord) -> StepRecord | None:
        """The step that asked for ``call``."""
        step = self.call_steps.get(call.call_id)
        if step is not None and any(known is call for known in step.calls):
            return step
        return next((s for s in self.steps if any(known is call for known in s.calls)), None)

    def _step(self) -> StepRecord:
        if not self.steps:
            self.steps.append(StepRecord(1, time.monotonic()))
        return self.steps[-1]

    def answer_started(self, event: TurnStarted) -> StepRecord:
        """The router chose a model for the current step."""
        step = self._step()
        step.model, step.provider = event.model, event.provider
        if event.model and event.model not in self.models:
            self.models.append(event.model)
        return step

    def answer_text(self, text: str) -> StepRecord:
        """Text the model wrote in the current step (kept for "open")."""
        step = self._step()
        if len(step.text) < TEXT_LIMIT:
            step.text += text[: TEXT_LIMIT - len(step.text)]
        return step

    def answer_done(self, event: TurnDone) -> StepRecord:
        """The current step's answer is complete: count its tokens and cost."""
        step = self._step()
        stats = event.stats
        step.ended = time.monotonic()
        step.input_tokens, step.output_tokens = stats.input_tokens, stats.output_tokens
        step.cost_usd = stats.cost_usd
        if stats.model and not step.model:
            step.model = stats.model
        self.input_tokens += stats.input_tokens or 0
        self.output_tokens += stats.output_tokens or 0
        if stats.cost_usd is not None:
            self.cost_usd = (self.cost_usd or 0.0) + stats.cost_usd
        return step

    def tool_started(self, event: ToolCallStarted) -> CallRecord:
        """A tool call is checked and run. Call ids are unique within a step only (some
        providers number them from 0 in every answer), so a finished call of an earlier
        step with the same id is a different call."""
        call = self.calls.get(event.call.id)
        if call is None or call.finished:
            call = CallRecord(
                event.call.id,
                event.call.name,
                event.description,
                event.kind,
                _arguments(event.call.arguments),
                started=time.monotonic(),
            )
            self._attach(call)
        call.status = "running"
        return call

    def approval_requested(self, request: ApprovalRequest) -> CallRecord:
        """A call waits for the user's approval."""
        call = self.calls.get(request.call.id)
        if call is None or call.finished:
            call = CallRecord(
                request.call.id,
                request.call.name,
                request.description,
                request.kind,
                _arguments(request.call.arguments),
                started=time.monotonic(),
            )
            self._attach(call)
        call.status = "waiting"
        call.waiting_for = request.detail
        call.reasons = request.reasons
        return call

    def approval_given(self, event: ApprovalGiven) -> CallRecord | None:
        """The user (or a rule) decided; a denied call is finished by `tool_finished`."""
        call = self.calls.get(event.call_id)
        if call is not None and call.status == "waiting":
            call.status = "running"
            call.approver = event.approver
        return call

    def question(self, event: QuestionAsked) -> CallRecord | None:
        """The agent asks the user something and waits."""
        call = self.calls.get(event.call_id)
        if call is not None:
            call.status = "question"
            call.waiting_for = event.question
        return call

    def command_output(self, call_id: str, text: str) -> CallRecord | None:
        """Live output of a command."""
        call = self.calls.get(call_id)
        if call is not None:
            call.add_output(text)
        return call

    def tool_finished(self, event: ToolCallFinished) -> CallRecord:
        """A call ended with its status, summary and full output."""
        call = self.calls.get(event.call.id)
        if call is None or call.finished:
            call = self.tool_started_from_finish(event)
        call.status = event.status
        call.duration = event.duration or (time.monotonic() - call.started)
        call.summary = event.summary
        call.detail = event.detail
        call.result = event.result
        call.approver = event.approver
        call.waiting_for = ""
        return call

    def tool_started_from_finish(self, event: ToolCallFinished) -> CallRecord:
        """A finish without a start (a call refused before it ran)."""
        call = CallRecord(
            event.call.id,
            event.call.name,
            f"{event.call.name} {_arguments(event.call.arguments, 80)}",
            event.kind,
            _arguments(event.call.arguments),
            started=time.monotonic(),
        )
        self._attach(call)
        return call

    def agent_done(self, event: AgentTurnDone) -> None:
        """The turn's totals (they replace the running sums)."""
        self.turn_id = event.turn_id or self.turn_id
        self.input_tokens = max(self.input_tokens, event.input_tokens)
        self.output_tokens = max(self.output_tokens, event.output_tokens)
        if event.cost_usd is not None:
            self.cost_usd = event.cost_usd
        for model in event.models:
            if model not in self.models:
                self.models.append(model)
        self.changed_paths = event.changed_paths
        self.stopped_at_step_limit = event.stopped_at_step_limit
        self.finish("done")

    def finish(self, status: TurnStatus, error: str = "") -> None:
        """End the turn (done, stopped by the user, or failed); running calls stop."""
        if not self.running:
            return
        now = time.monotonic()
        self.status = status
        self.error = error
        self.ended = now
        for step in self.steps:
            if step.ended is None:
                step.ended = now
            for call in step.calls:
                if not call.finished:
                    call.status = "stopped"
                    call.duration = now - call.started


def _arguments(arguments: dict[str, object], limit: int | None = None) -> str:
    text = json.dumps(arguments, ensure_ascii=False, sort_keys=True)
    if limit is not None and len(text) > limit:
        return text[: limit - 1] + "…"
    return text


def _seconds_between(start: str, end: str) -> float | None:
    try:
        return max(
            0.0, (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds()
        )
    except ValueError:
        return None


def turn_from_branch(
    session_id: str, branch: list[MessageView], runs: list[ToolRunView]
) -> TurnState | None:
    """The last agent turn of a stored branch (None when the branch has no tool step).

    Calls are matched to the audit trail by turn and order (``ToolRunView`` carries no
    call id), so their summary, duration and approver come from it when it has them.
    """
    user_index = max((i for i, m in enumerate(branch) if m.role == "user"), default=-1)
    if user_index < 0:
        return None
    prompt = branch[user_index]
    answers = branch[user_index + 1 :]
    if not any(m.tool_calls or m.role == "tool" for m in answers):
        return None
    turn = TurnState(session_id, turn_id=prompt.id, status="done", stored=True)
    turn.ended = turn.started
    audit = [run for run in runs if run.turn_id == prompt.id]
    waiting: dict[str, CallRecord] = {}
    for message in answers:
        if message.role == "tool":
            call = waiting.pop(message.tool_call_id or "", None)
            if call is not None:
                call.result = message.content
                if call.status == "stopped":
                    call.status = "ok" if message.status == "complete" else "error"
            continue
        if message.role != "assistant":
            continue
        step = StepRecord(len(turn.steps) + 1, turn.started, ended=turn.started)
        step.model, step.provider = message.model or "", message.provider or ""
        step.input_tokens, step.output_tokens = message.input_tokens, message.output_tokens
        step.cost_usd, step.text = message.cost_usd, message.content
        turn.input_tokens += message.input_tokens or 0
        turn.output_tokens += message.output_tokens or 0
        if message.cost_usd is not None:
            turn.cost_usd = (turn.cost_usd or 0.0) + message.cost_usd
        if step.model and step.model not in turn.models:
            turn.models.append(step.model)
        if message.status in ("cancelled", "interrupted"):
            turn.status = "stopped"
        elif message.status == "error":
            turn.status, turn.error = "failed", message.error_text or "the step failed"
        for tool_call in message.tool_calls:
            call = CallRecord(
                tool_call.id,
                tool_call.name,
                f"{tool_call.name} {_arguments(tool_call.arguments, 80)}",
                arguments=_arguments(tool_call.arguments),
                status="stopped",
                started=turn.started,
            )
            waiting[tool_call.id] = call
            run = next((r for r in audit if r.tool == tool_call.name), None)
            if run is not None:
                audit.remove(run)
                call.summary, call.duration, call.approver = run.summary, run.duration, run.approver
                if run.status in ("ok", "error", "denied"):
                    call.status = run.status  # type: ignore[assignment]
            step.calls.append(call)
            turn.calls[call.call_id] = call
            turn.call_steps[call.call_id] = step
        turn.steps.append(step)
    last = answers[-1] if answers else prompt
    turn.stored_seconds = _seconds_between(prompt.created_at, last.created_at)
    return turn
