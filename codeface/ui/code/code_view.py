"""One open file of the Code dock: highlighted, numbered, read-only until the user turns
editing on, saved through the backend (atomically, by the workspace).

A save that finds the file changed on disk since it was read is refused by the backend;
the view then says so and keeps the user's text: reload from disk, keep editing, or
overwrite. A file the backend cannot show as text (binary, too large, not UTF-8) shows the
backend's notice instead. Files changed on disk reload by themselves while unedited.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from codeface.core.errors import CodefaceError, EditConflict
from codeface.ui.bridge import bridge_task
from codeface.ui.code.editor import CodeEditor
from codeface.ui.code.find_bar import FindBar, GoToLineBar
from codeface.ui.code.highlighter import Highlighter
from codeface.ui.widgets.empty_state import EmptyState

if TYPE_CHECKING:
    from codeface.application.contract import FileContent
    from codeface.ui.bridge import Bridge
    from codeface.ui.theme import Theme

log = logging.getLogger(__name__)


class MessageBar(QFrame):
    """A line across the top of the view with a message and buttons (never a dialog)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("codeMessage")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = self._row = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.label, 1)
        self._buttons: list[QPushButton] = []
        self.kind = ""
        self.hide()

    def show_message(
        self, kind: str, text: str, actions: list[tuple[str, Callable[[], object]]]
    ) -> None:
        """Show ``text`` with a button per action (each hides the bar first)."""
        for button in self._buttons:
            button.deleteLater()
        self._buttons = []
        self.kind = kind
        self.label.setText(text)
        self.setAccessibleName(text)
        layout = self._row
        for label, callback in actions:
            button = QPushButton(label)
            button.setAccessibleName(label)
            button.clicked.connect(lambda _checked=False, call=callback: self._run(call))
            layout.addWidget(button)
            self._buttons.append(button)
        self.show()
        if self._buttons:
            self._buttons[0].setFocus(Qt.FocusReason.OtherFocusReason)

    @property
    def buttons(self) -> list[QPushButton]:
        """The buttons shown now."""
        return list(self._buttons)

    def _run(self, callback: Callable[[], object]) -> None:
        self.dismiss()
        callback()

    def dismiss(self) -> None:
        """Hide the bar."""
        self.kind = ""
        self.hide()


class CodeView(QWidget):
    """A file of the project, shown and (when the user asks) edited."""

    sig_modified_changed = Signal(bool)
    """The text differs from the file (True) or matches it again (False)."""
    sig_loaded = Signal()
    """The file's text (or its notice) is shown."""
    sig_saved = Signal(str)
    """(path): the file was written."""

    def __init__(
        self,
        bridge: Bridge,
        project: str,
        path: str,
        theme: Theme,
        font: QFont,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.project = project
        self.path = path
        self.version = ""
        self.line_ending = "\n"
        self.content: FileContent | None = None
        self.loaded = False
        """The file's text is shown (False while reading, and for a notice)."""
        self.read_done = False
        """The file was read: its text or its notice is shown."""
        self._pending_line: tuple[int, int] | None = None
        self.setObjectName("codeView")
        self.setAccessibleName(f"Code view: {path}")

        self.path_label = QLabel(path)
        self.path_label.setObjectName("codePath")
        self.position_label = QLabel("")
        self.edit_button = QToolButton()
        self.edit_button.setText("Edit")
        self.edit_button.setCheckable(True)
        self.edit_button.setToolTip("Edit this file (Ctrl+E)")
        self.edit_button.setAccessibleName("Edit this file")
        self.save_button = QToolButton()
        self.save_button.setText("Save")
        self.save_button.setToolTip("Save (Ctrl+S)")
        self.save_button.setAccessibleName("Save the file")
        self.save_button.setEnabled(False)
        header = QHBoxLayout()
        header.setContentsMargins(8, 4, 8, 4)
        header.addWidget(self.path_label, 1)
        header.addWidget(self.position_label)
        header.addWidget(self.edit_button)
        header.addWidget(self.save_button)

        self.message = MessageBar()
        self.editor = CodeEditor()
        self.editor.setFont(font)
        self.editor.set_tab_width(4)
        self.highlighter = Highlighter(self.editor, bridge.spawn, theme.pygments_style)
        self.find_bar = FindBar(self.editor)
        self.go_to_line_bar = GoToLineBar(self.editor)
        code_area = QWidget()
        code_layout = QVBoxLayout(code_area)
        code_layout.setContentsMargins(0, 0, 0, 0)
        code_layout.setSpacing(0)
        code_layout.addWidget(self.editor, 1)
        code_layout.addWidget(self.find_bar)
        code_layout.addWidget(self.go_to_line_bar)
        self.notice = EmptyState(path.rsplit("/", 1)[-1], "Loading…")
        self.body = QStackedWidget()
        self.body.addWidget(self.notice)
        self.body.addWidget(code_area)
        self._code_area = code_area

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(header)
        layout.addWidget(self.message)
        layout.addWidget(self.body, 1)
        self.setFocusProxy(self.editor)

        self.edit_button.toggled.connect(self.set_editing)
        self.save_button.clicked.connect(self.save)
        self.editor.sig_go_to_line.connect(self.go_to_line_bar.open_bar)
        self.editor.cursorPositionChanged.connect(self._show_position)
        self.editor.document().modificationChanged.connect(self._on_modified)
        self.highlighter.sig_text_loaded.connect(self._on_text_loaded)
        for keys, slot in (
            ("Ctrl+F", self.find_bar.open_bar),
            ("Ctrl+G", self.go_to_line_bar.open_bar),
            ("Ctrl+S", self.save),
            ("Ctrl+E", self.edit_button.toggle),
            ("F3", lambda: self.find_bar.find_next()),
            ("Shift+F3", lambda: self.find_bar.find_next(backwards=True)),
        ):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)
        self.set_theme(theme)

    # ------------------------------------------------------------------ loading
    @property
    def modified(self) -> bool:
        """Edits not saved yet."""
        return self.loaded and self.editor.document().isModified()

    @property
    def text(self) -> str:
        """The text as it would be saved (the file's line endings)."""
        raw = self.editor.document().toRawText().replace("\u2029", "\n")
        return raw.replace("\n", "\r\n") if self.line_ending == "\r\n" else raw

    async def load(self, line: int | None = None) -> None:
        """Read the file and show it (or the reason it cannot be shown), at ``line``."""
        self.highlighter.prepare(self.path)  # the lexer loads while the file is read
        try:
            content = await self.bridge.backend.read_file(self.project, self.path)
        except CodefaceError as error:
            self._show_notice(error.one_line())
            return
        self._show(content, line)

    def _show(self, content: FileContent, line: int | None = None) -> None:
        self.read_done = True
        self.content = content
        self.version = content.version
        if content.text is None:
            self._show_notice(content.notice or f"{self.path} cannot be shown")
            return
        self.line_ending = content.line_ending
        text = content.text.replace("\r\n", "\n") if "\r" in content.text else content.text
        self.body.setCurrentWidget(self._code_area)
        self.highlighter.start(self.path, text)
        self.editor.document().setModified(False)
        self.loaded = True
        self.edit_button.setEnabled(not self.highlighter.loading)
        if line:
            self.go_to_line(line)
        self._show_position()
        self.sig_loaded.emit()

    def _on_text_loaded(self) -> None:
        self.editor.document().setModified(False)
        self.edit_button.setEnabled(True)
        if self._pending_line is not None:
            self.go_to_line(*self._pending_line)

    def _show_notice(self, text: str) -> None:
        self.read_done = True
        self.notice.text_label.setText(text)
        self.notice.text_label.setEnabled(True)
        self.notice.setAccessibleName(text)
        self.body.setCurrentWidget(self.notice)
        self.edit_button.setEnabled(False)
        self.loaded = False
        self.sig_loaded.emit()

    def go_to_line(self, line: int, column: int = 1) -> None:
        """Show ``line`` (1-based) with the caret on it."""
        if self.loaded and self.highlighter.loading:
            self._pending_line = (line, column)  # the rest of the text is on its way
        elif self.loaded:
            self._pending_line = None
            self.editor.go_to_line(line, column)
            # The first layout after a load can move the view: centre again once it settles.
            QTimer.singleShot(0, self.editor.centerCursor)

    # ------------------------------------------------------------------ editing
    def set_editing(self, editing: bool) -> None:
        """Turn editing on or off (turning it off keeps unsaved edits)."""
        if self.edit_button.isChecked() != editing:
            self.edit_button.setChecked(editing)
            return
        self.editor.set_editable(editing)
        self._update_save_button()
        self._show_position()
        if editing:
            self.editor.setFocus(Qt.FocusReason.OtherFocusReason)

    @property
    def editing(self) -> bool:
        """Whether the text can be changed."""
        return not self.editor.isReadOnly()

    def _on_modified(self, modified: bool) -> None:
        if self.highlighter.loading:
            return
        self._update_save_button()
        self.sig_modified_changed.emit(modified)

    def _update_save_button(self) -> None:
        self.save_button.setEnabled(self.modified)

    def _show_position(self) -> None:
        cursor = self.editor.textCursor()
        mode = "Editing" if self.editing else "Read-only"
        self.position_label.setText(
            f"{mode} · Ln {cursor.blockNumber() + 1}, Col {cursor.positionInBlock() + 1}"
        )

    @bridge_task
    async def save(self) -> None:
        """Write the text (Ctrl+S); refused when the file changed on disk since it was read."""
        await self.save_now()

    async def save_now(self, *, overwrite: bool = False) -> bool:
        """Write the text now; True if it was written."""
        if not self.modified:
            return False
        version = self.version
        try:
            if overwrite:
                version = (await self.bridge.backend.read_file(self.project, self.path)).version
            content = await self.bridge.backend.save_file(
                self.project, self.path, self.text, version
            )
        except EditConflict:
            self.message.show_message(
                "conflict",
                f"{self.path} changed on disk since you opened it, so it was not saved. "
                "Your edits are still here.",
                [
                    ("Reload from disk (drop my edits)", self.reload),
                    ("Keep editing", lambda: None),
                    ("Overwrite the file", self._overwrite),
                ],
            )
            return False
        except CodefaceError as error:
            self.message.show_message(
                "error", f"Not saved: {error.one_line()}", [("OK", lambda: None)]
            )
            return False
        self.version = content.version
        self.content = content
        self.editor.document().setModified(False)
        self.message.dismiss()
        self.sig_saved.emit(self.path)
        return True

    def _overwrite(self) -> None:
        self.bridge.spawn(self.save_now(overwrite=True))

    @bridge_task
    async def reload(self) -> None:
        """Read the file again and show it, keeping the caret's line."""
        line = self.editor.current_line() if self.loaded else None
        try:
            content = await self.bridge.backend.read_file(self.project, self.path)
        except CodefaceError as error:
            self._show_notice(error.one_line())
            return
        self._show(content, line)

    @bridge_task
    async def on_disk_changed(self) -> None:
        """The file changed on disk: reload if unedited, else ask (keeping the edits)."""
        try:
            content = await self.bridge.backend.read_file(self.project, self.path)
        except CodefaceError as error:
            if self.modified:
                self.message.show_message(
                    "gone", error.one_line() + " Your edits are still here.", [("OK", lambda: None)]
                )
            else:
                self._show_notice(error.one_line())
            return
        if content.version == self.version:
            return
        if not self.modified:
            same = content.text is not None and self.loaded and content.text == self.text
            if same:
                self.version = content.version
                self.content = content
            else:
                line = self.editor.current_line() if self.loaded else None
                self._show(content, line)
            return
        self.message.show_message(
            "changed",
            f"{self.path} changed on disk. Your edits are not saved.",
            [("Reload from disk (drop my edits)", self.reload), ("Keep my edits", lambda: None)],
        )

    # ------------------------------------------------------------------ appearance
    def set_theme(self, theme: Theme) -> None:
        """Colours of the text, gutter and marks from the theme."""
        text = theme.palette.get("text", theme.chat.assistant_text)
        self.editor.set_colors(
            theme.code.background, text, theme.code.header_background, theme.code.header_text
        )
        self.find_bar.mark_color = QColor(theme.chat.mark)
        self.highlighter.set_style(theme.pygments_style)

    def shutdown(self) -> None:
        """Stop background work (the view is closing)."""
        self.highlighter.shutdown()
