"""Plans of a project, durable: drafted by the manager, stored, run by the scheduler with
each task an agent turn in its own session, and resumed after a crash.

Every transition is written to the store before the plan moves on (`PlanRecorder`), and each
task's steps are stored by its agent turn, so after ``kill -9`` the plan is exactly as far
as it got: `PlanRun` on the same plan id skips finished tasks and continues interrupted
ones from their last stored step. Only one process runs a plan at a time (`PlanLock`);
another process cancels it by setting a flag the running one polls.

For the window: `PlanService.draft`, `save_draft`, `edit_draft`, `load`, `unfinished`
(plans to offer to resume on start), `run`, `cancel` and `PlanRun.events` (an async
iterator of `codeface.agents.plan_events.PlanEvent`), with `PlanRun.cancel_task`,
`cancel`, `answer` and `answer_question` while it runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncGenerator, Mapping
from dataclasses import replace
from pathlib import Path

from codeface.agents.approvals import ApprovalGate, ApprovalPolicy
from codeface.agents.events import Decision
from codeface.agents.file_leases import FileLeases
from codeface.agents.plan import FailurePolicy, Plan, check_plan
from codeface.agents.plan_events import (
    PlanEvent,
    PlanPlanned,
    TaskActivity,
    TaskStarted,
)
from codeface.agents.plan_state import FINAL_STATUSES, PlanStatus
from codeface.agents.roles import Role
from codeface.agents.scheduler import Scheduler
from codeface.application.contract import ConversationEvent
from codeface.application.conversation import Conversation
from codeface.application.plan_attempt import TaskAttempts
from codeface.application.plan_manager import draft_plan
from codeface.application.plan_options import PlanOptions, lane_for
from codeface.application.plan_recorder import PlanRecorder
from codeface.application.plan_records import (
    PlanLock,
    plan_from_record,
    state_from_record,
    stopped_plans,
    task_records,
)
from codeface.core.errors import StoreError
from codeface.core.settings import Policy
from codeface.store.models import PlanRecord
from codeface.store.service import Store
from codeface.workspace import Workspace

log = logging.getLogger(__name__)
_RUN_OPTIONS = ("model", "policy", "max_attempts", "heartbeat", "local_parallel", "cloud_parallel")


class PlanService:
    """The plans of one project."""

    def __init__(
        self,
        conversation: Conversation,
        workspace: Workspace,
        roles: Mapping[str, Role],
        *,
        lock_folder: Path,
        private_folders: tuple[Path, ...] = (),
    ) -> None:
        self.conversation = conversation
        self.store = conversation.store
        self.workspace = workspace
        self.roles = roles
        self.lock_folder = lock_folder
        self.private_folders = private_folders

    async def draft(
        self,
        goal: str,
        options: PlanOptions | None = None,
        *,
        failure_policy: FailurePolicy | None = None,
    ) -> AsyncGenerator[ConversationEvent | PlanPlanned, None]:
        """Ask the manager for a plan; its turn's events, then `PlanPlanned` (stored as a
        draft). Raises `PlanInvalid` when its plan cannot be used even after one repair."""
        options = options or PlanOptions()
        plan: Plan | None = None
        session_id = ""
        async for item in draft_plan(
            self.conversation,
            self.workspace,
            self.roles,
            goal,
            model=options.model,
            policy=self.policy(options),
            private_folders=self.private_folders,
        ):
            if isinstance(item, tuple):
                plan, session_id = item
            else:
                yield item
        assert plan is not None
        if failure_policy is not None:
            plan = replace(plan, failure_policy=failure_policy)
        plan_id = await self.save_draft(plan, options, manager_session_id=session_id)
        yield PlanPlanned(plan_id, plan)

    def policy(self, options: PlanOptions) -> Policy:
        """Where the plan's answers may come from."""
        return options.policy or self.conversation.engine.settings.general.policy

    async def save_draft(
        self, plan: Plan, options: PlanOptions, *, manager_session_id: str | None = None
    ) -> str:
        """Check and store a plan as a draft; returns its id."""
        check_plan(plan, self.roles)
        record = await self.store.create_plan(
            goal=plan.goal,
            project=self.workspace.key,
            tasks=task_records(plan),
            failure_policy=plan.failure_policy,
            options=options.stored(),
            manager_session_id=manager_session_id,
        )
        return record.id

    async def edit_draft(self, plan_id: str, plan: Plan) -> None:
        """Replace a draft's tasks with the user's edit (checked first)."""
        check_plan(plan, self.roles)
        await self.store.replace_plan_tasks(
            plan_id, task_records(plan), goal=plan.goal, failure_policy=plan.failure_policy
        )

    async def load(self, plan_id: str) -> PlanRecord:
        """The stored plan (``plan_id`` may be a unique prefix)."""
        return await self.store.get_plan(await self.store.resolve_plan_id(plan_id))

    async def unfinished(self) -> list[PlanRecord]:
        """This project's plans that stopped while running (CodeFace quit or was killed)
        and that no other process runs now: the ones to offer to resume on start."""
        return await stopped_plans(self.store, self.lock_folder, self.workspace.key)

    def lock(self, plan_id: str) -> PlanLock:
        """The lock that says which process runs the plan."""
        return PlanLock(self.lock_folder, plan_id)

    def run(self, plan_id: str, options: PlanOptions) -> PlanRun:
        """A run of the plan (a draft starts, anything else resumes); iterate its events."""
        return PlanRun(self, plan_id, options)

    async def cancel(self, plan_id: str, task_id: str | None = None) -> bool:
        """Cancel a plan or one task (see `cancel_plan`)."""
        return await cancel_plan(self.store, self.lock_folder, plan_id, task_id)


async def cancel_plan(
    store: Store, lock_folder: Path, plan_id: str, task_id: str | None = None
) -> bool:
    """Cancel a plan (or one task). When another process runs it, that process is asked to
    (True: it notices within a second); otherwise the stored plan is marked at once (False)."""
    record = await store.get_plan(plan_id)
    if task_id is not None and task_id not in {t.task_id for t in record.tasks}:
        raise StoreError(f"Plan {plan_id[:8]} has no task {task_id!r}.")
    if PlanLock(lock_folder, plan_id).held_elsewhere():
        await store.request_plan_cancel(plan_id, task_id)
        return True
    reason = "cancelled by the user"
    for task in record.tasks:
        if task.status in FINAL_STATUSES or task_id not in (None, task.task_id):
            continue
        await store.update_plan_task(
            plan_id, task.task_id, status="cancelled", error=reason, log="cancelled"
        )
    if task_id is None:
        await store.update_plan(plan_id, status="cancelled", finished_at=time.time())
    return False


class PlanRun:
    """One run of a stored plan. Iterate `events` to run it."""

    def __init__(self, service: PlanService, plan_id: str, options: PlanOptions) -> None:
        self.service = service
        self.plan_id = plan_id
        self.options = options
        self.gate = ApprovalGate(
            ApprovalPolicy(
                allow_edits=options.allow_edits,
                allow_commands=options.allow_commands,
                interactive=options.interactive,
            )
        )
        self.status: PlanStatus | None = None
        self._scheduler: Scheduler | None = None
        self._queue: asyncio.Queue[PlanEvent | None] = asyncio.Queue()
        self._early_cancels: list[str | None] = []
        self._recorder = PlanRecorder(service.store, plan_id)
        self._attempts: TaskAttempts | None = None

    # ------------------------------------------------------------------ control
    def cancel_task(self, task_id: str) -> bool:
        """Cancel one task (its dependents are skipped)."""
        if self._scheduler is None:
            self._early_cancels.append(task_id)
            return True
        return self._scheduler.cancel_task(task_id)

    def cancel(self) -> None:
        """Cancel the whole plan."""
        if self._scheduler is None:
            self._early_cancels.append(None)
        else:
            self._scheduler.cancel()

    def answer(self, request_id: str, decision: Decision, reason: str = "") -> bool:
        """Answer an approval a task asked for (in a `TaskActivity`)."""
        return self.gate.answer(request_id, decision, reason)

    def answer_question(self, question_id: str, text: str) -> bool:
        """Answer a question a task asked."""
        return self.gate.answer_question(question_id, text)

    # ------------------------------------------------------------------ running
    async def events(self) -> AsyncGenerator[PlanEvent, None]:
        """Run the plan; every transition as it happens, `PlanFinished` last."""
        service, store = self.service, self.service.store
        lock = service.lock(self.plan_id)
        lock.acquire()
        started = False
        driver: asyncio.Task[None] | None = None
        poller: asyncio.Task[None] | None = None
        try:
            scheduler = await self._prepare()
            started = True
            for task_id in self._early_cancels:
                if task_id is None:
                    scheduler.cancel()
                else:
                    scheduler.cancel_task(task_id)
            driver = asyncio.create_task(self._drive(scheduler))
            poller = asyncio.create_task(self._poll(scheduler))
            while (item := await self._queue.get()) is not None:
                yield item
            await driver
        finally:
            for task in (driver, poller):
                if task is not None and not task.done():
                    task.cancel()
            await asyncio.gather(*(t for t in (driver, poller) if t), return_exceptions=True)
            if started and self.status is None:
                with contextlib.suppress(StoreError):
                    await asyncio.shield(store.update_plan(self.plan_id, status="interrupted"))
            lock.release()

    async def _prepare(self) -> Scheduler:
        service, store = self.service, self.service.store
        record = await store.get_plan(self.plan_id)
        plan = plan_from_record(record)
        options = self.options.with_stored(record.options, self._overridden())
        self.options = options
        requeue = [t.task_id for t in record.tasks if t.status not in ("done", "queued")]
        if requeue:
            await store.reset_plan_tasks(self.plan_id, requeue)
            await store.interrupt_task_answers(self.plan_id, requeue)
        states = {
            task.id: state_from_record(task, row, requeue=True)
            for task, row in zip(plan.tasks, record.tasks, strict=True)
        }
        for task_id, (tokens_in, tokens_out, cost) in (
            await store.plan_usage(self.plan_id)
        ).items():
            state = states[task_id]  # answers stored since the last transition count too
            state.input_tokens, state.output_tokens, state.cost_usd = tokens_in, tokens_out, cost
        await store.update_plan(
            self.plan_id,
            status="running",
            started_at=record.started_at or time.time(),
            finished_at=None,
            cancel_requested=0,
            options=options.stored(),
        )
        policy = service.policy(options)
        providers = service.conversation.engine.providers
        self._attempts = attempts = TaskAttempts(
            service.conversation,
            service.workspace,
            service.roles,
            self.gate,
            self._record,
            plan_id=self.plan_id,
            model=options.model,
            policy=policy,
            private_folders=service.private_folders,
        )
        self._scheduler = Scheduler(
            self.plan_id,
            plan,
            attempts,
            self._record,
            states=states,
            options=options.scheduler_options(),
            lane_of=lambda task: lane_for(providers, service.roles.get(task.role), policy, options),
            leases=FileLeases(),
            resumed=record.status != "draft",
        )
        return self._scheduler

    def _overridden(self) -> list[str]:
        """Options of this run that win over the plan's stored ones: those not at their
        defaults (given on the command line or in the settings)."""
        defaults = PlanOptions()
        return [
            name for name in _RUN_OPTIONS if getattr(self.options, name) != getattr(defaults, name)
        ]

    async def _drive(self, scheduler: Scheduler) -> None:
        try:
            self.status = await scheduler.run()
        finally:
            self._queue.put_nowait(None)

    async def _poll(self, scheduler: Scheduler) -> None:
        """Cancel requests from another process (``codeface plan cancel``)."""
        store = self.service.store
        while True:
            await asyncio.sleep(self.options.cancel_poll)
            try:
                whole, tasks = await store.plan_cancel_requests(self.plan_id)
                if whole:
                    scheduler.cancel()
                    await store.update_plan(self.plan_id, cancel_requested=0)
                for task_id in tasks:
                    scheduler.cancel_task(task_id)
                    await store.update_plan_task(self.plan_id, task_id, cancel_requested=0)
            except StoreError as error:  # the next transition's write will say it too
                log.warning("plan %s: cannot read cancel requests: %s", self.plan_id, error)

    async def _record(self, event: PlanEvent) -> None:
        """Store a transition, then pass it on."""
        if isinstance(event, TaskStarted):
            event = await self._start(event)
        elif not isinstance(event, TaskActivity):  # a task's own events are in its session
            await self._recorder.write(event)
        self._queue.put_nowait(event)

    async def _start(self, event: TaskStarted) -> TaskStarted:
        """An attempt starts: stored, with the task's session created on its first start."""
        assert self._scheduler is not None
        assert self._attempts is not None
        task = event.task
        state = self._scheduler.states[task.task_id]
        fields = None if state.session_id else self._attempts.session_fields(state.task)
        created = await self.service.store.start_plan_task(
            self.plan_id,
            task.task_id,
            attempts=task.attempt,
            started_at=time.time() - task.elapsed,
            resumed=event.resumed,
            new_session=fields,
        )
        if created is None:
            return event
        state.session_id = created
        self._attempts.fresh.add(created)
        return replace(event, task=replace(task, session_id=created))
