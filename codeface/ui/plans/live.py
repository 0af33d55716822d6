"""`PlanLiveView`: a running (or finished) plan: its tasks as a table in a tree view, an
overall progress bar, Cancel task / Cancel plan, the approvals its tasks wait for, and a
task's transcript on demand.

The view is a `QTreeView` over a `PlanTaskModel` with uniform row heights: 1,000 tasks are
1,000 rows of a model, not 1,000 widgets, and an update repaints the visible rows only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelectionModel, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from codeface.core.errors import CodefaceError
from codeface.ui.agents.labels import elastic_label
from codeface.ui.bridge import Bridge, bridge_task
from codeface.ui.plans.approvals import PlanApprovals
from codeface.ui.plans.feed import PlanFeed
from codeface.ui.plans.model import COLUMNS, FINAL, PlanTaskModel, cost_text, elapsed_text
from codeface.ui.plans.transcript import transcript_text

if TYPE_CHECKING:
    from codeface.application.contract import PlanView
    from codeface.application.contract.plan_views import (
        FailurePolicy,
        PlanFinished,
        TaskProgress,
    )

STATUS_TEXT = {
    "done": "Done",
    "failed": "Failed",
    "cancelled": "Cancelled",
    "interrupted": "Stopped midway",
    "running": "Running",
    "draft": "Not started",
}
COLUMN_WIDTHS = {
    "Task": 140,
    "Status": 70,
    "Doing": 120,
    "Elapsed": 52,
    "Tokens": 48,
    "Cost": 52,
    "Role": 64,
    "Model": 90,
    "Tries": 40,
}
"""At a dock's width (~380 px) task, status and current tool fit; the rest scrolls."""


class PlanLiveView(QWidget):
    """Watch and steer one plan.

    Signals:
        sig_new_plan(): the user wants to plan something else (the run has ended).
        sig_ended(str): the plan id whose run ended (however it ended).
    """

    sig_new_plan = Signal()
    sig_ended = Signal(str)

    def __init__(self, bridge: Bridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.plan: PlanView | None = None
        self.model = PlanTaskModel(self)
        self.feed = PlanFeed(bridge, self.model, self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        self.goal = elastic_label(name="planGoal")
        layout.addWidget(self.goal)
        self.progress = QProgressBar()
        self.progress.setAccessibleName("Tasks of the plan that have ended")
        self.progress.setFormat("%v of %m tasks")
        layout.addWidget(self.progress)
        self.status = elastic_label(name="planStatus")
        layout.addWidget(self.status)
        self.approvals = PlanApprovals()
        layout.addWidget(self.approvals)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.tree = QTreeView()
        self.tree.setAccessibleName("Tasks of the plan")
        self.tree.setModel(self.model)
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.tree.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, name in enumerate(COLUMNS):
            header.resizeSection(column, COLUMN_WIDTHS[name])
        self.tree.activated.connect(lambda _index: self.open_transcript())
        self.tree.selectionModel().selectionChanged.connect(lambda *_: self._sync())
        self.splitter.addWidget(self.tree)
        self.transcript = QPlainTextEdit()
        self.transcript.setReadOnly(True)
        self.transcript.setAccessibleName("Transcript of the selected task")
        self.transcript.setTabChangesFocus(True)
        self.transcript.hide()
        self.splitter.addWidget(self.transcript)
        layout.addWidget(self.splitter, 1)
        row = QHBoxLayout()
        self.cancel_task_button = QPushButton("Cancel &task")
        self.cancel_task_button.setAccessibleName("Cancel the selected task")
        self.cancel_plan_button = QPushButton("Cancel p&lan")
        self.cancel_plan_button.setAccessibleName("Cancel the whole plan")
        self.transcript_button = QPushButton("T&ranscript")
        self.transcript_button.setAccessibleName("Show the selected task's transcript")
        self.new_button = QPushButton("&New plan")
        self.new_button.setAccessibleName("Plan another goal")
        self.cancel_task_button.clicked.connect(self.cancel_selected)
        self.cancel_plan_button.clicked.connect(self.cancel_plan)
        self.transcript_button.clicked.connect(self.open_transcript)
        self.new_button.clicked.connect(self.sig_new_plan.emit)
        for button in (
            self.cancel_task_button,
            self.cancel_plan_button,
            self.transcript_button,
            self.new_button,
        ):
            button.setMinimumWidth(56)
            row.addWidget(button)
        row.addStretch(1)
        layout.addLayout(row)
        self._ticker = QTimer(self)
        self._ticker.setInterval(1000)
        self._ticker.timeout.connect(self.model.tick)
        self._connect()
        self._sync()

    def _connect(self) -> None:
        feed = self.feed
        feed.sig_started.connect(lambda _event: self._on_progress())
        feed.sig_flushed.connect(self._on_progress)
        feed.sig_approval.connect(self.approvals.add_approval)
        feed.sig_question.connect(self.approvals.add_question)
        feed.sig_decided.connect(self.approvals.settled)
        feed.sig_finished.connect(self._on_finished)
        feed.sig_failed.connect(self._on_failed)
        feed.sig_ended.connect(self._on_ended)
        self.approvals.sig_decided.connect(self._decide)
        self.approvals.sig_answered.connect(self._answer)

    # --- inputs -----------------------------------------------------------------------
    def show_plan(self, plan: PlanView) -> None:
        """Show a stored plan as it stands (not running)."""
        self.plan = plan
        self.goal.setText(f"Goal: {plan.goal}")
        self.goal.setToolTip(plan.goal)
        self.model.reset(plan.progress)
        self.approvals.clear()
        self.transcript.hide()
        self._on_progress()
        self.status.setText(STATUS_TEXT.get(plan.status, plan.status))

    def run(self, plan: PlanView, failure_policy: FailurePolicy | None = None) -> None:
        """Run (or resume) ``plan`` and watch it."""
        self.show_plan(plan)
        self.status.setText("Starting…")
        self.feed.start(plan.id, failure_policy)
        self._ticker.start()
        self._sync()

    @property
    def running(self) -> bool:
        """Whether the shown plan runs now."""
        return self.feed.running

    # --- reactions --------------------------------------------------------------------
    def _on_progress(self) -> None:
        ended, total = self.model.counts()
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(ended)
        if self.feed.running:
            busy = sum(1 for t in self.model.tasks if t.status in ("running", "waiting"))
            self.status.setText(f"Running: {busy} at work, {ended} of {total} ended")
        self._sync()

    def _on_finished(self, event: PlanFinished) -> None:
        counts = ", ".join(f"{n} {status}" for status, n in event.counts if n)
        words = STATUS_TEXT.get(event.status, event.status)
        tokens = event.input_tokens + event.output_tokens
        extra = [elapsed_text(event.elapsed)]
        if tokens:
            extra.append(f"{tokens:,} tokens")
        if event.cost_usd is not None:
            extra.append(cost_text(event.cost_usd))
        self.status.setText(
            f"{words}" + (f": {counts}" if counts else "") + f" ({', '.join(extra)})"
        )

    def _on_failed(self, error: CodefaceError) -> None:
        self.status.setText(error.one_line())

    def _on_ended(self) -> None:
        self._ticker.stop()
        self.approvals.clear()
        self.model.tick()
        self._sync()
        if self.plan is not None:
            self.sig_ended.emit(self.plan.id)

    def _sync(self) -> None:
        running = self.feed.running
        task = self.selected_task()
        self.cancel_task_button.setEnabled(
            running and task is not None and task.status not in FINAL
        )
        self.cancel_plan_button.setEnabled(running)
        self.transcript_button.setEnabled(task is not None and bool(task.session_id))
        self.new_button.setVisible(not running)

    # --- actions ----------------------------------------------------------------------
    def selected_task(self) -> TaskProgress | None:
        """The `TaskProgress` of the selected row, or None."""
        rows = self.tree.selectionModel().selectedRows()
        return self.model.task_at(rows[0].row()) if rows else None

    def select_task(self, task_id: str) -> None:
        """Select a task's row (tests, keyboard users)."""
        row = self.model.rows.get(task_id)
        if row is None:
            return
        index = self.model.index(row, 0)
        self.tree.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )

    @bridge_task
    async def cancel_selected(self) -> None:
        """Cancel the selected task."""
        task = self.selected_task()
        if self.plan is None or task is None:
            return
        try:
            await self.bridge.backend.cancel_plan_task(self.plan.id, task.task_id)
        except CodefaceError as error:
            self.status.setText(error.one_line())

    @bridge_task
    async def cancel_plan(self) -> None:
        """Cancel the whole plan."""
        if self.plan is None:
            return
        try:
            await self.bridge.backend.cancel_plan(self.plan.id)
        except CodefaceError as error:
            self.status.setText(error.one_line())

    @bridge_task
    async def open_transcript(self) -> None:
        """Show the selected task's steps under the list."""
        task = self.selected_task()
        if task is None or not task.session_id:
            return
        try:
            messages = await self.bridge.backend.load_branch(task.session_id)
        except CodefaceError as error:
            self.transcript.setPlainText(error.one_line())
        else:
            self.transcript.setPlainText(
                f"{task.task_id}: {task.title}\n\n" + transcript_text(messages)
            )
        self.transcript.show()

    @bridge_task
    async def _decide(self, request_id: str, decision: str) -> None:
        if self.plan is None:
            return
        await self.bridge.backend.answer_plan_approval(self.plan.id, request_id, decision)  # type: ignore[arg-type]

    @bridge_task
    async def _answer(self, question_id: str, text: str) -> None:
        if self.plan is None:
            return
        await self.bridge.backend.answer_plan_question(self.plan.id, question_id, text)
