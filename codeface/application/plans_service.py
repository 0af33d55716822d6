"""Plans as the window sees them (`PlansContract`): the manager drafts, the user edits the
draft, the plan runs in this process as a stream of events, and plans that stopped when
CodeFace died are offered to resume.

Each call builds a `PlanService` for the plan's project (its workspace, its roles, the
shared store); the runs going on in this window are kept by plan id so that cancelling a
task or answering an approval reaches the running scheduler and its approval gate.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from contextlib import aclosing
from dataclasses import replace
from typing import TYPE_CHECKING

from codeface.application.chat_service import ContextUser
from codeface.application.contract import ConversationEvent, PlanDrafted, PlanTaskView, PlanView
from codeface.application.contract.plan_views import FailurePolicy, PlanEvent, PlanPlanned
from codeface.application.contract.plans_contract import PlansContract
from codeface.core.errors import WorkspaceError

if TYPE_CHECKING:  # the planner, scheduler and roles load with the first plan the user opens
    from codeface.agents.events import Decision
    from codeface.agents.plan import Plan
    from codeface.application.plan_options import PlanOptions
    from codeface.application.plans import PlanRun, PlanService
    from codeface.store.models import PlanRecord


def plan_view(record: PlanRecord, max_attempts: int = 0) -> PlanView:
    """A stored plan as the window sees it."""
    from codeface.application.plan_records import progress_from_record

    policy: FailurePolicy = "continue" if record.failure_policy == "continue" else "stop"
    return PlanView(
        id=record.id,
        goal=record.goal,
        status=record.status,  # type: ignore[arg-type]
        failure_policy=policy,
        project=record.project,
        created_at=record.created_at,
        updated_at=record.updated_at,
        tasks=tuple(
            PlanTaskView(t.task_id, t.title, t.role, t.brief, t.files, t.depends_on)
            for t in record.tasks
        ),
        progress=tuple(progress_from_record(record, max_attempts)),
    )


def _title(task: PlanTaskView) -> str:
    """The task's title, or the first line of its brief when the user left it empty."""
    if task.title.strip():
        return task.title.strip()
    lines = task.brief.strip().splitlines()
    return lines[0][:60] if lines else task.id


def plan_of(view: PlanView) -> Plan:
    """The plan the agents run, from the window's (edited) view of it."""
    from codeface.agents.plan import Plan, PlanTask

    tasks = tuple(
        PlanTask(
            task.id.strip(),
            _title(task),
            task.role,
            task.brief,
            tuple(path.strip() for path in task.files if path.strip()),
            tuple(dep.strip() for dep in task.depends_on if dep.strip()),
        )
        for task in view.tasks
    )
    return Plan(view.goal, tasks, view.failure_policy)


class PlansService(ContextUser, PlansContract):
    """Plans of the window's projects, and the runs going on in this window."""

    def __init__(self) -> None:
        self.plan_runs: dict[str, PlanRun] = {}

    async def _plans_of(self, project: str) -> PlanService:
        from codeface.application.agents_setup import load_project_roles
        from codeface.application.conversation import Conversation
        from codeface.application.plan_records import lock_folder
        from codeface.application.plans import PlanService

        store = await self.store()
        workspace = await asyncio.to_thread(self.context.workspace, project)
        roles, _problems = await asyncio.to_thread(load_project_roles, workspace, self.engine.paths)
        return PlanService(
            Conversation(self.engine, store),
            workspace,
            roles,
            lock_folder=lock_folder(self.engine.paths.data),
            private_folders=self.context.private_folders(),
        )

    def _plan_options(self) -> PlanOptions:
        """The settings' ``[plans]`` defaults; the window asks for every side effect."""
        from codeface.application.plan_options import options_from_settings

        return replace(options_from_settings(self.engine.settings), interactive=True)

    async def _record(self, plan_id: str) -> PlanRecord:
        store = await self.store()
        return await store.get_plan(await store.resolve_plan_id(plan_id))

    async def draft_plan(
        self, project: str, goal: str, failure_policy: FailurePolicy = "stop"
    ) -> AsyncGenerator[ConversationEvent | PlanDrafted, None]:
        """The manager's turn, then the stored draft."""
        service = await self._plans_of(project)
        options = self._plan_options()
        drafting = service.draft(goal, options, failure_policy=failure_policy)
        async with aclosing(drafting) as events:
            async for event in events:
                if isinstance(event, PlanPlanned):
                    yield PlanDrafted(plan_view(await self._record(event.plan_id)))
                else:
                    yield event

    async def save_plan_draft(self, plan: PlanView) -> PlanView:
        """Check and store the user's edit of a draft."""
        record = await self._record(plan.id)
        if not record.project:
            raise WorkspaceError("This plan belongs to no project")
        service = await self._plans_of(record.project)
        await service.edit_draft(record.id, plan_of(plan))
        return plan_view(await self._record(record.id))

    async def list_plans(self, project: str) -> list[PlanView]:
        """The project's plans, most recently changed first."""
        key = (await asyncio.to_thread(self.context.workspace, project)).key
        return [plan_view(r) for r in await (await self.store()).list_plans(project=key)]

    async def load_plan(self, plan_id: str) -> PlanView:
        """One stored plan."""
        return plan_view(await self._record(plan_id))

    async def unfinished_plans(self, project: str) -> list[PlanView]:
        """Plans that stopped midway and that nobody runs now (not even this window)."""
        from codeface.application.plan_records import lock_folder, stopped_plans

        key = (await asyncio.to_thread(self.context.workspace, project)).key
        found = await stopped_plans(await self.store(), lock_folder(self.engine.paths.data), key)
        return [plan_view(r) for r in found if r.id not in self.plan_runs]

    async def run_plan(
        self, plan_id: str, failure_policy: FailurePolicy | None = None
    ) -> AsyncGenerator[PlanEvent, None]:
        """Run (or resume) a plan here; its events until `PlanFinished`."""
        record = await self._record(plan_id)
        if not record.project:
            raise WorkspaceError("This plan belongs to no project, so it cannot run")
        if record.id in self.plan_runs:
            raise WorkspaceError("This plan is already running in this window")
        service = await self._plans_of(record.project)
        if failure_policy is not None and failure_policy != record.failure_policy:
            await service.store.update_plan(record.id, failure_policy=failure_policy)
        run = service.run(record.id, self._plan_options())
        self.plan_runs[record.id] = run
        try:
            async with aclosing(run.events()) as events:
                async for event in events:
                    yield event
        finally:
            self.plan_runs.pop(record.id, None)

    async def cancel_plan_task(self, plan_id: str, task_id: str) -> bool:
        """Cancel one task of a plan."""
        run = self.plan_runs.get(plan_id)
        if run is not None:
            return run.cancel_task(task_id)
        from codeface.application.plan_records import lock_folder
        from codeface.application.plans import cancel_plan

        record = await self._record(plan_id)
        await cancel_plan(
            await self.store(), lock_folder(self.engine.paths.data), record.id, task_id
        )
        return True

    async def cancel_plan(self, plan_id: str) -> bool:
        """Cancel a whole plan (or discard a draft)."""
        run = self.plan_runs.get(plan_id)
        if run is not None:
            run.cancel()
            return True
        from codeface.application.plan_records import lock_folder
        from codeface.application.plans import cancel_plan

        record = await self._record(plan_id)
        await cancel_plan(await self.store(), lock_folder(self.engine.paths.data), record.id)
        return True

    async def answer_plan_approval(
        self, plan_id: str, request_id: str, decision: Decision, reason: str = ""
    ) -> bool:
        """Answer an approval a task of a running plan asked for."""
        run = self.plan_runs.get(plan_id)
        return run is not None and run.answer(request_id, decision, reason)

    async def answer_plan_question(self, plan_id: str, question_id: str, text: str) -> bool:
        """Reply to a question a task of a running plan asked."""
        run = self.plan_runs.get(plan_id)
        return run is not None and run.answer_question(question_id, text)
