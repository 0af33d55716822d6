"""The Undo tab: each agent turn of the session that changed files, and "Undo this turn".

A row says the prompt, when, and the files the turn's checkpoint saved; "Undo this turn"
restores them (`undo_turn`) and the tab shows what was restored, deleted, or left alone
and why (`UndoView.lines`); "Show diff" shows the checkpoint against the files as they
are now. A turn already undone says so and cannot be undone twice. The list is fetched
again whenever a turn saves a checkpoint or ends, and after every undo.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from codeface.core.errors import CodefaceError
from codeface.ui.agents.diff_text import DiffDialog
from codeface.ui.agents.labels import elastic_label
from codeface.ui.bridge import Bridge, bridge_task

if TYPE_CHECKING:
    from codeface.application.contract import TurnCheckpointView, UndoView

log = logging.getLogger("codeface.ui.agents")


def when_text(iso: str) -> str:
    """A checkpoint's time in the user's local time (the text as given if unreadable)."""
    try:
        moment = datetime.fromisoformat(iso).astimezone()
    except ValueError:
        return iso
    return moment.strftime("%Y-%m-%d %H:%M")


def files_text(paths: tuple[str, ...], shown: int = 4) -> str:
    """``a.py, b.py and 3 more``."""
    head = ", ".join(paths[:shown])
    return f"{head} and {len(paths) - shown} more" if len(paths) > shown else head


class CheckpointRow(QFrame):
    """One turn's checkpoint with its two buttons.

    Signals:
        sig_undo(str): undo the turn (its id).
        sig_diff(str): show the turn's diff (its id).
    """

    sig_undo = Signal(str)
    sig_diff = Signal(str)

    def __init__(self, checkpoint: TurnCheckpointView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.checkpoint = checkpoint
        self.setObjectName("checkpointRow")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        self.prompt_label = QLabel(checkpoint.prompt or "(no prompt text)")
        self.prompt_label.setWordWrap(True)
        font = self.prompt_label.font()
        font.setBold(True)
        self.prompt_label.setFont(font)
        layout.addWidget(self.prompt_label)
        count = len(checkpoint.paths)
        details = f"{when_text(checkpoint.created_at)} · {count} file{'s' if count != 1 else ''}"
        self.details_label = QLabel(f"{details}: {files_text(checkpoint.paths)}")
        self.details_label.setWordWrap(True)
        self.details_label.setToolTip("\n".join(checkpoint.paths))
        layout.addWidget(self.details_label)
        buttons = QHBoxLayout()
        self.state_label = QLabel("Undone" if checkpoint.undone else "")
        self.state_label.setObjectName("checkpointState")
        buttons.addWidget(self.state_label, 1)
        self.diff_button = QPushButton("Show diff")
        self.diff_button.setAccessibleName(f"Show the diff of the turn: {checkpoint.prompt}")
        self.diff_button.setToolTip("The files saved before this turn against the files now")
        self.diff_button.clicked.connect(lambda: self.sig_diff.emit(checkpoint.turn_id))
        buttons.addWidget(self.diff_button)
        self.undo_button = QPushButton("Undo this turn")
        self.undo_button.setAccessibleName(f"Undo the turn: {checkpoint.prompt}")
        self.undo_button.setEnabled(not checkpoint.undone)
        self.undo_button.setToolTip(
            "This turn was undone already"
            if checkpoint.undone
            else "Put back the files as they were before this turn"
        )
        self.undo_button.clicked.connect(lambda: self.sig_undo.emit(checkpoint.turn_id))
        buttons.addWidget(self.undo_button)
        layout.addLayout(buttons)

    def set_busy(self, busy: bool) -> None:
        """Grey the buttons while an undo runs."""
        self.undo_button.setEnabled(not busy and not self.checkpoint.undone)
        self.diff_button.setEnabled(not busy)


class CheckpointList(QWidget):
    """The Undo tab.

    Signals:
        sig_undone(object): an `UndoView` after a turn was undone (files changed on disk).
    """

    sig_undone = Signal(object)

    def __init__(self, bridge: Bridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.session_id: str | None = None
        self.rows: list[CheckpointRow] = []
        self.dialogs: list[DiffDialog] = []
        self._generation = 0
        self._stale = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        self.heading = elastic_label()
        layout.addWidget(self.heading)
        self.scroller = QScrollArea()
        self.scroller.setWidgetResizable(True)
        self.scroller.setFrameShape(QFrame.Shape.NoFrame)
        holder = QWidget()
        self.rows_layout = QVBoxLayout(holder)
        self.rows_layout.setContentsMargins(0, 0, 0, 0)
        self.rows_layout.addStretch(1)
        self.scroller.setWidget(holder)
        layout.addWidget(self.scroller, 1)
        self.result = elastic_label(name="undoResult")
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.result.hide()
        layout.addWidget(self.result)
        self._show_heading()

    def set_session(self, session_id: str | None) -> None:
        """List the checkpoints of another session."""
        if session_id != self.session_id:
            self.result.hide()
        self.session_id = session_id
        self.refresh()

    def refresh(self) -> None:
        """Fetch the session's checkpoints again (when the tab is next shown, if hidden:
        a turn's end must not pay for rows nobody looks at)."""
        if not self.isVisible():
            self._stale = True
            return
        self._stale = False
        self._generation += 1
        if self.session_id is None:
            self._show([])
            return
        self._load(self.session_id, self._generation)

    @bridge_task
    async def _load(self, session_id: str, generation: int) -> None:
        try:
            checkpoints = await self.bridge.backend.turn_checkpoints(session_id)
        except CodefaceError as error:
            # A session without a project has no checkpoints; say so instead of a list.
            if generation == self._generation:
                self._show([], keep_heading=True)
                self.heading.setText(error.one_line())
            return
        if generation == self._generation and session_id == self.session_id:
            self._show(checkpoints)

    def _show(self, checkpoints: list[TurnCheckpointView], *, keep_heading: bool = False) -> None:
        for row in self.rows:
            self.rows_layout.removeWidget(row)
            row.deleteLater()
        self.rows = []
        for checkpoint in reversed(checkpoints):  # newest first
            row = CheckpointRow(checkpoint)
            row.sig_undo.connect(self.undo)
            row.sig_diff.connect(self.show_diff)
            self.rows_layout.insertWidget(self.rows_layout.count() - 1, row)
            self.rows.append(row)
        if not keep_heading:
            self._show_heading()

    def _show_heading(self) -> None:
        if self.session_id is None:
            self.heading.setText("Open a session to see the turns its agents made.")
        elif not self.rows:
            self.heading.setText(
                "No agent turn of this session has changed files yet. Before a turn first "
                "changes a file, the file is saved here so the turn can be undone."
            )
        else:
            self.heading.setText("Agent turns that changed files, newest first:")

    def showEvent(self, event: QShowEvent) -> None:
        """Fetch what changed while the tab was hidden."""
        super().showEvent(event)
        if self._stale:
            self.refresh()

    def row(self, turn_id: str) -> CheckpointRow | None:
        """The row of a turn."""
        return next((row for row in self.rows if row.checkpoint.turn_id == turn_id), None)

    # --- actions ---------------------------------------------------------------------
    @bridge_task
    async def undo(self, turn_id: str) -> None:
        """Restore the files of a turn and show what happened."""
        session_id = self.session_id
        if session_id is None:
            return
        row = self.row(turn_id)
        if row is not None:
            row.set_busy(True)
        try:
            report = await self.bridge.backend.undo_turn(session_id, turn_id)
        except CodefaceError as error:
            self._show_result([f"Undo failed: {error.one_line()}"])
            if row is not None:
                row.set_busy(False)
            return
        self._show_result(undo_lines(report))
        self.sig_undone.emit(report)
        self.refresh()

    def _show_result(self, lines: list[str]) -> None:
        self.result.setText("\n".join(lines))
        self.result.show()

    @bridge_task
    async def show_diff(self, turn_id: str) -> DiffDialog | None:
        """Show the turn's checkpoint against the files now, read-only."""
        session_id = self.session_id
        if session_id is None:
            return None
        try:
            diff = await self.bridge.backend.turn_diff(session_id, turn_id)
        except CodefaceError as error:
            self._show_result([f"The diff could not be made: {error.one_line()}"])
            return None
        row = self.row(turn_id)
        prompt = row.checkpoint.prompt if row is not None else turn_id
        dialog = DiffDialog(f"Since the turn “{prompt}”", diff, self)
        self.dialogs = [d for d in self.dialogs if d.isVisible()] + [dialog]
        dialog.show()
        return dialog


def undo_lines(report: UndoView) -> list[str]:
    """What an undo did, in words (the backend's lines, or a summary of the lists)."""
    if report.lines:
        return list(report.lines)
    lines = ["Undone."]
    lines += [f"restored {path}" for path in report.restored]
    lines += [f"deleted {path} (the turn created it)" for path in report.deleted]
    lines += [f"left {path}: {why}" for path, why in report.not_restored]
    return lines
