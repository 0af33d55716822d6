"""Plans end to end through the fake model servers: the manager drafts a plan, tasks run in
dependency order (in parallel where the provider allows), a failed or silent attempt is
retried, the user cancels one task or all, and two tasks never change one file at once.
Every transition and step is in the store as it happens."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Protocol

import pytest
import pytest_asyncio

from codeface.agents.events import ApprovalRequested, ToolCallFinished
from codeface.agents.plan import Plan
from codeface.agents.plan_events import (
    PlanEvent,
    PlanFinished,
    PlanPlanned,
    TaskActivity,
    TaskCancelled,
    TaskDone,
    TaskRetrying,
    TaskStarted,
    TaskWaiting,
)
from codeface.agents.plan_state import TaskProgress
from codeface.application.plan_records import PlanBusy
from codeface.application.plans import PlanRun
from tests.application.conftest import AgentRig, make_rig
from tests.application.plan_rig import (
    PlanRig,
    TaskScripts,
    call,
    error,
    plan_service,
    silent,
    tasks,
    text,
)

pytestmark = pytest.mark.asyncio
GUARD = 60  # seconds: a hung plan fails the test instead of hanging it (not a synchronisation)

FIVE_TASKS = {
    "tasks": [
        {
            "id": "t1",
            "title": "Page model",
            "role": "coder",
            "brief": "Create models.py with a Page class.",
            "files": ["models.py"],
            "depends_on": [],
        },
        {
            "id": "t2",
            "title": "Paginated API",
            "role": "coder",
            "brief": "Add api.py that returns a Page.",
            "files": ["api.py"],
            "depends_on": ["t1"],
        },
        {
            "id": "t3",
            "title": "API tests",
            "role": "tester",
            "brief": "Test api.py.",
            "files": ["test_api.py"],
            "depends_on": ["t2"],
        },
        {
            "id": "t4",
            "title": "Docs",
            "role": "coder",
            "brief": "Describe pagination in README.md.",
            "files": ["README.md"],
            "depends_on": [],
        },
        {
            "id": "t5",
            "title": "Review",
            "role": "reviewer",
            "brief": "Review the change.",
            "files": [],
            "depends_on": ["t2", "t3", "t4"],
        },
    ]
}


@pytest_asyncio.fixture
async def plans(ollama_rig: AgentRig) -> PlanRig:
    """Plans on the local (Ollama) fake: one task at a time by default."""
    return PlanRig(ollama_rig, plan_service(ollama_rig), TaskScripts(ollama_rig.server))


@pytest_asyncio.fixture
async def cloud_plans(request: pytest.FixtureRequest, project: Path) -> AsyncIterator[PlanRig]:
    """Plans on the OpenAI fake: several tasks at once."""
    async for rig in make_rig(request, "openai", project):
        yield PlanRig(rig, plan_service(rig), TaskScripts(rig.server))


async def drain(
    run: PlanRun, react: Callable[[PlanEvent], object] | None = None
) -> list[PlanEvent]:
    """Every event of the run; ``react`` sees each one as it comes."""
    seen: list[PlanEvent] = []
    async with asyncio.timeout(GUARD):
        async for event in run.events():
            seen.append(event)
            if react is not None:
                result = react(event)
                if asyncio.iscoroutine(result):
                    await result
    return seen


class HasTask(Protocol):
    """A task event (it carries the task's snapshot)."""

    @property
    def task(self) -> TaskProgress: ...


def of_task[E: HasTask](events: list[PlanEvent], kind: type[E], task_id: str) -> list[E]:
    """The ``kind`` events of one task."""
    return [e for e in events if isinstance(e, kind) and e.task.task_id == task_id]


def first(events: list[PlanEvent], kind: type[HasTask], task_id: str) -> int:
    """Index of the first ``kind`` event of one task."""
    return next(
        i for i, e in enumerate(events) if isinstance(e, kind) and e.task.task_id == task_id
    )


def finished(events: list[PlanEvent]) -> PlanFinished:
    last = events[-1]
    assert isinstance(last, PlanFinished)
    return last


async def test_the_manager_plans_five_tasks_that_run_in_dependency_order(plans: PlanRig) -> None:
    scripts, store = plans.scripts, plans.rig.store
    scripts.add("manager", text("Here is the plan:\n```json\n" + json.dumps(FIVE_TASKS) + "\n```"))
    for task_id, path, body in (
        ("t1", "models.py", "class Page:\n    pass\n"),
        ("t2", "api.py", "from models import Page\n"),
        ("t3", "test_api.py", "import api\n"),
        ("t4", "README.md", "Pages of 20.\n"),
    ):
        scripts.add(
            task_id,
            call("write_file", {"path": path, "content": body}),
            text(f"Wrote {path}."),
        )
    scripts.add("t5", text("Looks right."))

    drafted = [e async for e in plans.service.draft("add pagination to the API")]
    planned = drafted[-1]
    assert isinstance(planned, PlanPlanned)
    assert [t.id for t in planned.plan.tasks] == ["t1", "t2", "t3", "t4", "t5"]
    events = await drain(plans.service.run(planned.plan_id, plans.options()))

    assert finished(events).status == "done"
    for task_id, deps in (("t2", ["t1"]), ("t3", ["t2"]), ("t5", ["t2", "t3", "t4"])):
        for dep in deps:
            assert first(events, TaskDone, dep) < first(events, TaskStarted, task_id)
    running: set[str] = set()
    most = 0
    for event in events:
        if isinstance(event, TaskStarted):
            running.add(event.task.task_id)
        elif isinstance(event, TaskDone):
            running.discard(event.task.task_id)
        most = max(most, len(running))
    assert most == 1  # a local model runs one task at a time by default
    assert (plans.rig.project / "api.py").read_text() == "from models import Page\n"
    assert dict(scripts.counts) == {"manager": 1, "t1": 2, "t2": 2, "t3": 2, "t4": 2, "t5": 1}
    review = [
        r for r in plans.rig.server.requests_to("/api/chat") if "Plan task t5:" in str(r.json)
    ]
    asked = str(review[0].json)
    for dep, path in (("t2", "api.py"), ("t3", "test_api.py"), ("t4", "README.md")):
        assert f"report of task {dep}" in asked
        assert f"changed: {path}" in asked
    assert "Wrote api.py." in asked

    record = await store.get_plan(planned.plan_id)
    assert record.status == "done"
    assert [(t.task_id, t.status, t.attempts) for t in record.tasks] == [
        (f"t{n}", "done", 1) for n in range(1, 6)
    ]
    assert record.tasks[1].changed_paths == ("api.py",)
    assert record.tasks[1].summary == "Wrote api.py."
    sessions = {t.session_id for t in record.tasks}
    assert len(sessions) == 5
    for row in record.tasks:
        assert row.session_id is not None
        messages = await store.path_to_leaf(row.session_id)
        assert [m.role for m in messages].count("user") == 1
        assert messages[-1].content == row.summary
    runs = await store.tool_runs(record.tasks[0].session_id or "")
    assert [(r.tool, r.status, r.approver) for r in runs] == [("write_file", "ok", "allowed")]


async def test_independent_tasks_run_at_the_same_time_on_a_cloud_provider(
    cloud_plans: PlanRig,
) -> None:
    scripts, server = cloud_plans.scripts, cloud_plans.rig.server
    scripts.add("t1", text("one", held=True))
    scripts.add("t2", text("two", held=True))
    plan = Plan(
        "two at once",
        tasks(("t1", "coder", "first", (), ()), ("t2", "coder", "second", (), ())),
    )
    run = await cloud_plans.start(plan)

    async def release_when_both_asked(event: PlanEvent) -> None:
        if isinstance(event, TaskStarted) and event.task.task_id == "t2":
            # both requests are in flight (held) before either is answered
            assert await asyncio.to_thread(scripts.wait_for, "t1", 1)
            assert await asyncio.to_thread(scripts.wait_for, "t2", 1)
            server.release()

    events = await drain(run, release_when_both_asked)

    assert finished(events).status == "done"
    assert first(events, TaskStarted, "t2") < first(events, TaskDone, "t1")


async def test_a_failing_task_is_retried_with_its_attempts_visible_then_passes(
    plans: PlanRig,
) -> None:
    scripts, store = plans.scripts, plans.rig.store
    scripts.add(
        "t1",
        call("write_file", {"path": "notes.txt", "content": "one\n"}),
        error(500),
        text("Wrote the notes."),
    )
    run = await plans.start(Plan("notes", tasks(("t1", "coder", "write notes", (), ()))))

    events = await drain(run)

    assert finished(events).status == "done"
    [retry] = of_task(events, TaskRetrying, "t1")
    assert retry.task.attempt == 1
    assert "scripted failure" in retry.reason
    starts = of_task(events, TaskStarted, "t1")
    assert [(s.task.attempt, s.resumed) for s in starts] == [(1, False), (2, True)]
    # the second attempt continued the turn: the file was written once, not twice
    assert scripts.counts["t1"] == 3
    record = await store.get_plan(run.plan_id)
    assert (record.tasks[0].status, record.tasks[0].attempts) == ("done", 2)
    log = [(e.kind, e.attempt) for e in await store.plan_log(run.plan_id) if e.task_id == "t1"]
    assert log == [("started", 1), ("retrying", 1), ("resumed", 2), ("done", 2)]
    runs = await store.tool_runs(record.tasks[0].session_id or "")
    assert [r.tool for r in runs] == ["write_file"]


async def test_a_task_silent_past_its_heartbeat_is_cancelled_and_retried(plans: PlanRig) -> None:
    scripts, server = plans.scripts, plans.rig.server
    scripts.add("t1", silent(), text("Done after all."))
    run = await plans.start(
        Plan("hang", tasks(("t1", "coder", "hang once", (), ()))), heartbeat=0.3
    )

    events = await drain(run)

    assert finished(events).status == "done"
    [retry] = of_task(events, TaskRetrying, "t1")
    assert "no sign of life for 0.3 s" in retry.reason
    assert server.stream_ends[0].how == "client_closed"  # the hung request was given up
    assert scripts.counts["t1"] == 2


async def test_cancelling_one_task_skips_what_depends_on_it(plans: PlanRig) -> None:
    scripts = plans.scripts
    scripts.add("t1", silent())
    plan = Plan(
        "cancel one",
        tasks(
            ("t1", "coder", "hangs", (), ()),
            ("t2", "coder", "after t1", (), ("t1",)),
            ("t3", "coder", "independent", (), ()),
        ),
    )
    run = await plans.start(plan)

    async def cancel_when_asked(event: PlanEvent) -> None:
        if isinstance(event, TaskStarted) and event.task.task_id == "t1":
            assert await asyncio.to_thread(scripts.wait_for, "t1", 1)
            assert run.cancel_task("t1")

    events = await drain(run, cancel_when_asked)

    statuses = {e.task.task_id: e.task.status for e in events if isinstance(e, TaskCancelled)}
    assert statuses == {"t1": "cancelled", "t2": "skipped"}
    assert first(events, TaskDone, "t3") > first(events, TaskCancelled, "t1")
    assert finished(events).status == "cancelled"
    assert scripts.counts["t2"] == 0
    record = await plans.rig.store.get_plan(run.plan_id)
    assert [t.status for t in record.tasks] == ["cancelled", "skipped", "done"]
    assert record.status == "cancelled"


async def test_cancelling_the_whole_plan_stops_every_task(cloud_plans: PlanRig) -> None:
    scripts = cloud_plans.scripts
    scripts.add("t1", silent())
    scripts.add("t2", silent())
    plan = Plan(
        "cancel all",
        tasks(
            ("t1", "coder", "hangs", (), ()),
            ("t2", "coder", "hangs too", (), ()),
            ("t3", "coder", "waits", (), ("t1",)),
        ),
    )
    run = await cloud_plans.start(plan)
    started: set[str] = set()

    async def cancel_when_both_run(event: PlanEvent) -> None:
        if isinstance(event, TaskStarted):
            started.add(event.task.task_id)
            if started == {"t1", "t2"}:
                assert await asyncio.to_thread(scripts.wait_for, "t1", 1)
                assert await asyncio.to_thread(scripts.wait_for, "t2", 1)
                run.cancel()

    events = await drain(run, cancel_when_both_run)

    assert finished(events).status == "cancelled"
    record = await cloud_plans.rig.store.get_plan(run.plan_id)
    assert [t.status for t in record.tasks] == ["cancelled", "cancelled", "cancelled"]
    assert scripts.counts["t3"] == 0
    ends = [end.how for end in cloud_plans.rig.server.stream_ends]
    assert ends.count("client_closed") == 2


async def test_a_plan_cancelled_from_another_process_stops(plans: PlanRig) -> None:
    scripts, store = plans.scripts, plans.rig.store
    scripts.add("t1", silent())
    run = await plans.start(Plan("remote", tasks(("t1", "coder", "hangs", (), ()))))

    async def ask_through_the_store(event: PlanEvent) -> None:
        if isinstance(event, TaskStarted):
            assert await asyncio.to_thread(scripts.wait_for, "t1", 1)
            await store.request_plan_cancel(run.plan_id)  # what `codeface plan cancel` does

    events = await drain(run, ask_through_the_store)

    assert finished(events).status == "cancelled"
    assert (await store.get_plan(run.plan_id)).status == "cancelled"


async def test_stop_policy_stops_the_plan_when_a_task_fails_for_good(plans: PlanRig) -> None:
    plans.scripts.add("t1", error(401), error(401))
    plan = Plan(
        "fails",
        tasks(("t1", "coder", "bad key", (), ()), ("t2", "coder", "other", (), ())),
        failure_policy="stop",
    )
    run = await plans.start(plan)

    events = await drain(run)

    assert finished(events).status == "failed"
    assert of_task(events, TaskRetrying, "t1") == []  # a refused key is not retried
    record = await plans.rig.store.get_plan(run.plan_id)
    assert [t.status for t in record.tasks] == ["failed", "skipped"]
    assert "the plan stopped: task t1 failed" in record.tasks[1].error


async def test_continue_policy_runs_independent_tasks_after_a_failure(plans: PlanRig) -> None:
    plans.scripts.add("t1", error(500), error(500))
    plan = Plan(
        "carry on",
        tasks(
            ("t1", "coder", "fails", (), ()),
            ("t2", "coder", "needs t1", (), ("t1",)),
            ("t3", "coder", "independent", (), ()),
        ),
        failure_policy="continue",
    )
    run = await plans.start(plan, max_attempts=2)

    events = await drain(run)

    assert finished(events).status == "failed"
    record = await plans.rig.store.get_plan(run.plan_id)
    assert [(t.status, t.attempts) for t in record.tasks] == [
        ("failed", 2),
        ("skipped", 0),
        ("done", 1),
    ]


async def test_two_tasks_naming_one_file_never_run_together(cloud_plans: PlanRig) -> None:
    scripts, server = cloud_plans.scripts, cloud_plans.rig.server
    scripts.add("t1", text("first", held=True))
    plan = Plan(
        "same file",
        tasks(
            ("t1", "coder", "change calc", ("calc.py",), ()),
            ("t2", "coder", "change calc too", ("calc.py",), ()),
            ("t3", "coder", "change notes", ("notes.txt",), ()),
        ),
    )
    run = await cloud_plans.start(plan)

    def release_after_t3(event: PlanEvent) -> None:
        if isinstance(event, TaskDone) and event.task.task_id == "t3":
            server.release()

    events = await drain(run, release_after_t3)

    assert finished(events).status == "done"
    assert first(events, TaskStarted, "t3") < first(events, TaskDone, "t1")  # in parallel
    assert first(events, TaskDone, "t1") < first(events, TaskStarted, "t2")  # one after other


async def test_a_file_another_task_is_changing_waits_until_that_task_ends(
    cloud_plans: PlanRig,
) -> None:
    scripts, server = cloud_plans.scripts, cloud_plans.rig.server
    project = cloud_plans.rig.project
    scripts.add(
        "t1",
        call("write_file", {"path": "notes.txt", "content": "from t1\n"}),
        text("t1 wrote the notes.", held=True),
    )
    scripts.add(
        "t2",
        call("write_file", {"path": "notes.txt", "content": "from t2\n"}),
        text("t2 wrote the notes."),
    )
    plan = Plan(
        "undeclared",
        tasks(("t1", "coder", "notes one", (), ()), ("t2", "coder", "notes two", (), ())),
    )
    run = await cloud_plans.start(plan, allow_edits=False, interactive=True)
    held: list[ApprovalRequested] = []
    t1_wrote = asyncio.Event()

    async def approve(event: PlanEvent) -> None:
        if isinstance(event, TaskActivity):
            inner = event.event
            if isinstance(inner, ApprovalRequested):
                if event.task_id == "t1":
                    assert run.answer(inner.request.id, "once")
                else:
                    held.append(inner)  # t2 may write only after t1 has written
            elif isinstance(inner, ToolCallFinished) and event.task_id == "t1":
                t1_wrote.set()
        if t1_wrote.is_set() and held:
            assert run.answer(held.pop().request.id, "once")
        if isinstance(event, TaskWaiting) and event.reason == "file":
            assert project.joinpath("notes.txt").read_text() == "from t1\n"
            server.release()

    events = await drain(run, approve)

    assert finished(events).status == "done"
    [wait] = [e for e in events if isinstance(e, TaskWaiting) and e.reason == "file"]
    assert isinstance(wait, TaskWaiting)
    assert wait.task.task_id == "t2"
    assert "notes.txt is being changed by task t1" in wait.detail
    writes = [
        (i, e.task_id)
        for i, e in enumerate(events)
        if isinstance(e, TaskActivity)
        and isinstance(e.event, ToolCallFinished)
        and e.event.call.name == "write_file"
    ]
    assert [task for _, task in writes] == ["t1", "t2"]
    assert writes[1][0] > first(events, TaskDone, "t1")
    assert project.joinpath("notes.txt").read_text() == "from t2\n"


async def test_plans_left_running_by_a_dead_process_are_offered_to_resume(plans: PlanRig) -> None:
    store, service = plans.rig.store, plans.service
    run = await plans.start(Plan("left", tasks(("t1", "coder", "one", (), ()))))
    await store.update_plan(run.plan_id, status="running")  # as a killed process leaves it

    assert [p.id for p in await service.unfinished()] == [run.plan_id]
    elsewhere = service.lock(run.plan_id)
    elsewhere.acquire()  # another process runs it: not offered, and not run twice
    assert await service.unfinished() == []
    with pytest.raises(PlanBusy):
        _ = [event async for event in service.run(run.plan_id, plans.options()).events()]
    elsewhere.release()
    events = await drain(service.run(run.plan_id, plans.options()))

    assert finished(events).status == "done"
    assert await service.unfinished() == []
