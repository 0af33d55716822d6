"""What the window sees of plans: a stored plan (`PlanView`) with its tasks (`PlanTaskView`)
and where each stands (`TaskProgress`), the end of a draft (`PlanDrafted`), and the events of
a running plan.

The events are the agents' own plan events (plain frozen dataclasses), re-exported here so
that widgets, which may not import `codeface.agents`, can match on them. A `TaskActivity`
carries one of the task's agent events; the Plans view reads the approvals and questions
among them (`ApprovalRequested`, `ApprovalGiven`, `QuestionAsked`, `ToolCallStarted`).
No Qt here.
"""

from __future__ import annotations

from dataclasses import dataclass

from codeface.agents.events import (
    ApprovalGiven,
    ApprovalRequest,
    ApprovalRequested,
    QuestionAsked,
    ToolCallFinished,
    ToolCallStarted,
)
from codeface.agents.plan import FAILURE_POLICIES, MANAGER_ROLE, FailurePolicy
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
from codeface.agents.plan_state import (
    FINAL_STATUSES,
    PLAN_STATUSES,
    PlanStatus,
    TaskProgress,
    TaskStatus,
)

__all__ = [
    "FAILURE_POLICIES",
    "FINAL_STATUSES",
    "MANAGER_ROLE",
    "PLAN_STATUSES",
    "ApprovalGiven",
    "ApprovalRequest",
    "ApprovalRequested",
    "FailurePolicy",
    "PlanDrafted",
    "PlanEvent",
    "PlanFinished",
    "PlanPlanned",
    "PlanStarted",
    "PlanStatus",
    "PlanTaskView",
    "PlanView",
    "QuestionAsked",
    "TaskActivity",
    "TaskCancelled",
    "TaskDone",
    "TaskFailed",
    "TaskProgress",
    "TaskQueued",
    "TaskRetrying",
    "TaskStarted",
    "TaskStatus",
    "TaskStep",
    "TaskWaiting",
    "ToolCallFinished",
    "ToolCallStarted",
]


@dataclass(frozen=True)
class PlanTaskView:
    """One task as planned: what the draft editor edits. ``id`` is short and unique in
    the plan (``t1``); ``depends_on`` names the ids it waits for."""

    id: str
    title: str
    role: str
    brief: str
    files: tuple[str, ...] = ()
    depends_on: tuple[str, ...] = ()


@dataclass(frozen=True)
class PlanView:
    """A stored plan. ``progress`` has one snapshot per task, in plan order (a draft's are
    all queued); ``status`` is one of `PLAN_STATUSES`."""

    id: str
    goal: str
    status: PlanStatus
    failure_policy: FailurePolicy
    project: str | None
    created_at: float
    updated_at: float
    tasks: tuple[PlanTaskView, ...]
    progress: tuple[TaskProgress, ...] = ()

    @property
    def finished_tasks(self) -> int:
        """How many tasks have ended (done, failed, cancelled or skipped)."""
        return sum(1 for task in self.progress if task.status in FINAL_STATUSES)


@dataclass(frozen=True)
class PlanDrafted:
    """The last event of a draft: the manager's plan, checked and stored as a draft."""

    plan: PlanView
