"""`AgentsPanel`: the Agents dock's content, for the window's open session and project.

A header (`SessionAgentBar`: role and approval switches) over four tabs: Turn (the live
progress or the last turn, `TurnView`), Undo (`CheckpointList`), Memory (`MemoryPanel`)
and Plans (`PlansPanel`: multi-agent plans of the project). Only Turn, which follows every
answer, is built with the panel; the other three are built the first time their tab is
shown or asked for (`checkpoints`, `memory`, `plans`), so the idle window holds neither
their widgets nor the plans modules. A project with plans that stopped midway still says
so at once: the panel asks the backend and builds the Plans tab, which offers to resume
them. The window tells it the
project (`set_project`) and the open session with its branch (`set_session`); everything
else arrives from the bridge. When the agent starts a command a line offers to watch it in
the terminal (`sig_watch_terminal`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from PySide6.QtCore import QSize, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QPushButton,
    QSizePolicy,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from codeface.core.errors import CodefaceError
from codeface.ui.agents.labels import elastic_label
from codeface.ui.agents.session_bar import SessionAgentBar
from codeface.ui.agents.turn_view import TurnView
from codeface.ui.bridge import Bridge, bridge_task

if TYPE_CHECKING:
    from codeface.application.contract import MessageView, ProjectView, SessionView
    from codeface.ui.agents.checkpoints import CheckpointList
    from codeface.ui.agents.memory import MemoryPanel
    from codeface.ui.agents.turn_state import CallRecord
    from codeface.ui.plans import PlansPanel

log = logging.getLogger(__name__)

LAZY_TABS: tuple[tuple[str, str], ...] = (
    ("checkpoints", "&Undo"),
    ("memory", "&Memory"),
    ("plans", "Pla&ns"),
)
"""The tabs built the first time they are shown or asked for: (attribute, tab label)."""


class AgentsPanel(QWidget):
    """The Agents dock.

    Signals:
        sig_session_changed(object): a `SessionView` whose role the user changed (saved).
        sig_new_agent_session(str): start a session of the open project with this role.
        sig_agent_command(object): the agent starts a command (`CallRecord`).
        sig_agent_command_output(object): that command's first output arrived.
        sig_watch_terminal(): the user wants to watch the agent's commands in the terminal.
        sig_files_restored(object): an `UndoView`: an undo changed files on disk.
    """

    sig_session_changed = Signal(object)
    sig_new_agent_session = Signal(str)
    sig_agent_command = Signal(object)
    sig_agent_command_output = Signal(object)
    sig_watch_terminal = Signal()
    sig_files_restored = Signal(object)

    def __init__(self, bridge: Bridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("agentsPanel")
        self.bridge = bridge
        self.project: ProjectView | None = None
        self.session: SessionView | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        self.bar = SessionAgentBar(bridge)
        # The header keeps its natural height; the tabs below take what is left.
        self.bar.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        layout.addWidget(self.bar)
        self.command_line = QWidget()
        row = QHBoxLayout(self.command_line)
        row.setContentsMargins(6, 0, 6, 0)
        self.command_label = elastic_label()
        self.watch_button = QPushButton("Watch in terminal")
        self.watch_button.setAccessibleName("Watch the agent's command in the terminal")
        self.watch_button.setToolTip(
            "Show the project's tmux window where the agent's commands run, live"
        )
        self.watch_button.clicked.connect(self.sig_watch_terminal.emit)
        row.addWidget(self.command_label, 1)
        row.addWidget(self.watch_button)
        self.command_line.hide()
        layout.addWidget(self.command_line)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.turn_view = TurnView(bridge)
        self.tabs.addTab(self.turn_view, "&Turn")
        self._built: dict[str, QWidget] = {}
        self._placeholders: dict[str, QWidget] = {}
        self._swapping = False
        self.plans_built: list[Callable[[PlansPanel], None]] = []
        """Called with the Plans tab once it is built (before it learns the project)."""
        for key, label in LAZY_TABS:
            self._placeholders[key] = QWidget()
            self.tabs.addTab(self._placeholders[key], label)
        self.tabs.currentChanged.connect(self._on_tab_changed)
        layout.addWidget(self.tabs, 1)
        self._connect()

    # --- the tabs built on demand ------------------------------------------------------
    @property
    def checkpoints(self) -> CheckpointList:
        """The Undo tab (built now if it was not yet)."""
        return cast("CheckpointList", self._tab("checkpoints"))

    @property
    def memory(self) -> MemoryPanel:
        """The Memory tab (built now if it was not yet)."""
        return cast("MemoryPanel", self._tab("memory"))

    @property
    def plans(self) -> PlansPanel:
        """The Plans tab (built now if it was not yet)."""
        return cast("PlansPanel", self._tab("plans"))

    def built(self, key: str) -> QWidget | None:
        """The tab ``key`` ("checkpoints", "memory", "plans") if it was built, else None."""
        return self._built.get(key)

    def _tab(self, key: str) -> QWidget:
        widget = self._built.get(key)
        if widget is None:
            widget = self._build(key)
            self._built[key] = widget
            self._swap_in(key, widget)
            self._learn_state(key, widget)
        return widget

    def _build(self, key: str) -> QWidget:
        if key == "checkpoints":
            from codeface.ui.agents.checkpoints import CheckpointList

            checkpoints = CheckpointList(self.bridge)
            checkpoints.sig_undone.connect(self.sig_files_restored)
            return checkpoints
        if key == "memory":
            from codeface.ui.agents.memory import MemoryPanel

            return MemoryPanel(self.bridge)
        from codeface.ui.plans import PlansPanel  # it uses this package's labels

        plans = PlansPanel(self.bridge)
        for hook in self.plans_built:
            hook(plans)
        return plans

    def _swap_in(self, key: str, widget: QWidget) -> None:
        """Put ``widget`` in its tab in place of the placeholder, keeping the tab current."""
        placeholder = self._placeholders.pop(key)
        index = self.tabs.indexOf(placeholder)
        current = self.tabs.currentIndex()
        label = self.tabs.tabText(index)
        self._swapping = True
        try:
            self.tabs.insertTab(index, widget, label)
            self.tabs.removeTab(index + 1)
            self.tabs.setCurrentIndex(current)
        finally:
            self._swapping = False
        placeholder.deleteLater()

    def _learn_state(self, key: str, widget: Any) -> None:
        """A tab just built learns the project and session the panel has."""
        if key == "checkpoints":
            widget.set_session(self.session.id if self.session is not None else None)
        else:
            widget.set_project(self.project)

    def _on_tab_changed(self, index: int) -> None:
        if self._swapping:
            return
        shown = self.tabs.widget(index)
        for key, placeholder in list(self._placeholders.items()):
            if placeholder is shown:
                self._tab(key)

    def _refresh(self, key: str) -> None:
        widget: Any = self._built.get(key)
        if widget is not None:
            widget.refresh()

    @bridge_task
    async def _look_for_unfinished_plans(self, project: ProjectView) -> None:
        """With the Plans tab not built yet: build it if the project has plans that
        stopped midway (it then offers to resume them)."""
        try:
            unfinished = await self.bridge.backend.unfinished_plans(project.key)
        except CodefaceError as error:
            log.warning("cannot look for unfinished plans: %s", error.one_line())
            return
        same = self.project is not None and self.project.key == project.key
        if unfinished and same and "plans" not in self._built:
            self._tab("plans")

    def _connect(self) -> None:
        self.bar.sig_session_changed.connect(self._on_session_changed)
        self.bar.sig_new_agent_session.connect(self.sig_new_agent_session)
        self.bar.sig_roles_loaded.connect(self._update_limit)
        turn = self.turn_view
        turn.sig_checkpoint.connect(lambda: self._refresh("checkpoints"))
        turn.sig_turn_ended.connect(self._on_turn_ended)
        turn.sig_memory_changed.connect(lambda: self._refresh("memory"))
        turn.sig_agent_command.connect(self._on_agent_command)
        turn.sig_agent_command_output.connect(self.sig_agent_command_output)

    def sizeHint(self) -> QSize:
        """A side dock's width by default (the long hint text would ask for ~480 px)."""
        return QSize(360, 560)

    # --- inputs ------------------------------------------------------------------------
    def set_project(self, project: ProjectView | None) -> None:
        """The window's project changed."""
        self.project = project
        self.bar.set_project(project)
        for key in ("memory", "plans"):
            widget: Any = self._built.get(key)
            if widget is not None:
                widget.set_project(project)
        if "plans" not in self._built and project is not None:
            self._look_for_unfinished_plans(project)
        self.turn_view.has_project = project is not None
        self.turn_view.set_has_role(self.session)

    def set_session(self, session: SessionView | None, branch: list[MessageView]) -> None:
        """A session was opened (its branch as the chat shows it)."""
        self.session = session
        self.bar.set_session(session)
        self.turn_view.set_session(session, branch, has_project=self.project is not None)
        checkpoints: Any = self._built.get("checkpoints")
        if checkpoints is not None:
            checkpoints.set_session(session.id if session is not None else None)
        self._update_limit()

    def session_role_changed(self, session: SessionView) -> None:
        """The session's role changed elsewhere ("@role" in the composer)."""
        if self.session is None or self.session.id != session.id:
            return
        self.session = session
        self.bar.set_session(session)
        self.turn_view.set_has_role(session)
        self._update_limit()

    # --- reactions ---------------------------------------------------------------------
    def _on_session_changed(self, session: SessionView) -> None:
        if self.session is not None and self.session.id == session.id:
            self.session = session
        self.turn_view.set_has_role(session)
        self._update_limit()
        self.sig_session_changed.emit(session)

    def _update_limit(self, *_args: Any) -> None:
        self.turn_view.set_step_limit(self.bar.step_limit())

    def _on_agent_command(self, call: CallRecord) -> None:
        command = call.description or call.name
        self.command_label.setText(f"The agent runs: {command}")
        self.command_line.show()
        self.sig_agent_command.emit(call)

    def _on_turn_ended(self, _turn: object) -> None:
        self._refresh("checkpoints")
        self.command_line.hide()
