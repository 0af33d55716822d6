"""The Agents dock's header: the open session's role and what its agents may do unasked.

"Chat (no agent)" makes the session a plain chat again; any role makes it an agent
session (`set_session_role`). The three approval switches map to `ApprovalMode`: allow
edits, allow commands, plan only (no side effect at all, which greys the other two).
Risky commands — network, outside the project, credentials — ask whatever is allowed,
and the note says plainly that these checks are not an operating-system sandbox. A
session without a project cannot run an agent: the bar offers a new agent session of the
open project instead.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from codeface.core.errors import CodefaceError
from codeface.ui.agents.labels import elastic_label
from codeface.ui.bridge import Bridge, bridge_task

if TYPE_CHECKING:
    from codeface.application.contract import ApprovalMode, ProjectView, RoleView, SessionView

log = logging.getLogger("codeface.ui.agents")

CHAT_ONLY = "Chat (no agent)"
SAFETY_SHORT = "Risky commands always ask · not an OS sandbox"
SAFETY_NOTE = (
    "Risky commands (network, files outside the project, credentials) always ask. "
    "These checks guard the agent's tools; they are not an operating-system sandbox."
)


class SessionAgentBar(QWidget):
    """Role picker and approval switches for the open session.

    Signals:
        sig_session_changed(object): the `SessionView` with its new role (saved).
        sig_new_agent_session(str): the user wants a new session of the open project
            answered by this role.
        sig_error(str): a one-line message for the user (saving failed).
        sig_roles_loaded(): the list of roles arrived (step limits are known).
    """

    sig_session_changed = Signal(object)
    sig_new_agent_session = Signal(str)
    sig_error = Signal(str)
    sig_roles_loaded = Signal()

    def __init__(self, bridge: Bridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.session: SessionView | None = None
        self.project: ProjectView | None = None
        self.roles: list[RoleView] = []
        self._updating = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 0)
        top = QHBoxLayout()
        label = QLabel("&Role:")
        self.role_combo = QComboBox()
        self.role_combo.setAccessibleName("Agent role of this session")
        self.role_combo.setMinimumContentsLength(8)
        self.role_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )  # long role names must not widen the dock
        label.setBuddy(self.role_combo)
        self.role_combo.currentIndexChanged.connect(self._on_role_picked)
        top.addWidget(label)
        top.addWidget(self.role_combo, 1)
        self.new_session_button = QPushButton("New agent session")
        self.new_session_button.setAccessibleName("New agent session of the open project")
        self.new_session_button.setToolTip(
            "Start a session of the open project answered by the chosen role"
        )
        self.new_session_button.clicked.connect(self._on_new_session)
        top.addWidget(self.new_session_button)
        layout.addLayout(top)
        switches = QHBoxLayout()
        self.allow_edits = QCheckBox("Allow &edits")
        self.allow_edits.setToolTip("Edits and new files are made without asking")
        self.allow_commands = QCheckBox("Allow co&mmands")
        self.allow_commands.setToolTip("Commands run without asking (risky ones still ask)")
        self.plan_only = QCheckBox("&Plan only")
        self.plan_only.setToolTip("The agent may read and propose, but change nothing")
        for box in (self.allow_edits, self.allow_commands, self.plan_only):
            box.toggled.connect(self._on_mode_toggled)
            switches.addWidget(box)
        switches.addStretch(1)
        layout.addLayout(switches)
        # One short line (a wrapped label here made the header as tall as the dock); the
        # whole note is its tooltip and accessible description.
        self.note = QLabel(SAFETY_SHORT)
        self.note.setObjectName("agentSafetyNote")
        self.note.setToolTip(SAFETY_NOTE)
        self.note.setAccessibleDescription(SAFETY_NOTE)
        self.note.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.note.setEnabled(False)
        layout.addWidget(self.note)
        self.problem = elastic_label(name="agentProblem")
        self.problem.hide()
        layout.addWidget(self.problem)
        self._fill_roles()
        self._sync()

    # --- inputs ----------------------------------------------------------------------
    def set_project(self, project: ProjectView | None) -> None:
        """The window's project changed: its roles are loaded."""
        self.project = project
        self.load_roles()
        self._sync()

    def set_session(self, session: SessionView | None) -> None:
        """Show the role and approval mode of ``session``."""
        self.session = session
        self._select_role(session.role if session else None)
        self._sync()
        if session is not None and session.role:
            self._load_mode(session.id)

    @bridge_task
    async def load_roles(self) -> None:
        """Fetch the roles (built-in, the user's, the project's)."""
        try:
            roles = await self.bridge.backend.list_roles(self.project.key if self.project else None)
        except CodefaceError as error:
            self._show_problem(f"Roles could not be loaded: {error.one_line()}")
            return
        self.roles = roles
        self._fill_roles()
        self._select_role(self.session.role if self.session else None)
        self.sig_roles_loaded.emit()

    def role(self, name: str | None) -> RoleView | None:
        """The role of that name, if known."""
        return next((role for role in self.roles if role.name == name), None)

    def step_limit(self) -> int | None:
        """The step limit of the session's role, when the role view carries one."""
        role = self.role(self.session.role if self.session else None)
        limit = getattr(role, "max_steps", None)
        return limit if isinstance(limit, int) and limit > 0 else None

    # --- role ------------------------------------------------------------------------
    def _fill_roles(self) -> None:
        self._updating = True
        try:
            self.role_combo.clear()
            self.role_combo.addItem(CHAT_ONLY, None)
            self.role_combo.setItemData(
                0, "A plain chat: no tools, nothing changes", Qt.ItemDataRole.ToolTipRole
            )
            for role in self.roles:
                self.role_combo.addItem(role.name, role.name)
                index = self.role_combo.count() - 1
                source = f" ({role.source})" if role.source else ""
                self.role_combo.setItemData(
                    index, f"{role.description}{source}", Qt.ItemDataRole.ToolTipRole
                )
        finally:
            self._updating = False

    def _select_role(self, name: str | None) -> None:
        self._updating = True
        try:
            index = self.role_combo.findData(name) if name else 0
            if index < 0:  # a role not (yet) listed: show it anyway
                self.role_combo.addItem(name or "", name)
                index = self.role_combo.count() - 1
            self.role_combo.setCurrentIndex(index)
        finally:
            self._updating = False

    def _on_role_picked(self, index: int) -> None:
        if self._updating:
            return
        role = self.role_combo.itemData(index)
        if self.session is None:
            self._sync()
            return
        self._save_role(self.session, role)

    @bridge_task
    async def _save_role(self, session: SessionView, role: str | None) -> None:
        try:
            await self.bridge.backend.set_session_role(session.id, role)
        except CodefaceError as error:
            self._show_problem(error.one_line())
            self._select_role(session.role)
            return
        updated = replace(session, role=role)
        if self.session is not None and self.session.id == session.id:
            self.session = updated
        self._sync()
        self.sig_session_changed.emit(updated)
        if role:
            self._load_mode(session.id)

    def _on_new_session(self) -> None:
        role = self.role_combo.currentData() or (self.roles[0].name if self.roles else "coder")
        self.sig_new_agent_session.emit(role)

    # --- approval mode ---------------------------------------------------------------
    @bridge_task
    async def _load_mode(self, session_id: str) -> None:
        try:
            mode = await self.bridge.backend.approval_mode(session_id)
        except CodefaceError as error:
            self._show_problem(error.one_line())
            return
        if self.session is not None and self.session.id == session_id:
            self._show_mode(mode)

    def _show_mode(self, mode: ApprovalMode) -> None:
        self._updating = True
        try:
            self.allow_edits.setChecked(mode.allow_edits)
            self.allow_commands.setChecked(mode.allow_commands)
            self.plan_only.setChecked(mode.plan_only)
        finally:
            self._updating = False
        self._sync()

    def current_mode(self) -> ApprovalMode:
        """The mode the switches show."""
        from codeface.application.contract import ApprovalMode

        return ApprovalMode(
            allow_edits=self.allow_edits.isChecked(),
            allow_commands=self.allow_commands.isChecked(),
            plan_only=self.plan_only.isChecked(),
        )

    def _on_mode_toggled(self, _checked: bool) -> None:
        self._sync()
        if self._updating or self.session is None:
            return
        self._save_mode(self.session.id, self.current_mode())

    @bridge_task
    async def _save_mode(self, session_id: str, mode: ApprovalMode) -> None:
        try:
            await self.bridge.backend.set_approval_mode(session_id, mode)
        except CodefaceError as error:
            self._show_problem(error.one_line())

    # --- state -----------------------------------------------------------------------
    def _sync(self) -> None:
        session = self.session
        agent = session is not None and bool(session.role)
        plan = self.plan_only.isChecked()
        self.role_combo.setEnabled(session is not None)
        for box in (self.allow_edits, self.allow_commands, self.plan_only):
            box.setVisible(agent)
        self.allow_edits.setEnabled(agent and not plan)
        self.allow_commands.setEnabled(agent and not plan)
        self.note.setVisible(agent)
        wrong_project = (
            session is not None
            and self.project is not None
            and session.project not in (self.project.key, self.project.root)
        )
        self.new_session_button.setVisible(
            self.project is not None and (session is None or wrong_project)
        )
        if session is not None and agent and not session.project:
            self.problem.setText(
                "This session has no project, so its agent cannot work on files: start a "
                "new agent session with a project open."
            )
            self.problem.show()
        elif session is not None and wrong_project and agent:
            self.problem.setText(
                f"This session belongs to another project ({session.project}); its agent "
                "works there, not in the open one."
            )
            self.problem.show()
        else:
            self.problem.hide()

    def _show_problem(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.show()
        self.sig_error.emit(text)
