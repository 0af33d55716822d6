"""The Code dock: the open project's file tree and search on the left, its files in tabs
on the right; "Open Project…" when no project is open.

The panel follows the window's project (`set_project`): the tree starts over, a task
consumes ``backend.watch_project`` for it (cancelled when the project changes or the
window closes) and tells the tree, the tabs and quick open what changed on disk. Like the
terminal, a panel that was never on screen does no work: the tree is listed and the disk
followed from the first time it is shown (`sig_files_changed` fires from then on). Other
parts open files with `open_file(path, line)` (agent tool cards, search hits), which
shows the panel.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFont, QFontDatabase, QShowEvent
from PySide6.QtWidgets import QSplitter, QStackedWidget, QTabWidget, QVBoxLayout, QWidget

from codeface.core.errors import CodefaceError
from codeface.ui.code.highlighter import lexer_thread
from codeface.ui.code.lexing import prepare as prepare_lexing
from codeface.ui.code.tabs import CodeTabs
from codeface.ui.widgets.empty_state import EmptyState
from codeface.ui.widgets.file_tree import FileTree
from codeface.ui.widgets.project_search import ProjectSearch
from codeface.ui.widgets.quick_open import QuickOpen

if TYPE_CHECKING:
    from codeface.application.contract import FileEntryView, ProjectSearchHit, ProjectView
    from codeface.ui.bridge import Bridge
    from codeface.ui.code.code_view import CodeView
    from codeface.ui.theme import Theme

log = logging.getLogger(__name__)


def code_font(family: str = "", point_size: int = 0) -> QFont:
    """The monospace font of code views (``family`` if set, else the system's)."""
    font = QFont(family) if family else QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    font.setStyleHint(QFont.StyleHint.Monospace)
    if point_size > 0:
        font.setPointSize(point_size)
    return font


def _import_watcher() -> None:
    """Import the backend's file watcher in a worker thread (~90 ms the first time, which
    the backend would otherwise spend on the GUI thread), as launch prewarms the SDKs."""
    try:
        importlib.import_module("watchfiles")
    except ImportError:
        log.debug("watchfiles is not installed: the backend will say so")


def default_theme() -> Theme:
    """The light theme's defaults (when the window has no theme manager, as in tests)."""
    from codeface.ui.theme import Theme

    return Theme(id="light", name="Light")


class CodePanel(QWidget):
    """File tree, project search, quick open and code tabs of the open project."""

    sig_open_project = Signal()
    """The user asked to open a project (the empty state's button)."""
    sig_files_changed = Signal(object)
    """FilesChanged: files of the open project changed on disk (after the panel followed)."""

    def __init__(
        self,
        bridge: Bridge,
        theme: Theme | None = None,
        font: QFont | None = None,
        overlay_host: QWidget | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("codePanel")
        self.bridge = bridge
        self.project: ProjectView | None = None
        self.theme = theme or default_theme()
        self._watch: asyncio.Task[None] | None = None
        self._files_task: asyncio.Task[None] | None = None
        self.files_stale = True
        self._prewarmed = False
        self._shown = False
        self._top_listed = asyncio.Event()

        self.empty = EmptyState(
            "No project open",
            "Open a folder to browse its files, search it and read its code.",
            [("Open Project…", self.sig_open_project.emit)],
        )
        self.tree = FileTree(self._list_dir, bridge.spawn)
        self.search = ProjectSearch(self._search, bridge.spawn)
        self.side = QTabWidget()
        self.side.setObjectName("codeSide")
        self.side.setDocumentMode(True)
        self.side.addTab(self.tree, "Files")
        self.side.addTab(self.search, "Search")
        self.tabs = CodeTabs(bridge, self.theme, font or code_font())
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("codeSplitter")
        self.splitter.addWidget(self.side)
        self.splitter.addWidget(self.tabs)
        self.splitter.setStretchFactor(1, 1)
        for part in (self.side, self.tabs):
            part.setMinimumWidth(50)  # the dock may be narrow: the panel must not widen it
        self.splitter.setSizes([220, 480])
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.splitter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)
        self.quick_open_box = QuickOpen(bridge.spawn, overlay_host or self)

        self.tree.sig_open_file.connect(lambda path: self.open_file(path))
        self.tree.tree_model.sig_problem.connect(self._on_problem)
        self.tree.tree_model.sig_folder_loaded.connect(self._on_folder_loaded)
        self.search.sig_open_file.connect(self.open_file)
        self.quick_open_box.sig_open_file.connect(self.open_file)
        self.set_theme(self.theme)

    # ------------------------------------------------------------------ project
    def set_project(self, project: ProjectView | None) -> None:
        """Follow the window's project (None: no project)."""
        if project is not None and self.project is not None and project.key == self.project.key:
            return
        old = self.project
        self.project = project
        self._stop_watching()
        if old is not None:
            self.tabs.close_project(old.key)
        self.search.clear()
        self.quick_open_box.set_files(None)
        self.files_stale = True
        if project is None:
            self.tree.tree_model.reset()
            self.stack.setCurrentWidget(self.empty)
            return
        self.stack.setCurrentWidget(self.splitter)
        self._top_listed = asyncio.Event()
        self.tree.tree_model.reset()
        if self._shown:
            self._start(project)

    def _start(self, project: ProjectView) -> None:
        """List the top folder and follow the disk (the panel is or was on screen)."""
        self.tree.show_project()
        self._watch = self.bridge.spawn(self._follow_disk(project))

    def _on_folder_loaded(self, path: str) -> None:
        if not path:
            self._top_listed.set()
            if self.isVisible():
                self.prewarm()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._shown:
            self._shown = True
            if self.project is not None:
                self._start(self.project)
        if self._top_listed.is_set():
            self.prewarm()

    def prewarm(self) -> None:
        """Load pygments' tables and the theme's style in the lexer thread, once: the user
        is looking at the project's files and is about to open one (~4 MB, ~50 ms)."""
        if not self._prewarmed:
            self._prewarmed = True
            lexer_thread().submit(prepare_lexing, "", self.theme.pygments_style)

    async def _list_dir(self, path: str) -> list[FileEntryView]:
        if self.project is None:
            return []
        return await self.bridge.backend.list_dir(self.project.key, path)

    async def _search(self, pattern: str) -> list[ProjectSearchHit]:
        if self.project is None:
            return []
        return await self.bridge.backend.search_project(self.project.key, pattern)

    def _on_problem(self, text: str) -> None:
        log.warning("file tree: %s", text)
        self.tree.setToolTip(text)
        self._top_listed.set()

    # ------------------------------------------------------------------ disk changes
    async def _follow_disk(self, project: ProjectView) -> None:
        # The tree paints first: starting to watch a big folder takes a while.
        await self._top_listed.wait()
        await asyncio.to_thread(_import_watcher)
        changes = self.bridge.backend.watch_project(project.key)
        try:
            async for change in changes:
                if self.project is None or change.project != project.key:
                    continue
                self.tree.refresh(change.paths, self.bridge.spawn)
                self.tabs.files_changed(project.key, change.paths)
                self.files_stale = True
                if self.quick_open_box.isVisible():
                    self._list_files()
                self.sig_files_changed.emit(change)
        except (CodefaceError, OSError) as error:
            log.warning("not following changes on disk in %s: %s", project.root, error)
        finally:
            close = getattr(changes, "aclose", None)
            if close is not None:
                await close()

    def _stop_watching(self) -> None:
        if self._watch is not None:
            self._watch.cancel()
            self._watch = None

    @property
    def watching(self) -> bool:
        """Whether changes on disk of the open project are being followed."""
        return self._watch is not None and not self._watch.done()

    # ------------------------------------------------------------------ opening files
    def open_file(self, path: str, line: int | None = None) -> CodeView | None:
        """Show a file of the open project (at ``line``, 1-based, when given)."""
        if self.project is None:
            return None
        view = self.tabs.open_file(self.project.key, path, line or None)
        if not self.tree.select_path(path):
            QTimer.singleShot(0, lambda: self.tree.select_path(path))
        return view

    def quick_open(self) -> None:
        """Show the quick-open box (Ctrl+P)."""
        if self.project is None:
            self.sig_open_project.emit()
            return
        if self.files_stale:
            self._list_files()
        self.quick_open_box.popup()

    def _list_files(self) -> None:
        if self.project is None or (self._files_task is not None and not self._files_task.done()):
            return
        self.files_stale = False
        self._files_task = self.bridge.spawn(self._fetch_files(self.project))

    async def _fetch_files(self, project: ProjectView) -> None:
        try:
            files = await self.bridge.backend.list_files(project.key)
        except CodefaceError as error:
            self.files_stale = True
            self.quick_open_box.status.setText(error.one_line())
            return
        if self.project is project:
            self.quick_open_box.set_files(files)

    def focus_search(self) -> None:
        """Show the Search tab with the caret in its box."""
        self.side.setCurrentWidget(self.search)
        self.search.focus_box()

    def unsaved(self) -> list[CodeView]:
        """Code views with edits not saved yet."""
        return self.tabs.unsaved()

    # ------------------------------------------------------------------ appearance, end
    def set_theme(self, theme: Theme) -> None:
        """Colours of the tree's statuses and of every code view."""
        self.theme = theme
        colors = theme.chat
        self.tree.set_colors(
            {
                "modified": colors.warning,
                "new": colors.success,
                "deleted": colors.error,
                "conflict": colors.error,
                "renamed": colors.info,
                "ignored": theme.muted,
            }
        )
        self.tabs.set_theme(theme)

    def set_code_font(self, font: QFont) -> None:
        """The font of code views (open ones change too)."""
        self.tabs.set_code_font(font)

    def shutdown(self) -> None:
        """Stop following the disk and lexing (the window closes)."""
        self._stop_watching()
        self.tabs.shutdown()
