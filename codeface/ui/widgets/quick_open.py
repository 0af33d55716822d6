"""Quick open (Ctrl+P): type part of a file's name, Enter opens the best match.

A box over the top of the window, keyboard only: typing filters the project's files
fuzzily (`codeface.ui.code.fuzzy`), Up/Down/PageUp/PageDown move in the list, Enter opens,
Esc closes. ``path:42`` opens at line 42. Long lists are matched in a worker thread, so
typing never waits; Enter pressed before the matches arrive opens the best one when they do.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QFrame,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from codeface.ui.code.fuzzy import FuzzyMatch, fuzzy_filter

if TYPE_CHECKING:
    from codeface.ui.widgets.file_tree import Spawn

THREAD_THRESHOLD = 3_000
"""Lists longer than this are matched in a worker thread."""
RESULTS = 50
ROLE_PATH = 0x0100  # Qt.ItemDataRole.UserRole
_LIST_KEYS = (Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_PageUp, Qt.Key.Key_PageDown)


def split_line(query: str) -> tuple[str, int | None]:
    """("src/app.py", 42) for "src/app.py:42"; the line is None when there is none."""
    head, colon, tail = query.rpartition(":")
    if colon and tail.strip().isdigit() and head.strip():
        return head.strip(), int(tail)
    return query.strip(), None


def shown(path: str) -> str:
    """A list row: the file name, then its folder."""
    folder, _, name = path.rpartition("/")
    return f"{name}    {folder}" if folder else name


class QuickOpen(QFrame):
    """The quick-open box; give it the files with `set_files`, get `sig_open_file`."""

    sig_open_file = Signal(str, int)
    """(path, line or 0): the user picked a file."""

    def __init__(self, spawn: Spawn, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("quickOpen")
        self.setAccessibleName("Quick open")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self._spawn = spawn
        self.files: list[str] | None = None
        self.matches: list[FuzzyMatch] = []
        self._query_shown = ""
        self._pending: asyncio.Task[None] | None = None
        self._open_when_ready = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        self.edit = QLineEdit()
        self.edit.setPlaceholderText("Go to file (name, or name:line)")
        self.edit.setAccessibleName("File to open")
        self.status = QLabel("")
        self.list = QListWidget()
        self.list.setAccessibleName("Matching files")
        self.list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.list.itemActivated.connect(lambda _item: self.accept())
        self.list.itemClicked.connect(lambda _item: self.accept())
        layout.addWidget(self.edit)
        layout.addWidget(self.status)
        layout.addWidget(self.list, 1)
        self.edit.textChanged.connect(self._on_text)
        self.edit.installEventFilter(self)
        self.hide()

    # ------------------------------------------------------------------ showing
    def popup(self) -> None:
        """Show over the top of the parent, focused, with the last query selected."""
        self._place()
        self.show()
        self.raise_()
        self.edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.edit.selectAll()
        self._filter(self.edit.text())

    def _place(self) -> None:
        """Centred near the top of the parent, as tall as the matches need (12 rows)."""
        host = self.parentWidget()
        if host is None:
            return
        width = min(640, max(320, host.width() - 40))
        row = max(18, self.list.sizeHintForRow(0)) if self.list.count() else 20
        rows = min(12, max(1, self.list.count()))
        chrome = self.edit.sizeHint().height() + self.status.sizeHint().height() + 30
        height = min(host.height() - 60, chrome + rows * row + 6)
        self.setGeometry((host.width() - width) // 2, 40, width, height)

    def close_popup(self) -> None:
        """Hide, giving the focus back to where it was."""
        self.hide()
        host = self.parentWidget()
        if host is not None:
            host.activateWindow()

    def set_files(self, files: list[str] | None) -> None:
        """The project's files (None: being listed)."""
        self.files = files
        if self.isVisible():
            self._filter(self.edit.text())

    # ------------------------------------------------------------------ keys
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.edit and isinstance(event, QKeyEvent):
            key = event.key()
            if event.type() == QEvent.Type.ShortcutOverride and key == Qt.Key.Key_Escape:
                event.accept()
                return True
            if event.type() == QEvent.Type.KeyPress:
                if key == Qt.Key.Key_Escape:
                    self.close_popup()
                    return True
                if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                    self.accept()
                    return True
                if key in _LIST_KEYS:
                    self._move(key)
                    return True
        return super().eventFilter(watched, event)

    def _move(self, key: int) -> None:
        count = self.list.count()
        if not count:
            return
        step = {Qt.Key.Key_Up: -1, Qt.Key.Key_Down: 1, Qt.Key.Key_PageUp: -10}.get(key, 10)  # type: ignore[call-overload]
        row = max(0, min(count - 1, self.list.currentRow() + step))
        self.list.setCurrentRow(row)

    # ------------------------------------------------------------------ matching
    def _on_text(self, text: str) -> None:
        self._filter(text)

    def _filter(self, text: str) -> None:
        query, _line = split_line(text)
        files = self.files
        if files is None:
            self.status.setText("Listing the project's files…")
            return
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None
        if len(files) > THREAD_THRESHOLD and query:
            self.status.setText("Matching…")
            self._pending = self._spawn(self._match_in_worker(query, files))
        else:
            self._show(query, fuzzy_filter(query, files, RESULTS))

    async def _match_in_worker(self, query: str, files: list[str]) -> None:
        matches = await asyncio.to_thread(fuzzy_filter, query, files, RESULTS)
        self._pending = None
        self._show(query, matches)

    def _show(self, query: str, matches: list[FuzzyMatch]) -> None:
        self.matches = matches
        self._query_shown = query
        self.list.clear()
        for match in matches:
            item = QListWidgetItem(shown(match.path))
            item.setData(ROLE_PATH, match.path)
            item.setData(Qt.ItemDataRole.AccessibleTextRole, match.path)
            item.setToolTip(match.path)
            self.list.addItem(item)
        if self.isVisible():
            self._place()
        total = len(self.files or [])
        if not matches:
            self.status.setText("No file matches")
        else:
            self.list.setCurrentRow(0)
            self.status.setText(f"{len(matches)} of {total} files" if query else f"{total} files")
        if self._open_when_ready:
            self._open_when_ready = False
            self.accept()

    def accept(self) -> None:
        """Open the selected match (once the matches for the typed text are in)."""
        query, line = split_line(self.edit.text())
        if self._pending is not None or self.files is None or query != self._query_shown:
            self._open_when_ready = True
            return
        item = self.list.currentItem()
        if item is None:
            return
        self.close_popup()
        self.sig_open_file.emit(item.data(ROLE_PATH), line or 0)
