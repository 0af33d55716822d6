"""`PlanFeed`: runs a plan through the backend and turns its events into model updates
and a few signals, coalesced.

Task snapshots are staged in the `PlanTaskModel` and flushed at most every 50 ms, so a
plan of 1,000 tasks finishing at full speed repaints about 20 times a second. The loop
that reads the events hands the GUI back every few milliseconds even when the events come
faster than that, so the window never stalls behind a burst. Approvals and questions a
task asks for are passed on at once: someone is waiting for them.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from codeface.application.contract.plan_views import (
    ApprovalGiven,
    ApprovalRequested,
    PlanFinished,
    PlanPlanned,
    PlanStarted,
    QuestionAsked,
    TaskActivity,
    TaskCancelled,
    TaskDone,
    TaskFailed,
    TaskQueued,
    TaskRetrying,
    TaskStarted,
    TaskStep,
    TaskWaiting,
    ToolCallFinished,
)
from codeface.core.errors import CodefaceError

if TYPE_CHECKING:
    from codeface.application.contract.plan_views import FailurePolicy, PlanEvent
    from codeface.ui.bridge import Bridge
    from codeface.ui.plans.model import PlanTaskModel

FLUSH_MS = 50
SLICE_SECONDS = 0.004
"""The longest the event loop reads events before letting the GUI paint."""
HEAVY = (PlanStarted, PlanFinished)
"""Events that lay out or repaint every row: each gets a turn of the GUI loop to itself."""


async def _settle() -> None:
    """Two turns of the GUI loop: one for the timers due now (a delayed layout), one for
    the events those post (the repaint)."""
    await asyncio.sleep(0)
    await asyncio.sleep(0)


class PlanFeed(QObject):
    """One plan run at a time, feeding a `PlanTaskModel`.

    Signals:
        sig_started(object): `PlanStarted`: the model now shows its tasks.
        sig_flushed(): staged task changes were applied (progress may have moved).
        sig_approval(str, object): (task id, `ApprovalRequest`) a task waits for.
        sig_question(str, object): (task id, `QuestionAsked`) a task waits for.
        sig_decided(str): a call id whose approval or question was settled.
        sig_finished(object): `PlanFinished`.
        sig_failed(object): a `CodefaceError` stopped the run.
        sig_ended(): the run ended however it ended.
    """

    sig_started = Signal(object)
    sig_flushed = Signal()
    sig_approval = Signal(str, object)
    sig_question = Signal(str, object)
    sig_decided = Signal(str)
    sig_finished = Signal(object)
    sig_failed = Signal(object)
    sig_ended = Signal()

    def __init__(self, bridge: Bridge, model: PlanTaskModel, parent: QObject | None = None):
        super().__init__(parent)
        self.bridge = bridge
        self.model = model
        self.plan_id = ""
        self.events_seen = 0
        self._task: asyncio.Task[object] | None = None
        self._active = False
        self._between_slices = False
        self._flush_due = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(FLUSH_MS)
        self._timer.timeout.connect(self._flush_time)

    @property
    def running(self) -> bool:
        """Whether a run is being read now."""
        return self._active

    def start(self, plan_id: str, failure_policy: FailurePolicy | None = None) -> None:
        """Run (or resume) ``plan_id``."""
        self.plan_id = plan_id
        self.events_seen = 0
        self._active = True
        self._task = self.bridge.spawn(self._run(plan_id, failure_policy))

    def stop_watching(self) -> None:
        """Stop reading the run (the plan stops and can be resumed later)."""
        if self._task is not None and not self._task.done():
            self._task.cancel()

    async def _run(self, plan_id: str, failure_policy: FailurePolicy | None) -> None:
        try:
            events = self.bridge.backend.run_plan(plan_id, failure_policy)
            began = time.perf_counter()
            async for event in events:
                self.events_seen += 1
                heavy = isinstance(event, HEAVY)
                if heavy and time.perf_counter() - began > SLICE_SECONDS / 4:
                    await self._next_turn()
                self.handle(event)
                if heavy or time.perf_counter() - began > SLICE_SECONDS:
                    await self._next_turn()
                    began = time.perf_counter()
        except CodefaceError as error:
            self.sig_failed.emit(error)
        finally:
            self._active = False
            self.flush()
            self.sig_ended.emit()

    def handle(self, event: PlanEvent) -> None:
        """Apply one event."""
        match event:
            case PlanStarted():
                self._timer.stop()
                self.model.reset(event.tasks)
                self.sig_started.emit(event)
            case (
                TaskQueued()
                | TaskStarted()
                | TaskStep()
                | TaskWaiting()
                | TaskRetrying()
                | TaskDone()
                | TaskFailed()
                | TaskCancelled()
            ):
                self.model.stage(event.task)
                if not self._timer.isActive():
                    self._timer.start()
            case TaskActivity():
                self._activity(event)
            case PlanFinished():
                self.flush()
                self.sig_finished.emit(event)
            case PlanPlanned():
                pass

    def _activity(self, activity: TaskActivity) -> None:
        inner = activity.event
        if isinstance(inner, ApprovalRequested):
            self.sig_approval.emit(activity.task_id, inner.request)
        elif isinstance(inner, QuestionAsked):
            self.sig_question.emit(activity.task_id, inner)
        elif isinstance(inner, ApprovalGiven):
            self.sig_decided.emit(inner.call_id)
        elif isinstance(inner, ToolCallFinished):
            self.sig_decided.emit(inner.call.id)

    async def _next_turn(self) -> None:
        """Hand the GUI a turn between slices of a burst; a flush that fell due meanwhile
        then runs in a turn of its own, so reading and repainting never add up in one."""
        self._between_slices = True
        try:
            await _settle()
            if self._flush_due:
                self.flush()
                await _settle()
        finally:
            self._between_slices = False

    def _flush_time(self) -> None:
        if self._between_slices:
            self._flush_due = True  # the reader flushes at the start of its next turn
        else:
            self.flush()

    def flush(self) -> None:
        """Show what was staged."""
        self._flush_due = False
        self._timer.stop()
        if self.model.pending:
            self.model.flush()
            self.sig_flushed.emit()
