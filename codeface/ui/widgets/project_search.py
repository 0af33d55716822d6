"""Search in the project: a regular expression, the matching lines grouped by file.

Enter in the box searches (``backend.search_project``, ripgrep when installed); the hits
are listed under their file; Enter or a double click on a hit opens the file at that line.
A bad pattern, or a search that fails, is said in one line under the box.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QLineEdit, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from codeface.core.errors import CodefaceError

if TYPE_CHECKING:
    from codeface.application.contract import ProjectSearchHit
    from codeface.ui.widgets.file_tree import Spawn

Searcher = Callable[[str], Awaitable[list["ProjectSearchHit"]]]
ROLE_PATH = 0x0100  # Qt.ItemDataRole.UserRole
ROLE_LINE = ROLE_PATH + 1
SHOWN_CHARS = 200


class ProjectSearch(QWidget):
    """The search box and its hits."""

    sig_open_file = Signal(str, int)
    """(path, line): the user opened a hit."""
    sig_searched = Signal(str, int)
    """(pattern, hit count): a search finished (also when it failed: count -1)."""

    def __init__(self, searcher: Searcher, spawn: Spawn, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("projectSearch")
        self._searcher = searcher
        self._spawn = spawn
        self._generation = 0
        self.box = QLineEdit()
        self.box.setPlaceholderText("Search in the project (regular expression)")
        self.box.setAccessibleName("Search in the project")
        self.box.setClearButtonEnabled(True)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.results = QTreeWidget()
        self.results.setHeaderHidden(True)
        self.results.setAccessibleName("Search results")
        self.results.setUniformRowHeights(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.box)
        layout.addWidget(self.status)
        layout.addWidget(self.results, 1)
        self.box.returnPressed.connect(self.search)
        self.results.itemActivated.connect(self._on_item)
        self.setFocusProxy(self.box)

    def focus_box(self) -> None:
        """Put the caret in the search box, its text selected."""
        self.box.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.box.selectAll()

    def clear(self) -> None:
        """Forget the hits (a new project)."""
        self._generation += 1
        self.results.clear()
        self.status.setText("")

    def search(self) -> None:
        """Search for the box's pattern."""
        pattern = self.box.text()
        if not pattern.strip():
            return
        self._generation += 1
        self.status.setText("Searching…")
        self._spawn(self._search(pattern, self._generation))

    async def _search(self, pattern: str, generation: int) -> None:
        try:
            hits = await self._searcher(pattern)
        except CodefaceError as error:
            if generation == self._generation:
                self.results.clear()
                self.status.setText(error.one_line())
                self.sig_searched.emit(pattern, -1)
            return
        if generation == self._generation:
            self._show(hits)
            self.sig_searched.emit(pattern, len(hits))

    def _show(self, hits: list[ProjectSearchHit]) -> None:
        self.results.clear()
        files: dict[str, QTreeWidgetItem] = {}
        for hit in hits:
            parent = files.get(hit.path)
            if parent is None:
                parent = files[hit.path] = QTreeWidgetItem([hit.path])
                parent.setData(0, ROLE_PATH, hit.path)
                parent.setData(0, ROLE_LINE, hit.line)
                self.results.addTopLevelItem(parent)
            text = hit.text.strip()
            shown = text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS] + "…"
            item = QTreeWidgetItem([f"{hit.line}: {shown}"])
            item.setData(0, ROLE_PATH, hit.path)
            item.setData(0, ROLE_LINE, hit.line)
            item.setToolTip(0, f"{hit.path}:{hit.line}")
            parent.addChild(item)
        for item in files.values():
            item.setText(0, f"{item.text(0)}  ({item.childCount()})")
        self.results.expandAll()
        count = len(hits)
        self.status.setText(
            "No matches"
            if not count
            else f"{count} {'match' if count == 1 else 'matches'} in {len(files)} "
            f"{'file' if len(files) == 1 else 'files'}"
        )
        first = self.results.topLevelItem(0)
        first_hit = first.child(0) if first is not None else None
        if first_hit is not None:
            self.results.setCurrentItem(first_hit)

    def _on_item(self, item: QTreeWidgetItem) -> None:
        path, line = item.data(0, ROLE_PATH), item.data(0, ROLE_LINE)
        if path:
            self.sig_open_file.emit(path, int(line or 1))
