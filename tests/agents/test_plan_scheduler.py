"""The scheduler on its own, with attempts scripted in the test: lanes and their limits,
files held by one task at a time, retries with back-off, the heartbeat, cancelling, and
the failure policies. Waits are on events and futures, never on time."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Protocol

import pytest

from codeface.agents.file_leases import FileLeases
from codeface.agents.plan import Plan, PlanTask, TaskReport
from codeface.agents.plan_events import (
    PlanEvent,
    PlanFinished,
    TaskCancelled,
    TaskDone,
    TaskFailed,
    TaskRetrying,
    TaskStarted,
)
from codeface.agents.plan_state import TaskProgress, TaskState
from codeface.agents.scheduler import Scheduler
from codeface.agents.task_attempt import AttemptContext, SchedulerOptions, TaskFailure

pytestmark = pytest.mark.asyncio
GUARD = 30


def task(task_id: str, *deps: str, files: tuple[str, ...] = (), role: str = "coder") -> PlanTask:
    return PlanTask(task_id, task_id, role, f"do {task_id}", files, deps)


def done(context: AttemptContext) -> TaskReport:
    return TaskReport(context.state.task.title, f"{context.state.task.id} ok", ())


class HasTask(Protocol):
    """A task event (it carries the task's snapshot)."""

    @property
    def task(self) -> TaskProgress: ...


class Recorder:
    """Collects events; futures resolve when a given task reaches a given kind of event."""

    def __init__(self) -> None:
        self.events: list[PlanEvent] = []
        self._waiters: list[tuple[type, str, asyncio.Future[None]]] = []

    async def __call__(self, event: PlanEvent) -> None:
        self.events.append(event)
        task_id = getattr(getattr(event, "task", None), "task_id", None)
        for kind, wanted, future in list(self._waiters):
            if isinstance(event, kind) and task_id == wanted and not future.done():
                future.set_result(None)

    def when(self, kind: type, task_id: str) -> asyncio.Future[None]:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append((kind, task_id, future))
        return future

    def of(self, kind: type[HasTask]) -> list[tuple[str, str]]:
        return [(e.task.task_id, e.task.status) for e in self.events if isinstance(e, kind)]

    def index(self, kind: type[HasTask], task_id: str) -> int:
        return next(
            i
            for i, e in enumerate(self.events)
            if isinstance(e, kind) and e.task.task_id == task_id
        )

    @property
    def finished(self) -> PlanFinished:
        last = self.events[-1]
        assert isinstance(last, PlanFinished)
        return last


def scheduler(
    plan: Plan,
    attempt: Callable[[AttemptContext], Awaitable[TaskReport]],
    recorder: Recorder,
    **options: object,
) -> Scheduler:
    lanes = options.pop("lanes", None)
    leases = options.pop("leases", None)
    return Scheduler(
        "plan-1",
        plan,
        attempt,
        recorder,
        options=SchedulerOptions(**{"backoff_base": 0.0, **options}),  # type: ignore[arg-type]
        lane_of=lanes,  # type: ignore[arg-type]
        leases=leases,  # type: ignore[arg-type]
        rng=lambda: 1.0,
    )


async def test_lanes_run_at_most_their_limit_at_once() -> None:
    plan = Plan(
        "lanes",
        tuple(task(f"a{n}", role="local") for n in range(5))
        + tuple(task(f"c{n}", role="cloud") for n in range(5)),
    )
    running: Counter[str] = Counter()
    most: Counter[str] = Counter()
    full = asyncio.Event()

    async def attempt(context: AttemptContext) -> TaskReport:
        lane = context.state.task.role
        running[lane] += 1
        most[lane] = max(most[lane], running[lane])
        if sum(running.values()) == 4:  # 1 local + 3 cloud: every slot taken
            full.set()
        await full.wait()
        running[lane] -= 1
        return done(context)

    recorder = Recorder()
    limits = {"local": 1, "cloud": 3}
    run = scheduler(plan, attempt, recorder, lanes=lambda t: (t.role, limits[t.role]))

    async with asyncio.timeout(GUARD):
        assert await run.run() == "done"

    assert most == Counter({"local": 1, "cloud": 3})


async def test_dependencies_finish_first_and_pass_their_reports_on() -> None:
    plan = Plan("deps", (task("t1"), task("t2", "t1"), task("t3", "t1", "t2")))
    seen: dict[str, tuple[str, ...]] = {}

    async def attempt(context: AttemptContext) -> TaskReport:
        seen[context.state.task.id] = tuple(sorted(context.reports))
        return done(context)

    recorder = Recorder()
    async with asyncio.timeout(GUARD):
        assert await scheduler(plan, attempt, recorder).run() == "done"

    assert seen == {"t1": (), "t2": ("t1",), "t3": ("t1", "t2")}
    assert recorder.index(TaskDone, "t1") < recorder.index(TaskStarted, "t2")
    assert recorder.index(TaskDone, "t2") < recorder.index(TaskStarted, "t3")


async def test_a_failed_attempt_is_retried_with_growing_back_off() -> None:
    plan = Plan("retry", (task("t1"),))
    failures = [TaskFailure("first"), TaskFailure("second")]

    async def attempt(context: AttemptContext) -> TaskReport:
        if failures:
            raise failures.pop(0)
        return done(context)

    recorder = Recorder()
    run = scheduler(plan, attempt, recorder, backoff_base=0.001, backoff_cap=1.0)
    async with asyncio.timeout(GUARD):
        assert await run.run() == "done"

    retries = [e for e in recorder.events if isinstance(e, TaskRetrying)]
    assert [(r.task.attempt, r.reason, r.delay) for r in retries] == [
        (1, "first", 0.001),
        (2, "second", 0.002),
    ]
    assert run.states["t1"].attempt == 3


async def test_attempts_run_out_and_the_stop_policy_cancels_the_rest() -> None:
    plan = Plan("stop", (task("t1"), task("t2"), task("t3", "t1")), failure_policy="stop")
    t2_started = asyncio.Event()

    async def attempt(context: AttemptContext) -> TaskReport:
        if context.state.task.id == "t2":
            t2_started.set()
            await asyncio.Event().wait()  # runs until cancelled
        await t2_started.wait()
        raise TaskFailure("broken")

    recorder = Recorder()
    lanes = lambda t: ("one", 2)  # noqa: E731
    run = scheduler(plan, attempt, recorder, lanes=lanes, max_attempts=2)
    async with asyncio.timeout(GUARD):
        assert await run.run() == "failed"

    assert recorder.of(TaskFailed) == [("t1", "failed")]
    assert sorted(recorder.of(TaskCancelled)) == [("t2", "cancelled"), ("t3", "skipped")]
    assert run.states["t1"].attempt == 2


async def test_the_continue_policy_runs_what_does_not_depend_on_the_failure() -> None:
    plan = Plan(
        "continue",
        (task("t1"), task("t2", "t1"), task("t3", "t2"), task("t4")),
        failure_policy="continue",
    )

    async def attempt(context: AttemptContext) -> TaskReport:
        if context.state.task.id == "t1":
            raise TaskFailure("no", retryable=False)
        return done(context)

    recorder = Recorder()
    async with asyncio.timeout(GUARD):
        assert await scheduler(plan, attempt, recorder).run() == "failed"

    assert {t: s.status for t, s in scheduler_states(recorder).items()} == {
        "t1": "failed",
        "t2": "skipped",
        "t3": "skipped",
        "t4": "done",
    }


def scheduler_states(recorder: Recorder) -> dict[str, TaskState]:
    states: dict[str, TaskState] = {}
    for event in recorder.events:
        task_progress = getattr(event, "task", None)
        if task_progress is not None:
            state = TaskState(task(task_progress.task_id), 0)
            state.status = task_progress.status
            states[task_progress.task_id] = state
    return states


async def test_a_silent_attempt_is_cancelled_at_the_heartbeat_and_retried() -> None:
    plan = Plan("heartbeat", (task("t1"),))
    calls: list[int] = []

    async def attempt(context: AttemptContext) -> TaskReport:
        calls.append(context.state.attempt)
        if len(calls) == 1:
            await asyncio.Event().wait()  # never a sign of life
        return done(context)

    recorder = Recorder()
    async with asyncio.timeout(GUARD):
        assert await scheduler(plan, attempt, recorder, heartbeat=0.05).run() == "done"

    [retry] = [e for e in recorder.events if isinstance(e, TaskRetrying)]
    assert retry.reason == "no sign of life for 0.05 s"
    assert calls == [1, 2]


async def test_no_heartbeat_runs_while_the_user_is_asked() -> None:
    plan = Plan("held", (task("t1"),))

    async def attempt(context: AttemptContext) -> TaskReport:
        context.pulse.hold()
        await asyncio.sleep(0.3)  # the user takes six heartbeats to answer
        context.pulse.release()
        return done(context)

    recorder = Recorder()
    async with asyncio.timeout(GUARD):
        assert await scheduler(plan, attempt, recorder, heartbeat=0.05).run() == "done"
    assert recorder.of(TaskRetrying) == []


async def test_cancelling_a_running_task_skips_its_dependents_and_others_go_on() -> None:
    plan = Plan("cancel", (task("t1"), task("t2", "t1"), task("t3")))
    release_t3 = asyncio.Event()

    async def attempt(context: AttemptContext) -> TaskReport:
        if context.state.task.id == "t1":
            await asyncio.Event().wait()
        await release_t3.wait()
        return done(context)

    recorder = Recorder()
    run = scheduler(plan, attempt, recorder)
    started = recorder.when(TaskStarted, "t1")
    runner = asyncio.ensure_future(run.run())
    async with asyncio.timeout(GUARD):
        await started
        assert run.cancel_task("t1")
        assert not run.cancel_task("t1")  # already being cancelled: nothing more to do
        await recorder.when(TaskCancelled, "t2")
        release_t3.set()
        assert await runner == "cancelled"

    assert recorder.of(TaskCancelled) == [("t1", "cancelled"), ("t2", "skipped")]
    assert recorder.of(TaskDone) == [("t3", "done")]


async def test_cancelling_a_task_that_waits_in_the_queue() -> None:
    plan = Plan("queued", (task("t1"), task("t2", "t1"), task("t3", "t2")))
    go = asyncio.Event()

    async def attempt(context: AttemptContext) -> TaskReport:
        await go.wait()
        return done(context)

    recorder = Recorder()
    run = scheduler(plan, attempt, recorder)
    runner = asyncio.ensure_future(run.run())
    async with asyncio.timeout(GUARD):
        await recorder.when(TaskStarted, "t1")
        assert run.cancel_task("t2")
        go.set()
        assert await runner == "cancelled"

    assert recorder.of(TaskCancelled) == [("t2", "cancelled"), ("t3", "skipped")]
    assert recorder.finished.counts == (("cancelled", 1), ("done", 1), ("skipped", 1))


async def test_cancelling_the_plan_stops_running_and_waiting_tasks() -> None:
    plan = Plan("all", (task("t1"), task("t2"), task("t3", "t1")))

    async def attempt(context: AttemptContext) -> TaskReport:
        await asyncio.Event().wait()
        return done(context)

    recorder = Recorder()
    run = scheduler(plan, attempt, recorder)
    runner = asyncio.ensure_future(run.run())
    async with asyncio.timeout(GUARD):
        await recorder.when(TaskStarted, "t2")
        run.cancel()
        assert await runner == "cancelled"

    assert sorted(recorder.of(TaskCancelled)) == [
        ("t1", "cancelled"),
        ("t2", "cancelled"),
        ("t3", "cancelled"),
    ]


async def test_tasks_naming_the_same_file_never_run_together() -> None:
    plan = Plan(
        "files",
        (
            task("t1", files=("a.py",)),
            task("t2", files=("a.py", "b.py")),
            task("t3", files=("c.py",)),
        ),
    )
    running: set[str] = set()
    overlaps: list[set[str]] = []
    t3_ran = asyncio.Event()

    async def attempt(context: AttemptContext) -> TaskReport:
        running.add(context.state.task.id)
        overlaps.append(set(running))
        if context.state.task.id == "t3":
            t3_ran.set()
        else:
            await t3_ran.wait()
        running.discard(context.state.task.id)
        return done(context)

    recorder = Recorder()
    run = scheduler(plan, attempt, recorder, leases=FileLeases())
    async with asyncio.timeout(GUARD):
        assert await run.run() == "done"

    assert not any({"t1", "t2"} <= seen for seen in overlaps)
    assert {"t1", "t3"} in overlaps  # the task with its own file ran alongside
    assert recorder.index(TaskDone, "t1") < recorder.index(TaskStarted, "t2")


async def test_a_bug_in_one_task_fails_it_without_retrying() -> None:
    plan = Plan("bug", (task("t1"),))

    async def attempt(context: AttemptContext) -> TaskReport:
        raise ZeroDivisionError("oops")

    recorder = Recorder()
    async with asyncio.timeout(GUARD):
        assert await scheduler(plan, attempt, recorder).run() == "failed"

    [failed] = [e for e in recorder.events if isinstance(e, TaskFailed)]
    assert failed.error == "unexpected error: oops"
    assert recorder.of(TaskRetrying) == []


async def test_a_resumed_plan_runs_only_unfinished_tasks() -> None:
    plan = Plan("resume", (task("t1"), task("t2", "t1")))
    states = {t.id: TaskState(t, i) for i, t in enumerate(plan.tasks)}
    states["t1"].status = "done"
    states["t1"].summary = "t1 was done before"
    ran: list[str] = []

    async def attempt(context: AttemptContext) -> TaskReport:
        ran.append(context.state.task.id)
        assert context.reports["t1"].summary == "t1 was done before"
        return done(context)

    recorder = Recorder()
    run = Scheduler("p", plan, attempt, recorder, states=states, resumed=True)
    async with asyncio.timeout(GUARD):
        assert await run.run() == "done"
    assert ran == ["t2"]
