"""Plans dock benchmark: a 1,000-task plan's events fed into the Agents dock's Plans tab at
full speed (no pause between events), on a qasync loop; the longest GUI stall seen by a
1 ms QTimer probe.

Figures (each beside its budget and a baseline measured in the same run):
- longest GUI stall while 1,000 tasks start, step and finish in a visible `PlanLiveView`
  (budget 16 ms); baseline: the same events through the same `PlanFeed` and model with
  no view on screen;
- the whole run's wall time, dock vs baseline;
- events per second the dock keeps up with.
Each task is queued, started, steps twice (a tool, tokens) and is done: 5 events, 5,002
in all. ``QT_QPA_PLATFORM`` picks the platform (offscreen by default). Never asserts.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QTimer

from benchmarks.qt_loop import run_on_qt_loop
from benchmarks.run import print_rows
from codeface.application.contract.plan_views import (
    PlanEvent,
    PlanFinished,
    PlanStarted,
    TaskDone,
    TaskProgress,
    TaskQueued,
    TaskStarted,
    TaskStep,
)
from codeface.ui.bridge import Bridge

TASKS = 1000
PLAN_ID = "bench-plan"
Row = dict[str, Any]


def _row(name: str, value: float, unit: str, budget: float | None, baseline: float | None) -> Row:
    ratio = value / baseline if baseline else None
    return {
        "name": name,
        "value": round(value, 2),
        "unit": unit,
        "budget": budget,
        "baseline": None if baseline is None else round(baseline, 2),
        "ratio": None if ratio is None else round(ratio, 2),
    }


class PlanBackend:
    """Only what the Plans view needs: a run of 1,000 trivial tasks, as fast as it goes."""

    async def run_plan(
        self, plan_id: str, failure_policy: object = None
    ) -> AsyncIterator[PlanEvent]:
        tasks = [
            TaskProgress(plan_id, f"t{n}", f"task {n}", "coder", "queued", max_attempts=3)
            for n in range(TASKS)
        ]
        yield PlanStarted(plan_id, tuple(tasks))
        for task in tasks:
            yield TaskQueued(task)
            running = replace(task, status="running", attempt=1, model="qwen2.5-coder:7b")
            yield TaskStarted(running)
            tool = replace(running, step=1, current_tool="edit src/m.py", input_tokens=800)
            yield TaskStep(tool, "tool")
            yield TaskStep(replace(tool, output_tokens=60, current_tool=""), "usage")
            yield TaskDone(replace(tool, status="done", elapsed=0.01), "Done.", ())
        yield PlanFinished(plan_id, "done", (("done", TASKS),), 1.0)


async def feed(visible: bool) -> tuple[float, float, int]:
    """(longest stall in ms, wall time in ms, events) of one run."""
    from codeface.application.contract import PlanView
    from codeface.ui.plans.live import PlanLiveView

    view = PlanLiveView(Bridge(PlanBackend()))  # type: ignore[arg-type]
    if visible:
        view.resize(420, 700)
        view.show()
    plan = PlanView(PLAN_ID, "a thousand small things", "draft", "stop", "/p", 0.0, 0.0, ())
    gaps: list[float] = []
    last = [time.perf_counter()]

    def probe() -> None:
        now = time.perf_counter()
        gaps.append(now - last[0])
        last[0] = now

    timer = QTimer()
    timer.setInterval(1)
    timer.timeout.connect(probe)
    timer.start()
    await asyncio.sleep(0.05)
    gaps.clear()
    done = asyncio.Event()
    view.feed.sig_ended.connect(done.set)
    last[0] = started = time.perf_counter()
    view.run(plan)
    await done.wait()
    ended = time.perf_counter()
    await asyncio.sleep(0.06)  # the last coalesced repaint
    timer.stop()
    events = view.feed.events_seen
    view.close()
    view.deleteLater()
    return max(gaps, default=0.0) * 1000, (ended - started) * 1000, events


async def measure() -> list[Row]:
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    await feed(False)  # warm up imports and the first layout
    base_stall, base_wall, _ = await feed(False)
    stall, wall, events = await feed(True)
    name = f"plan of {TASKS} tasks, {events} events, full speed ({platform})"
    return [
        _row(f"{name}: longest GUI stall", stall, "ms", 16, base_stall),
        _row(f"{name}: wall time", wall, "ms", None, base_wall),
        _row(
            f"{name}: events per second",
            events / (wall / 1000),
            "ev/s",
            None,
            events / (base_wall / 1000),
        ),
    ]


def run() -> list[Row]:
    """Measure and return the rows (never asserts)."""
    return run_on_qt_loop(measure)


def main() -> None:
    """Print the figures beside their budgets and baselines."""
    print_rows("plans_dock", run())


if __name__ == "__main__":
    main()
