"""The events of a plan: every transition of every task, for the terminal and the window.

Each task event carries a `TaskProgress` snapshot (role, model, status, attempt, elapsed,
tokens, cost, current tool), so a view can replace the task's row without keeping state.
`TaskActivity` passes on the task's own agent events (text, tool calls, approvals): an
`ApprovalRequested` or `QuestionAsked` inside one is answered through the plan run's gate.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from codeface.agents.plan import Plan
from codeface.agents.plan_state import PlanStatus, TaskProgress

if TYPE_CHECKING:  # the agent loop loads with the first turn, not with the window's views
    from codeface.agents.loop import AgentTurnEvent

WaitReason = Literal["approval", "question", "file"]
StepChange = Literal["step", "tool", "tool_finished", "usage", "model", "resumed"]


@dataclass(frozen=True)
class PlanPlanned:
    """A plan was drafted (by the manager or from a file), checked, and stored as a draft."""

    plan_id: str
    plan: Plan


@dataclass(frozen=True)
class PlanStarted:
    """The plan runs (``resumed``: it went on after an interruption or a failure)."""

    plan_id: str
    tasks: tuple[TaskProgress, ...]
    resumed: bool = False


@dataclass(frozen=True)
class TaskQueued:
    """The task waits its turn: for the tasks it depends on, a model slot or its files."""

    task: TaskProgress


@dataclass(frozen=True)
class TaskStarted:
    """An attempt began (``task.attempt`` counts them); ``resumed``: it continues the
    task's stored turn from its last step rather than starting afresh."""

    task: TaskProgress
    resumed: bool = False


@dataclass(frozen=True)
class TaskStep:
    """The running task moved on: a new step, a tool started or finished, tokens counted."""

    task: TaskProgress
    change: StepChange


@dataclass(frozen=True)
class TaskWaiting:
    """The task waits for the user (approval, question) or for a file another task holds."""

    task: TaskProgress
    reason: WaitReason
    detail: str


@dataclass(frozen=True)
class TaskRetrying:
    """An attempt failed (or went silent past the heartbeat); another follows in ``delay`` s."""

    task: TaskProgress
    delay: float
    reason: str


@dataclass(frozen=True)
class TaskDone:
    """The task finished; its summary and changed files go to the tasks that wait for it."""

    task: TaskProgress
    summary: str
    changed_paths: tuple[str, ...]


@dataclass(frozen=True)
class TaskFailed:
    """The task failed for good (its attempts are used up, or retrying cannot help)."""

    task: TaskProgress
    error: str


@dataclass(frozen=True)
class TaskCancelled:
    """The task was cancelled or skipped (``task.status`` says which; ``reason`` why)."""

    task: TaskProgress
    reason: str


@dataclass(frozen=True)
class TaskActivity:
    """One of the task's own agent events (its transcript, live)."""

    plan_id: str
    task_id: str
    event: AgentTurnEvent


@dataclass(frozen=True)
class PlanFinished:
    """The plan ended; ``counts`` gives the tasks per final status."""

    plan_id: str
    status: PlanStatus
    counts: tuple[tuple[str, int], ...]
    elapsed: float
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float | None = None


PlanEvent = (
    PlanPlanned
    | PlanStarted
    | TaskQueued
    | TaskStarted
    | TaskStep
    | TaskWaiting
    | TaskRetrying
    | TaskDone
    | TaskFailed
    | TaskCancelled
    | TaskActivity
    | PlanFinished
)
