"""One message as a card: header, Markdown body (text and code blocks), status, footer.

A streaming answer renders incrementally: text before `stable_boundary` is rendered once
and kept; only the open tail (the current paragraph, or the code block being written,
which is appended to in place) changes per flush. `end_stream` renders the final text
once. Every full or partial render is counted in ``context.render_counts``.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from codeface.api import MessageView
from codeface.ui.chat.code_block import CodeBlockWidget
from codeface.ui.chat.context import ChatContext
from codeface.ui.chat.markdown import (
    CodeSegment,
    Segment,
    TextSegment,
    mark_terms,
    open_fence,
    render_segments,
    stable_boundary,
)
from codeface.ui.chat.message_parts import MessageFooter, MessageHeader, StatusLine

USER_INDENT_PX = 96


def text_label(html: str, parent: QWidget) -> QLabel:
    """A selectable, word-wrapped rich-text label for a Markdown run."""
    label = QLabel(parent)
    label.setObjectName("messageText")
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setWordWrap(True)
    label.setTextInteractionFlags(
        Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.LinksAccessibleByMouse
    )
    label.setOpenExternalLinks(True)
    label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
    label.setText(html)
    return label


class MessageWidget(QFrame):
    """A message card. Create with a `MessageView`; the transcript positions it."""

    def __init__(self, message: MessageView, context: ChatContext, parent: QWidget) -> None:
        super().__init__(parent)
        self.context = context
        self.message = message
        self.setObjectName("messageRow")
        self._measured: tuple[int, int] | None = None
        self._committed = 0
        self._stream_text = ""
        self._tail_label: QLabel | None = None
        self._tail_code: CodeBlockWidget | None = None
        self._editor: QPlainTextEdit | None = None

        outer = self._outer = QHBoxLayout(self)
        outer.setContentsMargins(16, 6, 16, 6)
        outer.setSpacing(0)
        self.bubble = QFrame(self)
        bubble_names = {"user": "userBubble", "assistant": "assistantBubble"}
        self.bubble.setObjectName(bubble_names.get(message.role, "systemBubble"))
        if message.role == "user":
            outer.setContentsMargins(USER_INDENT_PX, 6, 16, 6)
        outer.addWidget(self.bubble, 1)
        layout = QVBoxLayout(self.bubble)
        layout.setContentsMargins(14, 10, 14, 8)
        layout.setSpacing(6)
        self.header = MessageHeader(message, context, self.bubble)
        layout.addWidget(self.header)
        self.body = QWidget(self.bubble)
        self.body_layout = QVBoxLayout(self.body)
        self.body_layout.setContentsMargins(0, 0, 0, 0)
        self.body_layout.setSpacing(8)
        layout.addWidget(self.body)
        self.status_line = StatusLine(self.bubble)
        layout.addWidget(self.status_line)
        self.footer = MessageFooter(message, context, self.bubble)
        if self.footer.edit_button is not None:
            self.footer.edit_button.clicked.connect(self.start_edit)
        layout.addWidget(self.footer)
        self.setAccessibleName(f"{self.header.role_label.text()} message")
        if message.status == "streaming":
            self.begin_stream()
            if message.content:
                self.append_stream(message.content)
        else:
            self._render_all()
        self.status_line.update_from(message)

    # measuring -------------------------------------------------------------------
    def measure(self, width: int) -> int:
        """The height this card needs at ``width`` (cached until the content changes)."""
        if self._measured and self._measured[0] == width:
            return self._measured[1]
        pass  # self._refresh_layouts()
        layout = self._outer
        layout.activate()
        height = layout.totalHeightForWidth(width) if layout.hasHeightForWidth() else -1
        if height <= 0:
            height = self.sizeHint().height()
        self._measured = (width, height)
        return height

    def _refresh_layouts(self) -> None:
        # Qt tells a parent layout that a child's size changed only while the parent is
        # shown, or on a later event-loop turn; a card whose text changed off screen, in
        # a hidden pane or in the same tick would be measured from stale size caches
        # (header and footer only) and keep that height. Drop the caches bottom-up.
        parts = (self._tail_code, self.header, self.body, self.status_line, self.footer)
        for widget in (*parts, self.bubble):
            if widget is None:
                continue
            inner = widget.layout()
            if inner is not None:
                inner.invalidate()
            widget.updateGeometry()
        self._outer.invalidate()

    def invalidate(self) -> None:
        """Forget the cached height (content or font changed)."""
        self._measured = None

    # full rendering --------------------------------------------------------------
    def _clear_body(self) -> None:
        while self.body_layout.count():
            item = self.body_layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.hide()
                widget.deleteLater()
        self._tail_label = None
        self._tail_code = None

    def _segment_widget(self, segment: Segment) -> QWidget:
        if isinstance(segment, CodeSegment):
            return CodeBlockWidget(segment.code, segment.language, self.context, self.body)
        html = segment.html
        term = self.context.highlight_term.get(self.message.id)
        if term:
            html = mark_terms(html, term, self.context.html_colors())
        return text_label(html, self.body)

    def _add_segments(self, segments: list[Segment], before: int | None = None) -> None:
        for segment in segments:
            widget = self._segment_widget(segment)
            if before is None:
                self.body_layout.addWidget(widget)
            else:
                self.body_layout.insertWidget(before, widget)
                before += 1
            # Shown now, not on the layout's queued show, so measuring right away is exact.
            widget.show()

    def _render_all(self) -> None:
        self.context.render_counts[self.message.id] += 1
        self._clear_body()
        content = self.message.content
        if self.message.role == "tool":
            content = f"```text\n{content}\n```"
        segments = render_segments(content, self.context.html_colors()) if content else []
        if not segments and self.message.status != "streaming":
            segments = [TextSegment("")] if self.message.role != "assistant" else []
        self._add_segments(segments)
        self.invalidate()

    def set_message(self, message: MessageView) -> None:
        """Replace the message (final content, status, stats) and re-render this card.

        While the card is streaming, a "streaming" update changes only the header and
        footer: the streamed text stays (it arrives through `append_stream`).
        """
        if message.status == "streaming" and self.message.status == "streaming":
            self.message = _with_content(message, self._stream_text)
            self.header.update_from(message)
            self.footer.update_from(message)
            self.invalidate()
            return
        content_changed = message.content != self.message.content or self._editor is not None
        self.message = message
        self.header.update_from(message)
        self.footer.update_from(message)
        self.status_line.update_from(message)
        self._editor = None
        if content_changed or self._tail_label is not None or self._tail_code is not None:
            self._render_all()
        self.invalidate()

    def rerender(self) -> None:
        """Render again (theme, zoom or highlight changed)."""
        if self.message.status == "streaming":
            text = self._stream_text
            self.begin_stream()
            self.append_stream(text)
            return
        self._render_all()

    # streaming -------------------------------------------------------------------
    def begin_stream(self) -> None:
        """Start an empty streaming body."""
        self._clear_body()
        self._committed = 0
        self._stream_text = ""
        self.invalidate()

    def append_stream(self, text: str) -> None:
        """Add streamed text: commit finished blocks once, update only the open tail."""
        if not text:
            return
        self._stream_text += text
        full = self._stream_text
        boundary = stable_boundary(full, self._committed)
        if boundary > self._committed:
            self.context.render_counts[self.message.id] += 1
            self._drop_tail()
            self._add_segments(
                render_segments(full[self._committed : boundary], self.context.html_colors())
            )
            self._committed = boundary
        self._update_tail(full[self._committed :])
        self.message = _with_content(self.message, full)
        self.invalidate()

    def _drop_tail(self) -> None:
        for widget in (self._tail_label, self._tail_code):
            if widget is not None:
                self.body_layout.removeWidget(widget)
                widget.hide()
                widget.deleteLater()
        self._tail_label = None
        self._tail_code = None

    def _update_tail(self, tail: str) -> None:
        fence = open_fence(tail)
        if fence is not None:
            language, code = fence
            current = self._tail_code
            if (
                current is not None
                and current.language == language
                and code.startswith(current.code)
            ):
                current.append_code(code[len(current.code) :])
                return
            self._drop_tail()
            self._tail_code = CodeBlockWidget(code, language, self.context, self.body, final=False)
            self.body_layout.addWidget(self._tail_code)
            self._tail_code.show()
            return
        if self._tail_code is not None:
            self._drop_tail()
        if not tail.strip():
            if self._tail_label is not None:
                self._tail_label.setText("")
            return
        rendered = "".join(
            segment.html
            for segment in render_segments(tail, self.context.html_colors())
            if isinstance(segment, TextSegment)
        )
        if self._tail_label is None:
            self._tail_label = text_label(rendered, self.body)
            self.body_layout.addWidget(self._tail_label)
            self._tail_label.show()
        else:
            self._tail_label.setText(rendered)

    def end_stream(self, message: MessageView) -> None:
        """Finish: render the final text once, with stats and status."""
        self._committed = 0
        self._stream_text = ""
        self.message = _with_content(self.message, "\0")  # force the final render
        self.set_message(message)

    # editing ---------------------------------------------------------------------
    def start_edit(self) -> None:
        """Replace the body with an editor; saving emits ``sig_edit`` (a new branch)."""
        if self._editor is not None:
            return
        self._clear_body()
        editor = QPlainTextEdit(self.body)
        editor.setObjectName("editEditor")
        editor.setAccessibleName("Edit message")
        editor.setPlainText(self.message.content)
        lines = self.message.content.count("\n") + 2
        editor.setFixedHeight(max(80, min(320, lines * editor.fontMetrics().lineSpacing() + 24)))
        self.body_layout.addWidget(editor)
        buttons = QWidget(self.body)
        row = QHBoxLayout(buttons)
        row.setContentsMargins(0, 0, 0, 0)
        row.addStretch(1)
        cancel = QPushButton("Cancel", buttons)
        save = QPushButton("Save && send", buttons)
        save.setObjectName("primaryButton")
        save.setDefault(True)
        cancel.clicked.connect(self.cancel_edit)
        save.clicked.connect(self.submit_edit)
        row.addWidget(cancel)
        row.addWidget(save)
        self.body_layout.addWidget(buttons)
        editor.show()
        buttons.show()
        QShortcut(QKeySequence("Ctrl+Return"), editor, self.submit_edit)
        QShortcut(QKeySequence("Escape"), editor, self.cancel_edit)
        self._editor = editor
        self.footer.hide()
        editor.setFocus()
        self.invalidate()
        self.context.hub.sig_layout_changed.emit(self.message.id)

    def submit_edit(self) -> None:
        """Send the edited text (unchanged text just closes the editor)."""
        if self._editor is None:
            return
        text = self._editor.toPlainText()
        self.cancel_edit()
        if text.strip() and text != self.message.content:
            self.context.hub.sig_edit.emit(self.message.id, text)

    def cancel_edit(self) -> None:
        """Close the editor and show the message again."""
        self._editor = None
        self.footer.show()
        self._render_all()
        self.context.hub.sig_layout_changed.emit(self.message.id)

    @property
    def editing(self) -> bool:
        """True while the inline editor is open."""
        return self._editor is not None


def _with_content(message: MessageView, content: str) -> MessageView:
    from dataclasses import replace

    return replace(message, content=content)
