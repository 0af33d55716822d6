"""`PlansPanel`: the Plans tab of the Agents dock.

Three pages: a goal box with "Plan it" (the manager drafts a plan for the open project),
the draft to edit (`PlanDraftEditor`), and the plan running or done (`PlanLiveView`).
Above them, when the project has plans that stopped midway (CodeFace quit or was killed),
a bar offers to resume them — nothing runs until the user says so.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from codeface.application.contract import PlanDrafted
from codeface.application.contract.plan_views import ToolCallStarted
from codeface.core.errors import CodefaceError
from codeface.core.events import TurnFailed, TurnStarted
from codeface.ui.agents.labels import elastic_label
from codeface.ui.bridge import Bridge, bridge_task
from codeface.ui.plans.draft import POLICIES, PlanDraftEditor
from codeface.ui.plans.live import PlanLiveView

if TYPE_CHECKING:
    from codeface.application.contract import PlanView, ProjectView

log = logging.getLogger("codeface.ui.plans")
GOAL_PAGE, DRAFT_PAGE, LIVE_PAGE = 0, 1, 2


class ResumeBar(QFrame):
    """ "N plans stopped midway" with a plan picker, the failure policy and Resume.

    Signals:
        sig_resume(object, str): the `PlanView` to resume and the failure policy.
    """

    sig_resume = Signal(object, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("planResumeBar")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.plans: list[PlanView] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        self.notice = elastic_label(name="planResumeNotice")
        self.notice.setAccessibleName("Plans that stopped before they finished")
        layout.addWidget(self.notice)
        self.picker = QComboBox()
        self.picker.setAccessibleName("Plan to resume")
        self.picker.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.picker.setMinimumContentsLength(12)
        layout.addWidget(self.picker)
        row = QHBoxLayout()
        self.policy = QComboBox()
        self.policy.setAccessibleName("When a task fails for good")
        self.policy.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.policy.setMinimumContentsLength(8)
        for value, words in POLICIES:
            self.policy.addItem(words, value)
        self.resume_button = QPushButton("&Resume")
        self.resume_button.setAccessibleName("Resume the plan that stopped")
        self.dismiss_button = QPushButton("Not now")
        self.dismiss_button.setAccessibleName("Hide this offer")
        self.resume_button.clicked.connect(self._resume)
        self.dismiss_button.clicked.connect(self.hide)
        row.addWidget(self.policy, 1)
        for button in (self.resume_button, self.dismiss_button):
            button.setMinimumWidth(56)
            row.addWidget(button)
        layout.addLayout(row)
        self.hide()

    def offer(self, plans: list[PlanView]) -> None:
        """Offer these plans (none: hide)."""
        self.plans = list(plans)
        self.picker.clear()
        for plan in self.plans:
            ended = plan.finished_tasks
            self.picker.addItem(f"{plan.goal} ({ended} of {len(plan.tasks)} ended)", plan.id)
        count = len(self.plans)
        self.notice.setText(
            f"{count} plan{'s' if count != 1 else ''} stopped before finishing "
            "(CodeFace closed while it ran). Finished tasks are not run again."
        )
        self.picker.setVisible(count > 0)
        self.setVisible(count > 0)
        if self.plans:
            first = self.plans[0]
            self.policy.setCurrentIndex(max(0, self.policy.findData(first.failure_policy)))

    def _resume(self) -> None:
        index = self.picker.currentIndex()
        if 0 <= index < len(self.plans):
            plan = self.plans.pop(index)
            self.offer(self.plans)
            self.sig_resume.emit(plan, self.policy.currentData() or "stop")


class PlansPanel(QWidget):
    """Plan a goal, edit the draft, run it and watch it; resume what stopped.

    Signals:
        sig_unfinished(list): the open project's plans that stopped midway (may be empty).
        sig_status(str): a short message for the window's status bar.
    """

    sig_unfinished = Signal(list)
    sig_status = Signal(str)

    def __init__(self, bridge: Bridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("plansPanel")
        self.bridge = bridge
        self.project: ProjectView | None = None
        self._drafting = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.resume_bar = ResumeBar()
        layout.addWidget(self.resume_bar)
        self.stack = QStackedWidget()
        layout.addWidget(self.stack, 1)
        self.goal_page = QWidget()
        goal_layout = QVBoxLayout(self.goal_page)
        goal_layout.setContentsMargins(4, 4, 4, 4)
        intro = QLabel(
            "Describe a larger change. The manager splits it into tasks for several "
            "agents; you edit the plan before anything runs."
        )
        intro.setWordWrap(True)  # its own words are short: it may ask for its height
        goal_layout.addWidget(intro)
        self.goal_box = QPlainTextEdit()
        self.goal_box.setAccessibleName("Goal of the plan")
        self.goal_box.setPlaceholderText("Add pagination to the API and its tests")
        self.goal_box.setTabChangesFocus(True)
        self.goal_box.setMaximumHeight(90)
        goal_layout.addWidget(self.goal_box)
        row = QHBoxLayout()
        self.goal_status = elastic_label(name="planGoalStatus")
        row.addWidget(self.goal_status, 1)
        self.plan_button = QPushButton("Plan &it")
        self.plan_button.setAccessibleName("Ask the manager to plan this goal")
        self.plan_button.setMinimumWidth(56)
        self.plan_button.clicked.connect(self.plan_goal)
        row.addWidget(self.plan_button)
        goal_layout.addLayout(row)
        goal_layout.addStretch(1)
        self.stack.addWidget(self.goal_page)
        self.draft = PlanDraftEditor(bridge)
        self.stack.addWidget(self.draft)
        self.live = PlanLiveView(bridge)
        self.stack.addWidget(self.live)
        self.draft.sig_run.connect(self.run_plan)
        self.draft.sig_discarded.connect(self._on_discarded)
        self.live.sig_new_plan.connect(self.new_plan)
        self.live.sig_ended.connect(self._on_run_ended)
        self.resume_bar.sig_resume.connect(self.run_plan)
        self.goal_box.textChanged.connect(self._sync)
        self._sync()

    def sizeHint(self) -> QSize:
        """A side dock's width (the texts wrap)."""
        return QSize(360, 560)

    # --- inputs -----------------------------------------------------------------------
    def set_project(self, project: ProjectView | None) -> None:
        """The window's project changed: look for plans that stopped midway."""
        same = project is not None and self.project is not None and project.key == self.project.key
        self.project = project
        self._sync()
        if same:
            return
        if not self.live.running:
            self.new_plan()
        self.resume_bar.offer([])
        if project is not None:
            self.refresh()

    @bridge_task
    async def refresh(self) -> None:
        """Load the roles and the plans to offer to resume."""
        project = self.project
        if project is None:
            return
        try:
            roles = await self.bridge.backend.list_roles(project.key)
            plans = await self.bridge.backend.unfinished_plans(project.key)
        except CodefaceError as error:
            log.warning("cannot look for unfinished plans: %s", error.one_line())
            return
        if self.project is None or self.project.key != project.key:
            return
        self.draft.set_roles([role.name for role in roles])
        running = self.live.plan.id if self.live.running and self.live.plan else None
        plans = [plan for plan in plans if plan.id != running]
        self.resume_bar.offer(plans)
        self.sig_unfinished.emit(plans)

    # --- pages ------------------------------------------------------------------------
    def new_plan(self) -> None:
        """Back to the goal box."""
        if self.live.running:
            return
        self.stack.setCurrentIndex(GOAL_PAGE)
        self._sync()

    @bridge_task
    async def plan_goal(self) -> None:
        """The manager drafts a plan for the goal in the box."""
        goal = self.goal_box.toPlainText().strip()
        if self.project is None or not goal or self._drafting:
            return
        self._drafting = True
        self._sync()
        self.goal_status.setText("The manager is planning…")
        try:
            async for event in self.bridge.backend.draft_plan(self.project.key, goal):
                match event:
                    case PlanDrafted():
                        self._show_draft(event.plan)
                    case ToolCallStarted():
                        self.goal_status.setText(f"The manager: {event.description}")
                    case TurnStarted():
                        self.goal_status.setText(f"The manager is planning with {event.model}…")
                    case TurnFailed():
                        self.goal_status.setText(event.error.one_line())
                    case _:
                        pass
        except CodefaceError as error:
            self.goal_status.setText(error.one_line())
        finally:
            self._drafting = False
            self._sync()

    def _show_draft(self, plan: PlanView) -> None:
        self.goal_status.clear()
        self.draft.show_draft(plan)
        self.stack.setCurrentIndex(DRAFT_PAGE)
        self.sig_status.emit(f"The manager planned {len(plan.tasks)} tasks: edit, then Run")

    def run_plan(self, plan: PlanView, failure_policy: str) -> None:
        """Run (or resume) a plan and show it live."""
        if self.live.running:
            self.sig_status.emit("A plan is running already: cancel it or wait for it")
            return
        self.stack.setCurrentIndex(LIVE_PAGE)
        self.live.run(plan, failure_policy)  # type: ignore[arg-type]
        self._sync()

    def _on_discarded(self, _plan_id: str) -> None:
        self.sig_status.emit("The draft plan was discarded")
        self.new_plan()

    def _on_run_ended(self, _plan_id: str) -> None:
        self._sync()
        if self.project is not None:
            self.refresh()

    def _sync(self) -> None:
        ready = self.project is not None and not self._drafting
        self.plan_button.setEnabled(ready and bool(self.goal_box.toPlainText().strip()))
        self.goal_box.setEnabled(self.project is not None and not self._drafting)
        if self.project is None and self.stack.currentIndex() == GOAL_PAGE:
            self.goal_status.setText("Open a project to plan changes in it.")
        elif self.project is not None and self.goal_status.text().startswith("Open a project"):
            self.goal_status.clear()
