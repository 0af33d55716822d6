"""`AgentsPanel`: the Agents dock's content, for the window's open session and project.

A header (`SessionAgentBar`: role and approval switches) over four tabs: Turn (the live
progress or the last turn, `TurnView`), Undo (`CheckpointList`), Memory (`MemoryPanel`)
and Plans (`PlansPanel`: multi-agent plans of the project). The window tells it the
project (`set_project`) and the open session with its branch (`set_session`); everything
else arrives from the bridge. When the agent starts a command a line offers to watch it in
the terminal (`sig_watch_terminal`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSize, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QPushButton,
    QSizePolicy,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from codeface.ui.agents.checkpoints import CheckpointList
from codeface.ui.agents.labels import elastic_label
from codeface.ui.agents.memory import MemoryPanel
from codeface.ui.agents.session_bar import SessionAgentBar
from codeface.ui.agents.turn_view import TurnView
from codeface.ui.bridge import Bridge

if TYPE_CHECKING:
    from codeface.application.contract import MessageView, ProjectView, SessionView
    from codeface.ui.agents.turn_state import CallRecord


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
        self.checkpoints = CheckpointList(bridge)
        self.memory = MemoryPanel(bridge)
        self.tabs.addTab(self.turn_view, "&Turn")
        self.tabs.addTab(self.checkpoints, "&Undo")
        self.tabs.addTab(self.memory, "&Memory")
        from codeface.ui.plans import PlansPanel  # it uses this package's labels

        self.plans = PlansPanel(bridge)
        self.tabs.addTab(self.plans, "Pla&ns")
        layout.addWidget(self.tabs, 1)
        self._connect()

    def _connect(self) -> None:
        self.bar.sig_session_changed.connect(self._on_session_changed)
        self.bar.sig_new_agent_session.connect(self.sig_new_agent_session)
        self.bar.sig_roles_loaded.connect(self._update_limit)
        turn = self.turn_view
        turn.sig_checkpoint.connect(self.checkpoints.refresh)
        turn.sig_turn_ended.connect(self._on_turn_ended)
        turn.sig_memory_changed.connect(self.memory.refresh)
        turn.sig_agent_command.connect(self._on_agent_command)
        turn.sig_agent_command_output.connect(self.sig_agent_command_output)
        self.checkpoints.sig_undone.connect(self.sig_files_restored)

    def sizeHint(self) -> QSize:
        """A side dock's width by default (the long hint text would ask for ~480 px)."""
        return QSize(360, 560)

    # --- inputs ------------------------------------------------------------------------
    def set_project(self, project: ProjectView | None) -> None:
        """The window's project changed."""
        self.project = project
        self.bar.set_project(project)
        self.memory.set_project(project)
        self.plans.set_project(project)
        self.turn_view.has_project = project is not None
        self.turn_view.set_has_role(self.session)

    def set_session(self, session: SessionView | None, branch: list[MessageView]) -> None:
        """A session was opened (its branch as the chat shows it)."""
        self.session = session
        self.bar.set_session(session)
        self.turn_view.set_session(session, branch, has_project=self.project is not None)
        self.checkpoints.set_session(session.id if session is not None else None)
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
        self.checkpoints.refresh()
        self.command_line.hide()
