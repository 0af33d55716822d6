"""The right dock area: "Code", "Agents" and "Terminal" panels, each with an empty state.

A dock's panel can be given as a builder (`set_builder`): it is built the first time the
dock is shown or the panel is asked for (`panel`), so the idle window never pays for a
panel nobody opened (the Code panel: ~3 MB of widgets and modules). The Terminal dock
builds its `TerminalPanel` the first time it is shown, so starting the window never pays
for a pty. The panel works
in the window's project (and follows it) and starts its terminals through the terminal
service of the application layer (`terminal_service`), never by itself.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QMainWindow, QWidget

from codeface.ui.widgets.empty_state import EmptyState

log = logging.getLogger("codeface.ui.docks")

DOCKS: tuple[tuple[str, str, str, str], ...] = (
    ("code", "Code", "No code yet", "Code blocks you open from the chat appear here."),
    (
        "agents",
        "Agents",
        "No agents running",
        "When agents work on a task, their progress shows here.",
    ),
    ("terminal", "Terminal", "Terminal", "A shell opens here the first time you show this panel."),
)


class DockArea:
    """Creates the docks on a main window and builds the terminal lazily."""

    def __init__(
        self, window: QMainWindow, terminal_options: Callable[[], dict[str, Any]] | None = None
    ) -> None:
        self.window = window
        self.terminal_options = terminal_options or dict
        self.docks: dict[str, QDockWidget] = {}
        self.terminal: QWidget | None = None
        self.terminal_error: str | None = None
        self.terminals: Any = None
        self._waiting_for_backend = False
        self._builders: dict[str, Callable[[], QWidget]] = {}
        self.panels: dict[str, QWidget] = {}
        """The panels built so far, by dock key."""
        """The terminal service the panel uses (see `terminal_service`); set before the
        panel is built to give it another one (tests: a throw-away tmux server)."""
        previous: QDockWidget | None = None
        for key, title, empty_title, empty_text in DOCKS:
            dock = QDockWidget(title, window)
            dock.setObjectName(f"dock_{key}")
            dock.setAccessibleName(f"{title} panel")
            dock.setAllowedAreas(
                Qt.DockWidgetArea.RightDockWidgetArea
                | Qt.DockWidgetArea.LeftDockWidgetArea
                | Qt.DockWidgetArea.BottomDockWidgetArea
            )
            dock.setWidget(EmptyState(empty_title, empty_text))
            window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
            if previous is not None:
                window.tabifyDockWidget(previous, dock)
            previous = dock
            dock.hide()
            self.docks[key] = dock
        self.docks["terminal"].visibilityChanged.connect(self._on_terminal_visible)

    def set_panel(self, key: str, panel: QWidget) -> None:
        """Put a panel in a dock in place of its empty state."""
        self.panels[key] = panel
        self.docks[key].setWidget(panel)

    def set_builder(self, key: str, build: Callable[[], QWidget]) -> None:
        """Build the panel of dock ``key`` with ``build`` the first time the dock is shown
        or `panel` asks for it (at once if the dock is on screen already)."""
        self._builders[key] = build
        dock = self.docks[key]
        dock.visibilityChanged.connect(lambda visible: self._on_visible(key, visible))
        if dock.isVisible():
            self.panel(key)

    def panel(self, key: str) -> QWidget | None:
        """The panel of dock ``key``, built now if it has a builder and was not built yet."""
        build = self._builders.pop(key, None)
        if build is not None:
            self.set_panel(key, build())
        return self.panels.get(key)

    def _on_visible(self, key: str, visible: bool) -> None:
        if visible and key in self._builders:
            self.panel(key)

    def toggle(self, key: str) -> None:
        """Show and raise a dock, or hide it if it is already in front."""
        dock = self.docks[key]
        if dock.isVisible() and not dock.visibleRegion().isEmpty():
            dock.hide()
        else:
            dock.show()
            dock.raise_()

    def _on_terminal_visible(self, visible: bool) -> None:
        if visible and self.terminal is None and self.terminal_error is None:
            self.ensure_terminal()

    def _on_backend_attached(self) -> None:
        if self.docks["terminal"].isVisible():
            self.ensure_terminal()

    def ensure_terminal(self) -> QWidget | None:
        """Build the terminal panel now (None, with an explanation shown, if it cannot run)."""
        if self.terminal is not None:
            return self.terminal
        if self.terminals is None:
            self.terminals = terminal_service(self.window)
        if self.terminals is None:  # the engine is still starting: build once it is there
            bridge = getattr(self.window, "bridge", None)
            if bridge is not None and not self._waiting_for_backend:
                self._waiting_for_backend = True
                bridge.sig_attached.connect(self._on_backend_attached)
            return None
        try:
            module = importlib.import_module("codeface.ui.widgets.terminal_panel")
            options = {"project_dir": self._project_folder(), **self.terminal_options()}
            self.terminal = module.TerminalPanel(terminals=self.terminals, **options)
        except (ImportError, OSError) as error:
            self.terminal_error = str(error)
            log.warning("terminal unavailable: %s", error)
            self.docks["terminal"].setWidget(
                EmptyState(
                    "Terminal unavailable", f"The embedded terminal cannot start here: {error}"
                )
            )
            return None
        self.docks["terminal"].setWidget(self.terminal)
        restore = getattr(self.terminal, "restore", None)
        if callable(restore):
            restore()
        changed = getattr(self.window, "sig_project_changed", None)
        if changed is not None:
            changed.connect(self._on_project_changed)
        return self.terminal

    def _project_folder(self) -> str | None:
        """The window's project folder, or the one it is about to open (None: home)."""
        project = getattr(self.window, "project", None)
        if project is not None:
            return str(project.root)
        initial = getattr(self.window, "initial_project", None)
        return str(initial) if initial else None

    def _on_project_changed(self, project: Any) -> None:
        set_project = getattr(self.terminal, "set_project", None)
        if project is not None and callable(set_project):
            set_project(project.root)

    def shutdown(self) -> None:
        """Save the terminal's tabs and hang up its shells (tmux sessions keep running)."""
        shutdown = getattr(self.terminal, "shutdown", None)
        if callable(shutdown):
            shutdown()
        close_all = getattr(self.terminals, "close_all", None)
        if callable(close_all):
            close_all()


def terminal_service(window: Any) -> Any:
    """The terminal calls of the window's backend (None until the backend is attached)."""
    bridge = getattr(window, "bridge", None)
    if bridge is None or not bridge.attached:
        return None
    return bridge.backend
