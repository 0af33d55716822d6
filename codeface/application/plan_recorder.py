"""Writing a running plan's transitions to the store: each task's row (status, attempts,
summary, changed files, usage, why it failed) and the plan's history log, one transaction
per transition, before the event goes on to the terminal or the window."""

from __future__ import annotations

import time
from typing import assert_never

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
from codeface.agents.plan_state import TaskProgress
from codeface.store.service import Store


class PlanRecorder:
    """Writes each transition to the store (one transaction each)."""

    def __init__(self, store: Store, plan_id: str) -> None:
        self.store = store
        self.plan_id = plan_id

    async def write(self, event: PlanEvent) -> None:
        """Store one transition (events that change no stored state are let through)."""
        update = self.store.update_plan_task
        plan_id = self.plan_id
        match event:
            case TaskWaiting():
                await update(plan_id, event.task.task_id, status="waiting")
            case TaskStep():
                if event.change == "resumed":
                    await update(plan_id, event.task.task_id, status="running")
            case TaskRetrying():
                await update(
                    plan_id,
                    event.task.task_id,
                    status="retrying",
                    error=event.reason,
                    log="retrying",
                    log_detail=f"in {event.delay:.1f} s: {event.reason}",
                    **_usage(event.task),
                )
            case TaskDone():
                await update(
                    plan_id,
                    event.task.task_id,
                    status="done",
                    summary=event.summary,
                    changed_paths=event.changed_paths,
                    error="",
                    finished_at=time.time(),
                    log="done",
                    log_detail=", ".join(event.changed_paths),
                    **_usage(event.task),
                )
            case TaskFailed():
                await update(
                    plan_id,
                    event.task.task_id,
                    status="failed",
                    error=event.error,
                    finished_at=time.time(),
                    log="failed",
                    log_detail=event.error,
                    **_usage(event.task),
                )
            case TaskCancelled():
                await update(
                    plan_id,
                    event.task.task_id,
                    status=event.task.status,
                    error=event.reason,
                    finished_at=time.time(),
                    log=event.task.status,
                    log_detail=event.reason,
                    **_usage(event.task),
                )
            case PlanFinished():
                await self.store.update_plan(plan_id, status=event.status, finished_at=time.time())
            case PlanPlanned() | PlanStarted() | TaskQueued() | TaskStarted() | TaskActivity():
                pass
            case _:
                assert_never(event)


def _usage(task: TaskProgress) -> dict[str, object]:
    """The usage columns of a task's row (written with each of its transitions)."""
    return {
        "attempts": task.attempt,
        "model": task.model,
        "input_tokens": task.input_tokens,
        "output_tokens": task.output_tokens,
        "cost_usd": task.cost_usd,
    }
