"""The plans half of the fake backend: drafts, edits, runs fed by the test, cancels and
approvals, all in memory.

Drafting plays a scripted manager (`PlanScript`, queued with ``script_plan``; three tasks
by default): one tool step, then `PlanDrafted`. An edit is checked by the real rules
(`codeface.agents.plan.check_plan`), so a circle or an unknown role is refused with the
real reason. A run starts with `PlanStarted` and then yields what the test feeds it::

    backend.feed_plan(plan_id, TaskStarted(backend.task_progress(plan_id, "t1", "running")))
    backend.finish_plan(plan_id)         # every task done, then PlanFinished

Cancelling a task or the plan while it runs feeds the matching `TaskCancelled` (and
`PlanFinished`); answers to approvals and questions are recorded in ``plan_answers``.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace

from codeface.agents.events import Decision
from codeface.agents.plan import check_plan
from codeface.application.contract import (
    ConversationEvent,
    PlanDrafted,
    PlanTaskView,
    PlanView,
    RoleView,
)
from codeface.application.contract.plan_views import (
    FINAL_STATUSES,
    FailurePolicy,
    PlanEvent,
    PlanFinished,
    PlanStarted,
    PlanStatus,
    TaskCancelled,
    TaskDone,
    TaskProgress,
    TaskStarted,
    TaskStatus,
    ToolCallStarted,
)
from codeface.application.plans_service import plan_of
from codeface.core.errors import CodefaceError, WorkspaceError
from codeface.core.messages import ToolCall

DEFAULT_TASKS = (
    PlanTaskView("t1", "Page model", "coder", "Add a Page class to models.py.", ("models.py",)),
    PlanTaskView("t2", "Paginated API", "coder", "Return pages from api.py.", ("api.py",), ("t1",)),
    PlanTaskView("t3", "Review", "reviewer", "Review the change.", (), ("t1", "t2")),
)


@dataclass
class PlanScript:
    """What the fake manager answers: these tasks, or ``fail``; ``gate`` holds it."""

    tasks: tuple[PlanTaskView, ...] = DEFAULT_TASKS
    fail: CodefaceError | None = None
    gate: asyncio.Event | None = None


class FakePlans:
    """Implements `PlansContract` in memory (mixed into `FakeBackend`)."""

    roles: list[RoleView]
    calls: list[tuple[object, ...]]

    def __init__(self) -> None:
        self.plans: dict[str, PlanView] = {}
        self.plan_scripts: deque[PlanScript] = deque()
        self.plan_feeds: dict[str, asyncio.Queue[PlanEvent]] = {}
        self.plan_answers: list[tuple[str, str, str]] = []
        self.plan_cancels: list[tuple[str, str | None]] = []
        self.plan_started = asyncio.Event()
        self._plan_ids = itertools.count(1)

    # ------------------------------------------------------------ helpers for tests
    def script_plan(self, *scripts: PlanScript) -> None:
        """Queue the manager's next answers."""
        self.plan_scripts.extend(scripts)

    def add_plan(
        self,
        tasks: tuple[PlanTaskView, ...] = DEFAULT_TASKS,
        *,
        goal: str = "add pagination",
        status: PlanStatus = "draft",
        statuses: dict[str, TaskStatus] | None = None,
        project: str = "/work/demo",
        failure_policy: FailurePolicy = "stop",
    ) -> PlanView:
        """Store a plan (``statuses``: task id → status, the rest queued)."""
        plan_id = f"plan-{next(self._plan_ids):04d}-" + "0" * 24
        now = time.time()
        plan = PlanView(plan_id, goal, status, failure_policy, project, now, now, tasks)
        plan = replace(plan, progress=tuple(_progress(plan, t, "queued") for t in tasks))
        for task_id, task_status in (statuses or {}).items():
            self._set_progress(self.task_progress(plan, task_id, task_status), plan)
            plan = self.plans[plan_id]
        self.plans[plan_id] = plan
        return plan

    def task_progress(
        self, plan: PlanView | str, task_id: str, status: TaskStatus, **changes: object
    ) -> TaskProgress:
        """A snapshot of one task of a plan, with ``changes`` (model, tokens, tool…)."""
        view = self.plans[plan] if isinstance(plan, str) else plan
        task = next(t for t in view.tasks if t.id == task_id)
        return replace(_progress(view, task, status), **changes)  # type: ignore[arg-type]

    def feed_plan(self, plan_id: str, *events: PlanEvent) -> None:
        """Pass events to the running plan (in this order)."""
        for event in events:
            self.plan_feeds[plan_id].put_nowait(event)

    def finish_plan(self, plan_id: str, status: PlanStatus = "done") -> None:
        """Every task not ended yet starts and is done; then `PlanFinished`."""
        plan = self.plans[plan_id]
        for task in plan.progress:
            if task.status in FINAL_STATUSES:
                continue
            running = replace(task, status="running", attempt=1, model="qwen2.5-coder:7b")
            done = replace(running, status="done", output_tokens=120, elapsed=1.5)
            self.feed_plan(plan_id, TaskStarted(running), TaskDone(done, "Done.", ()))
        self.feed_plan(plan_id, PlanFinished(plan_id, status, (), 3.0))

    def _set_progress(self, progress: TaskProgress, plan: PlanView | None = None) -> None:
        view = plan or self.plans[progress.plan_id]
        self.plans[view.id] = replace(
            view,
            progress=tuple(progress if p.task_id == progress.task_id else p for p in view.progress),
        )

    # ------------------------------------------------------------ the contract
    async def draft_plan(
        self, project: str, goal: str, failure_policy: FailurePolicy = "stop"
    ) -> AsyncIterator[ConversationEvent | PlanDrafted]:
        self.calls.append(("draft_plan", project, goal, failure_policy))
        script = self.plan_scripts.popleft() if self.plan_scripts else PlanScript()
        call = ToolCall("m1", "repo_map", {})
        yield ToolCallStarted(call, "read", "look at the repo map")
        if script.gate is not None:
            await script.gate.wait()
        if script.fail is not None:
            raise script.fail
        plan = self.add_plan(
            script.tasks, goal=goal, project=project, failure_policy=failure_policy
        )
        yield PlanDrafted(plan)

    async def save_plan_draft(self, plan: PlanView) -> PlanView:
        self.calls.append(("save_plan_draft", plan.id, tuple(t.id for t in plan.tasks)))
        stored = self.plans[plan.id]
        if stored.status != "draft":
            raise WorkspaceError("Only a draft can be edited")
        check_plan(plan_of(plan), {role.name for role in self.roles})
        saved = replace(
            stored,
            goal=plan.goal,
            failure_policy=plan.failure_policy,
            tasks=plan.tasks,
            updated_at=time.time(),
        )
        saved = replace(saved, progress=tuple(_progress(saved, t, "queued") for t in plan.tasks))
        self.plans[plan.id] = saved
        return saved

    async def list_plans(self, project: str) -> list[PlanView]:
        found = [p for p in self.plans.values() if p.project == project]
        return sorted(found, key=lambda p: p.updated_at, reverse=True)

    async def load_plan(self, plan_id: str) -> PlanView:
        return self.plans[plan_id]

    async def unfinished_plans(self, project: str) -> list[PlanView]:
        return [
            p
            for p in await self.list_plans(project)
            if p.status in ("running", "interrupted") and p.id not in self.plan_feeds
        ]

    async def run_plan(
        self, plan_id: str, failure_policy: FailurePolicy | None = None
    ) -> AsyncIterator[PlanEvent]:
        self.calls.append(("run_plan", plan_id, failure_policy))
        plan = self.plans[plan_id]
        resumed = plan.status != "draft"
        plan = replace(
            plan,
            status="running",
            failure_policy=failure_policy or plan.failure_policy,
            progress=tuple(
                p if p.status == "done" else replace(p, status="queued") for p in plan.progress
            ),
        )
        self.plans[plan_id] = plan
        feed: asyncio.Queue[PlanEvent] = asyncio.Queue()
        self.plan_feeds[plan_id] = feed
        self.plan_started.set()
        try:
            yield PlanStarted(plan_id, plan.progress, resumed)
            while True:
                event = await feed.get()
                task = getattr(event, "task", None)
                if isinstance(task, TaskProgress):
                    self._set_progress(task)
                if isinstance(event, PlanFinished):
                    self.plans[plan_id] = replace(self.plans[plan_id], status=event.status)
                yield event
                if isinstance(event, PlanFinished):
                    return
        finally:
            self.plan_feeds.pop(plan_id, None)
            if self.plans[plan_id].status == "running":
                self.plans[plan_id] = replace(self.plans[plan_id], status="interrupted")

    async def cancel_plan_task(self, plan_id: str, task_id: str) -> bool:
        self.plan_cancels.append((plan_id, task_id))
        progress = self.task_progress(plan_id, task_id, "cancelled")
        if plan_id in self.plan_feeds:
            self.feed_plan(plan_id, TaskCancelled(progress, "cancelled by the user"))
        else:
            self._set_progress(progress)
        return True

    async def cancel_plan(self, plan_id: str) -> bool:
        self.plan_cancels.append((plan_id, None))
        plan = self.plans[plan_id]
        if plan_id not in self.plan_feeds:
            self.plans[plan_id] = replace(plan, status="cancelled")
            return True
        for task in plan.progress:
            if task.status not in FINAL_STATUSES:
                cancelled = replace(task, status="cancelled")
                self.feed_plan(plan_id, TaskCancelled(cancelled, "cancelled by the user"))
        self.feed_plan(plan_id, PlanFinished(plan_id, "cancelled", (), 1.0))
        return True

    async def answer_plan_approval(
        self, plan_id: str, request_id: str, decision: Decision, reason: str = ""
    ) -> bool:
        self.plan_answers.append((plan_id, request_id, decision))
        return True

    async def answer_plan_question(self, plan_id: str, question_id: str, text: str) -> bool:
        self.plan_answers.append((plan_id, question_id, text))
        return True


def _progress(plan: PlanView, task: PlanTaskView, status: TaskStatus) -> TaskProgress:
    return TaskProgress(
        plan_id=plan.id,
        task_id=task.id,
        title=task.title,
        role=task.role,
        status=status,
        max_attempts=3,
        depends_on=task.depends_on,
        files=task.files,
    )
