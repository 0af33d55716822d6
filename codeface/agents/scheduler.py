"""Runs a plan's tasks: every ready task at once, within limits, with retries and a heartbeat.

A task is ready when every task it depends on is done. It starts when its *lane* (the
provider it will run on) has a free slot and no other running task holds one of its files
(`FileLeases`); ready tasks start in plan order. What one attempt does is the caller's
(`AttemptFn`): the scheduler only sees a `TaskReport` (done) or a `TaskFailure`.

Faults: a failed attempt is retried after a back-off with full jitter, up to
``max_attempts``; an attempt with no sign of life for ``heartbeat`` seconds (its `Pulse`
not beaten, and not held for the user) is cancelled and counts as failed. A task that
fails for good stops the plan (failure policy ``stop``: running tasks are cancelled, the
rest skipped) or only the tasks that depend on it (``continue``). The user can cancel one
task (its dependents are skipped) or the whole plan. Each transition is passed to
``emit`` and awaited, so a durable caller stores it before the plan moves on.
"""

from __future__ import annotations

import asyncio
import heapq
import logging
import random
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from codeface.agents.file_leases import FileLeases
from codeface.agents.plan import Plan, PlanTask, TaskReport, dependents_of
from codeface.agents.plan_events import (
    PlanEvent,
    PlanFinished,
    PlanStarted,
    TaskCancelled,
    TaskDone,
    TaskFailed,
    TaskQueued,
    TaskRetrying,
    TaskStarted,
)
from codeface.agents.plan_state import PlanStatus, TaskProgress, TaskState
from codeface.agents.task_attempt import (
    AttemptContext,
    AttemptFn,
    Pulse,
    SchedulerOptions,
    TaskFailure,
)
from codeface.core.backoff import backoff_delay

log = logging.getLogger(__name__)

Emit = Callable[[PlanEvent], Awaitable[None]]
Lane = tuple[str, int]
"""A lane's name (the provider a task runs on) and how many of its tasks may run at once."""


@dataclass(frozen=True)
class _Stop:
    """Why an attempt was cancelled from outside; ``failed`` counts it as a failed attempt."""

    reason: str
    failed: bool = False


@dataclass
class _Lanes:
    limits: dict[str, int] = field(default_factory=dict)
    busy: Counter[str] = field(default_factory=Counter)
    ready: dict[str, list[tuple[int, str]]] = field(default_factory=dict)


class Scheduler:
    """Runs one plan once (`run`); `cancel_task` and `cancel` may be called meanwhile."""

    def __init__(
        self,
        plan_id: str,
        plan: Plan,
        attempt: AttemptFn,
        emit: Emit,
        *,
        states: dict[str, TaskState] | None = None,
        options: SchedulerOptions | None = None,
        lane_of: Callable[[PlanTask], Lane] | None = None,
        leases: FileLeases | None = None,
        resumed: bool = False,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        rng: Callable[[], float] = random.random,
    ) -> None:
        self.plan_id = plan_id
        self.plan = plan
        self.options = options or SchedulerOptions()
        self.states = states or {t.id: TaskState(t, i) for i, t in enumerate(plan.tasks)}
        self.leases = leases
        self._attempt = attempt
        self._emit = emit
        self._lane_of = lane_of or (lambda task: ("default", max(1, len(plan.tasks))))
        self._resumed = resumed
        self._clock, self._wall, self._sleep, self._rng = clock, wall, sleep, rng
        self._dependents = dependents_of(plan)
        self._remaining: dict[str, int] = {}
        self._lanes = _Lanes()
        self._task_lane: dict[str, str] = {}
        self._live: dict[str, asyncio.Task[None]] = {}
        self._backoffs: dict[str, asyncio.Task[None]] = {}
        self._work: set[asyncio.Task[None]] = set()
        self._stops: dict[str, _Stop] = {}
        self._tries: Counter[str] = Counter()
        self._wake = asyncio.Event()
        self._error: BaseException | None = None
        self._halted: str | None = None
        self._cancelled: str | None = None
        self._abandoning = False

    # ------------------------------------------------------------------ public
    def progress(self, task_id: str) -> TaskProgress:
        """One task's snapshot now."""
        return self.states[task_id].progress(self.plan_id, self.options.max_attempts)

    async def run(self) -> PlanStatus:
        """Run every task that is not final yet; returns how the plan ended."""
        started = self._wall()
        for state in self.states.values():
            lane, limit = self._lane_of(state.task)
            self._task_lane[state.task.id] = lane
            self._lanes.limits[lane] = max(1, limit)
            self._remaining[state.task.id] = sum(
                1 for dep in state.task.depends_on if self.states[dep].status != "done"
            )
        snapshots = tuple(self.progress(task.id) for task in self.plan.tasks)
        await self._emit(PlanStarted(self.plan_id, snapshots, self._resumed))
        for task in self.plan.tasks:
            state = self.states[task.id]
            if state.status != "queued":
                continue
            broken = [
                d
                for d in task.depends_on
                if self.states[d].final and self.states[d].status != "done"
            ]
            if broken:
                await self._skip(state, f"{broken[0]} did not finish")
            elif self._remaining[task.id] == 0:
                await self._make_ready(state)
        self._dispatch()
        try:
            while self._work:
                await self._wake.wait()
                self._wake.clear()
                if self._error is not None:
                    raise self._error
        except BaseException:
            await self._abandon()
            raise
        return await self._finish(started)

    def cancel_task(self, task_id: str, reason: str = "cancelled by the user") -> bool:
        """Cancel one task (its dependents are skipped); False when it has already ended."""
        state = self.states.get(task_id)
        if state is None or state.final:
            return False
        live = self._live.get(task_id)
        if live is not None:
            earlier = self._stops.get(task_id)
            if earlier is not None and not earlier.failed:
                return False  # already being cancelled
            self._stops[task_id] = _Stop(reason)  # the user's word wins over a heartbeat
            if earlier is None:
                live.cancel()
            return True
        if state.status not in ("queued", "retrying"):
            return False  # its attempt is finishing: the outcome stands
        backoff = self._backoffs.pop(task_id, None)
        if backoff is not None:
            backoff.cancel()
        state.status = "cancelled"  # at once, so nothing starts it meanwhile
        self._spawn(self._cancelled_event(state, reason))
        return True

    def cancel(self, reason: str = "the plan was cancelled by the user") -> None:
        """Cancel the whole plan: running tasks are stopped, the others cancelled."""
        if self._cancelled is not None:
            return
        self._cancelled = reason
        self._stop_everything(reason, final_status="cancelled")

    # ------------------------------------------------------------------ dispatching
    def _spawn(self, coroutine: Awaitable[None]) -> asyncio.Task[None]:
        task = asyncio.ensure_future(coroutine)
        self._work.add(task)
        task.add_done_callback(self._work_ended)
        return task

    def _work_ended(self, task: asyncio.Task[None]) -> None:
        self._work.discard(task)
        if not task.cancelled() and task.exception() is not None and self._error is None:
            self._error = task.exception()
        self._wake.set()

    async def _make_ready(self, state: TaskState) -> None:
        lane = self._task_lane[state.task.id]
        heapq.heappush(self._lanes.ready.setdefault(lane, []), (state.position, state.task.id))
        state.detail = ""
        await self._emit(TaskQueued(self.progress(state.task.id)))

    def _dispatch(self) -> None:
        if self._halted is not None or self._cancelled is not None:
            return
        lanes = self._lanes
        for lane, heap in lanes.ready.items():
            limit = lanes.limits[lane]
            blocked: list[tuple[int, str]] = []
            while heap and lanes.busy[lane] < limit:
                item = heapq.heappop(heap)
                state = self.states[item[1]]
                if state.status != "queued":
                    continue
                if self.leases is not None and self.leases.blocking(item[1], state.task.files):
                    blocked.append(item)
                    continue
                self._start(state, lane)
            for item in blocked:
                heapq.heappush(heap, item)

    def _start(self, state: TaskState, lane: str) -> None:
        task_id = state.task.id
        self._lanes.busy[lane] += 1
        if self.leases is not None:
            self.leases.take(task_id, state.task.files)
        state.status = "running"
        state.attempt += 1
        self._tries[task_id] += 1
        state.started_at = state.started_at or self._wall()
        state.finished_at = None
        state.detail = state.current_tool = ""
        self._live[task_id] = self._spawn(self._run_attempt(state, lane))

    # ------------------------------------------------------------------ one attempt
    async def _run_attempt(self, state: TaskState, lane: str) -> None:
        task_id = state.task.id
        pulse = Pulse(self._clock)
        reports = {
            dep: self.states[dep].report()
            for dep in state.task.depends_on
            if self.states[dep].status == "done"
        }
        context = AttemptContext(
            self.plan_id, self.plan, state, pulse, reports, self.options.max_attempts, self.leases
        )
        me = asyncio.current_task()
        assert me is not None
        watcher: asyncio.Task[None] | None = None
        outcome: TaskReport | TaskFailure | _Stop
        try:
            await self._emit(TaskStarted(self.progress(task_id), resumed=bool(state.session_id)))
            watcher = asyncio.ensure_future(self._watch(task_id, pulse, me))
            outcome = await self._attempt(context)
        except asyncio.CancelledError:
            stop = self._stops.pop(task_id, None)
            if stop is None or self._abandoning:
                raise  # the whole run is being cancelled
            while me.cancelling():  # a heartbeat and a user may both have cancelled it
                me.uncancel()
            outcome = stop
        except TaskFailure as failure:
            outcome = failure
        except Exception as error:  # a bug in one task must not take the others down
            log.exception("task %s of plan %s failed unexpectedly", task_id, self.plan_id)
            outcome = TaskFailure(f"unexpected error: {error}", retryable=False)
        finally:
            if watcher is not None:
                watcher.cancel()
            self._live.pop(task_id, None)
            self._lanes.busy[lane] -= 1
            if self.leases is not None:
                self.leases.release_all(task_id)
        self._stops.pop(task_id, None)
        await self._settle(state, outcome)
        self._dispatch()

    async def _watch(self, task_id: str, pulse: Pulse, attempt: asyncio.Task[None]) -> None:
        limit = self.options.heartbeat
        while True:
            wait = limit if pulse.held else limit - (self._clock() - pulse.last)
            if wait <= 0:
                self._stops.setdefault(
                    task_id, _Stop(f"no sign of life for {limit:g} s", failed=True)
                )
                attempt.cancel()
                return
            await self._sleep(wait)

    async def _settle(self, state: TaskState, outcome: TaskReport | TaskFailure | _Stop) -> None:
        task_id = state.task.id
        state.current_tool = ""
        if isinstance(outcome, TaskReport):
            state.status = "done"
            state.summary, state.changed_paths = outcome.summary, outcome.changed_paths
            state.detail, state.finished_at = "", self._wall()
            await self._emit(
                TaskDone(self.progress(task_id), outcome.summary, outcome.changed_paths)
            )
            for waiting in self._dependents[task_id]:
                self._remaining[waiting] -= 1
                if self._remaining[waiting] == 0 and self.states[waiting].status == "queued":
                    await self._make_ready(self.states[waiting])
            return
        if isinstance(outcome, _Stop) and not outcome.failed:
            state.status, state.detail, state.finished_at = (
                "cancelled",
                outcome.reason,
                self._wall(),
            )
            await self._emit(TaskCancelled(self.progress(task_id), outcome.reason))
            await self._skip_dependents(task_id, f"{task_id} was cancelled")
            return
        reason = outcome.reason if isinstance(outcome, _Stop) else outcome.message
        retryable = isinstance(outcome, _Stop) or outcome.retryable
        stopping = self._halted is not None or self._cancelled is not None
        if retryable and not stopping and self._tries[task_id] < self.options.max_attempts:
            delay = backoff_delay(
                self._tries[task_id] - 1,
                base=self.options.backoff_base,
                cap=self.options.backoff_cap,
                rng=self._rng,
            )
            state.status, state.detail = "retrying", reason
            await self._emit(TaskRetrying(self.progress(task_id), delay, reason))
            if state.status == "retrying":  # not cancelled while that was stored
                self._backoffs[task_id] = self._spawn(self._back_off(state, delay))
            return
        state.status, state.detail, state.finished_at = "failed", reason, self._wall()
        await self._emit(TaskFailed(self.progress(task_id), reason))
        if self.plan.failure_policy == "stop":
            self._stop_everything(f"the plan stopped: task {task_id} failed", "skipped")
        else:
            await self._skip_dependents(task_id, f"{task_id} failed")

    async def _back_off(self, state: TaskState, delay: float) -> None:
        await self._sleep(delay)
        self._backoffs.pop(state.task.id, None)
        if state.status == "retrying" and self._halted is None and self._cancelled is None:
            state.status = "queued"
            await self._make_ready(state)
            self._dispatch()

    # ------------------------------------------------------------------ stopping
    async def _skip(self, state: TaskState, reason: str) -> None:
        state.status, state.detail = "skipped", reason
        await self._emit(TaskCancelled(self.progress(state.task.id), reason))
        await self._skip_dependents(state.task.id, f"{state.task.id} did not run")

    async def _skip_dependents(self, task_id: str, reason: str) -> None:
        for waiting in self._dependents[task_id]:
            if self.states[waiting].status == "queued":
                await self._skip(self.states[waiting], reason)

    async def _cancelled_event(self, state: TaskState, reason: str) -> None:
        state.status, state.detail = "cancelled", reason
        await self._emit(TaskCancelled(self.progress(state.task.id), reason))
        await self._skip_dependents(state.task.id, f"{state.task.id} was cancelled")

    def _stop_everything(self, reason: str, final_status: str) -> None:
        if final_status == "skipped":
            self._halted = reason
        for task_id, live in list(self._live.items()):
            self._stops.setdefault(task_id, _Stop(reason))
            live.cancel()
        waiting = [s for s in self.states.values() if s.status in ("queued", "retrying")]
        for state in waiting:
            backoff = self._backoffs.pop(state.task.id, None)
            if backoff is not None:
                backoff.cancel()
            state.status = "cancelled" if final_status == "cancelled" else "skipped"
        if waiting:
            self._spawn(self._stopped_events(waiting, reason))

    async def _stopped_events(self, states: list[TaskState], reason: str) -> None:
        for state in states:
            state.detail = reason
            await self._emit(TaskCancelled(self.progress(state.task.id), reason))

    async def _abandon(self) -> None:
        self._abandoning = True
        for task in list(self._work):
            task.cancel()
        await asyncio.gather(*self._work, return_exceptions=True)

    async def _finish(self, started: float) -> PlanStatus:
        counts = Counter(state.status for state in self.states.values())
        status: PlanStatus
        if self._cancelled is not None:
            status = "cancelled"
        elif counts["failed"]:
            status = "failed"
        elif counts["done"] == len(self.states):
            status = "done"
        else:
            status = "cancelled"
        states = self.states.values()
        costs = [s.cost_usd for s in states if s.cost_usd is not None]
        await self._emit(
            PlanFinished(
                self.plan_id,
                status,
                tuple(sorted(counts.items())),
                max(0.0, self._wall() - started),
                sum(s.input_tokens for s in states),
                sum(s.output_tokens for s in states),
                sum(costs) if costs else None,
            )
        )
        return status
