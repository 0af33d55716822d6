"""The project's file tree: folders load when opened, each entry shows its git status.

A folder's entries come from ``backend.list_dir`` (ignored entries included and greyed,
as ``.gitignore`` says) the first time the folder is opened, and are added a slice at a
time. The model is a `QStandardItemModel` on purpose: `QTreeView` lays out every
expanded row again whenever rows are added, and a model written in Python answers each
of those calls in Python (120 ms for 20,000 rows); this one answers in C++ (5 ms).
An unopened folder holds one "Loading…" row, so it shows an arrow without being listed.

Column 1 holds the git status letter (M modified, U new/untracked, D deleted, R renamed,
C conflict); the name is coloured to match. `refresh` lists again the loaded folders that
changed on disk, keeping what is expanded and selected. Enter or a double click on a file
emits `sig_open_file`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QHelpEvent, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHeaderView,
    QStyle,
    QToolTip,
    QTreeView,
    QWidget,
)

from codeface.core.errors import CodefaceError

if TYPE_CHECKING:
    from codeface.application.contract import FileEntryView

log = logging.getLogger(__name__)

INSERT_SLICE = 400
"""Rows added per turn of the event loop while a folder fills."""
ROLE_PATH = 0x0100  # Qt.ItemDataRole.UserRole
ROLE_IS_DIR = ROLE_PATH + 1
ROLE_STATUS = ROLE_PATH + 2
STATUS_LETTERS = {
    "modified": "M",
    "new": "U",
    "deleted": "D",
    "renamed": "R",
    "conflict": "C",
}
STATUS_WORDS = {"new": "new (untracked)"}
LOADING = "Loading…"
FLAGS_ROLE = 0x0100 - 1
"""Where a `QStandardItem` keeps its flags (Qt.ItemDataRole.UserRole - 1)."""
Lister = Callable[[str], Awaitable[list["FileEntryView"]]]
Spawn = Callable[[Any], "asyncio.Task[Any]"]


def status_of(entry: FileEntryView) -> str | None:
    """The status the tree shows: ``ignored`` first, else git's."""
    return "ignored" if entry.ignored else entry.git_status


class FileTreeModel(QStandardItemModel):
    """The project's folders, listed through ``lister`` as they are opened.

    Rows are made and filled through model indexes only, so no Python wrapper of a
    `QStandardItem` exists: PySide cannot tell when Qt deletes one (it is no QObject), and a
    stale wrapper could later be handed out for another object at the same address."""

    sig_folder_loaded = Signal(str)
    """(path): a folder's entries are all in the model ("" is the top folder)."""
    sig_problem = Signal(str)
    """(text): a folder could not be listed."""

    def __init__(self, lister: Lister, spawn: Spawn, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._lister = lister
        self._spawn = spawn
        self.setColumnCount(2)
        self.colors: dict[str, QColor] = {
            "modified": QColor("#9a6700"),
            "new": QColor("#1a7f37"),
            "deleted": QColor("#cf222e"),
            "conflict": QColor("#cf222e"),
            "renamed": QColor("#0969da"),
            "ignored": QColor("#8c959f"),
        }
        self.loaded: dict[str, QPersistentModelIndex] = {}
        """Folders whose entries are in the model, by path ("" the top folder)."""
        self._loading: set[str] = set()
        self._generation = 0
        self._one_at_a_time = asyncio.Lock()
        style = QApplication.style()
        self._folder_icon = style.standardIcon(QStyle.StandardPixmap.SP_DirIcon)
        self._file_icon = style.standardIcon(QStyle.StandardPixmap.SP_FileIcon)

    # ------------------------------------------------------------------ rows
    def _fill(self, index: QModelIndex, entry: FileEntryView) -> None:
        self.setItemData(
            index,
            {
                Qt.ItemDataRole.DisplayRole: entry.name,
                Qt.ItemDataRole.DecorationRole: (
                    self._folder_icon if entry.is_dir else self._file_icon
                ),
                ROLE_PATH: entry.path,
                ROLE_IS_DIR: entry.is_dir,
            },
        )
        if entry.is_dir:  # one "Loading…" row: an arrow before the folder is listed
            self.insertRows(0, 1, index)
            self.insertColumns(0, 1, index)  # rows alone give a folder no cells
            placeholder = self.index(0, 0, index)
            self.setData(placeholder, LOADING)
            self.setData(placeholder, Qt.ItemFlag.NoItemFlags.value, FLAGS_ROLE)
        self._set_status(index, status_of(entry))

    def _set_status(self, index: QModelIndex, status: str | None) -> None:
        if index.data(ROLE_STATUS) == status:
            return
        color = self.colors.get(status or "")
        brush = QBrush(color) if color is not None else None
        name = index.data()
        kind = "folder" if index.data(ROLE_IS_DIR) else "file"
        said = STATUS_WORDS.get(status or "", status)
        self.setData(index, status, ROLE_STATUS)
        self.setData(index, brush, Qt.ItemDataRole.ForegroundRole)
        self.setData(
            index,
            f"{name}, {kind}" + (f", {said}" if said else ""),
            Qt.ItemDataRole.AccessibleTextRole,
        )
        letter = STATUS_LETTERS.get(status or "", "")
        parent = index.parent()
        if letter or self.columnCount(parent) > 1:
            if self.columnCount(parent) < 2:
                self.insertColumns(1, 1, parent)
            cell = index.siblingAtColumn(1)
            self.setData(cell, letter)
            self.setData(cell, brush, Qt.ItemDataRole.ForegroundRole)

    def folder_index(self, path: str) -> QModelIndex:
        """The index of a loaded folder (invalid for the top folder)."""
        found = self.loaded.get(path)
        if found is None or not found.isValid():
            return QModelIndex()
        return found.sibling(found.row(), 0)

    def find(self, path: str) -> QModelIndex | None:
        """The index of ``path`` if its folder is loaded."""
        folder_path = path.rpartition("/")[0]
        if folder_path not in self.loaded:
            return None
        parent = self.folder_index(folder_path)
        for row in range(self.rowCount(parent)):
            index = self.index(row, 0, parent)
            if index.data(ROLE_PATH) == path:
                return index
        return None

    def recolor(self) -> None:
        """Apply `colors` again to every loaded entry with a status."""
        for path in list(self.loaded):
            parent = self.folder_index(path)
            for row in range(self.rowCount(parent)):
                index = self.index(row, 0, parent)
                status = index.data(ROLE_STATUS)
                if status:
                    self.setData(index, None, ROLE_STATUS)
                    self._set_status(index, status)

    # ------------------------------------------------------------------ loading
    def reset(self) -> None:
        """Forget everything (a new project)."""
        self._generation += 1
        self.loaded.clear()
        self._loading.clear()
        self.removeRows(0, self.rowCount())

    def load(self, path: str) -> None:
        """List a folder ("" the top folder) unless it is loaded or being listed."""
        if path not in self.loaded and path not in self._loading:
            self._loading.add(path)
            self._spawn(self._load(path, self._generation))

    async def _load(self, path: str, generation: int) -> None:
        # One folder at a time, listing then filling: a listing thread busy in Python while
        # the GUI thread adds rows would make every Qt call wait for the GIL.
        async with self._one_at_a_time:
            await self._load_now(path, generation)

    async def _load_now(self, path: str, generation: int) -> None:
        if generation != self._generation:
            return
        try:
            entries = await self._lister(path)
        except CodefaceError as error:
            self._loading.discard(path)
            self.sig_problem.emit(error.one_line())
            return
        if generation != self._generation:
            return
        found = self.find(path) if path else QModelIndex()
        if found is None:  # gone meanwhile
            self._loading.discard(path)
            return
        folder = QPersistentModelIndex(found)
        if path:
            self.removeRows(0, self.rowCount(found), found)  # the "Loading…" row
        for start in range(0, len(entries), INSERT_SLICE):
            if start:
                await asyncio.sleep(0)  # let the window paint and take input between slices
                if generation != self._generation or not (folder.isValid() or not path):
                    return
            parent = folder.sibling(folder.row(), 0) if path else QModelIndex()
            self._append(parent, entries[start : start + INSERT_SLICE])
        self.loaded[path] = folder
        self._loading.discard(path)
        self.sig_folder_loaded.emit(path)

    def _append(self, parent: QModelIndex, entries: list[FileEntryView]) -> None:
        first = self.rowCount(parent)
        self.insertRows(first, len(entries), parent)
        for offset, entry in enumerate(entries):
            self._fill(self.index(first + offset, 0, parent), entry)

    async def reload(self, path: str) -> None:
        """List a loaded folder again and apply the differences."""
        generation = self._generation
        async with self._one_at_a_time:
            try:
                entries = await self._lister(path)
            except CodefaceError as error:  # gone: its parent's listing drops it
                log.debug("folder not listed again: %s", error.one_line())
                return
            if generation == self._generation and path in self.loaded:
                self._merge(self.folder_index(path), entries)

    def _merge(self, parent: QModelIndex, entries: list[FileEntryView]) -> None:
        """Make ``parent``'s rows match ``entries`` (both sorted the same way)."""
        fresh = {entry.path: entry for entry in entries}

        def path_at(row: int) -> str:
            return str(self.index(row, 0, parent).data(ROLE_PATH))

        row = self.rowCount(parent) - 1
        while row >= 0:  # remove what is gone, a run of rows at a time
            end = row
            while row >= 0 and path_at(row) not in fresh:
                row -= 1
            if row < end:
                for gone in range(row + 1, end + 1):
                    self._forget_below(path_at(gone))
                self.removeRows(row + 1, end - row, parent)
            row -= 1
        present = set()
        for number in range(self.rowCount(parent)):
            index = self.index(number, 0, parent)
            present.add(path_at(number))
            status = status_of(fresh[path_at(number)])
            if index.data(ROLE_STATUS) != status:
                self._set_status(index, status)
        for row, entry in enumerate(entries):
            if entry.path not in present:
                self.insertRows(row, 1, parent)
                self._fill(self.index(row, 0, parent), entry)

    def _forget_below(self, path: str) -> None:
        for loaded in [p for p in self.loaded if p == path or p.startswith(path + "/")]:
            del self.loaded[loaded]


class FileTree(QTreeView):
    """The tree view of a project's files."""

    sig_open_file = Signal(str)
    """(path): the user opened a file (Enter or double click)."""

    def __init__(self, lister: Lister, spawn: Spawn, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("fileTree")
        self.setAccessibleName("Project files")
        self.tree_model = FileTreeModel(lister, spawn, self)
        self.setModel(self.tree_model)
        self.setHeaderHidden(True)
        self.setUniformRowHeights(True)
        self.setAnimated(False)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        header = self.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(1, 22)
        self.activated.connect(self._on_activated)
        self.expanded.connect(self._on_expanded)

    def _path(self, index: QModelIndex) -> tuple[str, bool]:
        name = index.siblingAtColumn(0)
        return name.data(ROLE_PATH) or "", bool(name.data(ROLE_IS_DIR))

    def _on_expanded(self, index: QModelIndex) -> None:
        path, is_dir = self._path(index)
        if is_dir:
            self.tree_model.load(path)

    def _on_activated(self, index: QModelIndex) -> None:
        path, is_dir = self._path(index)
        if not path:
            return
        if is_dir:
            name = index.siblingAtColumn(0)
            self.setExpanded(name, not self.isExpanded(name))
        else:
            self.sig_open_file.emit(path)

    def viewportEvent(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            index = self.indexAt(event.pos())
            path, _is_dir = self._path(index)
            if path:
                status = index.siblingAtColumn(0).data(ROLE_STATUS)
                said = STATUS_WORDS.get(status or "", status)
                QToolTip.showText(event.globalPos(), f"{path} — {said}" if said else path, self)
                return True
        return super().viewportEvent(event)

    def show_project(self) -> None:
        """Start over with the project's top folder."""
        self.tree_model.reset()
        self.tree_model.load("")

    def set_colors(self, colors: dict[str, str]) -> None:
        """Colours of the git statuses (keys as in `FileTreeModel.colors`)."""
        for key, value in colors.items():
            self.tree_model.colors[key] = QColor(value)
        self.tree_model.recolor()

    def refresh(self, paths: tuple[str, ...], spawn: Spawn) -> None:
        """Files changed on disk: list again the loaded folders they are in (all loaded
        folders when ``paths`` is empty), keeping what is expanded."""
        model = self.tree_model
        folders = list(model.loaded)
        if paths:
            touched = {""}
            for path in paths:
                parts = path.split("/")
                touched.update("/".join(parts[:end]) for end in range(1, len(parts)))
            folders = [folder for folder in folders if folder in touched]
        for folder in folders:
            spawn(model.reload(folder))

    def select_path(self, path: str) -> bool:
        """Select an entry whose folder is loaded (True if it was found)."""
        index = self.tree_model.find(path)
        if index is None:
            return False
        self.setCurrentIndex(index)
        self.scrollTo(index)
        return True
