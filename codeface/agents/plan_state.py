"""Where each task of a running plan stands (`TaskState`), and the snapshot of it that
every plan event carries (`TaskProgress`): what one row of the Agents dock or one line of
``codeface plan show`` shows."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Literal, get_args

from codeface.agents.plan import PlanTask, TaskReport

TaskStatus = Literal[
    "queued", "running", "waiting", "retrying", "done", "failed", "cancelled", "skipped"
]
"""queued: waits for the tasks it depends on, a free model slot or its files; running;
waiting: for the user's approval or answer, or for a file another task is changing;
retrying: a failed attempt waits out its back-off; done; failed (for good); cancelled (by
the user, or because the plan stopped); skipped (a task it depends on did not finish)."""
TASK_STATUSES: tuple[str, ...] = get_args(TaskStatus)
FINAL_STATUSES = frozenset({"done", "failed", "cancelled", "skipped"})

PlanStatus = Literal["draft", "running", "done", "failed", "cancelled", "interrupted"]
"""draft: not started; running; done: every task done; failed: a task failed for good;
cancelled: the user cancelled it (or some of its tasks); interrupted: CodeFace stopped
while it ran (``codeface plan resume`` goes on)."""
PLAN_STATUSES: tuple[str, ...] = get_args(PlanStatus)


@dataclass(frozen=True)
class TaskProgress:
    """One task as it stands now. ``elapsed`` runs from its first start to its end (or now);
    ``current_tool`` is what it is doing in words (``edit calc.py``), empty between tools;
    ``detail`` says why it waits, failed, was cancelled or skipped."""

    plan_id: str
    task_id: str
    title: str
    role: str
    status: TaskStatus
    attempt: int = 0
    max_attempts: int = 0
    model: str = ""
    elapsed: float = 0.0
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float | None = None
    step: int = 0
    current_tool: str = ""
    session_id: str = ""
    detail: str = ""
    depends_on: tuple[str, ...] = ()
    files: tuple[str, ...] = ()


@dataclass
class TaskState:
    """The live, mutable state of one task (the scheduler and the runner update it)."""

    task: PlanTask
    position: int
    status: TaskStatus = "queued"
    attempt: int = 0
    session_id: str = ""
    model: str = ""
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float | None = None
    step: int = 0
    current_tool: str = ""
    detail: str = ""
    started_at: float | None = None
    finished_at: float | None = None
    summary: str = ""
    changed_paths: tuple[str, ...] = field(default_factory=tuple)

    @property
    def final(self) -> bool:
        """Whether the task has ended (done, failed, cancelled or skipped)."""
        return self.status in FINAL_STATUSES

    def report(self) -> TaskReport:
        """What this (finished) task hands to the tasks waiting for it."""
        return TaskReport(self.task.title, self.summary, self.changed_paths)

    def add_usage(
        self, input_tokens: int | None, output_tokens: int | None, cost: float | None
    ) -> None:
        """Count one answer's tokens and cost."""
        self.input_tokens += input_tokens or 0
        self.output_tokens += output_tokens or 0
        if cost is not None:
            self.cost_usd = (self.cost_usd or 0.0) + cost

    def progress(self, plan_id: str, max_attempts: int, now: float | None = None) -> TaskProgress:
        """The snapshot events carry (``now`` is wall-clock time, for ``elapsed``)."""
        elapsed = 0.0
        if self.started_at is not None:
            end = self.finished_at if self.finished_at is not None else (now or time.time())
            elapsed = max(0.0, end - self.started_at)
        return TaskProgress(
            plan_id=plan_id,
            task_id=self.task.id,
            title=self.task.title,
            role=self.task.role,
            status=self.status,
            attempt=self.attempt,
            max_attempts=max_attempts,
            model=self.model,
            elapsed=elapsed,
            input_tokens=self.input_tokens,
            output_tokens=self.output_tokens,
            cost_usd=self.cost_usd,
            step=self.step,
            current_tool=self.current_tool,
            session_id=self.session_id,
            detail=self.detail,
            depends_on=self.task.depends_on,
            files=self.task.files,
        )
