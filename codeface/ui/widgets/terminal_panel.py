"""The terminal room: tabs of terminals, a tmux bar, and the chat's two entry points.

The lead docks one `TerminalPanel` beside the chat. It owns tabs of `TerminalView`s
(each starting in the project folder unless told otherwise), a tmux bar and the agent's
tab (`TmuxActions`: sessions on CodeFace's tmux server; attach, or create
``codeface-<project>`` with the layout from tmux.conf; a read-only view of the window
where the agent's commands run; a clear message when tmux is missing) and, for the chat,
`send_to_terminal` (types a command without Enter and asks the user to confirm) and
`capture` (the last N lines of the current terminal or tmux pane).

The panel starts no process: every terminal and every tmux call goes through the
terminal service it is given (`TerminalContract`). It follows the window's project
(`set_project`); the attached tmux session and the tabs' folders are remembered per
project and restored by `restore()`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QCloseEvent, QFont
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from codeface.terminal.history import CommandHistory
from codeface.terminal.screen import CommandMark
from codeface.terminal.state import ProjectTerminalState, load_project_state, save_project_state
from codeface.ui.widgets.flow_layout import FlowLayout
from codeface.ui.widgets.tab_close import neutral_close_buttons
from codeface.ui.widgets.terminal_colors import TerminalColors
from codeface.ui.widgets.terminal_tmux import AGENT_PROPERTY, TmuxActions
from codeface.ui.widgets.terminal_view import Opener, TerminalView

if TYPE_CHECKING:
    from collections.abc import Mapping

    from codeface.application.contract import TerminalContract

log = logging.getLogger(__name__)
PROJECT_PROPERTY = "project_dir"


class TerminalPanel(TmuxActions, QWidget):
    """Terminal tabs + tmux bar + confirm bar.

    Signals:
        sig_tmux_status(str): a line for the tmux bar ("tmux 3.3 ready", "tmux is not
            installed — …"); also shown in the panel.
        sig_sessions_changed(list): the `SessionInfo` list after a refresh.
        sig_attached(str): a tmux session was attached in a tab (its name).
        sig_agent_tab(object): the agent's tab (a `TerminalView`) was opened.
        sig_awaiting_confirmation(str): a command was typed and waits for Enter (the text).
        sig_command_confirmed(str): the user confirmed; Enter was pressed (the text).
        sig_command_cancelled(str): the user cancelled; the typed text was cleared.
        sig_command_finished(object): a `CommandMark` from a terminal (history opt-in).
    """

    sig_tmux_status = Signal(str)
    sig_sessions_changed = Signal(list)
    sig_attached = Signal(str)
    sig_agent_tab = Signal(object)
    sig_awaiting_confirmation = Signal(str)
    sig_command_confirmed = Signal(str)
    sig_command_cancelled = Signal(str)
    sig_command_finished = Signal(object)

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        terminals: TerminalContract,
        project_dir: str | Path | None = None,
        shell_argv: Sequence[str] | None = None,
        env: Mapping[str, str] | None = None,
        scrollback: int = 10000,
        font: QFont | None = None,
        history: CommandHistory | None = None,
    ) -> None:
        super().__init__(parent)
        self.terminals = terminals
        self.project_dir = Path(project_dir or Path.home()).resolve()
        self.history = history or CommandHistory(enabled=False)
        self.shell_argv = list(shell_argv) if shell_argv else None
        self.scrollback = scrollback
        self._env = dict(env) if env is not None else None
        self._font = font
        self._colors: TerminalColors | None = None
        self.tmux_available: bool | None = None
        self.attached_session: str | None = None
        self._pending: tuple[str, str | None, TerminalView | None] | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._shut_down = False
        self._build()

    # --- construction --------------------------------------------------------------
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        bar_row = QWidget()
        bar = FlowLayout(bar_row)
        self.new_tab_button = _tool_button("+", "New terminal tab")
        self.new_tab_button.clicked.connect(lambda: self.new_tab())
        self.session_combo = QComboBox()
        self.session_combo.setToolTip("tmux sessions on CodeFace's tmux server")
        self.session_combo.setMinimumContentsLength(14)
        self.session_combo.setPlaceholderText("No tmux sessions yet")
        self.attach_button = QPushButton("Attach")
        self.attach_button.setToolTip("Attach the chosen tmux session")
        self.attach_button.clicked.connect(self._on_attach_clicked)
        self.create_button = QPushButton()
        self.create_button.setToolTip("Attach this project's tmux session (created if needed)")
        self.create_button.clicked.connect(lambda: self.attach_project_session())
        self.agent_button = QPushButton("Agent")
        self.agent_button.setToolTip("Watch the commands agents run in this project (read-only)")
        self.agent_button.setAccessibleName("Watch the agent's commands")
        self.agent_button.clicked.connect(lambda: self.watch_agent(focus=True))
        self.refresh_button = _tool_button("⟳", "Refresh tmux sessions")
        self.refresh_button.clicked.connect(lambda: self.refresh_sessions())
        self.tmux_label = QLabel("Checking for tmux…")
        self.tmux_label.setWordWrap(True)
        for widget in (
            self.new_tab_button,
            self.session_combo,
            self.attach_button,
            self.create_button,
            self.agent_button,
            self.refresh_button,
            self.tmux_label,
        ):
            bar.add(widget)
        layout.addWidget(bar_row)
        self.tabs = QTabWidget(tabsClosable=True, movable=True, documentMode=True)
        neutral_close_buttons(self.tabs)
        self.tabs.tabCloseRequested.connect(self.close_tab)
        layout.addWidget(self.tabs, 1)
        confirm = QHBoxLayout()
        self.confirm_label = QLabel()
        self.confirm_run = QPushButton("Run (Enter)")
        self.confirm_run.clicked.connect(self.confirm_pending)
        self.confirm_cancel = QPushButton("Cancel")
        self.confirm_cancel.clicked.connect(self.cancel_pending)
        confirm.addWidget(self.confirm_label, 1)
        confirm.addWidget(self.confirm_run)
        confirm.addWidget(self.confirm_cancel)
        self.confirm_bar = QWidget()
        self.confirm_bar.setLayout(confirm)
        self.confirm_bar.hide()
        layout.addWidget(self.confirm_bar)
        self._show_project()
        self._set_tmux_controls(False)

    def _set_tmux_controls(self, enabled: bool) -> None:
        super()._set_tmux_controls(enabled)
        self.agent_button.setEnabled(enabled)

    def _show_project(self) -> None:
        self.create_button.setText(f"Open {self.project_session_name()}")

    # --- project -------------------------------------------------------------------
    def set_project(self, project_dir: str | Path) -> None:
        """Work on another project: its remembered tabs (or one in its folder) open and
        its tmux session is reattached; tabs of the previous project stay open."""
        folder = Path(project_dir).resolve()
        if folder == self.project_dir:
            return
        self.save_state()
        self.project_dir = folder
        self.attached_session = None
        self._show_project()
        self.restore()

    # --- tabs ----------------------------------------------------------------------
    def new_tab(
        self,
        cwd: str | Path | None = None,
        argv: Sequence[str] | None = None,
        title: str = "",
        *,
        opener: Opener | None = None,
        focus: bool = True,
    ) -> TerminalView:
        """Open a terminal tab in ``cwd`` (default: the project folder)."""
        folder = Path(cwd) if cwd else self.project_dir
        view = TerminalView(
            self,
            terminals=self.terminals,
            opener=opener,
            argv=list(argv) if argv else self.shell_argv,
            cwd=folder,
            env=self._env,
            scrollback=self.scrollback,
            font=self._font,
            colors=self._colors,
            start=False,
        )
        view.share_history = self.history.enabled
        view.setProperty(PROJECT_PROPERTY, str(self.project_dir))
        view.sig_command_finished.connect(self._on_mark)
        view.sig_title_changed.connect(lambda text, v=view: self._on_title(v, text))
        shown = self.tabs.currentWidget()
        if shown is not None:
            view.resize(shown.size())  # a tab opened behind starts at the size it will have
        index = self.tabs.addTab(view, title or folder.name or str(folder))
        self.tabs.setTabToolTip(index, str(folder))
        if focus or self.tabs.count() == 1:
            self.tabs.setCurrentIndex(index)
            view.setFocus()
        view.start()
        self.save_state()
        return view

    def set_appearance(
        self, font: QFont | None = None, colors: TerminalColors | None = None
    ) -> None:
        """Apply the theme's code font and/or terminal colours to every tab (and new ones)."""
        if font is not None:
            self._font = font
        if colors is not None:
            self._colors = colors
        for view in self.views():
            if font is not None:
                view.set_terminal_font(font)
            if colors is not None:
                view.set_colors(colors)

    def views(self) -> list[TerminalView]:
        """The terminal of every tab, in tab order."""
        views = []
        for index in range(self.tabs.count()):
            widget = self.tabs.widget(index)
            if isinstance(widget, TerminalView):
                views.append(widget)
        return views

    def current_view(self) -> TerminalView | None:
        """The terminal in the current tab (None when there are no tabs)."""
        widget = self.tabs.currentWidget()
        return widget if isinstance(widget, TerminalView) else None

    def close_tab(self, index: int) -> None:
        """Close a tab and hang up its child."""
        widget = self.tabs.widget(index)
        self.tabs.removeTab(index)
        if isinstance(widget, TerminalView):
            if widget.property("tmux_session") == self.attached_session:
                self.attached_session = None
            widget.close_session()
            widget.deleteLater()
        self.save_state()

    def _on_title(self, view: TerminalView, text: str) -> None:
        index = self.tabs.indexOf(view)
        if index >= 0 and text and view.property("tmux_session") is None:
            self.tabs.setTabToolTip(index, text)

    # --- state ---------------------------------------------------------------------
    def restore(self) -> None:
        """Open the remembered tabs (or one in the project folder), check tmux, and
        reattach the remembered tmux session if it still exists."""
        state = load_project_state(self.project_dir)
        folders = [tab for tab in state.tabs if Path(tab).is_dir()] or [str(self.project_dir)]
        for folder in folders:
            self.new_tab(folder)
        self.check_tmux(reattach=state.tmux_session)

    def save_state(self) -> None:
        """Remember this project's shell tabs' folders and its attached tmux session."""
        project = str(self.project_dir)
        folders = [
            view.working_directory or project
            for view in self.views()
            if view.property("tmux_session") is None
            and view.property(AGENT_PROPERTY) is None
            and view.property(PROJECT_PROPERTY) == project
        ]
        state = ProjectTerminalState(
            tmux_session=self.attached_session,
            split_view=self.attached_session is not None,
            tabs=folders,
        )
        try:
            save_project_state(self.project_dir, state)
        except OSError:
            log.warning("Could not save the terminal state", exc_info=True)

    def _on_mark(self, mark: CommandMark) -> None:
        self.history.record("terminal", mark.command, mark.exit_status)
        self.sig_command_finished.emit(mark)

    # --- the chat's entry points ---------------------------------------------------
    def send_to_terminal(self, text: str, pane: str | None = None) -> None:
        """Type ``text`` (e.g. a shell code block) without pressing Enter, then ask the
        user to confirm. ``pane``: a tmux pane role/id in the attached session; None
        means the current tab (a new one is opened if there is none)."""
        command = text.rstrip("\n")
        if pane == "current":
            pane = None
        if pane is not None and self.attached_session:
            session = self.attached_session

            async def send() -> None:
                target = await self.terminals.tmux_type(session, pane, command)
                self._await_confirm(command, target, None)

            self._spawn(send())
            return
        view = self.current_view()
        if view is None or view.property(AGENT_PROPERTY) is not None:
            view = self.new_tab()  # never type into the agent's read-only view
        view.send_text(command)
        self._await_confirm(command, None, view)

    def _await_confirm(self, command: str, pane: str | None, view: TerminalView | None) -> None:
        self._pending = (command, pane, view)
        where = f"pane {pane}" if pane else "the terminal"
        first = command.splitlines()[0] if command else ""
        self.confirm_label.setText(f"Typed into {where}: {first[:60]} — press Run to execute")
        self.confirm_bar.show()
        self.sig_awaiting_confirmation.emit(command)

    @property
    def awaiting_confirmation(self) -> bool:
        """True while a typed command waits for the user's Run/Cancel."""
        return self._pending is not None

    def confirm_pending(self) -> None:
        """Press Enter for the typed command."""
        if self._pending is None:
            return
        command, pane, view = self._pending
        self._pending = None
        self.confirm_bar.hide()
        if pane is not None:
            self._spawn(self.terminals.tmux_press_enter(pane))
        elif view is not None:
            view.send_bytes(b"\r")
        self.sig_command_confirmed.emit(command)

    def cancel_pending(self) -> None:
        """Clear the typed command (Ctrl+U at a shell prompt) without running it."""
        if self._pending is None:
            return
        command, pane, view = self._pending
        self._pending = None
        self.confirm_bar.hide()
        if pane is not None:
            self._spawn(self.terminals.tmux_clear_line(pane))
        elif view is not None:
            view.send_bytes(b"\x05\x15")
        self.sig_command_cancelled.emit(command)

    def capture_now(self, lines: int = 50) -> str:
        """The last ``lines`` lines of the current tab's screen model (no tmux call)."""
        view = self.current_view()
        return view.capture(lines) if view is not None else ""

    async def capture(self, lines: int = 50, pane: str | None = None) -> str:
        """The last ``lines`` lines for the composer: a tmux pane (``pane`` role/id in
        the attached session) via capture-pane off the event loop, else the current tab."""
        if pane is not None and self.attached_session:
            return await self.terminals.tmux_capture(self.attached_session, pane, lines)
        return self.capture_now(lines)

    async def targets(self) -> list[str]:
        """Where `send_to_terminal` can type: ``"current"`` (the current tab) plus the
        pane roles of the attached tmux session (e.g. "editor", "shell", "tests")."""
        names = ["current"]
        if self.attached_session and self.tmux_available:
            names.extend(await self.terminals.tmux_targets(self.attached_session))
        return names

    def recent_commands_context(self, count: int = 10) -> str:
        """Recent commands and exit statuses for the composer — "" unless the user opted
        in (``[terminal] share_history_with_chat``; see `set_history_sharing`)."""
        return self.history.as_context(count)

    def set_history_sharing(self, enabled: bool) -> None:
        """Give or withdraw consent to share command history (new tabs get the shell
        hook; withdrawing forgets what was recorded)."""
        self.history.set_enabled(enabled)

    def shutdown(self) -> None:
        """Save state and hang up every child (tmux sessions keep running)."""
        if self._shut_down:
            return
        self._shut_down = True
        self.save_state()
        for view in self.views():
            view.close_session()
        for task in list(self._tasks):
            task.cancel()

    def closeEvent(self, event: QCloseEvent) -> None:
        """Closing the panel (or the window) shuts the terminals down."""
        self.shutdown()
        super().closeEvent(event)


def _tool_button(text: str, tip: str) -> QToolButton:
    button = QToolButton()
    button.setText(text)
    button.setToolTip(tip)
    return button
