"""Between the plan the agents run (`Plan`, `TaskState`) and the rows the store keeps; and
the lock that makes sure only one process runs a plan at a time."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import IO, TYPE_CHECKING

from codeface.agents.plan import Plan, PlanTask
from codeface.agents.plan_state import FINAL_STATUSES, TaskProgress, TaskState
from codeface.core.errors import CodefaceError
from codeface.store.models import PlanRecord, PlanTaskRecord

if TYPE_CHECKING:
    from codeface.store.service import Store

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; one process per plan is up to the user
    fcntl = None  # type: ignore[assignment]


def task_records(plan: Plan) -> list[PlanTaskRecord]:
    """The rows of a new (or edited) plan's tasks, in order."""
    return [
        PlanTaskRecord(
            task_id=task.id,
            position=index,
            title=task.title,
            role=task.role,
            brief=task.brief,
            files=task.files,
            depends_on=task.depends_on,
        )
        for index, task in enumerate(plan.tasks)
    ]


def plan_from_record(record: PlanRecord) -> Plan:
    """The plan as stored."""
    tasks = tuple(
        PlanTask(t.task_id, t.title, t.role, t.brief, t.files, t.depends_on) for t in record.tasks
    )
    policy = record.failure_policy if record.failure_policy in ("stop", "continue") else "stop"
    return Plan(record.goal, tasks, policy)  # type: ignore[arg-type]


def state_from_record(task: PlanTask, row: PlanTaskRecord, *, requeue: bool) -> TaskState:
    """A task's live state from its row; ``requeue`` puts an unfinished one back in the queue
    (its session, attempts and usage are kept: it continues where it stopped)."""
    status = row.status
    if requeue and status != "done":
        status = "queued"
    return TaskState(
        task=task,
        position=row.position,
        status=status,  # type: ignore[arg-type]
        attempt=row.attempts,
        session_id=row.session_id or "",
        model=row.model,
        input_tokens=row.input_tokens,
        output_tokens=row.output_tokens,
        cost_usd=row.cost_usd,
        detail=row.error if status != "queued" else "",
        started_at=row.started_at,
        finished_at=row.finished_at if status in FINAL_STATUSES else None,
        summary=row.summary,
        changed_paths=row.changed_paths,
    )


def progress_from_record(record: PlanRecord, max_attempts: int = 0) -> list[TaskProgress]:
    """Every task of a stored plan as a snapshot (for ``plan show`` and the window)."""
    plan = plan_from_record(record)
    return [
        state_from_record(task, row, requeue=False).progress(record.id, max_attempts)
        for task, row in zip(plan.tasks, record.tasks, strict=True)
    ]


class PlanBusy(CodefaceError):
    """Another CodeFace process is running this plan."""

    kind_name = "plan_busy"
    exit_code = 2
    default_hint = "Wait for it, or cancel it with: codeface plan cancel ID"


class PlanLock:
    """This process's claim to run one plan: an exclusive lock on a file in the data folder,
    dropped by the OS when the process dies (so ``kill -9`` never leaves a plan locked)."""

    def __init__(self, folder: Path, plan_id: str) -> None:
        self.path = folder / f"{plan_id}.lock"
        self.plan_id = plan_id
        self._file: IO[bytes] | None = None

    def acquire(self) -> None:
        """Take the lock, or raise `PlanBusy`."""
        if fcntl is None or self._file is not None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        handle = open(self.path, "ab")  # noqa: SIM115 - held until release()
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as error:
            handle.close()
            raise PlanBusy(
                f"Plan {self.plan_id[:8]} is running in another CodeFace process"
            ) from error
        self._file = handle

    def release(self) -> None:
        """Give the lock up."""
        if self._file is not None:
            with contextlib.suppress(OSError):
                self._file.close()
            self._file = None

    def held_elsewhere(self) -> bool:
        """Whether another process runs the plan now (False where locks are unavailable)."""
        if fcntl is None or self._file is not None or not self.path.exists():
            return False
        try:
            self.acquire()
        except PlanBusy:
            return True
        except OSError:
            return False
        self.release()
        return False


def lock_folder(data: Path) -> Path:
    """Where plan locks live, under CodeFace's data folder."""
    return data / "plans"


async def stopped_plans(store: Store, folder: Path, project: str) -> list[PlanRecord]:
    """The project's plans that stopped while running (CodeFace quit or was killed) and
    that no other process runs now: the ones to offer to resume on start."""
    plans = await store.list_plans(project=project)
    return [
        plan
        for plan in plans
        if plan.status in ("running", "interrupted")
        and not PlanLock(folder, plan.id).held_elsewhere()
    ]
