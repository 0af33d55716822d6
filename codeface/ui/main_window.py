"""The main window: sessions sidebar, chat pane, right dock area, status bar.

It is built and shown before the engine exists; `start()` (after the first paint) loads
the sessions and providers through the bridge and restores the open session. Layout and
open session are kept in a JSON file (`window_state`), restored exactly on the next start.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QProcess, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QMainWindow,
    QSplitter,
    QStackedWidget,
    QWidget,
)

from codeface.api import BackendState, ProviderStatus, SessionView
from codeface.core.errors import CodefaceError
from codeface.core.events import AnswerStats, Progress
from codeface.ui.bridge import Bridge, bridge_task
from codeface.ui.conversation import (
    ACTION_OPEN_SETTINGS,
    ACTION_PULL_MODEL,
    ACTION_START_OLLAMA,
    ACTION_SWITCH_MODEL,
    Conversation,
)
from codeface.ui.errors_dialog import report_unexpected
from codeface.ui.window_actions import apply_shortcuts, build_actions
from codeface.ui.window_state import WindowState, load_window_state, save_window_state
from codeface.ui.widgets.docks import DockArea
from codeface.ui.widgets.sessions_sidebar import SessionsSidebar
from codeface.ui.widgets.status_bar import StatusBar

log = logging.getLogger("codeface.ui.window")
ChatFactory = Callable[[], QWidget]


def default_chat_pane() -> QWidget:
    """The real chat pane (`codeface.ui.chat.ChatPane`)."""
    from codeface.ui.chat import ChatPane

    pane: QWidget = ChatPane()
    return pane


def needs_welcome(providers: list[ProviderStatus]) -> bool:
    """No local provider answers and no cloud provider has a key."""
    local_ok = any(p.tier == "local" and p.health.ok for p in providers)
    cloud_key = any(p.tier == "cloud" and p.has_key for p in providers)
    return not (local_ok or cloud_key)


class MainWindow(QMainWindow):
    """The CodeFace window; talks to the engine only through its `Bridge`."""

    sig_ready = Signal()
    """The backend state is loaded and the open session restored."""
    sig_session_opened = Signal(str)
    """(session_id): a session's branch is on screen."""

    def __init__(
        self,
        bridge: Bridge,
        *,
        chat_factory: ChatFactory | None = None,
        theme_manager: Any | None = None,
        state_path: Path | None = None,
    ) -> None:
        super().__init__()
        self.bridge = bridge
        self.theme_manager = theme_manager
        self.state_path = state_path
        self.saved_state = load_window_state(state_path)
        self.sessions: dict[str, SessionView] = {}
        self.providers: list[ProviderStatus] = []
        self.models: list[Any] = []
        self.model_in_use = ""
        self.ready = asyncio.Event()
        self.welcome: Any = None
        self._dialogs: dict[str, QWidget] = {}
        self._pull_speed: dict[str, Any] = {}
        self._shut_down = False
        self.setWindowTitle("CodeFace")
        self.setObjectName("mainWindow")
        self.resize(1280, 820)

        self.sidebar = SessionsSidebar()
        self.chat = (chat_factory or default_chat_pane)()
        self.chat.setObjectName("chatPane")
        self.center = QStackedWidget()
        self.center.addWidget(self.chat)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
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
        self.docks = DockArea(self)
        self.conversation = Conversation(bridge, self.chat, self)
        self.conversation.action_handler = self.on_notice_action
        shortcuts = bridge.settings.extra.get("shortcuts", {})
        self.actions_by_id: dict[str, QAction] = build_actions(
            self, shortcuts if isinstance(shortcuts, dict) else {}
        )
        self.actions_by_id["stop"].setEnabled(False)
        self._connect()
        self._restore_layout()

    # ------------------------------------------------------------------ wiring
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
        conversation = self.conversation
        conversation.sig_model_in_use.connect(self.on_model_in_use)
        conversation.sig_answer_stats.connect(self.on_answer_stats)
        conversation.sig_session_cost.connect(self.status.set_cost)
        conversation.sig_status_message.connect(lambda text: self.status.showMessage(text, 8000))
        conversation.sig_turn_ended.connect(self.on_turn_ended)
        conversation.sig_need_session.connect(self.on_send_without_session)
        self.bridge.sig_streaming.connect(self.actions_by_id["stop"].setEnabled)
        self.bridge.sig_pull_progress.connect(self.on_pull_progress)
        self.bridge.sig_pull_finished.connect(self.on_pull_finished)
        if hasattr(self.chat, "sig_send_to_terminal"):
            self.chat.sig_send_to_terminal.connect(self.send_to_terminal)
        if hasattr(self.chat, "sig_zoom_changed"):
            self.chat.sig_zoom_changed.connect(self._on_zoom_changed)
        if self.theme_manager is not None:
            self.theme_manager.sig_theme_changed.connect(self.chat.set_theme)
        self._take_over_zoom_keys()

    def _take_over_zoom_keys(self) -> None:
        """The window's zoom actions work everywhere; the pane's own copies would make
        Ctrl +/- ambiguous (and dead) while the pane has focus, so they are switched off."""
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
        if state.dock_state:
            self.restoreState(QByteArray(WindowState.decode(state.dock_state)))
        if state.splitter:
            self.splitter.restoreState(QByteArray(WindowState.decode(state.splitter)))
        self.sidebar.setVisible(state.sidebar_visible)
        if state.zoom:
            self.chat.zoom(state.zoom)

    def current_state(self) -> WindowState:
        """The layout and open session as they are now."""
        return WindowState(
            geometry=WindowState.encode(bytes(self.saveGeometry().data())),
            dock_state=WindowState.encode(bytes(self.saveState().data())),
            splitter=WindowState.encode(bytes(self.splitter.saveState().data())),
            session_id=self.conversation.session_id,
            zoom=self.saved_state.zoom,
            sidebar_visible=not self.sidebar.isHidden(),
        )

    def save_state(self) -> None:
        """Write the layout and open session to the state file."""
        try:
            save_window_state(self.current_state(), self.state_path)
        except OSError as error:
            log.warning("could not save the window state: %s", error)

    # ------------------------------------------------------------------ start-up
    async def start(self) -> None:
        """Load sessions and providers, choose chat or welcome, reopen the last session."""
        try:
            state: BackendState = await self.bridge.load_state()
            self.sessions = {s.id: s for s in state.sessions}
            self.sidebar.set_sessions(state.sessions)
            self.providers = state.providers
            for notice in state.notices:
                self.chat.show_notice(notice.level, notice.text, [])
            if needs_welcome(state.providers):
                self.show_welcome()
            target = self.saved_state.session_id
            if target not in self.sessions:
                target = state.last_session_id if state.last_session_id in self.sessions else None
            if target:
                await self.open_session(target)
            self.bridge.spawn(self.refresh_models())
        except CodefaceError as error:
            self.chat.show_notice(
                "error", error.one_line(), [("Open settings", ACTION_OPEN_SETTINGS)]
            )
        except Exception as error:
            report_unexpected(error)
        finally:
            self.ready.set()
            self.sig_ready.emit()

    async def refresh_models(self) -> None:
        """Ask for the model list (status-bar residency, picker)."""
        try:
            self.models = await self.bridge.list_models()
        except CodefaceError as error:
            log.info("model list unavailable: %s", error.one_line())
            return
        self._show_residency()

    def _show_residency(self) -> None:
        wanted = self.model_in_use or self._session_model()
        for model in self.models:
            if model.name == wanted:
                self.status.set_residency(model.residency if model.tier == "local" else None)
                if not self.model_in_use:
                    self.status.set_model(model.name, model.provider, model.tier)
                return
        self.status.set_residency(None)

    def _session_model(self) -> str:
        """The model the next answer will most likely use (the engine decides for real)."""
        session = self.sessions.get(self.conversation.session_id or "")
        chosen = (session.model if session else None) or self.bridge.settings.general.model
        if chosen:
            return chosen
        local = [m for m in self.models if m.tier == "local"]
        loaded = [m for m in local if m.residency in ("gpu", "partial", "cpu")]
        return (loaded or local or [None])[0].name if (loaded or local) else ""

    # ------------------------------------------------------------------ sessions
    async def open_session(self, session_id: str, message_id: str = "", query: str = "") -> None:
        """Show a session's active branch (scrolled to ``message_id`` with ``query`` marked)."""
        if self.bridge.streaming:
            self.bridge.stop()
            await self.bridge.wait_turn()
        branch = await self.bridge.load_branch(session_id)
        self.show_chat()
        self.conversation.show_branch(session_id, branch, scroll_to=message_id, highlight=query)
        self.sidebar.set_current(session_id)
        self.model_in_use = ""
        session = self.sessions.get(session_id)
        model = self._session_model()
        self.status.set_model(model or "Default model", "", None)
        if session is not None:
            self.setWindowTitle(f"{session.title} — CodeFace")
        self._show_residency()
        self.sig_session_opened.emit(session_id)

    async def reload_sessions(self) -> None:
        """Fetch the sessions again (titles, pins, order)."""
        sessions = await self.bridge.list_sessions()
        self.sessions = {s.id: s for s in sessions}
        self.sidebar.set_sessions(sessions)

    async def _guard(self, work: Any) -> None:
        """Await ``work``; expected failures become a notice, unexpected ones are reported."""
        try:
            await work
        except CodefaceError as error:
            self.chat.show_notice("error", error.one_line(), [])
        except Exception as error:
            report_unexpected(error)

    @bridge_task
    async def on_new_session(self) -> None:
        """Create a session and open it (Ctrl+N)."""

        async def work() -> None:
            await self.ready.wait()
            session = await self.bridge.create_session()
            self.sessions[session.id] = session
            await self.reload_sessions()
            await self.open_session(session.id)
            self.chat.focus_composer()

        await self._guard(work())

    @bridge_task
    async def on_send_without_session(self, text: str, attachments: object) -> None:
        """The user typed before any session existed: create one, then send."""

        async def work() -> None:
            await self.ready.wait()
            session = await self.bridge.create_session()
            await self.reload_sessions()
            await self.open_session(session.id)
            self.conversation.on_send(
                text, list(attachments) if isinstance(attachments, list) else []
            )

        await self._guard(work())

    @bridge_task
    async def on_open_session(self, session_id: str) -> None:
        """Open a session picked in the sidebar."""
        await self._guard(self.open_session(session_id))

    @bridge_task
    async def on_open_hit(self, session_id: str, message_id: str, query: str) -> None:
        """Open a search hit scrolled to its message, the match highlighted."""
        await self._guard(self.open_session(session_id, message_id, query))

    @bridge_task
    async def on_search(self, query: str) -> None:
        """Run a full-text search and show the hits in the sidebar."""

        async def work() -> None:
            hits = await self.bridge.search(query)
            self.sidebar.set_search_results(query, hits)

        await self._guard(work())

    @bridge_task
    async def on_rename(self, session_id: str, title: str) -> None:
        """Rename a session."""

        async def work() -> None:
            await self.bridge.rename_session(session_id, title)
            await self.reload_sessions()
            if session_id == self.conversation.session_id:
                self.setWindowTitle(f"{title} — CodeFace")

        await self._guard(work())

    @bridge_task
    async def on_pin(self, session_id: str, pinned: bool) -> None:
        """Pin or unpin a session."""

        async def work() -> None:
            await self.bridge.set_pinned(session_id, pinned)
            await self.reload_sessions()

        await self._guard(work())

    @bridge_task
    async def on_archive(self, session_id: str, archived: bool) -> None:
        """Archive a session (it leaves the list)."""

        async def work() -> None:
            await self.bridge.set_archived(session_id, archived)
            await self._after_removal(session_id)

        await self._guard(work())

    @bridge_task
    async def on_delete(self, session_id: str) -> None:
        """Move a session to the trash."""

        async def work() -> None:
            await self.bridge.delete_session(session_id)
            await self._after_removal(session_id)
            self.status.showMessage("Moved to trash (restorable for 30 days)", 6000)

        await self._guard(work())

    async def _after_removal(self, session_id: str) -> None:
        await self.reload_sessions()
        if session_id == self.conversation.session_id:
            ids = self.sidebar.session_ids
            if ids:
                await self.open_session(ids[0])
            else:
                self.conversation.show_branch(None, [])
                self.setWindowTitle("CodeFace")

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
        if action_id == ACTION_SWITCH_MODEL:
            self.open_model_picker()
        elif action_id == ACTION_OPEN_SETTINGS:
            self.open_settings()
        elif action_id == ACTION_START_OLLAMA:
            self.start_ollama()
        elif action_id == ACTION_PULL_MODEL:
            self.open_model_manager()

    # ------------------------------------------------------------------ welcome
    def show_welcome(self) -> None:
        """Put the first-run welcome screen in the centre."""
        if self.welcome is None:
            from codeface.ui.widgets.welcome import WelcomeScreen

            self.welcome = WelcomeScreen()
            self.welcome.sig_start_ollama.connect(self.start_ollama)
            self.welcome.sig_check_again.connect(self.check_providers)
            self.welcome.sig_pull.connect(self.pull_model)
            self.welcome.sig_cancel_pull.connect(self.bridge.cancel_pull)
            self.welcome.sig_add_key.connect(self.open_keys)
            self.center.addWidget(self.welcome)
        self.center.setCurrentWidget(self.welcome)

    def show_chat(self) -> None:
        """Put the chat pane in the centre."""
        self.center.setCurrentWidget(self.chat)

    def start_ollama(self) -> None:
        """Launch ``ollama serve`` detached, then look for it for a while."""
        binary = shutil.which("ollama")
        if binary is None:
            self.show_welcome()
            self.welcome.set_ollama_status("Ollama is not installed; install it first (see above).")
            return
        QProcess.startDetached(binary, ["serve"])
        if self.welcome is not None:
            self.welcome.set_ollama_status("Starting Ollama…")
        for delay in (1000, 2500, 5000):
            QTimer.singleShot(delay, self.check_providers)

    @bridge_task
    async def check_providers(self) -> None:
        """Look for providers again; leave the welcome screen when one is usable."""
        try:
            self.providers = await self.bridge.provider_status()
        except CodefaceError as error:
            self.providers = []
            log.info("provider check failed: %s", error.one_line())
        if not needs_welcome(self.providers):
            self.show_chat()
            self.bridge.spawn(self.refresh_models())
        elif self.welcome is not None:
            local = [p for p in self.providers if p.tier == "local"]
            detail = "; ".join(p.health.detail for p in local) or "No Ollama host configured."
            self.welcome.set_ollama_status(detail)

    # ------------------------------------------------------------------ pulls
    def pull_model(self, name: str) -> None:
        """Start pulling a model (progress goes to the welcome screen and model manager)."""
        from codeface.ui.widgets.welcome import SpeedMeter

        if self.bridge.pull_model(name):
            self._pull_speed[name] = SpeedMeter()
            if self.welcome is not None and name == self.welcome.suggested:
                self.welcome.on_pull_started()

    def on_pull_progress(self, name: str, progress: Progress) -> None:
        """Forward pull progress with a measured speed."""
        meter = self._pull_speed.get(name)
        speed = meter.update(progress.completed) if meter is not None else None
        if self.welcome is not None and name == self.welcome.suggested:
            self.welcome.on_pull_progress(progress, speed)
        manager = self._dialogs.get("model_manager")
        if manager is not None:
            manager.on_pull_progress(name, progress, speed)  # type: ignore[attr-defined]

    def on_pull_finished(self, name: str, error: CodefaceError | None) -> None:
        """A pull ended: refresh models; leave the welcome screen on success."""
        self._pull_speed.pop(name, None)
        text = error.one_line() if error is not None else None
        if self.welcome is not None and name == self.welcome.suggested:
            self.welcome.on_pull_finished(text)
        manager = self._dialogs.get("model_manager")
        if manager is not None:
            manager.on_pull_finished(name, text)  # type: ignore[attr-defined]
        if error is None:
            self.bridge.spawn(self.refresh_models())
            self.check_providers()

    # ------------------------------------------------------------------ dialogs
    def _open_dialog(self, key: str, make: Callable[[], QWidget]) -> QWidget:
        dialog = self._dialogs.get(key)
        if dialog is None:
            dialog = make()
            dialog.finished.connect(lambda _result: self._dialogs.pop(key, None))  # type: ignore[attr-defined]
            self._dialogs[key] = dialog
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        return dialog

    def open_palette(self) -> QWidget:
        """The command palette over every action (Ctrl+K)."""
        from codeface.ui.dialogs.command_palette import CommandPalette

        dialog = self._open_dialog(
            "palette", lambda: CommandPalette(list(self.actions_by_id.values()), self)
        )
        dialog.filter_box.setFocus()  # type: ignore[attr-defined]
        return dialog

    def open_model_picker(self) -> QWidget:
        """Choose the model and policy of the open session (Ctrl+M)."""
        from codeface.ui.dialogs.model_picker import ModelPickerDialog

        session = self.sessions.get(self.conversation.session_id or "")

        def make() -> QWidget:
            dialog = ModelPickerDialog(self.bridge, session, self)
            dialog.sig_chosen.connect(self.on_model_chosen)
            dialog.sig_manage.connect(self.open_model_manager)
            return dialog

        return self._open_dialog("model_picker", make)

    @bridge_task
    async def on_model_chosen(self, model: str, policy: str) -> None:
        """Save the session's model and policy (or the default when no session is open)."""

        async def work() -> None:
            session_id = self.conversation.session_id
            if session_id is None:
                settings = self.bridge.settings
                settings.general.model = model
                settings.general.policy = policy  # type: ignore[assignment]
                await self.bridge.save_settings(settings)
            else:
                await self.bridge.set_session_model(session_id, model or None, policy)  # type: ignore[arg-type]
                await self.reload_sessions()
            self.model_in_use = ""
            self.status.set_model(model or "Default model", "", None)
            self._show_residency()

        await self._guard(work())

    def open_model_manager(self) -> QWidget:
        """Pull, delete and inspect models (Ctrl+Shift+M)."""
        from codeface.ui.dialogs.model_manager import ModelManagerDialog

        def make() -> QWidget:
            dialog = ModelManagerDialog(self.bridge, self)
            dialog.sig_pull.connect(self.pull_model)
            dialog.sig_cancel_pull.connect(self.bridge.cancel_pull)
            return dialog

        return self._open_dialog("model_manager", make)

    def open_settings(self, tab: str = "") -> QWidget:
        """Providers, keys, defaults, appearance, shortcuts (Ctrl+,)."""
        from codeface.ui.dialogs.settings_dialog import SettingsDialog

        def make() -> QWidget:
            dialog = SettingsDialog(self.bridge, self.theme_manager, self)
            dialog.sig_saved.connect(self.on_settings_saved)
            return dialog

        dialog = self._open_dialog("settings", make)
        if tab:
            dialog.show_tab(tab)  # type: ignore[attr-defined]
        return dialog

    def open_keys(self) -> QWidget:
        """Settings, on the API keys."""
        return self.open_settings("providers")

    def on_settings_saved(self) -> None:
        """Apply what changed: shortcuts, Enter-sends, theme; look for providers again."""
        settings = self.bridge.settings
        shortcuts = settings.extra.get("shortcuts", {})
        apply_shortcuts(self.actions_by_id, shortcuts if isinstance(shortcuts, dict) else {})
        if hasattr(self.chat, "set_enter_sends"):
            self.chat.set_enter_sends(settings.ui.enter_sends)
        self.apply_theme_setting(settings.ui.theme)
        self.check_providers()

    def apply_theme_setting(self, setting: str) -> None:
        """Apply a ``ui.theme`` value ("system" or a theme id)."""
        app = QApplication.instance()
        if self.theme_manager is None or not isinstance(app, QApplication):
            return
        theme = self.theme_manager.resolve(setting)
        if self.theme_manager.current is None or theme.id != self.theme_manager.current.id:
            self.theme_manager.apply(app, theme)

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
        self.docks.toggle("code")

    def show_agents(self) -> None:
        """Show the Agents panel."""
        self.docks.toggle("agents")

    def show_terminal(self) -> None:
        """Show the Terminal panel."""
        self.docks.toggle("terminal")

    def send_to_terminal(self, text: str) -> None:
        """Type a code block's text into the terminal panel."""
        dock = self.docks.docks["terminal"]
        dock.show()
        dock.raise_()
        terminal = self.docks.ensure_terminal()
        if terminal is not None:
            terminal.send_to_terminal(text)  # type: ignore[attr-defined]

    def rename_current(self) -> None:
        """F2."""
        if self.conversation.session_id:
            self.sidebar.ask_rename(self.conversation.session_id)

    def pin_current(self) -> None:
        """Pin or unpin the open session."""
        session = self.sessions.get(self.conversation.session_id or "")
        if session is not None:
            self.on_pin(session.id, not session.pinned)

    def archive_current(self) -> None:
        """Archive the open session."""
        if self.conversation.session_id:
            self.on_archive(self.conversation.session_id, True)

    def delete_current(self) -> None:
        """Move the open session to the trash (after confirming)."""
        if self.conversation.session_id:
            self.sidebar.ask_delete(self.conversation.session_id)

    def next_session(self) -> None:
        """Ctrl+PgDown."""
        self._step_session(1)

    def previous_session(self) -> None:
        """Ctrl+PgUp."""
        self._step_session(-1)

    def _step_session(self, step: int) -> None:
        ids = self.sidebar.session_ids
        if not ids:
            return
        current = self.conversation.session_id
        index = ids.index(current) + step if current in ids else 0
        self.on_open_session(ids[index % len(ids)])

    def toggle_theme(self) -> None:
        """Switch between the light and dark themes."""
        app = QApplication.instance()
        if self.theme_manager is None or not isinstance(app, QApplication):
            return
        current = self.theme_manager.current
        target = self.theme_manager.find(
            "light" if current is not None and current.is_dark else "dark"
        )
        if target is not None:
            self.theme_manager.apply(app, target)

    @bridge_task
    async def export_current(self) -> None:
        """Save the open session as Markdown."""
        session = self.sessions.get(self.conversation.session_id or "")
        if session is None:
            return
        path, _ = QFileDialog.getSaveFileName(
            self, "Export session", f"{session.title}.md", "Markdown (*.md)"
        )
        if not path:
            return

        async def work() -> None:
            text = await self.bridge.export_session(session.id, "md")
            await asyncio.to_thread(Path(path).write_text, text, encoding="utf-8")
            self.status.showMessage(f"Exported to {path}", 6000)

        await self._guard(work())

    # ------------------------------------------------------------------ closing
    async def shutdown(self) -> None:
        """Save the layout, cancel work and close the backend (once)."""
        if self._shut_down:
            return
        self._shut_down = True
        self.save_state()
        self.docks.shutdown()
        await self.bridge.aclose()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        """Save state; finish async cleanup before the loop stops (qasync pitfall)."""
        if not self._shut_down:
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
