"""Plan figures with 1,000 trivial tasks and a zero-latency model (in-process, no network):

- scheduler overhead per task: the scheduler alone (`codeface.agents.scheduler`) running
  1,000 independent tasks (one lane, four at a time) and 1,000 chained tasks (each waits
  for the one before); baseline: the same 1,000 task coroutines awaited one after another;
- durable plan overhead per task: `PlanRun` (store writes per transition, a session and a
  stored agent turn per task, the plan lock, the event stream) over the same 1,000 tasks,
  one at a time as on a local model; baseline: the same 1,000 stored agent turns run with
  `Conversation.send` directly. Both are CPU time of the process (all its threads: the
  store's writer too), which other processes on a shared machine do not inflate; each
  side runs three times, alternated, each time in a fresh store, and the fastest of each
  is compared;
- resuming a 1,000-task plan (500 done, 500 left as a crash leaves them): until its first
  task starts; baseline: reading the stored plan alone.

Run: ``python -m benchmarks.bench_plans [--tasks N]``. Prints a table; never asserts.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

from codeface.agents.plan import Plan, PlanTask, TaskReport
from codeface.agents.plan_events import PlanEvent, TaskStarted
from codeface.agents.scheduler import Scheduler
from codeface.agents.task_attempt import AttemptContext, SchedulerOptions
from codeface.core.events import Finished, StreamEvent, TextDelta, Usage
from codeface.core.messages import ChatRequest
from codeface.core.provider import Health, ModelInfo

Row = dict[str, Any]
TASKS = 1000
REPEATS = 3


class InstantModel:
    """A cloud-shaped provider that answers every request at once with one short text."""

    id = "compat:instant"
    kind = "openai"
    tier = "cloud"
    host = "in-process"
    default_model = "instant"

    async def stream_chat(self, request: ChatRequest) -> AsyncIterator[StreamEvent]:
        """One text delta, usage, finished."""
        yield TextDelta("Done.")
        yield Usage(input_tokens=10, output_tokens=2)
        yield Finished("stop")

    async def list_models(self) -> list[ModelInfo]:
        """The one model."""
        return [ModelInfo("instant", self.id, "cloud")]

    async def prepare(self) -> None:
        """Nothing to build."""

    async def health(self) -> Health:
        """Always up."""
        return Health(True, "in-process")

    async def aclose(self) -> None:
        """Nothing to close."""


def _row(name: str, value: float, unit: str, budget: float | None, baseline: float | None) -> Row:
    return {
        "name": name,
        "value": round(value, 4),
        "unit": unit,
        "budget": budget,
        "baseline": None if baseline is None else round(baseline, 4),
        "ratio": round(value / baseline, 2) if baseline else None,
    }


def _tasks(count: int, chained: bool) -> tuple[PlanTask, ...]:
    return tuple(
        PlanTask(
            f"t{n}",
            f"task {n}",
            "coder",
            f"trivial task {n}",
            (),
            (f"t{n - 1}",) if chained and n else (),
        )
        for n in range(count)
    )


# ---------------------------------------------------------------------- scheduler alone
async def _work(task: PlanTask) -> TaskReport:
    """What one trivial task does: nothing, at once."""
    return TaskReport(task.title, "done", ())


async def _scheduler_seconds(count: int, chained: bool) -> tuple[float, float]:
    plan = Plan("bench", _tasks(count, chained))

    async def attempt(context: AttemptContext) -> TaskReport:
        return await _work(context.state.task)

    async def emit(event: PlanEvent) -> None:
        return None

    start = time.perf_counter()
    for task in plan.tasks:
        await _work(task)
    baseline = time.perf_counter() - start
    scheduler = Scheduler(
        "bench",
        plan,
        attempt,
        emit,
        options=SchedulerOptions(heartbeat=3600),
        lane_of=lambda task: ("instant", 4),
    )
    start = time.perf_counter()
    status = await scheduler.run()
    measured = time.perf_counter() - start
    assert status == "done", status
    return measured, baseline


def bench_scheduler(count: int) -> list[Row]:
    """Per-task overhead of the scheduler alone."""
    rows = []
    for chained, label in ((False, "independent, 4 at a time"), (True, "chained")):
        samples = [asyncio.run(_scheduler_seconds(count, chained)) for _ in range(REPEATS)]
        measured = statistics.median(s[0] for s in samples)
        baseline = statistics.median(s[1] for s in samples)
        rows.append(
            _row(
                f"scheduler overhead per task ({count:,} {label})",
                (measured - baseline) / count * 1000,
                "ms",
                1.0,
                baseline / count * 1000,
            )
        )
    return rows


# ---------------------------------------------------------------------- durable plans
class _Rig:
    """A store, an engine on the instant model and a project, in a fresh CODEFACE_HOME."""

    async def open(self, folder: Path) -> _Rig:
        from codeface.application.agents_setup import load_project_roles
        from codeface.application.conversation import Conversation
        from codeface.application.engine import Engine
        from codeface.application.plan_records import lock_folder
        from codeface.application.plans import PlanService
        from codeface.core.paths import app_paths
        from codeface.core.router import Router
        from codeface.core.settings import Settings
        from codeface.store.service import Store
        from codeface.workspace import Workspace

        settings = Settings()
        settings.general.policy = "cloud-first"
        settings.router.max_retries = 0
        model = InstantModel()
        engine = Engine(
            settings,
            app_paths(),
            [model],  # type: ignore[list-item]
            Router([model], settings),  # type: ignore[list-item]
            get_key=lambda name: None,
            build_providers=lambda *args: [model],  # type: ignore[list-item,return-value]
        )
        project = folder / "project"
        project.mkdir()
        self.workspace = Workspace.open(project)
        self.roles, _ = load_project_roles(self.workspace)
        self.store = await Store.open()
        self.conversation = Conversation(engine, self.store)
        self.service = PlanService(
            self.conversation,
            self.workspace,
            self.roles,
            lock_folder=lock_folder(app_paths().data),
        )
        return self


def _in_fresh_home[T](work: Callable[[Path], Awaitable[T]]) -> T:
    previous = os.environ.get("CODEFACE_HOME")
    with tempfile.TemporaryDirectory() as folder:
        os.environ["CODEFACE_HOME"] = str(Path(folder) / "home")
        try:
            return asyncio.run(work(Path(folder)))
        finally:
            if previous is None:
                os.environ.pop("CODEFACE_HOME", None)
            else:
                os.environ["CODEFACE_HOME"] = previous


def _options() -> Any:
    from codeface.application.plan_options import PlanOptions

    return PlanOptions(interactive=False, cloud_parallel=1, heartbeat=3600)


async def _turns_without_a_plan(count: int, folder: Path) -> float:
    """The baseline: the same stored agent turns, one after another, no plan around them."""
    from codeface.agents.approvals import ApprovalGate, ApprovalPolicy
    from codeface.application.agent_turn import AgentSetup

    rig = await _Rig().open(folder)
    try:
        setup = AgentSetup(rig.workspace, rig.roles["coder"], ApprovalGate(ApprovalPolicy()))
        start = time.process_time()
        for n in range(count):
            session = await rig.store.create_session(
                project=rig.workspace.key, role="coder", policy="cloud-first"
            )
            turn = rig.conversation.send(session.id, f"Plan task t{n}: trivial", agent=setup)
            async for _ in turn:
                pass
        return time.process_time() - start
    finally:
        await rig.store.close()


async def _plan(count: int, folder: Path) -> float:
    rig = await _Rig().open(folder)
    try:
        options = _options()
        plan_id = await rig.service.save_draft(Plan("bench", _tasks(count, False)), options)
        start = time.process_time()
        async for _ in rig.service.run(plan_id, options).events():
            pass
        elapsed = time.process_time() - start
        assert (await rig.store.get_plan(plan_id)).status == "done"
        return elapsed
    finally:
        await rig.store.close()


async def _resume(count: int, folder: Path) -> tuple[float, float]:
    """A crash left half the plan done and the rest as it was: time until a task starts."""
    rig = await _Rig().open(folder)
    try:
        options = _options()
        plan_id = await rig.service.save_draft(Plan("bench", _tasks(count, False)), options)
        for n in range(count):
            status = "done" if n < count // 2 else ("running" if n % 7 == 0 else "queued")
            await rig.store.update_plan_task(plan_id, f"t{n}", status=status, summary="done")
        await rig.store.update_plan(plan_id, status="running")
        start = time.perf_counter()
        await rig.store.get_plan(plan_id)
        read_only = time.perf_counter() - start
        start = time.perf_counter()
        events = rig.service.run(plan_id, options).events()
        async for event in events:
            if isinstance(event, TaskStarted):
                break
        to_first = time.perf_counter() - start
        await events.aclose()
        return to_first, read_only
    finally:
        await rig.store.close()


def bench_durable(count: int) -> list[Row]:
    """Per-task overhead of durable plans, and resuming one (each in a fresh store)."""
    baselines, plans = [], []
    for _ in range(REPEATS):  # alternated, so neither side always runs second
        baselines.append(_in_fresh_home(lambda folder: _turns_without_a_plan(count, folder)))
        plans.append(_in_fresh_home(lambda folder: _plan(count, folder)))
    # the fastest of each: on a shared machine, noise only ever adds time
    baseline, measured = min(baselines), min(plans)
    to_first, read_only = _in_fresh_home(lambda folder: _resume(count, folder))
    return [
        _row(
            f"durable plan overhead per task ({count:,} stored turns, 1 at a time)",
            (measured - baseline) / count * 1000,
            "ms",
            1.0,
            baseline / count * 1000,
        ),
        _row(
            f"resume a {count:,}-task plan (half done) until a task starts",
            to_first * 1000,
            "ms",
            500.0,
            read_only * 1000,
        ),
    ]


def run(count: int = TASKS) -> list[Row]:
    """Every figure of this benchmark."""
    return bench_scheduler(count) + bench_durable(count)


def main(argv: list[str] | None = None) -> int:
    """Print the figures."""
    from benchmarks.run import print_rows

    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_plans")
    parser.add_argument("--tasks", type=int, default=TASKS)
    args = parser.parse_args(argv)
    print_rows("plans", run(args.tasks))
    return 0


if __name__ == "__main__":
    sys.exit(main())
