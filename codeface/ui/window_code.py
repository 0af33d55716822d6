"""The Code dock and the window's project actions: File ▸ Open Project…, Open Recent,
quick open (Ctrl+P), search in the project, and opening a file at a line.

`install_code_panel` puts a `CodePanel` in the Code dock once the docks exist (after the
first paint); the panel follows ``sig_project_changed``. `ProjectActions` is a mixin of
`MainWindow`; like the other mixins it reaches the engine only through ``self.bridge``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QMainWindow, QWidget

from codeface.ui.bridge import bridge_task

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMenu

    from codeface.application.contract import ProjectView
    from codeface.ui.bridge import Bridge
    from codeface.ui.code.code_view import CodeView
    from codeface.ui.code.panel import CodePanel
    from codeface.ui.widgets.docks import DockArea
    from codeface.ui.widgets.status_bar import StatusBar

    _WindowBase = QMainWindow
else:
    _WindowBase = object

log = logging.getLogger("codeface.ui.window")


def choose_folder(parent: QWidget, start: str = "") -> str:
    """Ask for a project folder, starting in ``start`` ("" if the user cancels)."""
    from PySide6.QtWidgets import QFileDialog

    return QFileDialog.getExistingDirectory(parent, "Open Project", start)


def install_code_panel(window: Any, docks: DockArea) -> None:
    """Give the Code dock its panel's builder: the panel (and its modules) is built the
    first time the dock is shown or ``window.code_panel`` is asked for."""
    docks.set_builder("code", lambda: build_code_panel(window))


def build_code_panel(window: Any) -> CodePanel:
    """The Code dock's panel for ``window``, wired to its project, theme and settings."""
    from codeface.ui.code.panel import CodePanel, code_font

    manager = getattr(window, "theme_manager", None)
    theme = getattr(manager, "current", None)
    panel = CodePanel(window.bridge, theme, code_font(), overlay_host=window)

    def use_settings_font() -> None:  # the settings come with the engine, after the docks
        if window.bridge.attached:
            panel.set_code_font(code_font(window.bridge.settings.ui.code_font_family))

    use_settings_font()
    window.sig_ready.connect(use_settings_font)
    window._code_panel = panel
    panel.sig_open_project.connect(window.open_project_dialog)
    window.sig_project_changed.connect(panel.set_project)
    if manager is not None:
        manager.sig_theme_changed.connect(panel.set_theme)
    if window.project is not None:
        panel.set_project(window.project)
    return panel


class ProjectActions(_WindowBase):
    """Opening projects and files."""

    bridge: Bridge
    project: ProjectView | None
    status: StatusBar
    docks: DockArea | None
    _code_panel: CodePanel | None = None
    recent_menu: QMenu | None = None
    recent: tuple[ProjectView, ...] = ()
    choose_project_folder: Callable[[QWidget, str], str] = staticmethod(choose_folder)
    """Asks for a folder (a seam: tests put a function here)."""

    if TYPE_CHECKING:  # provided by MainWindow

        async def open_project(self, folder: str) -> bool: ...
        def _install_docks(self) -> DockArea: ...

    @property
    def code_panel(self) -> CodePanel | None:
        """The Code dock's panel, built now if it was not yet (None before the docks)."""
        if self._code_panel is None and self.docks is not None:
            self.docks.panel("code")
        return self._code_panel

    def open_project_dialog(self) -> None:
        """File ▸ Open Project… (Ctrl+O): pick a folder and make it the project."""
        start = self.project.root if self.project is not None else ""
        folder = self.choose_project_folder(self, start)
        if folder:
            self.open_folder(folder)

    @bridge_task
    async def open_folder(self, folder: str) -> None:
        """Make ``folder`` the project and show the Code panel."""
        if await self.open_project(folder):
            self._show_code_dock()
            await self.refresh_recent_projects()

    async def refresh_recent_projects(self) -> None:
        """Fill File ▸ Open Recent from the backend's list."""
        from codeface.core.errors import CodefaceError

        try:
            self.recent = tuple(await self.bridge.backend.recent_projects())
        except CodefaceError as error:
            log.warning("recent projects not listed: %s", error.one_line())
            return
        self._fill_recent_menu()

    def _fill_recent_menu(self) -> None:
        menu = self.recent_menu
        if menu is None:
            return
        menu.clear()
        if not self.recent:
            menu.addAction("No recent projects").setEnabled(False)
            return
        for number, project in enumerate(self.recent, 1):
            label = f"&{number} {project.name}" if number < 10 else project.name
            action = menu.addAction(f"{label}    {project.root}")
            action.setToolTip(project.root)
            action.triggered.connect(
                lambda _checked=False, root=project.root: self.open_folder(root)
            )

    def _show_code_dock(self) -> None:
        docks = self._install_docks()
        docks.panel("code")  # built before the dock shows it
        dock = docks.docks["code"]
        dock.show()
        dock.raise_()

    def quick_open(self) -> None:
        """Ctrl+P: open a file of the project by name."""
        self._show_code_dock()
        if self.code_panel is not None:
            self.code_panel.quick_open()

    def find_in_project(self) -> None:
        """Search the project's files."""
        self._show_code_dock()
        if self.code_panel is not None:
            if self.project is None:
                self.open_project_dialog()
                return
            self.code_panel.focus_search()

    def open_file(self, path: str, line: int | None = None) -> CodeView | None:
        """Show a file of the project in the Code panel (at ``line`` when given)."""
        self._show_code_dock()
        if self.code_panel is None:
            return None
        return self.code_panel.open_file(path, line)

    def may_close(self) -> bool:
        """False if the user keeps unsaved code edits open rather than closing."""
        panel = self._code_panel  # a panel never built has nothing unsaved
        if panel is None or not panel.unsaved():
            return True
        names = [view.path for view in panel.unsaved()]
        return panel.tabs.confirm_discard(self, names)
