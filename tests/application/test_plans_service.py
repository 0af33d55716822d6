"""The window's plans contract on the real `AppBackend` and `PlanService`, through the
scripted Ollama server: the manager drafts, an edit with a circle or an unknown role is
refused with the reason, a task is cut, the plan runs with an approval answered through
the contract, one task and the whole plan are cancelled, and a plan left running by a
killed process is offered to resume and finishes."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
import pytest_asyncio

from codeface.agents.plan import Plan, PlanInvalid
from codeface.application.backend import AppBackend
from codeface.application.contract import PlanDrafted, PlanView
from codeface.application.contract.plan_views import (
    ApprovalRequested,
    PlanEvent,
    PlanFinished,
    TaskActivity,
    TaskCancelled,
    TaskDone,
    TaskStarted,
)
from codeface.core.errors import WorkspaceError
from tests.application.conftest import AgentRig
from tests.application.plan_rig import TaskScripts, call, plan_service, silent, tasks, text

pytestmark = pytest.mark.asyncio
GUARD = 60  # seconds: a hung plan fails the test instead of hanging it

THREE = {
    "tasks": [
        {"id": "t1", "title": "Model", "role": "coder", "brief": "Write models.py."},
        {
            "id": "t2",
            "title": "API",
            "role": "coder",
            "brief": "Write api.py.",
            "depends_on": ["t1"],
        },
        {"id": "t3", "title": "Docs", "role": "coder", "brief": "Write README.md."},
    ]
}


@pytest_asyncio.fixture
async def backend(ollama_rig: AgentRig) -> AsyncIterator[AppBackend]:
    """The window's backend over the rig's engine, store and project."""
    app = AppBackend(ollama_rig.engine, ollama_rig.store)
    app.context.workspaces[ollama_rig.workspace.key] = ollama_rig.workspace
    yield app


async def drain(events: AsyncIterator[PlanEvent], react: object = None) -> list[PlanEvent]:
    seen: list[PlanEvent] = []
    async with asyncio.timeout(GUARD):
        async for event in events:
            seen.append(event)
            if callable(react):
                result = react(event)
                if asyncio.iscoroutine(result):
                    await result
    return seen


async def test_a_drafted_plan_is_edited_then_runs_to_the_end(
    ollama_rig: AgentRig, backend: AppBackend
) -> None:
    scripts = TaskScripts(ollama_rig.server)
    scripts.add("manager", text("```json\n" + json.dumps(THREE) + "\n```"))
    project = ollama_rig.workspace.key

    drafted = [e async for e in backend.draft_plan(project, "pages for the API", "continue")]

    last = drafted[-1]
    assert isinstance(last, PlanDrafted)
    draft = last.plan
    assert (draft.status, draft.failure_policy, draft.goal) == (
        "draft",
        "continue",
        "pages for the API",
    )
    assert [(t.id, t.role, t.depends_on) for t in draft.tasks] == [
        ("t1", "coder", ()),
        ("t2", "coder", ("t1",)),
        ("t3", "coder", ()),
    ]
    circle = replace(
        draft,
        tasks=(replace(draft.tasks[0], depends_on=("t2",)), *draft.tasks[1:]),
    )
    with pytest.raises(PlanInvalid) as refused:
        await backend.save_plan_draft(circle)
    assert "circle: t1 → t2 → t1" in refused.value.one_line()
    unknown = replace(draft, tasks=(replace(draft.tasks[0], role="wizard"), *draft.tasks[1:]))
    with pytest.raises(PlanInvalid, match="unknown role 'wizard'"):
        await backend.save_plan_draft(unknown)

    cut = replace(draft, tasks=(draft.tasks[2], draft.tasks[0]))  # reordered, t2 removed
    saved = await backend.save_plan_draft(cut)
    assert [t.id for t in saved.tasks] == ["t3", "t1"]
    events = await drain(backend.run_plan(saved.id, failure_policy="stop"))

    assert isinstance(events[-1], PlanFinished)
    assert events[-1].status == "done"
    assert {e.task.task_id for e in events if isinstance(e, TaskDone)} == {"t1", "t3"}
    assert scripts.counts["t2"] == 0
    stored = await backend.load_plan(saved.id[:8])
    assert (stored.status, stored.failure_policy, stored.finished_tasks) == ("done", "stop", 2)
    assert [p.status for p in stored.progress] == ["done", "done"]
    assert [p.id for p in await backend.list_plans(project)] == [saved.id]
    assert backend.plan_runs == {}


async def test_an_approval_a_task_asks_for_is_answered_through_the_contract(
    ollama_rig: AgentRig, backend: AppBackend
) -> None:
    scripts = TaskScripts(ollama_rig.server)
    scripts.add("t1", call("write_file", {"path": "notes.txt", "content": "hi\n"}), text("Wrote."))
    service = plan_service(ollama_rig)
    plan_id = await service.save_draft(
        Plan("notes", tasks(("t1", "coder", "write notes", (), ()))), backend._plan_options()
    )
    answered: list[bool] = []

    async def allow(event: PlanEvent) -> None:
        if isinstance(event, TaskActivity) and isinstance(event.event, ApprovalRequested):
            assert not (ollama_rig.project / "notes.txt").exists()
            request = event.event.request
            assert await backend.answer_plan_approval("other", request.id, "once") is False
            answered.append(await backend.answer_plan_approval(plan_id, request.id, "once"))

    events = await drain(backend.run_plan(plan_id), allow)

    assert answered == [True]
    assert isinstance(events[-1], PlanFinished)
    assert events[-1].status == "done"
    assert (ollama_rig.project / "notes.txt").read_text() == "hi\n"


async def test_one_task_then_the_whole_plan_are_cancelled(
    ollama_rig: AgentRig, backend: AppBackend
) -> None:
    scripts = TaskScripts(ollama_rig.server)
    scripts.add("t1", silent())
    scripts.add("t3", silent())
    service = plan_service(ollama_rig)
    plan = Plan(
        "cancel",
        tasks(
            ("t1", "coder", "hangs", (), ()),
            ("t2", "coder", "after t1", (), ("t1",)),
            ("t3", "coder", "hangs too", (), ()),
        ),
        "continue",
    )
    plan_id = await service.save_draft(plan, backend._plan_options())

    async def cancel(event: PlanEvent) -> None:
        if isinstance(event, TaskStarted) and event.task.task_id == "t1":
            assert await asyncio.to_thread(scripts.wait_for, "t1", 1)
            assert await backend.cancel_plan_task(plan_id, "t1")
        if isinstance(event, TaskStarted) and event.task.task_id == "t3":
            assert await asyncio.to_thread(scripts.wait_for, "t3", 1)
            assert await backend.cancel_plan(plan_id)

    events = await drain(backend.run_plan(plan_id), cancel)

    statuses = {e.task.task_id: e.task.status for e in events if isinstance(e, TaskCancelled)}
    assert statuses == {"t1": "cancelled", "t2": "skipped", "t3": "cancelled"}
    assert isinstance(events[-1], PlanFinished)
    assert events[-1].status == "cancelled"
    assert (await backend.load_plan(plan_id)).status == "cancelled"


async def test_a_plan_left_running_by_a_killed_process_is_offered_and_resumes(
    ollama_rig: AgentRig, backend: AppBackend
) -> None:
    store = ollama_rig.store
    service = plan_service(ollama_rig)
    plan = Plan("resume", tasks(("t1", "coder", "one", (), ()), ("t2", "coder", "two", (), ())))
    plan_id = await service.save_draft(plan, backend._plan_options())
    draft_id = await service.save_draft(plan, backend._plan_options())
    # what a process killed after t1 leaves behind: the plan "running", t1 done, no lock
    await store.update_plan(plan_id, status="running")
    await store.update_plan_task(plan_id, "t1", status="done", summary="One done.")
    project = ollama_rig.workspace.key

    offered = await backend.unfinished_plans(project)

    assert [p.id for p in offered] == [plan_id]
    assert draft_id not in {p.id for p in offered}
    assert [t.status for t in offered[0].progress] == ["done", "queued"]
    scripts = TaskScripts(ollama_rig.server)
    events = await drain(backend.run_plan(plan_id))
    assert isinstance(events[-1], PlanFinished)
    assert events[-1].status == "done"
    assert scripts.counts["t1"] == 0
    assert scripts.counts["t2"] == 1
    assert await backend.unfinished_plans(project) == []


async def test_a_plan_of_no_project_says_so(backend: AppBackend, ollama_rig: AgentRig) -> None:
    record = await ollama_rig.store.create_plan(goal="g", project=None, tasks=[])
    with pytest.raises(WorkspaceError, match="belongs to no project"):
        await drain(backend.run_plan(record.id))
    view: PlanView = await backend.load_plan(record.id)
    assert view.tasks == ()
