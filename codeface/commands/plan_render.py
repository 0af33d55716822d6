"""Printing a plan in a terminal: the plan itself, then one line per transition of a task
on stderr as it happens, approvals and questions asked at the terminal (through
`AgentPrinter`), and each finished task's summary on stdout at the end.

Everything a model wrote passes `terminal_safe`: its escape sequences are shown, not obeyed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TextIO, assert_never

from codeface.agents.approvals import ApprovalGate
from codeface.agents.events import ApprovalRequested, QuestionAsked
from codeface.agents.plan import Plan
from codeface.agents.plan_events import (
    PlanEvent,
    PlanFinished,
    PlanPlanned,
    PlanStarted,
    TaskActivity,
    TaskCancelled,
    TaskDone,
    TaskFailed,
    TaskQueued,
    TaskRetrying,
    TaskStarted,
    TaskStep,
    TaskWaiting,
)
from codeface.agents.plan_state import PlanStatus, TaskProgress
from codeface.commands.agent_render import AgentPrinter, Prompt
from codeface.commands.common import guarded_write, terminal_safe

EXIT_CODES: dict[str, int] = {"done": 0, "failed": 1, "cancelled": 130, "interrupted": 130}


def duration(seconds: float) -> str:
    """``0.4 s``, ``12 s``, ``3 min 5 s``, ``2 h 4 min``."""
    if seconds < 10:
        return f"{seconds:.1f} s"
    if seconds < 60:
        return f"{seconds:.0f} s"
    minutes, secs = divmod(int(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {secs} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min"


def usage(input_tokens: int, output_tokens: int, cost: float | None) -> str:
    """``1,234 tokens · $0.0120`` (empty when nothing was counted or spent)."""
    parts = []
    if input_tokens or output_tokens:
        parts.append(f"{input_tokens + output_tokens:,} tokens")
    if cost:  # local models cost nothing: no "$0.0000" on every line
        parts.append(f"${cost:.4f}")
    return " · ".join(parts)


def plan_lines(plan: Plan) -> list[str]:
    """The plan as the user confirms it: one line per task, then its briefs."""
    width = max(len(task.id) for task in plan.tasks) if plan.tasks else 2
    roles = max(len(task.role) for task in plan.tasks) if plan.tasks else 5
    lines = [f"Plan for: {plan.goal}"]
    for task in plan.tasks:
        line = f"  {task.id:<{width}}  {task.role:<{roles}}  {task.title}"
        if task.depends_on:
            line += f"  (after {', '.join(task.depends_on)})"
        if task.files:
            line += f"  [{', '.join(task.files)}]"
        lines.append(line)
    lines.append(f"If a task fails for good: {plan.failure_policy} (--on-failure)")
    return [terminal_safe(line) for line in lines]


def brief_lines(plan: Plan) -> list[str]:
    """Each task's brief, indented under its id."""
    lines = []
    for task in plan.tasks:
        lines.append(f"{task.id}: {task.title}")
        lines += [f"    {line}" for line in task.brief.splitlines()]
    return [terminal_safe(line) for line in lines]


class PlanPrinter:
    """Shows a running plan and answers its approvals and questions at the terminal."""

    def __init__(
        self, out: TextIO, err: TextIO, gate: ApprovalGate, *, ask: Prompt | None = None
    ) -> None:
        self.out = out
        self.err = err
        self.agent = AgentPrinter(out, err, gate, ask=ask)
        self.status: PlanStatus | None = None
        self.summaries: list[tuple[str, str]] = []

    def note(self, text: str) -> None:
        """One line on stderr."""
        guarded_write(self.err, terminal_safe(text) + "\n")

    def _task(self, task: TaskProgress, text: str) -> None:
        self.note(f"[{task.task_id}] {text}")

    async def handle(self, event: PlanEvent) -> None:
        """Print one event (answering it when it waits for the user)."""
        match event:
            case PlanPlanned():
                for line in plan_lines(event.plan):
                    self.note(line)
            case PlanStarted():
                done = [t.task_id for t in event.tasks if t.status == "done"]
                verb = "resumed" if event.resumed else "started"
                self.note(f"plan {event.plan_id[:8]} {verb}: {len(event.tasks)} tasks")
                if done and event.resumed:
                    self.note(f"already done, not run again: {', '.join(done)}")
            case TaskQueued():
                waits = ", ".join(event.task.depends_on)
                self._task(event.task, "ready" + (f" (after {waits})" if waits else ""))
            case TaskStarted():
                task = event.task
                how = " · continues its stored turn" if event.resumed else ""
                self._task(
                    task,
                    f"started ({task.role}, attempt {task.attempt} of {task.max_attempts}){how}",
                )
            case TaskStep():
                self._step(event)
            case TaskWaiting():
                what = {"approval": "approval", "question": "an answer", "file": "a file"}
                self._task(event.task, f"waits for {what[event.reason]}: {event.detail}")
            case TaskRetrying():
                task = event.task
                self._task(
                    task,
                    f"attempt {task.attempt} failed: {event.reason}; "
                    f"retrying in {duration(event.delay)}",
                )
            case TaskDone():
                self._done(event)
            case TaskFailed():
                self._task(
                    event.task, f"failed after {event.task.attempt} attempt(s): {event.error}"
                )
            case TaskCancelled():
                self._task(event.task, f"{event.task.status}: {event.reason}")
            case TaskActivity():
                await self._activity(event)
            case PlanFinished():
                self._finished(event)
            case _:
                assert_never(event)

    def _step(self, event: TaskStep) -> None:
        task = event.task
        if event.change == "tool" and task.current_tool:
            self._task(task, f"→ {task.current_tool}")
        elif event.change == "model" and task.model:
            self._task(task, f"answers with {task.model}")

    def _done(self, event: TaskDone) -> None:
        task = event.task
        parts = [f"done in {duration(task.elapsed)}", f"{task.step} step{'s' * (task.step != 1)}"]
        spent = usage(task.input_tokens, task.output_tokens, task.cost_usd)
        if spent:
            parts.append(spent)
        if event.changed_paths:
            parts.append("changed " + ", ".join(event.changed_paths))
        self._task(task, " · ".join(parts))
        self.summaries.append((task.task_id, event.summary))

    async def _activity(self, event: TaskActivity) -> None:
        inner = event.event
        if isinstance(inner, ApprovalRequested | QuestionAsked):
            self.note(f"[{event.task_id}] asks:")
            await self.agent.handle(inner)

    def _finished(self, event: PlanFinished) -> None:
        self.status = event.status
        counts = ", ".join(f"{count} {status}" for status, count in event.counts)
        parts = [f"plan {event.plan_id[:8]} {event.status}: {counts}", duration(event.elapsed)]
        spent = usage(event.input_tokens, event.output_tokens, event.cost_usd)
        if spent:
            parts.append(spent)
        self.note(" · ".join(parts))
        for task_id, summary in self.summaries:
            guarded_write(self.out, terminal_safe(f"## {task_id}\n{summary.strip()}\n\n"))

    @property
    def exit_code(self) -> int:
        """0 when every task is done; 1 when one failed; 130 when cancelled or stopped."""
        return EXIT_CODES.get(self.status or "interrupted", 1)


def write_lines(stream: TextIO, lines: Iterable[str]) -> None:
    """Lines to a stream, a closed reader ending the output quietly."""
    for line in lines:
        if guarded_write(stream, line + "\n") is not None:
            return
