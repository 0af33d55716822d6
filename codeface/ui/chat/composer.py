"""The composer: multi-line prompt, Send/Stop, attachments and the large-paste choice.

Enter sends and Shift+Enter starts a new line (or, with ``enter_sends`` off, Ctrl+Enter
sends and Enter is a newline). Esc stops a streaming answer. A paste above
`LARGE_TEXT_CHARS` never reaches the text box: the handler returns at once and the user
chooses between attaching it as a file and pasting the first 20 KB.

A message that starts with ``@role`` goes to an agent of that role: typing ``@`` at the
start offers the roles (`set_roles`). While an agent waits for an approval or an answer,
a line above the box says so (`set_waiting`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QMimeData, QSize, Qt, Signal
from PySide6.QtGui import QKeyEvent, QResizeEvent, QTextCursor
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPlainTextEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from codeface.application.contract import Attachment
from codeface.ui.chat.attachments import (
    HEX_PREVIEW_BYTES,
    LARGE_TEXT_CHARS,
    PASTE_TRUNCATE_CHARS,
    TRUNCATE_CHARS,
    AttachmentChip,
    ChoiceBar,
    FileLoader,
    LoadedFile,
    estimate_tokens,
    format_size,
    format_tokens,
    hex_preview,
    make_attachment,
)
from codeface.ui.chat.icons import icon

MAX_VISIBLE_LINES = 10


PLACEHOLDER = "Ask anything…"


def placeholder_keys(enter_sends: bool) -> str:
    """The keys said after the placeholder when the box has room for them."""
    return (
        "(Enter to send, Shift+Enter for a new line)"
        if enter_sends
        else "(Ctrl+Enter to send, Enter for a new line)"
    )


class ComposerEdit(QPlainTextEdit):
    """The text box: key handling and paste/drop interception."""

    sig_submit = Signal()
    """Enter (or Ctrl+Enter) asked to send."""
    sig_escape = Signal()
    """Esc was pressed."""
    sig_large_paste = Signal(str)
    """A paste too large to insert; argument: the text."""
    sig_files = Signal(list)
    """Files were pasted or dropped; argument: list of `Path`."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.enter_sends = True
        self.key_hook: Callable[[QKeyEvent], bool] = lambda event: False
        """Sees each key first (the role list takes Up, Down, Enter, Tab, Esc)."""
        self.setObjectName("composerEdit")
        self.setAccessibleName("Message")
        self._placeholder = (PLACEHOLDER, placeholder_keys(True))
        self._fit_placeholder()
        self.setTabChangesFocus(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.document().setDocumentMargin(4)

    def set_placeholder(self, text: str, keys: str = "") -> None:
        """Show ``text`` in the empty box, followed by ``keys`` when the box is wide enough
        for both on one line; too narrow even for ``text``, it ends in "…"."""
        self._placeholder = (text, keys)
        self._fit_placeholder()

    def _fit_placeholder(self) -> None:
        text, keys = self._placeholder
        room = self.viewport().width() - 2 * int(self.document().documentMargin()) - 4
        metrics = self.fontMetrics()
        full = f"{text} {keys}" if keys else text
        if metrics.horizontalAdvance(full) <= room:
            shown = full
        else:
            shown = metrics.elidedText(text, Qt.TextElideMode.ElideRight, max(room, 0))
        if shown != self.placeholderText():
            self.setPlaceholderText(shown)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_placeholder()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._fit_placeholder()

    def event(self, event: QEvent) -> bool:
        # Tab moves the focus before keyPressEvent sees it; while roles are offered it
        # chooses one instead.
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Tab
            and self.key_hook(event)
        ):
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        modifiers = event.modifiers()
        if self.key_hook(event):
            return
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            shift = bool(modifiers & Qt.KeyboardModifier.ShiftModifier)
            ctrl = bool(modifiers & Qt.KeyboardModifier.ControlModifier)
            if (self.enter_sends and not shift) or (not self.enter_sends and ctrl):
                self.sig_submit.emit()
                return
            self.textCursor().insertText("\n")
            self.ensureCursorVisible()
            return
        if key == Qt.Key.Key_Escape:
            self.sig_escape.emit()
            return
        super().keyPressEvent(event)

    def canInsertFromMimeData(self, source: QMimeData) -> bool:
        return source.hasUrls() or super().canInsertFromMimeData(source)

    def insertFromMimeData(self, source: QMimeData) -> None:
        files = [Path(url.toLocalFile()) for url in source.urls() if url.isLocalFile()]
        if files:
            self.sig_files.emit(files)
            return
        if source.hasText():
            text = source.text()
            if len(text) > LARGE_TEXT_CHARS:
                self.sig_large_paste.emit(text)
                return
        super().insertFromMimeData(source)


def role_prefix(text: str, cursor: int) -> str | None:
    """The ``@rol`` being typed at the start of ``text`` before ``cursor`` (None if not)."""
    head = text[:cursor]
    if not head.startswith("@") or any(char.isspace() for char in head):
        return None
    return head


class Composer(QFrame):
    """Prompt box, attachment chips and Send/Stop."""

    sig_send = Signal(str, list)
    """Send; arguments: the text, list of `codeface.application.contract.Attachment`."""
    sig_stop = Signal()
    """Stop the streaming answer (button or Esc)."""
    sig_notice = Signal(str, str)
    """Something to tell the user inline; arguments: kind ("error"/"info"), text."""
    sig_composing = Signal()
    """The text box got its first character: a message is being written."""

    def __init__(
        self,
        pick_files: Callable[[], list[Path]],
        parent: QWidget | None = None,
        counter: Callable[[str], int] = estimate_tokens,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("composer")
        self._pick_files = pick_files
        self._counter = counter
        self.streaming = False
        self.attachments: list[Attachment] = []
        self.pending_paste: str | None = None
        self._icon_color = "#ffffff"
        self._muted = "#888888"
        self.loader = FileLoader(self)
        self.loader.sig_loaded.connect(self.on_file_loaded)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 6, 16, 10)
        outer.setSpacing(6)
        self.choice_bar = ChoiceBar(self)
        outer.addWidget(self.choice_bar)
        self.waiting = QLabel(self)
        self.waiting.setObjectName("composerWaiting")
        self.waiting.setAccessibleName("Agent status")
        self.waiting.hide()
        outer.addWidget(self.waiting)
        self.chips = QWidget(self)
        self.chips_layout = QHBoxLayout(self.chips)
        self.chips_layout.setContentsMargins(0, 0, 0, 0)
        self.chips_layout.setSpacing(6)
        self.chips_layout.addStretch(1)
        self.chips.hide()
        outer.addWidget(self.chips)

        self.box = QFrame(self)
        self.box.setObjectName("composerBox")
        row = QHBoxLayout(self.box)
        row.setContentsMargins(6, 6, 6, 6)
        row.setSpacing(4)
        self.attach_button = QToolButton(self.box)
        self.attach_button.setObjectName("attachButton")
        self.attach_button.setAccessibleName("Attach files")
        self.attach_button.setToolTip("Attach files")
        self.attach_button.setAutoRaise(True)
        self.attach_button.setIconSize(QSize(18, 18))
        self.attach_button.clicked.connect(self.on_attach_clicked)
        row.addWidget(self.attach_button, 0, Qt.AlignmentFlag.AlignBottom)
        self.edit = ComposerEdit(self.box)
        self.edit.sig_submit.connect(self.submit)
        self.edit.sig_escape.connect(self.on_escape)
        self.edit.sig_large_paste.connect(self.on_large_paste)
        self.edit.sig_files.connect(self.attach_paths)
        self.edit.document().contentsChanged.connect(self.fit_height)
        self._empty = True
        self.edit.document().contentsChanged.connect(self._notice_writing)
        row.addWidget(self.edit, 1)
        self.send_button = QToolButton(self.box)
        self.send_button.setObjectName("sendButton")
        self.send_button.setIconSize(QSize(18, 18))
        self.send_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.send_button.clicked.connect(self.on_send_button)
        row.addWidget(self.send_button, 0, Qt.AlignmentFlag.AlignBottom)
        outer.addWidget(self.box)
        self.hint = QLabel(self)
        self.hint.setObjectName("composerHint")
        outer.addWidget(self.hint)
        self.roles: list[str] = []
        # The roles offered after "@": a list inside the composer (no popup window),
        # driven from the text box, which keeps the focus.
        self.role_list = QListWidget(self)
        self.role_list.setObjectName("roleList")
        self.role_list.setAccessibleName("Agent roles")
        self.role_list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.role_list.itemClicked.connect(lambda item: self._insert_role(item.text()))
        self.role_list.hide()
        outer.insertWidget(outer.indexOf(self.box), self.role_list)
        self.edit.key_hook = self._role_key
        self.edit.textChanged.connect(self._complete_role)
        self.set_enter_sends(True)
        self.set_streaming(False)
        self.fit_height()

    # state -----------------------------------------------------------------------
    def set_enter_sends(self, enter_sends: bool) -> None:
        """Enter sends (Shift+Enter newline), or Ctrl+Enter sends (Enter newline)."""
        self.edit.enter_sends = enter_sends
        if not self.waiting.text():
            self.edit.set_placeholder(PLACEHOLDER, placeholder_keys(enter_sends))
        self.hint.setText(
            "Enter to send · Shift+Enter for a new line"
            if enter_sends
            else "Ctrl+Enter to send · Enter for a new line"
        )

    def set_waiting(self, text: str) -> None:
        """Say above the box that the agent waits for the user ("" hides the line)."""
        self.waiting.setText(text)
        self.waiting.setVisible(bool(text))
        if text:
            self.edit.set_placeholder(f"{text}…")
        else:
            self.edit.set_placeholder(PLACEHOLDER, placeholder_keys(self.edit.enter_sends))

    def set_roles(self, roles: list[str]) -> None:
        """The agent roles ``@`` offers at the start of a message."""
        self.roles = list(roles)
        if self.edit.hasFocus():
            self._complete_role()  # the user may be typing "@" right now

    def _complete_role(self) -> None:
        prefix = role_prefix(self.edit.toPlainText(), self.edit.textCursor().position())
        typed = (prefix or "@")[1:].casefold()
        matches = [f"@{name}" for name in self.roles if name.casefold().startswith(typed)]
        if prefix is None or not matches or matches == [prefix]:
            self.role_list.hide()
            return
        if [self.role_list.item(i).text() for i in range(self.role_list.count())] != matches:
            self.role_list.clear()
            self.role_list.addItems(matches)
        self.role_list.setCurrentRow(0)
        rows = min(len(matches), 5)
        self.role_list.setFixedHeight(rows * self.role_list.sizeHintForRow(0) + 6)
        self.role_list.show()

    def _role_key(self, event: QKeyEvent) -> bool:
        if not self.role_list.isVisible():
            return False
        key = event.key()
        if key in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            step = -1 if key == Qt.Key.Key_Up else 1
            row = (self.role_list.currentRow() + step) % self.role_list.count()
            self.role_list.setCurrentRow(row)
            return True
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Tab):
            current = self.role_list.currentItem()
            if current is not None:
                self._insert_role(current.text())
            return True
        if key == Qt.Key.Key_Escape:
            self.role_list.hide()
            return True
        return False

    def _insert_role(self, choice: str) -> None:
        text = self.edit.toPlainText()
        end = next((index for index, char in enumerate(text) if char.isspace()), len(text))
        rest = text[end:].lstrip(" ")
        cursor = self.edit.textCursor()
        cursor.beginEditBlock()
        cursor.select(QTextCursor.SelectionType.Document)
        cursor.insertText(f"{choice} {rest}")
        cursor.endEditBlock()
        cursor.setPosition(len(choice) + 1)
        self.edit.setTextCursor(cursor)
        self.role_list.hide()

    def set_streaming(self, streaming: bool) -> None:
        """Switch the button between Send and Stop."""
        self.streaming = streaming
        name = "Stop answer (Esc)" if streaming else "Send message"
        self.send_button.setAccessibleName(name)
        self.send_button.setToolTip(name)
        self.send_button.setProperty("streaming", streaming)
        self.set_icon_color(self._icon_color, self._muted)

    def set_icon_color(self, on_accent: str, muted: str) -> None:
        """Tint the icons for the theme."""
        self._icon_color, self._muted = on_accent, muted
        self.send_button.setIcon(icon("stop" if self.streaming else "send", on_accent))
        self.attach_button.setIcon(icon("attach", muted))
        style = self.send_button.style()
        style.unpolish(self.send_button)
        style.polish(self.send_button)

    def _notice_writing(self) -> None:
        empty = self.edit.document().isEmpty()
        if self._empty and not empty:
            self.sig_composing.emit()
        self._empty = empty

    def fit_height(self) -> None:
        """Grow the text box with its text, up to `MAX_VISIBLE_LINES` lines."""
        lines = max(1, min(MAX_VISIBLE_LINES, int(self.edit.document().size().height())))
        spacing = self.edit.fontMetrics().lineSpacing()
        margins = int(self.edit.document().documentMargin() * 2) + 2 * self.edit.frameWidth()
        self.edit.setFixedHeight(lines * spacing + margins + 4)

    # sending ---------------------------------------------------------------------
    def submit(self) -> None:
        """Send the text and attachments (ignored while an answer streams)."""
        if self.streaming:
            return
        text = self.edit.toPlainText()
        if not text.strip() and not self.attachments:
            return
        attachments = list(self.attachments)
        self.edit.clear()
        self.clear_attachments()
        self.sig_send.emit(text, attachments)

    def on_send_button(self) -> None:
        """Send, or Stop while streaming."""
        if self.streaming:
            self.sig_stop.emit()
        else:
            self.submit()

    def on_escape(self) -> None:
        """Esc stops a streaming answer, or dismisses an open choice."""
        if self.streaming:
            self.sig_stop.emit()
        elif self.choice_bar.isVisible():
            self.choice_bar.hide()
            self.pending_paste = None

    # attachments -----------------------------------------------------------------
    def add_attachment(self, attachment: Attachment) -> None:
        """Show a chip for ``attachment``; it is sent with the next message."""
        self.attachments.append(attachment)
        chip = AttachmentChip(attachment, self.chips)
        chip.sig_remove.connect(self.remove_attachment)
        self.chips_layout.insertWidget(self.chips_layout.count() - 1, chip)
        self.chips.show()

    def remove_attachment(self, attachment: Attachment) -> None:
        """Drop an attachment and its chip."""
        self.attachments = [item for item in self.attachments if item is not attachment]
        for chip in self.chips.findChildren(AttachmentChip):
            if chip.attachment is attachment:
                chip.deleteLater()
        self.chips.setVisible(bool(self.attachments))

    def clear_attachments(self) -> None:
        """Remove all chips."""
        for chip in self.chips.findChildren(AttachmentChip):
            chip.deleteLater()
        self.attachments = []
        self.chips.hide()

    def chip_widgets(self) -> list[AttachmentChip]:
        """The chips shown now, in order."""
        return [
            chip
            for chip in self.chips.findChildren(AttachmentChip)
            if chip.attachment in self.attachments
        ]

    def on_attach_clicked(self) -> None:
        """Pick files and attach them."""
        self.attach_paths(self._pick_files())

    def attach_paths(self, paths: list[Path]) -> None:
        """Read files in the background; each becomes a chip or a choice."""
        for path in paths:
            self.loader.load(Path(path))

    def on_file_loaded(self, loaded: LoadedFile) -> None:
        """A file was read: attach it, or ask when it is binary or very large."""
        name = loaded.path.name
        if loaded.error:
            self.sig_notice.emit("error", loaded.error)
            return
        if loaded.binary:

            def attach_hex() -> None:
                preview = hex_preview(loaded.head)
                text = f"[binary file {name}, {loaded.size} bytes; first bytes:]\n{preview}"
                self.add_attachment(
                    make_attachment(name, text, truncated=True, counter=self._counter)
                )

            self.choice_bar.ask(
                f"{name} is a binary file ({format_size(loaded.size)}).",
                [
                    (
                        "attach",
                        f"Attach hex preview (first {HEX_PREVIEW_BYTES // 1024} KB)",
                        attach_hex,
                    ),
                    ("cancel", "Skip", lambda: None),
                ],
            )
            return
        if len(loaded.text) <= LARGE_TEXT_CHARS:
            self.add_attachment(make_attachment(name, loaded.text, counter=self._counter))
            return
        text = loaded.text
        self.choice_bar.ask(
            f"{name} is large ({format_size(loaded.size)}, "
            f"{format_tokens(estimate_tokens(text))}).",
            [
                (
                    "attach",
                    "Attach as file",
                    lambda: self.add_attachment(make_attachment(name, text, counter=self._counter)),
                ),
                (
                    "truncate",
                    f"Attach first {TRUNCATE_CHARS // 1000} KB",
                    lambda: self.add_attachment(
                        make_attachment(
                            name, text[:TRUNCATE_CHARS], truncated=True, counter=self._counter
                        )
                    ),
                ),
                ("cancel", "Skip", lambda: None),
            ],
        )

    def on_large_paste(self, text: str) -> None:
        """A huge paste: offer to attach it as a file or paste only its start."""
        self.pending_paste = text
        self.choice_bar.ask(
            f"The pasted text is large ({format_size(len(text))}, "
            f"{format_tokens(estimate_tokens(text))}).",
            [
                ("attach", "Attach as file", self._attach_paste),
                (
                    "truncate",
                    f"Paste first {PASTE_TRUNCATE_CHARS // 1000} KB",
                    self._paste_truncated,
                ),
                ("cancel", "Cancel", self._drop_paste),
            ],
        )

    def _attach_paste(self) -> None:
        if self.pending_paste is not None:
            self.add_attachment(
                make_attachment("pasted-text.txt", self.pending_paste, counter=self._counter)
            )
        self.pending_paste = None

    def _paste_truncated(self) -> None:
        if self.pending_paste is not None:
            self.edit.insertPlainText(self.pending_paste[:PASTE_TRUNCATE_CHARS])
        self.pending_paste = None

    def _drop_paste(self) -> None:
        self.pending_paste = None
