"""The main window: sessions sidebar, chat pane, right dock area, status bar.

It is built and shown before the engine exists; `start()` (after the first paint) loads
the sessions and providers through the bridge and restores the open session. Layout and
open session are kept in a JSON file (`window_state`), restored exactly on the next start.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QByteArray, Signal
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from codeface.core.errors import CodefaceError
from codeface.ui.bridge import Bridge, bridge_task
from codeface.ui.widgets.sessions_sidebar import SessionsSidebar
from codeface.ui.widgets.status_bar import StatusBar
from codeface.ui.window_code import ProjectActions
from codeface.ui.window_models import ModelActions, needs_welcome
from codeface.ui.window_sessions import SessionActions
from codeface.ui.window_state import WindowState, load_window_state, save_window_state

# The window is built and painted before asyncio, the engine's types, the conversation
# logic, the chat pane and the docks are imported (they load right after the first paint),
# and without PySide6's ``Qt`` namespace, whose first use builds ~95 enums (15-25 ms).
if TYPE_CHECKING:
    import asyncio

    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QAction, QCloseEvent

    from codeface.application.contract import (
        BackendState,
        ProjectView,
        ProviderStatus,
        SessionView,
    )
    from codeface.core.events import AnswerStats
    from codeface.ui.widgets.docks import DockArea

log = logging.getLogger("codeface.ui.window")
ChatFactory = Callable[[], QWidget]
STATE_SAVE_DELAY_MS = 500


def starting_placeholder() -> QWidget:
    """ "Starting…" in the middle of the chat area until the chat pane is built (centred by
    stretches, which need no alignment flags)."""
    placeholder = QWidget()
    row = QHBoxLayout()
    row.addStretch(1)
    row.addWidget(QLabel("Starting…"))
    row.addStretch(1)
    column = QVBoxLayout(placeholder)
    column.addStretch(1)
    column.addLayout(row)
    column.addStretch(2)
    return placeholder


def default_chat_pane() -> QWidget:
    """The real chat pane (`codeface.ui.chat.ChatPane`)."""
    from codeface.ui.chat import ChatPane

    pane: QWidget = ChatPane()
    return pane


class MainWindow(SessionActions, ModelActions, ProjectActions, QMainWindow):
    """The CodeFace window; talks to the engine only through its `Bridge`."""

    sig_ready = Signal()
    """The backend state is loaded and the open session restored."""
    sig_session_opened = Signal(str)
    """(session_id): a session's branch is on screen."""
    sig_cloud_key_added = Signal()
    """A cloud provider has a key now that had none (time to prewarm its SDK)."""
    sig_project_changed = Signal(object)
    """ProjectView | None: the project the window works on (files, terminal, agents)."""

    def __init__(
        self,
        bridge: Bridge,
        *,
        chat_factory: ChatFactory | None = None,
        theme_manager: Any | None = None,
        state_path: Path | None = None,
        defer_chat: bool = False,
        project: str | None = None,
    ) -> None:
        """Build the window; with ``defer_chat`` the chat pane (the costliest part) is built
        by `install_chat()`, after the first paint, so the window appears sooner."""
        super().__init__()
        self.bridge = bridge
        self.theme_manager = theme_manager
        self.appearance: Any = None
        """The launcher's settings/theme loader (`codeface.ui.launch.Appearance`), if any."""
        self.state_path = state_path
        self.saved_state = load_window_state(state_path)
        self.sessions: dict[str, SessionView] = {}
        self.project: ProjectView | None = None
        """The open project (its key names it in sessions, terminal state and memory)."""
        self.initial_project = project or self.saved_state.project
        self._project_asked = project is not None  # `codeface PATH`
        self._state_to_write: WindowState | None = None
        self._state_writer: asyncio.Task[None] | None = None
        self._state_timer: QTimer | None = None
        self.providers: list[ProviderStatus] = []
        self.models: list[Any] = []
        self.model_in_use = ""
        self.trashed: list[str] = []
        self._ready: asyncio.Event | None = None
        self.welcome: Any = None
        self._dialogs: dict[str, QWidget] = {}
        self._pull_speed: dict[str, Any] = {}
        self._shut_down = False
        self.setWindowTitle("CodeFace")
        self.setObjectName("mainWindow")
        self.resize(1280, 820)

        self.sidebar = SessionsSidebar(defer=defer_chat)
        self._chat_factory = chat_factory or default_chat_pane
        self.chat: Any = None
        self.center = QStackedWidget()
        self.loading: QWidget | None = starting_placeholder() if defer_chat else None
        if self.loading is not None:
            self.center.addWidget(self.loading)
        self.splitter = QSplitter()  # horizontal
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(self.sidebar)
        self.splitter.addWidget(self.center)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([260, 1020])
        self.setCentralWidget(self.splitter)
        self.status = StatusBar()
        self.setStatusBar(self.status)
        self.setDockOptions(
            QMainWindow.DockOption.AnimatedDocks
            | QMainWindow.DockOption.AllowTabbedDocks
            | QMainWindow.DockOption.AllowNestedDocks
        )
        self.docks: DockArea | None = None
        """Built with the chat pane (`install_chat`), after the first paint."""
        self.actions_by_id: dict[str, QAction] = {}
        # The menu bar's titles are there at the first paint (no jump when it fills).
        for title in ("&File", "&View"):
            self.menuBar().addMenu(title)
        self._connect()
        self._restore_layout()
        if not defer_chat:
            self.install_chat()

    @property
    def ready(self) -> asyncio.Event:
        """Set once the backend state is loaded and the open session restored."""
        if self._ready is None:
            import asyncio

            self._ready = asyncio.Event()
        return self._ready

    @property
    def agents_panel(self) -> Any:
        """The Agents dock's panel, built now if it was not yet (None before the docks)."""
        return self.docks.panel("agents") if self.docks is not None else None

    def startup_steps(self) -> list[Callable[[], object]]:
        """What `install_chat` does, in pieces the launcher runs one event-loop turn apart."""
        return [
            self._install_docks,
            self.sidebar.complete,
            self._install_actions,
            self.install_chat,
        ]

    def install_chat(self) -> None:
        """Build the chat pane and the window's actions, and wire them to the bridge
        (once). Nothing of it is needed for the first paint."""
        if self.chat is not None:
            return
        self._install_docks()
        self.sidebar.complete()
        self._install_actions()
        from codeface.ui.conversation import Conversation

        self.chat = self._chat_factory()
        self.chat.setObjectName("chatPane")
        self.center.insertWidget(0, self.chat)
        self.center.setCurrentWidget(self.chat)
        if self.loading is not None:
            self.center.removeWidget(self.loading)
            self.loading.deleteLater()
            self.loading = None
        self.conversation = Conversation(self.bridge, self.chat, self)
        self.conversation.action_handler = self.on_notice_action
        self._connect_chat()
        if self.saved_state.zoom:
            self.chat.zoom(self.saved_state.zoom)

    # ------------------------------------------------------------------ wiring
    def _install_docks(self) -> DockArea:
        from codeface.ui.widgets.docks import DockArea

        if self.docks is None:
            from codeface.ui.window_agents import install_agents_panel
            from codeface.ui.window_code import install_code_panel

            self.docks = DockArea(self, self._terminal_options)
            install_code_panel(self, self.docks)
            install_agents_panel(self, self.docks)
            state = self.saved_state.dock_state
            if state:
                self.restoreState(QByteArray(WindowState.decode(state)))
        return self.docks

    def _install_actions(self) -> None:
        from codeface.ui.window_actions import build_actions, build_menus

        if self.actions_by_id:
            return
        shortcuts = self.bridge.settings.extra.get("shortcuts", {})
        self.actions_by_id = build_actions(self, shortcuts if isinstance(shortcuts, dict) else {})
        self.recent_menu = build_menus(self, self.actions_by_id)
        self._fill_recent_menu()
        self.actions_by_id["stop"].setEnabled(self.bridge.streaming)
        self.bridge.sig_streaming.connect(self.actions_by_id["stop"].setEnabled)

    def _connect(self) -> None:
        sidebar = self.sidebar
        sidebar.sig_new_session.connect(self.on_new_session)
        sidebar.sig_open_session.connect(self.on_open_session)
        sidebar.sig_open_hit.connect(self.on_open_hit)
        sidebar.sig_search.connect(self.on_search)
        sidebar.sig_rename.connect(self.on_rename)
        sidebar.sig_pin.connect(self.on_pin)
        sidebar.sig_archive.connect(self.on_archive)
        sidebar.sig_delete.connect(self.on_delete)
        self.sig_project_changed.connect(sidebar.set_open_project)
        self.bridge.sig_pull_progress.connect(self.on_pull_progress)
        self.bridge.sig_pull_finished.connect(self.on_pull_finished)
        # Remember the open session (and project) as soon as it changes, not only at a
        # clean close: a window that is killed still reopens where the user was.
        self.sig_session_opened.connect(self.save_state_soon)
        self.sig_project_changed.connect(self.save_state_soon)

    def _connect_chat(self) -> None:
        conversation = self.conversation
        conversation.sig_model_in_use.connect(self.on_model_in_use)
        conversation.sig_answer_stats.connect(self.on_answer_stats)
        conversation.sig_session_cost.connect(self.status.set_cost)
        conversation.sig_status_message.connect(lambda text: self.status.showMessage(text, 8000))
        conversation.sig_turn_ended.connect(self.on_turn_ended)
        self.bridge.sig_message_saved.connect(self.on_message_saved)
        conversation.sig_need_session.connect(self.on_send_without_session)
        if hasattr(self.chat, "sig_send_to_terminal"):
            self.chat.sig_send_to_terminal.connect(self.send_to_terminal)
        if hasattr(self.chat, "sig_zoom_changed"):
            self.chat.sig_zoom_changed.connect(self._on_zoom_changed)
        if hasattr(self.chat, "sig_composing"):
            from codeface.ui.window_agents import prepare_agents_panel

            self.chat.sig_composing.connect(self.bridge.prepare_to_send)
            self.chat.sig_composing.connect(lambda: prepare_agents_panel(self))
        conversation.sig_role_changed.connect(self._on_role_typed)
        if hasattr(self.chat, "sig_open_file"):  # a tool card's file opens in the Code dock
            self.chat.sig_open_file.connect(self.open_file)
        if self.theme_manager is not None:
            self.theme_manager.sig_theme_changed.connect(self.chat.set_theme)
        self._take_over_zoom_keys()

    def _on_role_typed(self, session_id: str, role: str) -> None:
        from codeface.ui.window_agents import role_typed

        role_typed(self, session_id, role)

    def _take_over_zoom_keys(self) -> None:
        """The window's zoom actions work everywhere; the pane's own copies would make
        Ctrl +/- ambiguous (and dead) while the pane has focus, so they are switched off."""
        from PySide6.QtGui import QShortcut

        window_keys = {
            key.toString()
            for spec_id in ("zoom_in", "zoom_out", "zoom_reset")
            for key in self.actions_by_id[spec_id].shortcuts()
        }
        for shortcut in self.chat.findChildren(QShortcut):
            if shortcut.key().toString() in window_keys:
                shortcut.setEnabled(False)

    def _on_zoom_changed(self, point_size: int) -> None:
        default = getattr(self.chat, "default_point_size", point_size)
        self.saved_state.zoom = point_size - default

    # ------------------------------------------------------------------ layout state
    def _restore_layout(self) -> None:
        state = self.saved_state
        if state.geometry:
            self.restoreGeometry(QByteArray(WindowState.decode(state.geometry)))
        if state.splitter:
            self.splitter.restoreState(QByteArray(WindowState.decode(state.splitter)))
        self.sidebar.setVisible(state.sidebar_visible)

    def current_state(self) -> WindowState:
        """The layout and open session as they are now."""
        return WindowState(
            geometry=WindowState.encode(bytes(self.saveGeometry().data())),
            dock_state=(
                WindowState.encode(bytes(self.saveState().data()))
                if self.docks is not None
                else self.saved_state.dock_state
            ),
            splitter=WindowState.encode(bytes(self.splitter.saveState().data())),
            session_id=self.conversation.session_id if self.chat is not None else None,
            project=self.project.key if self.project is not None else self.saved_state.project,
            zoom=self.saved_state.zoom,
            sidebar_visible=not self.sidebar.isHidden(),
            os_scheme=getattr(self.theme_manager, "os_scheme", "") or self.saved_state.os_scheme,
            look=self._look(),
        )

    def _look(self) -> dict[str, Any]:
        from codeface.ui.palette import remembered_look

        theme = getattr(self.theme_manager, "current", None)
        if theme is None:
            return self.saved_state.look
        font = QApplication.font()
        return remembered_look(theme.palette, theme.muted, font.family(), font.pointSize())

    def save_state_soon(self, *_changed: object) -> None:
        """Write the state file half a second from now, in a worker thread (the GUI never
        waits for the disk; bursts of changes make one write). Not while starting: the
        state then is the one just read."""
        if not self.ready.is_set() or self._shut_down:
            return
        if self._state_timer is None:
            from PySide6.QtCore import QTimer

            self._state_timer = QTimer(self)
            self._state_timer.setSingleShot(True)
            self._state_timer.setInterval(STATE_SAVE_DELAY_MS)
            self._state_timer.timeout.connect(self._save_state_now)
        self._state_timer.start()

    def _save_state_now(self) -> None:
        if self._shut_down:
            return
        self._state_to_write = self.current_state()
        if self._state_writer is None and self.bridge.attached:
            self._state_writer = self.bridge.spawn(self._write_states())

    async def _write_states(self) -> None:
        import asyncio

        try:
            while self._state_to_write is not None:
                state, self._state_to_write = self._state_to_write, None
                try:
                    await asyncio.to_thread(save_window_state, state, self.state_path)
                except OSError as error:
                    log.warning("could not save the window state: %s", error)
        finally:
            self._state_writer = None

    def save_state(self, state: WindowState | None = None) -> None:
        """Write the layout and open session (or ``state``) to the state file."""
        try:
            save_window_state(state or self.current_state(), self.state_path)
        except OSError as error:
            log.warning("could not save the window state: %s", error)

    # ------------------------------------------------------------------ start-up
    async def start(self) -> None:
        """Load sessions and providers, choose chat or welcome, reopen the last session."""
        from codeface.ui.conversation import ACTION_OPEN_SETTINGS
        from codeface.ui.errors_dialog import report_unexpected

        self.install_chat()
        try:
            state: BackendState = await self.bridge.backend.load_state()
            self.sessions = {s.id: s for s in state.sessions}
            self.sidebar.set_sessions(state.sessions)
            self.providers = state.providers
            for notice in state.notices:
                self.chat.show_notice(notice.level, notice.text, [])
            if needs_welcome(state.providers):
                self.show_welcome()
                self.show_ollama_findings()
            if self.initial_project:
                opened = await self.open_project(self.initial_project)
                if opened and self._project_asked and not self.saved_state.dock_state:
                    self._show_code_dock()  # a first look at the project asked for
            target = self.saved_state.session_id
            if target not in self.sessions:
                target = state.last_session_id if state.last_session_id in self.sessions else None
            if target:
                await self.open_session(target)
            self.bridge.spawn(self.refresh_models())
            self.bridge.spawn(self.refresh_recent_projects())
        except CodefaceError as error:
            self.chat.show_notice(
                "error", error.one_line(), [("Open settings", ACTION_OPEN_SETTINGS)]
            )
        except Exception as error:
            report_unexpected(error)
        finally:
            self.ready.set()
            self.sig_ready.emit()
            if self.welcome is None or not self.welcome.isVisible():
                self.chat.focus_composer()  # the first thing typed is the first prompt

    # ------------------------------------------------------------------ project
    async def open_project(self, folder: str) -> bool:
        """Make ``folder`` the window's project; False (with a notice) when it cannot be."""
        from codeface.ui.conversation import ACTION_OPEN_PROJECT

        try:
            project = await self.bridge.backend.open_project(folder)
        except CodefaceError as error:
            if self.chat is not None:
                self.chat.show_notice(
                    "error", error.one_line(), [("Open another project", ACTION_OPEN_PROJECT)]
                )
            return False
        self.project = project
        self.saved_state.project = project.key
        self.setWindowTitle(f"{project.name} — CodeFace")
        self.sig_project_changed.emit(project)
        return True

    # ------------------------------------------------------------------ turn feedback
    def on_model_in_use(self, model: str, provider: str, tier: object) -> None:
        """Status bar: the model answering now."""
        self.model_in_use = model
        self.status.set_model(model, provider, tier if isinstance(tier, str) else None)
        self._show_residency()

    def on_answer_stats(self, stats: AnswerStats) -> None:
        """Status bar: tokens/s of the last answer."""
        self.status.set_speed(stats.tokens_per_second)

    @bridge_task
    async def on_turn_ended(self) -> None:
        """Refresh titles and residency after an answer."""
        await self._guard(self.reload_sessions())
        await self.refresh_models()

    def on_notice_action(self, action_id: str) -> None:
        """Buttons of inline notices that need the window."""
        from codeface.ui.conversation import (
            ACTION_OPEN_PROJECT,
            ACTION_OPEN_SETTINGS,
            ACTION_PULL_MODEL,
            ACTION_START_OLLAMA,
            ACTION_SWITCH_MODEL,
        )

        if action_id == ACTION_SWITCH_MODEL:
            self.open_model_picker()
        elif action_id == ACTION_OPEN_SETTINGS:
            self.open_settings()
        elif action_id == ACTION_START_OLLAMA:
            self.start_ollama()
        elif action_id == ACTION_PULL_MODEL:
            self.open_model_manager()
        elif action_id == ACTION_OPEN_PROJECT:
            self.open_project_dialog()

    # ------------------------------------------------------------------ simple actions
    def focus_search(self) -> None:
        """Ctrl+Shift+F."""
        self.sidebar.show()
        self.sidebar.focus_search()

    def focus_composer(self) -> None:
        """Ctrl+L."""
        self.show_chat()
        self.chat.focus_composer()

    def stop_answer(self) -> None:
        """Esc while streaming."""
        self.bridge.stop()

    def regenerate_last(self) -> None:
        """Ctrl+R."""
        answers = [m for m in self.conversation.branch if m.role == "assistant"]
        if answers:
            self.conversation.on_regenerate(answers[-1].id)

    def zoom_in(self) -> None:
        """Ctrl++."""
        self._zoom(1)

    def zoom_out(self) -> None:
        """Ctrl+-."""
        self._zoom(-1)

    def zoom_reset(self) -> None:
        """Ctrl+0."""
        self.chat.zoom(0)
        self.saved_state.zoom = 0

    def _zoom(self, step: int) -> None:
        self.chat.zoom(step)
        if not hasattr(self.chat, "sig_zoom_changed"):
            self.saved_state.zoom += step

    def toggle_sidebar(self) -> None:
        """Ctrl+B."""
        self.sidebar.setVisible(self.sidebar.isHidden())

    def show_code(self) -> None:
        """Show the Code panel."""
        self._install_docks().toggle("code")

    def show_agents(self) -> None:
        """Show the Agents panel."""
        self._install_docks().toggle("agents")

    def show_terminal(self) -> None:
        """Show the Terminal panel."""
        self._install_docks().toggle("terminal")

    def _terminal_options(self) -> dict[str, Any]:
        """How the terminal panel starts: the user's shell, scrollback and consent."""
        from codeface.terminal.history import CommandHistory
        from codeface.terminal.pty_session import default_shell, login_command

        terminal = self.bridge.settings.terminal
        return {
            "shell_argv": login_command(default_shell(terminal.shell)),
            "scrollback": terminal.scrollback,
            "history": CommandHistory(enabled=terminal.share_history_with_chat),
        }

    @bridge_task
    async def capture_terminal(self) -> None:
        """Put the last lines of the terminal (or tmux pane) into the message box as context."""
        terminal = self._install_docks().ensure_terminal()
        if terminal is None or self.chat is None:
            return
        text = (await terminal.capture(50)).rstrip()  # type: ignore[attr-defined]
        recent = terminal.recent_commands_context()  # type: ignore[attr-defined]
        parts = [f"Terminal output:\n```\n{text}\n```" if text else "", recent]
        context = "\n\n".join(part for part in parts if part)
        if context:
            self.chat.insert_into_composer(context + "\n")
            self.chat.focus_composer()
        else:
            self.status.showMessage("The terminal has no output to capture yet.", 5000)

    def send_to_terminal(self, text: str) -> None:
        """Type a code block's text into the terminal panel."""
        dock = self._install_docks().docks["terminal"]
        dock.show()
        dock.raise_()
        terminal = self._install_docks().ensure_terminal()
        if terminal is not None:
            terminal.send_to_terminal(text)  # type: ignore[attr-defined]

    # ------------------------------------------------------------------ closing
    async def shutdown(self) -> None:
        """Save the layout, cancel work and close the backend (once)."""
        if self._shut_down:
            return
        self._shut_down = True
        if self._state_timer is not None:
            self._state_timer.stop()
        final = self.current_state()
        writer, self._state_to_write = self._state_writer, None
        if writer is not None:  # a write of an older state must not land after this one
            import asyncio

            await asyncio.gather(writer, return_exceptions=True)
        self.save_state(final)
        if self.docks is not None:
            self.docks.shutdown()
        if self._code_panel is not None:
            self._code_panel.shutdown()
        await self.bridge.aclose()

    def closeEvent(self, event: QCloseEvent) -> None:
        """Save state; finish async cleanup before the loop stops (qasync pitfall)."""
        if not self._shut_down and not self.may_close():
            event.ignore()  # the user keeps unsaved code edits
            return
        if not self._shut_down:
            import asyncio

            self.save_state()
            try:
                loop: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
            except RuntimeError:
                loop = None
            if loop is None:
                self._shut_down = True
            elif asyncio.current_task() is None:
                future = loop.create_task(self.shutdown())
                app = QApplication.instance()
                while not future.done() and app is not None:
                    app.processEvents()
            else:
                self.bridge.spawn(self.shutdown())
        event.accept()
