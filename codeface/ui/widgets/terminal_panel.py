"""The terminal room: tabs of terminals, a tmux bar, and the chat's two entry points.

The lead docks one `TerminalPanel` beside the chat. It owns tabs of `TerminalView`s
(each starting in the project folder unless told otherwise), a tmux bar (sessions on
CodeFace's tmux server; attach, or create ``codeface-<project>`` with the layout from
tmux.conf; a clear message when tmux is missing) and, for the chat,
`send_to_terminal` (types a command without Enter and asks the user to confirm) and
`capture` (the last N lines of the current terminal or tmux pane). Every tmux call runs
on a worker thread. The attached tmux session and the tabs' folders are remembered per
project and restored by `restore()`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from pathlib import Path

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

from codeface.terminal.history import CommandHistory, shell_hook_env
from codeface.terminal.pty_session import clean_environment, default_shell, login_command
from codeface.terminal.screen import CommandMark
from codeface.terminal.state import ProjectTerminalState, load_project_state, save_project_state
from codeface.terminal.tmux import SessionInfo, TmuxController, session_name_for
from codeface.ui.widgets.terminal_colors import TerminalColors
from codeface.ui.widgets.terminal_view import TerminalView
from codeface.ui.widgets.terminal_worker import BackgroundRunner

log = logging.getLogger(__name__)


class TerminalPanel(QWidget):
    """Terminal tabs + tmux bar + confirm bar.

    Signals:
        sig_tmux_status(str): a line for the tmux bar ("tmux 3.3 ready", "tmux is not
            installed — …"); also shown in the panel.
        sig_sessions_changed(list): the `SessionInfo` list after a refresh.
        sig_attached(str): a tmux session was attached in a tab (its name).
        sig_awaiting_confirmation(str): a command was typed and waits for Enter (the text).
        sig_command_confirmed(str): the user confirmed; Enter was pressed (the text).
        sig_command_cancelled(str): the user cancelled; the typed text was cleared.
        sig_command_finished(object): a `CommandMark` from a terminal (history opt-in).
    """

    sig_tmux_status = Signal(str)
    sig_sessions_changed = Signal(list)
    sig_attached = Signal(str)
    sig_awaiting_confirmation = Signal(str)
    sig_command_confirmed = Signal(str)
    sig_command_cancelled = Signal(str)
    sig_command_finished = Signal(object)

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        project_dir: str | Path | None = None,
        tmux: TmuxController | None = None,
        shell_argv: Sequence[str] | None = None,
        env: Mapping[str, str] | None = None,
        scrollback: int = 10000,
        font: QFont | None = None,
        history: CommandHistory | None = None,
    ) -> None:
        super().__init__(parent)
        self.project_dir = Path(project_dir or Path.cwd()).resolve()
        self.tmux = tmux or TmuxController()
        self.history = history or CommandHistory(enabled=False)
        self.tmux.on_command = self._record_tmux_command
        self.shell_argv = list(shell_argv) if shell_argv else None
        self.scrollback = scrollback
        self._env = dict(env) if env is not None else None
        self._font = font
        self._colors: TerminalColors | None = None
        self.tmux_available: bool | None = None
        self.attached_session: str | None = None
        self._pending: tuple[str, str | None, TerminalView | None] | None = None
        self._runner = BackgroundRunner(self)
        self._shut_down = False
        self._build()

    # --- construction --------------------------------------------------------------
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        bar = QHBoxLayout()
        self.new_tab_button = _tool_button("+", "New terminal tab")
        self.new_tab_button.clicked.connect(lambda: self.new_tab())
        self.session_combo = QComboBox()
        self.session_combo.setToolTip("tmux sessions on CodeFace's tmux server")
        self.session_combo.setMinimumContentsLength(14)
        self.attach_button = QPushButton("Attach")
        self.attach_button.setToolTip("Attach the chosen tmux session")
        self.attach_button.clicked.connect(self._on_attach_clicked)
        self.create_button = QPushButton(f"Open {session_name_for(self.project_dir)}")
        self.create_button.setToolTip("Attach this project's tmux session (created if needed)")
        self.create_button.clicked.connect(lambda: self.attach_project_session())
        self.refresh_button = _tool_button("⟳", "Refresh tmux sessions")
        self.refresh_button.clicked.connect(self.refresh_sessions)
        self.tmux_label = QLabel("Checking for tmux…")
        self.tmux_label.setWordWrap(True)
        for widget in (
            self.new_tab_button,
            self.session_combo,
            self.attach_button,
            self.create_button,
            self.refresh_button,
        ):
            bar.addWidget(widget)
        bar.addWidget(self.tmux_label, 1)
        layout.addLayout(bar)
        self.tabs = QTabWidget(tabsClosable=True, movable=True, documentMode=True)
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
        self._set_tmux_controls(False)

    def _set_tmux_controls(self, enabled: bool) -> None:
        for widget in (
            self.session_combo,
            self.attach_button,
            self.create_button,
            self.refresh_button,
        ):
            widget.setEnabled(enabled)

    # --- tabs ----------------------------------------------------------------------
    def shell_environment(self) -> dict[str, str]:
        """The environment of new shells: clean (no API keys), plus the history hook
        when the user opted in."""
        env = clean_environment(self._env)
        if self.history.enabled:
            shell = (self.shell_argv or [default_shell()])[0]
            env.update(shell_hook_env(shell, env.get("PROMPT_COMMAND", "")))
        return env

    def new_tab(
        self, cwd: str | Path | None = None, argv: Sequence[str] | None = None, title: str = ""
    ) -> TerminalView:
        """Open a terminal tab in ``cwd`` (default: the project folder) and focus it."""
        folder = Path(cwd) if cwd else self.project_dir
        command = list(argv) if argv else (self.shell_argv or login_command(default_shell()))
        view = TerminalView(
            self,
            argv=command,
            cwd=folder,
            env=self.shell_environment(),
            scrollback=self.scrollback,
            font=self._font,
            colors=self._colors,
        )
        view.sig_command_finished.connect(self._on_mark)
        view.sig_title_changed.connect(lambda text, v=view: self._on_title(v, text))
        index = self.tabs.addTab(view, title or folder.name or str(folder))
        self.tabs.setCurrentIndex(index)
        view.setFocus()
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
        """Remember the tabs' folders and the attached tmux session for this project."""
        folders = [
            view.working_directory or str(self.project_dir)
            for view in self.views()
            if view.property("tmux_session") is None
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

    # --- tmux ----------------------------------------------------------------------
    def check_tmux(self, reattach: str | None = None) -> None:
        """Detect tmux in the background; then list sessions and maybe reattach."""

        def done(version: tuple[int, int]) -> None:
            self.tmux_available = True
            self._set_tmux_controls(True)
            self._status(f"tmux {version[0]}.{version[1]} ready")
            self.refresh_sessions(reattach=reattach)

        def failed(error: BaseException) -> None:
            self.tmux_available = False
            self._set_tmux_controls(False)
            message = getattr(error, "one_line", None)
            self._status(message() if callable(message) else f"tmux unavailable: {error}")

        self._runner.submit(self.tmux.check, done, failed)

    def refresh_sessions(self, reattach: str | None = None) -> None:
        """Reload the session list in the background."""

        def done(sessions: list[SessionInfo]) -> None:
            self.session_combo.clear()
            for session in sessions:
                self.session_combo.addItem(session.name)
            self.sig_sessions_changed.emit(sessions)
            if reattach and any(session.name == reattach for session in sessions):
                self.attach_session(reattach)

        self._runner.submit(self.tmux.list_sessions, done, self._on_tmux_error)

    def _on_attach_clicked(self) -> None:
        name = self.session_combo.currentText()
        if name:
            self.attach_session(name)

    def attach_project_session(self) -> None:
        """Attach ``codeface-<project>``, creating it with the default layout if needed."""
        shell = " ".join(self.shell_argv) if self.shell_argv else None
        self._runner.submit(
            lambda: self.tmux.ensure_project_session(self.project_dir, shell=shell),
            self._attach_quietly,
            self._on_tmux_error,
        )

    def _attach_quietly(self, name: str) -> None:
        self.attach_session(name)

    def attach_session(self, name: str) -> TerminalView:
        """Run ``tmux attach`` for ``name`` in a tab (reusing its tab if already open)."""
        for view in self.views():
            if view.property("tmux_session") == name and view.running:
                self.tabs.setCurrentWidget(view)
                return view
        view = self.new_tab(
            self.project_dir, argv=self.tmux.attach_argv(name), title=f"tmux: {name}"
        )
        view.setProperty("tmux_session", name)
        self.attached_session = name
        self.save_state()
        self._status(f"Attached tmux session {name}")
        self.sig_attached.emit(name)
        return view

    def _on_tmux_error(self, error: BaseException) -> None:
        message = getattr(error, "one_line", None)
        self._status(message() if callable(message) else f"tmux failed: {error}")

    def _status(self, text: str) -> None:
        self.tmux_label.setText(text)
        self.sig_tmux_status.emit(text)

    def _record_tmux_command(self, pane: str, command: str, status: int | None) -> None:
        self.history.record(f"tmux {pane}", command, status)

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

            def send() -> str:
                target = self.tmux.resolve_pane(pane, session)
                self.tmux.send_text(target, command)
                return target

            self._runner.submit(
                send, lambda target: self._await_confirm(command, target, None), self._on_tmux_error
            )
            return
        view = self.current_view() or self.new_tab()
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
            self._runner.submit(
                lambda: self.tmux.press_enter(pane), lambda _r: None, self._on_tmux_error
            )
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
            self._runner.submit(
                lambda: self.tmux.cmd("send-keys", "-t", pane, "C-e", "C-u"),
                lambda _r: None,
                self._on_tmux_error,
            )
        elif view is not None:
            view.send_bytes(b"\x05\x15")
        self.sig_command_cancelled.emit(command)

    def capture_now(self, lines: int = 50) -> str:
        """The last ``lines`` lines of the current tab's screen model (no tmux call)."""
        view = self.current_view()
        return view.capture(lines) if view is not None else ""

    async def capture(self, lines: int = 50, pane: str | None = None) -> str:
        """The last ``lines`` lines for the composer: a tmux pane (``pane`` role/id in
        the attached session) via capture-pane on a worker thread, else the current tab."""
        if pane is not None and self.attached_session:
            session = self.attached_session

            def grab() -> str:
                return self.tmux.capture(self.tmux.resolve_pane(pane, session), lines)

            return await asyncio.to_thread(grab)
        return self.capture_now(lines)

    async def targets(self) -> list[str]:
        """Where `send_to_terminal` can type: ``"current"`` (the current tab) plus the
        pane roles of the attached tmux session (e.g. "editor", "shell", "tests")."""
        names = ["current"]
        if self.attached_session and self.tmux_available:
            panes = await asyncio.to_thread(self.tmux.list_panes, self.attached_session)
            names.extend(pane.role or pane.pane_id for pane in panes)
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
        self._runner.shutdown()

    def closeEvent(self, event: QCloseEvent) -> None:
        """Closing the panel (or the window) shuts the terminals down."""
        self.shutdown()
        super().closeEvent(event)


def _tool_button(text: str, tip: str) -> QToolButton:
    button = QToolButton()
    button.setText(text)
    button.setToolTip(tip)
    return button
