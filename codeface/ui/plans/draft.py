"""`PlanDraftEditor`: the manager's plan before it runs, to edit, reorder or cut.

The tasks are a list; the selected one is edited in the form below it (role, title, brief,
the files it expects to touch, the tasks it waits for — ids, comma-separated). Run saves
the edit through the backend first: a circle, an unknown role or a dependency on no task
comes back as a `CodefaceError` whose reason is shown here, and nothing runs. Discard
cancels the draft.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from codeface.core.errors import CodefaceError
from codeface.ui.agents.labels import elastic_label
from codeface.ui.bridge import Bridge, bridge_task

if TYPE_CHECKING:
    from codeface.application.contract import PlanTaskView, PlanView
    from codeface.application.contract.plan_views import FailurePolicy

POLICIES = (("stop", "Stop everything"), ("continue", "Carry on with independent tasks"))


def split_list(text: str) -> tuple[str, ...]:
    """``"a.py, b.py"`` → ``("a.py", "b.py")``."""
    return tuple(part.strip() for part in text.replace("\n", ",").split(",") if part.strip())


def task_label(task: PlanTaskView) -> str:
    """The list text of a task."""
    waits = f"  (after {', '.join(task.depends_on)})" if task.depends_on else ""
    return f"{task.id} · {task.role} — {task.title or task.brief[:60]}{waits}"


class PlanDraftEditor(QWidget):
    """Edit a draft plan, then run or discard it.

    Signals:
        sig_run(object, str): the saved `PlanView` and the failure policy to run it with.
        sig_discarded(str): the id of the draft the user discarded.
    """

    sig_run = Signal(object, str)
    sig_discarded = Signal(str)

    def __init__(self, bridge: Bridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.plan: PlanView | None = None
        self.tasks: list[PlanTaskView] = []
        self._filling = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        self.goal = elastic_label(name="planDraftGoal")
        layout.addWidget(self.goal)
        self.list = QListWidget()
        self.list.setAccessibleName("Tasks of the draft plan")
        self.list.setWordWrap(True)
        self.list.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Expanding)
        self.list.currentRowChanged.connect(self._fill_form)
        layout.addWidget(self.list, 1)
        moves = QHBoxLayout()
        self.up_button = QPushButton("Move &up")
        self.up_button.setAccessibleName("Move the selected task up")
        self.down_button = QPushButton("Move do&wn")
        self.down_button.setAccessibleName("Move the selected task down")
        self.remove_button = QPushButton("Re&move")
        self.remove_button.setAccessibleName("Remove the selected task from the plan")
        self.up_button.clicked.connect(lambda: self.move_selected(-1))
        self.down_button.clicked.connect(lambda: self.move_selected(1))
        self.remove_button.clicked.connect(self.remove_selected)
        for button in (self.up_button, self.down_button, self.remove_button):
            button.setMinimumWidth(56)
            moves.addWidget(button)
        moves.addStretch(1)
        layout.addLayout(moves)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.role = QComboBox()
        self.role.setAccessibleName("Role of the selected task")
        self.role.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.role.setMinimumContentsLength(8)
        self.title = QLineEdit()
        self.title.setAccessibleName("Title of the selected task")
        self.brief = QPlainTextEdit()
        self.brief.setAccessibleName("Brief of the selected task")
        self.brief.setTabChangesFocus(True)
        self.brief.setMaximumHeight(80)
        self.files = QLineEdit()
        self.files.setAccessibleName("Files the selected task expects to change")
        self.files.setPlaceholderText("api.py, tests/test_api.py")
        self.depends = QLineEdit()
        self.depends.setAccessibleName("Tasks the selected task waits for (ids)")
        self.depends.setPlaceholderText("t1, t2")
        form.addRow("&Role", self.role)
        form.addRow("T&itle", self.title)
        form.addRow("&Brief", self.brief)
        form.addRow("&Files", self.files)
        form.addRow("&Waits for", self.depends)
        self.policy = QComboBox()
        self.policy.setAccessibleName("When a task fails for good")
        self.policy.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.policy.setMinimumContentsLength(10)
        for value, words in POLICIES:
            self.policy.addItem(words, value)
        form.addRow("If a task &fails", self.policy)
        layout.addLayout(form)
        self.role.currentTextChanged.connect(lambda _text: self._store_form())
        self.title.textEdited.connect(lambda _text: self._store_form())
        self.brief.textChanged.connect(self._store_form)
        self.files.textEdited.connect(lambda _text: self._store_form())
        self.depends.textEdited.connect(lambda _text: self._store_form())
        self.problem = elastic_label(name="planProblem")
        self.problem.setAccessibleName("Why the plan cannot run")
        layout.addWidget(self.problem)
        actions = QHBoxLayout()
        actions.addStretch(1)
        self.discard_button = QPushButton("&Discard")
        self.discard_button.setAccessibleName("Discard this draft plan")
        self.run_button = QPushButton("R&un plan")
        self.run_button.setAccessibleName("Save the edits and run the plan")
        self.run_button.setDefault(True)
        self.discard_button.clicked.connect(self.discard)
        self.run_button.clicked.connect(self.run)
        for button in (self.discard_button, self.run_button):
            button.setMinimumWidth(56)
            actions.addWidget(button)
        layout.addLayout(actions)

    # --- inputs -----------------------------------------------------------------------
    def set_roles(self, roles: list[str]) -> None:
        """The roles a task may have (the manager's is not one)."""
        current = self.role.currentText()
        self._filling = True
        self.role.clear()
        self.role.addItems([role for role in roles if role != "manager"])
        self._filling = False
        if current:
            self._select_role(current)

    def show_draft(self, plan: PlanView) -> None:
        """Edit this draft."""
        self.plan = plan
        self.tasks = list(plan.tasks)
        self.goal.setText(f"Goal: {plan.goal}")
        self.goal.setToolTip(plan.goal)
        self.policy.setCurrentIndex(max(0, self.policy.findData(plan.failure_policy)))
        self.problem.clear()
        self._refill(0)

    def edited(self) -> PlanView | None:
        """The draft as edited now."""
        if self.plan is None:
            return None
        policy: FailurePolicy = "continue" if self.policy.currentData() == "continue" else "stop"
        return replace(self.plan, tasks=tuple(self.tasks), failure_policy=policy)

    # --- editing ----------------------------------------------------------------------
    def _refill(self, row: int) -> None:
        self.list.blockSignals(True)
        self.list.clear()
        for task in self.tasks:
            self.list.addItem(task_label(task))
        self.list.blockSignals(False)
        if self.tasks:
            self.list.setCurrentRow(max(0, min(row, len(self.tasks) - 1)))
        self._fill_form(self.list.currentRow())

    def _fill_form(self, row: int) -> None:
        task = self.tasks[row] if 0 <= row < len(self.tasks) else None
        self._filling = True
        try:
            for field in (self.role, self.title, self.brief, self.files, self.depends):
                field.setEnabled(task is not None)
            for button in (self.up_button, self.down_button, self.remove_button):
                button.setEnabled(task is not None)
            self.run_button.setEnabled(bool(self.tasks))
            if task is None:
                self.title.clear()
                self.brief.clear()
                self.files.clear()
                self.depends.clear()
                return
            self._select_role(task.role)
            self.title.setText(task.title)
            self.brief.setPlainText(task.brief)
            self.files.setText(", ".join(task.files))
            self.depends.setText(", ".join(task.depends_on))
        finally:
            self._filling = False

    def _select_role(self, role: str) -> None:
        if self.role.findText(role) < 0:
            self.role.addItem(role)  # an unknown role stays visible until changed
        self.role.setCurrentText(role)

    def _store_form(self) -> None:
        row = self.list.currentRow()
        if self._filling or not 0 <= row < len(self.tasks):
            return
        task = replace(
            self.tasks[row],
            role=self.role.currentText(),
            title=self.title.text(),
            brief=self.brief.toPlainText(),
            files=split_list(self.files.text()),
            depends_on=split_list(self.depends.text()),
        )
        self.tasks[row] = task
        item = self.list.item(row)
        if item is not None:
            item.setText(task_label(task))

    def move_selected(self, step: int) -> None:
        """Move the selected task up (-1) or down (1)."""
        row = self.list.currentRow()
        target = row + step
        if not 0 <= row < len(self.tasks) or not 0 <= target < len(self.tasks):
            return
        self.tasks[row], self.tasks[target] = self.tasks[target], self.tasks[row]
        self._refill(target)

    def remove_selected(self) -> None:
        """Cut the selected task; the tasks waiting for it no longer do."""
        row = self.list.currentRow()
        if not 0 <= row < len(self.tasks):
            return
        removed = self.tasks.pop(row).id
        self.tasks = [
            replace(t, depends_on=tuple(d for d in t.depends_on if d != removed))
            for t in self.tasks
        ]
        self._refill(row)

    # --- actions ----------------------------------------------------------------------
    @bridge_task
    async def run(self) -> None:
        """Save the edit (the backend checks it), then ask to run it."""
        plan = self.edited()
        if plan is None:
            return
        self.run_button.setEnabled(False)
        self.problem.setText("Checking the plan…")
        try:
            saved = await self.bridge.backend.save_plan_draft(plan)
        except CodefaceError as error:
            self.problem.setText(error.one_line())
            return
        finally:
            self.run_button.setEnabled(bool(self.tasks))
        self.problem.clear()
        self.plan = saved
        self.sig_run.emit(saved, plan.failure_policy)

    @bridge_task
    async def discard(self) -> None:
        """Drop the draft (it is kept in the store as cancelled)."""
        if self.plan is None:
            return
        plan_id = self.plan.id
        try:
            await self.bridge.backend.cancel_plan(plan_id)
        except CodefaceError as error:
            self.problem.setText(error.one_line())
            return
        self.plan = None
        self.sig_discarded.emit(plan_id)
