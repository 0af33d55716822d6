"""Models, providers and dialogs of the main window: residency (and where the built-in
engine runs), welcome screen, built-in downloads, pulls, model picker and manager,
settings, theme.

A mixin of `MainWindow` (kept apart to keep each module short); it talks to the engine
only through ``self.bridge``.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow, QStackedWidget, QWidget

from codeface.core.errors import CodefaceError
from codeface.ui.bridge import bridge_task

if TYPE_CHECKING:
    from PySide6.QtGui import QAction

    from codeface.application.contract import ProviderStatus, SessionView
    from codeface.core.events import Progress
    from codeface.ui.bridge import Bridge
    from codeface.ui.conversation import Conversation
    from codeface.ui.dialogs.builtin_downloads import BuiltinDownloads
    from codeface.ui.widgets.status_bar import StatusBar

    _WindowBase = QMainWindow
else:
    _WindowBase = object

log = logging.getLogger("codeface.ui.window")
BUILTIN = "builtin"
"""The built-in engine's provider id (``ModelInfo.provider``, ``TurnStarted.provider``)."""


def needs_welcome(providers: list[ProviderStatus]) -> bool:
    """No local provider answers and no cloud provider has a key."""
    local_ok = any(p.tier == "local" and p.health.ok for p in providers)
    cloud_key = any(p.tier == "cloud" and p.has_key for p in providers)
    return not (local_ok or cloud_key)


class ModelActions(_WindowBase):
    """Everything about models, providers, the welcome screen and the dialogs."""

    bridge: Bridge
    sessions: dict[str, SessionView]
    conversation: Conversation
    status: StatusBar
    chat: Any
    center: QStackedWidget
    welcome: Any
    models: list[Any]
    providers: list[ProviderStatus]
    model_in_use: str
    theme_manager: Any
    actions_by_id: dict[str, QAction]
    _dialogs: dict[str, QWidget]
    _pull_speed: dict[str, Any]
    builtin_where: str = ""
    """Where the built-in engine runs ("on the GPU (CUDA)", "on the CPU: why"), once known."""
    _builtin_downloads: BuiltinDownloads | None = None

    if TYPE_CHECKING:  # a signal of MainWindow

        @property
        def sig_cloud_key_added(self) -> Any: ...

    if TYPE_CHECKING:  # provided by SessionActions

        async def _guard(self, work: Any) -> None: ...
        async def reload_sessions(self) -> None: ...

    async def refresh_models(self) -> None:
        """Ask for the model list (status-bar residency, picker) and, when built-in models
        are among them, where the built-in engine runs."""
        try:
            self.models = await self.bridge.backend.list_models()
        except CodefaceError as error:
            log.info("model list unavailable: %s", error.one_line())
            return
        if any(model.provider == BUILTIN for model in self.models):
            await self._load_builtin_where()
        self._show_residency()

    async def _load_builtin_where(self) -> None:
        try:
            overview = await self.bridge.backend.builtin_overview()
        except CodefaceError as error:
            log.info("built-in engine overview unavailable: %s", error.one_line())
            return
        self.builtin_where = overview.where

    def _show_residency(self) -> None:
        """Status bar: GPU residency of the local model in use, or where the built-in
        engine runs when it answers."""
        wanted = self.model_in_use or self._session_model()
        provider = self.status.provider if self.model_in_use else ""
        matches = [m for m in self.models if m.name == wanted]
        model = next((m for m in matches if m.provider == provider), None) or next(
            iter(matches), None
        )
        if model is not None and not self.model_in_use:
            self.status.set_model(model.name, model.provider, model.tier)
        if (provider or (model.provider if model else "")) == BUILTIN:
            if self.builtin_where:
                self.status.set_where(self.builtin_where)
            else:
                self.status.set_residency(model.residency if model else None)
                self.bridge.spawn(self._where_after_load())
        elif model is not None:
            self.status.set_residency(model.residency if model.tier == "local" else None)
        else:
            self.status.set_residency(None)

    async def _where_after_load(self) -> None:
        await self._load_builtin_where()
        if self.builtin_where and self.status.provider == BUILTIN:
            self.status.set_where(self.builtin_where)

    def _session_model(self) -> str:
        """The model the next answer will most likely use (the engine decides for real)."""
        session = self.sessions.get(self.conversation.session_id or "")
        chosen = (session.model if session else None) or self.bridge.settings.general.model
        if chosen:
            return chosen
        local = [m for m in self.models if m.tier == "local"]
        loaded = [m for m in local if m.residency in ("gpu", "partial", "cpu")]
        return (loaded or local or [None])[0].name if (loaded or local) else ""

    # ------------------------------------------------------------------ welcome
    def show_welcome(self) -> None:
        """Put the first-run welcome screen in the centre."""
        if self.welcome is None:
            from codeface.ui.widgets.welcome import WelcomeScreen

            self.welcome = WelcomeScreen()
            downloads = self.builtin_downloads()
            self.welcome.sig_download_builtin.connect(downloads.start)
            self.welcome.sig_cancel_download.connect(downloads.cancel)
            downloads.sig_started.connect(self.welcome.on_download_started)
            downloads.sig_progress.connect(self.welcome.on_download_progress)
            downloads.sig_finished.connect(self.welcome.on_download_finished)
            self.welcome.sig_add_builtin.connect(self.add_builtin_model)
            self.welcome.sig_start_ollama.connect(self.start_ollama)
            self.welcome.sig_check_again.connect(self.check_providers)
            self.welcome.sig_pull.connect(self.pull_model)
            self.welcome.sig_cancel_pull.connect(self.bridge.cancel_pull)
            self.welcome.sig_add_key.connect(self.open_keys)
            self.center.addWidget(self.welcome)
            self.bridge.spawn(self._offer_builtin())
        self.center.setCurrentWidget(self.welcome)
        self.welcome.builtin_button.setFocus()

    async def _offer_builtin(self) -> None:
        """Tell the welcome screen what the built-in engine would download, and its size."""
        try:
            overview = await self.bridge.backend.builtin_overview()
        except CodefaceError as error:
            if self.welcome is not None:
                self.welcome.builtin_where.setText(error.one_line())
            return
        if self.welcome is not None:
            self.welcome.set_builtin_overview(overview)

    def builtin_downloads(self) -> BuiltinDownloads:
        """The window's built-in model downloads (shared by the welcome screen and the
        model manager; they go on when either closes)."""
        if self._builtin_downloads is None:
            from codeface.ui.dialogs.builtin_downloads import BuiltinDownloads

            self._builtin_downloads = BuiltinDownloads(self.bridge, self)
            self._builtin_downloads.sig_finished.connect(self.on_builtin_download_finished)
        return self._builtin_downloads

    def on_builtin_download_finished(self, name: str, error: CodefaceError | None) -> None:
        """A built-in model is ready: the backend has rebuilt its providers, so look again
        (which leaves the welcome screen) and refresh the model list and status bar."""
        if error is None:
            self.on_builtin_models_changed()

    def on_builtin_models_changed(self) -> None:
        """Built-in models were added, downloaded or removed."""
        self.builtin_where = ""
        self.bridge.spawn(self.refresh_models())
        self.check_providers()

    @bridge_task
    async def add_builtin_model(self, source: str) -> None:
        """Register a model already on this computer (from the welcome screen)."""
        try:
            await self.bridge.backend.add_builtin_model(source)
        except CodefaceError as error:
            if self.welcome is not None:
                self.welcome.on_add_failed(error.one_line())
            return
        self.on_builtin_models_changed()

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
        from PySide6.QtCore import QProcess

        QProcess.startDetached(binary, ["serve"])
        if self.welcome is not None:
            self.welcome.set_ollama_status("Starting Ollama…")
        for delay in (1000, 2500, 5000):
            QTimer.singleShot(delay, self.check_providers)

    @bridge_task
    async def check_providers(self) -> None:
        """Look for providers again; leave the welcome screen when one is usable."""
        had_key = any(p.tier == "cloud" and p.has_key for p in self.providers)
        try:
            self.providers = await self.bridge.backend.provider_status()
        except CodefaceError as error:
            self.providers = []
            log.info("provider check failed: %s", error.one_line())
        if not had_key and any(p.tier == "cloud" and p.has_key for p in self.providers):
            self.sig_cloud_key_added.emit()
        if not needs_welcome(self.providers):
            self.show_chat()
            self.bridge.spawn(self.refresh_models())
        else:
            self.show_ollama_findings()

    def show_ollama_findings(self) -> None:
        """Say on the welcome screen's Ollama card what the last look at each host found."""
        if self.welcome is None:
            return
        ollama = [p for p in self.providers if p.kind == "ollama"]
        detail = "; ".join(p.health.detail for p in ollama) or "No Ollama host configured."
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
                await self.bridge.backend.save_settings(settings)
            else:
                await self.bridge.backend.set_session_model(session_id, model or None, policy)  # type: ignore[arg-type]
                await self.reload_sessions()
            self.model_in_use = ""
            self.status.set_model(model or "Default model", "", None)
            self._show_residency()

        await self._guard(work())

    def open_model_manager(self) -> QWidget:
        """Every model; download, add or remove built-in ones; pull and delete Ollama's
        (Ctrl+Shift+M)."""
        from codeface.ui.dialogs.model_manager import ModelManagerDialog

        def make() -> QWidget:
            dialog = ModelManagerDialog(self.bridge, self, self.builtin_downloads())
            dialog.sig_pull.connect(self.pull_model)
            dialog.sig_cancel_pull.connect(self.bridge.cancel_pull)
            dialog.sig_models_changed.connect(self.on_builtin_models_changed)
            return dialog

        return self._open_dialog("model_manager", make)

    def open_settings(self, tab: str = "") -> QWidget:
        """Providers, keys, defaults, appearance, shortcuts (Ctrl+,)."""
        from codeface.ui.dialogs.settings_dialog import SettingsDialog

        def make() -> QWidget:
            dialog = SettingsDialog(self.bridge, self.theme_manager, self)
            dialog.sig_saved.connect(self.on_settings_saved)
            dialog.sig_keys_changed.connect(self.check_providers)
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
        from codeface.ui.window_actions import apply_shortcuts

        apply_shortcuts(self.actions_by_id, shortcuts if isinstance(shortcuts, dict) else {})
        if hasattr(self.chat, "set_enter_sends"):
            self.chat.set_enter_sends(settings.ui.enter_sends)
        self.apply_theme_setting(settings.ui.theme)
        terminal = getattr(getattr(self, "docks", None), "terminal", None)
        if terminal is not None:
            terminal.set_history_sharing(settings.terminal.share_history_with_chat)
        self.check_providers()

    def apply_theme_setting(self, setting: str) -> None:
        """Apply a ``ui.theme`` value ("system" or a theme id)."""
        app = QApplication.instance()
        if self.theme_manager is None or not isinstance(app, QApplication):
            return
        theme = self.theme_manager.resolve(setting)
        if self.theme_manager.current is None or theme.id != self.theme_manager.current.id:
            self.theme_manager.apply(app, theme)

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
