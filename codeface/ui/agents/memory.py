"""The Memory tab: the notes the user and agents saved about the open project.

Agents read these notes at the start of every turn (as data) and add to them with
`remember`; the user reads, adds, edits and deletes them here. Each note shows who wrote
it (you or an agent) and when. Editing happens in the box below the list: select a note,
Edit (or double-click), change it, Save. Delete asks first.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from codeface.core.errors import CodefaceError
from codeface.ui.agents.checkpoints import when_text
from codeface.ui.agents.labels import elastic_label
from codeface.ui.bridge import Bridge, bridge_task

if TYPE_CHECKING:
    from codeface.application.contract import NoteView, ProjectView

log = logging.getLogger("codeface.ui.agents")
NOTE_ID = Qt.ItemDataRole.UserRole
NOTE_LIMIT = 4000
SOURCES = {"user": "you", "agent": "agent"}


def note_label(note: NoteView) -> str:
    """The list text of a note: who wrote it, when, and the text."""
    who = SOURCES.get(note.source, note.source or "unknown")
    return f"[{who} · {when_text(note.updated_at)}]\n{note.text}"


class MemoryPanel(QWidget):
    """Read and edit the project's memory.

    Signals:
        sig_changed(): the notes changed (added, edited or deleted here).
    """

    sig_changed = Signal()

    def __init__(self, bridge: Bridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.project: ProjectView | None = None
        self.notes: list[NoteView] = []
        self.editing: str | None = None
        self.confirm_delete = True
        self._generation = 0
        self._stale = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        self.heading = elastic_label()
        layout.addWidget(self.heading)
        self.list = QListWidget()
        self.list.setAccessibleName("Project notes")
        self.list.setWordWrap(True)
        self.list.setAlternatingRowColors(True)
        self.list.itemDoubleClicked.connect(lambda _item: self.edit_selected())
        self.list.currentItemChanged.connect(lambda *_: self._sync())
        layout.addWidget(self.list, 1)
        actions = QHBoxLayout()
        self.edit_button = QPushButton("&Edit")
        self.edit_button.setAccessibleName("Edit the selected note")
        self.edit_button.clicked.connect(self.edit_selected)
        self.delete_button = QPushButton("&Delete")
        self.delete_button.setAccessibleName("Delete the selected note")
        self.delete_button.clicked.connect(self.delete_selected)
        for button in (self.edit_button, self.delete_button):
            button.setMinimumWidth(56)  # the dock can be narrow
        actions.addStretch(1)
        actions.addWidget(self.edit_button)
        actions.addWidget(self.delete_button)
        layout.addLayout(actions)
        self.editor = QPlainTextEdit()
        self.editor.setAccessibleName("Note text")
        self.editor.setPlaceholderText("A note for agents working on this project…")
        self.editor.setMaximumHeight(90)
        self.editor.setTabChangesFocus(True)
        self.editor.textChanged.connect(self._sync)
        layout.addWidget(self.editor)
        row = QHBoxLayout()
        self.problem = elastic_label(name="memoryProblem")
        row.addWidget(self.problem, 1)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel_edit)
        self.save_button = QPushButton("&Add note")
        self.save_button.setAccessibleName("Save the note")
        self.save_button.clicked.connect(self.save)
        for button in (self.cancel_button, self.save_button):
            button.setMinimumWidth(56)
        row.addWidget(self.cancel_button)
        row.addWidget(self.save_button)
        layout.addLayout(row)
        self._show([])

    # --- loading ---------------------------------------------------------------------
    def set_project(self, project: ProjectView | None) -> None:
        """Show the notes of another project."""
        self.project = project
        self.cancel_edit()
        self.refresh()

    def refresh(self) -> None:
        """Fetch the notes again (when the tab is next shown, if hidden)."""
        if not self.isVisible():
            self._stale = True
            return
        self._stale = False
        self._generation += 1
        if self.project is None:
            self._show([])
            return
        self._load(self.project.key, self._generation)

    def showEvent(self, event: QShowEvent) -> None:
        """Fetch what changed while the tab was hidden."""
        super().showEvent(event)
        if self._stale:
            self.refresh()

    @bridge_task
    async def _load(self, project: str, generation: int) -> None:
        try:
            notes = await self.bridge.backend.list_notes(project)
        except CodefaceError as error:
            self.problem.setText(f"The notes could not be loaded: {error.one_line()}")
            return
        if generation == self._generation:
            self._show(notes)

    def _show(self, notes: list[NoteView]) -> None:
        selected = self.selected_id()
        self.notes = list(notes)
        self.list.clear()
        for note in self.notes:
            item = QListWidgetItem(note_label(note))
            item.setData(NOTE_ID, note.id)
            item.setToolTip(f"Written by {SOURCES.get(note.source, note.source)}")
            self.list.addItem(item)
            if note.id == selected:
                self.list.setCurrentItem(item)
        if self.project is None:
            self.heading.setText("Open a project to keep notes about it.")
        elif not self.notes:
            self.heading.setText(
                "No notes yet. Agents read these notes before every turn; write what they "
                "should know (conventions, commands, things to avoid)."
            )
        else:
            self.heading.setText(
                f"{len(self.notes)} note{'s' if len(self.notes) != 1 else ''} — agents read "
                "them before every turn."
            )
        self._sync()

    # --- editing ---------------------------------------------------------------------
    def selected_id(self) -> str | None:
        """The id of the selected note."""
        item = self.list.currentItem()
        value = item.data(NOTE_ID) if item is not None else None
        return value if isinstance(value, str) else None

    def _note(self, note_id: str | None) -> NoteView | None:
        return next((note for note in self.notes if note.id == note_id), None)

    def edit_selected(self) -> None:
        """Put the selected note in the box to change it."""
        note = self._note(self.selected_id())
        if note is None:
            return
        self.editing = note.id
        self.editor.setPlainText(note.text)
        self.editor.setFocus()
        self._sync()

    def cancel_edit(self) -> None:
        """Leave the box empty for a new note."""
        self.editing = None
        self.editor.clear()
        self.problem.clear()
        self._sync()

    @bridge_task
    async def save(self) -> None:
        """Add the note in the box, or save the one being edited."""
        if self.project is None:
            return
        text = self.editor.toPlainText().strip()
        if not text:
            return
        if len(text) > NOTE_LIMIT:
            self.problem.setText(f"A note holds at most {NOTE_LIMIT} characters.")
            return
        try:
            if self.editing is not None:
                await self.bridge.backend.update_note(self.editing, text)
            else:
                await self.bridge.backend.add_note(self.project.key, text)
        except CodefaceError as error:
            self.problem.setText(f"The note was not saved: {error.one_line()}")
            return
        self.cancel_edit()
        self.sig_changed.emit()
        self.refresh()

    def delete_selected(self) -> None:
        """Forget the selected note (after asking; the dialog runs before any await)."""
        note = self._note(self.selected_id())
        if note is None:
            return
        if self.confirm_delete:
            answer = QMessageBox.question(
                self,
                "Delete note",
                f"Delete this note?\n\n{note.text[:300]}",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No,
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        self._delete(note)

    @bridge_task
    async def _delete(self, note: NoteView) -> None:
        try:
            await self.bridge.backend.delete_note(note.id)
        except CodefaceError as error:
            self.problem.setText(f"The note was not deleted: {error.one_line()}")
            return
        if self.editing == note.id:
            self.cancel_edit()
        self.sig_changed.emit()
        self.refresh()

    def _sync(self) -> None:
        has_project = self.project is not None
        selected = self.selected_id() is not None
        self.list.setEnabled(has_project)
        self.editor.setEnabled(has_project)
        self.edit_button.setEnabled(selected)
        self.delete_button.setEnabled(selected)
        self.save_button.setText("&Save" if self.editing else "&Add note")
        self.save_button.setEnabled(has_project and bool(self.editor.toPlainText().strip()))
        self.cancel_button.setVisible(self.editing is not None)
