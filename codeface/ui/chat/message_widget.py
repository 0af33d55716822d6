"""One message as a card: header, Markdown body (text and code blocks), status, footer.

A streaming answer renders incrementally (`AnswerStream`): text before `stable_boundary`
is rendered once and kept; only the open tail (the current paragraph, or the code block
being written, which is appended to in place) changes per flush. `end_stream` keeps what
was streamed when it already shows the final text, and renders only the rest; otherwise
it renders the final text once. The body is a `BodyStack`, so a change at its end moves
nothing above it. Every full or partial render is counted in ``context.render_counts``.

A card is a transcript `Row`: when it scrolls out of view it is given another message
of the same role (`bind`), and a full render reuses its text labels and code blocks
in place, so reusing a card builds and polishes nothing new for a message of the same
shape.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
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

from codeface.application.contract import MessageView
from codeface.ui.chat.body_stack import BodyStack
from codeface.ui.chat.code_block import CodeBlockWidget
from codeface.ui.chat.context import ChatContext
from codeface.ui.chat.markdown import (
    CodeSegment,
    Segment,
    TextSegment,
    mark_terms,
    render_segments,
)
from codeface.ui.chat.message_parts import MessageFooter, MessageHeader, StatusLine
from codeface.ui.chat.rows import Row
from codeface.ui.chat.streaming import AnswerStream, join_run

if TYPE_CHECKING:
    from codeface.ui.chat.placeholders import Item

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


def is_text_label(widget: QWidget) -> bool:
    """Whether ``widget`` is a body text label made by `text_label`."""
    return isinstance(widget, QLabel) and widget.objectName() == "messageText"


class MessageWidget(Row):
    """A message card. Create with a `MessageView`; the transcript positions it."""

    def __init__(self, message: MessageView, context: ChatContext, parent: QWidget) -> None:
        super().__init__(parent)
        self.context = context
        self.message = message
        self.setObjectName("messageRow")
        self._measured: tuple[int, int] | None = None
        self._chrome_changed = True  # header, status or footer changed since measured
        self._stream: AnswerStream | None = None
        self._runs: list[list[tuple[TextSegment, QWidget]]] = []
        self._join_timer: QTimer | None = None
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
        self.body = BodyStack(self.bubble)
        layout.addWidget(self.body)
        self.status_line = StatusLine(self.bubble)
        layout.addWidget(self.status_line)
        self.footer = MessageFooter(message, context, self.bubble)
        if self.footer.edit_button is not None:
            self.footer.edit_button.clicked.connect(self.start_edit)
        layout.addWidget(self.footer)
        self.setAccessibleName(f"{self.header.role_label.text()} message")
        self._show_body(message)
        self.status_line.update_from(message)

    # reuse -----------------------------------------------------------------------
    def bind(self, item: Item) -> None:
        """Show another message of the same role in this card."""
        assert isinstance(item, MessageView)
        self.release()
        self.message = item
        self.header.update_from(item)
        self.footer.update_from(item)
        self.status_line.update_from(item)
        self._show_body(item)
        self.invalidate()

    def release(self) -> None:
        """Stop joining text runs and close the editor: the card leaves the view."""
        if self._join_timer is not None:
            self._join_timer.stop()
        self._runs = []
        self._stream = None
        if self._editor is not None:
            self._editor = None
            self.footer.show()

    @property
    def busy(self) -> bool:
        """An open editor keeps the card (and what the user typed) alive off screen."""
        return self.editing

    def _show_body(self, message: MessageView) -> None:
        if message.status == "streaming":
            self.begin_stream()
            if message.content:
                self.append_stream(message.content)
        else:
            self._render_all()

    # measuring -------------------------------------------------------------------
    def measure(self, width: int) -> int:
        """The height this card needs at ``width`` (cached until the content changes)."""
        if self._measured and self._measured[0] == width:
            return self._measured[1]
        self._refresh_layouts()
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
        parts = (self.header, self.status_line, self.footer) if self._chrome_changed else ()
        self._chrome_changed = False
        for widget in (*parts, self.body, self.bubble):
            inner = widget.layout()
            if inner is not None:
                inner.invalidate()
            widget.updateGeometry()
        self._outer.invalidate()

    def invalidate(self, *, body_only: bool = False) -> None:
        """Forget the cached height (content or font changed; ``body_only``: nothing
        but the body changed, as while streaming)."""
        self._measured = None
        self._chrome_changed = self._chrome_changed or not body_only

    # full rendering --------------------------------------------------------------
    def _clear_body(self) -> None:
        for widget in self.body.take_all():
            widget.deleteLater()
        self._stream = None
        self._runs = []

    def _segment_widget(
        self,
        segment: Segment,
        labels: list[QLabel] | None = None,
        blocks: list[CodeBlockWidget] | None = None,
    ) -> QWidget:
        """A part showing ``segment``: one of the spare ``labels`` / ``blocks`` given
        the new content when there is one, else a new widget."""
        if isinstance(segment, CodeSegment):
            if blocks:
                block = blocks.pop(0)
                block.view.setFont(self.context.code_font())
                block.set_code(segment.code, segment.language, final=True)
                block.view.horizontalScrollBar().setValue(0)
                return block
            return CodeBlockWidget(segment.code, segment.language, self.context, self.body)
        html = segment.html
        term = self.context.highlight_term.get(self.message.id)
        if term:
            html = mark_terms(html, term, self.context.html_colors())
        if labels:
            label = labels.pop(0)
            label.setText(html)
            return label
        return text_label(html, self.body)

    def _render_all(self) -> None:
        self.context.render_counts[self.message.id] += 1
        self._stream = None
        self._runs = []
        content = self.message.content
        if self.message.role == "tool":
            content = f"```text\n{content}\n```"
        self.context.parsed_chars[self.message.id] += len(content)
        segments = render_segments(content, self.context.html_colors()) if content else []
        if not segments and self.message.status != "streaming":
            segments = [TextSegment("")] if self.message.role != "assistant" else []
        old = self.body.parts()
        labels = [part for part in old if isinstance(part, QLabel) and is_text_label(part)]
        blocks = [part for part in old if isinstance(part, CodeBlockWidget)]
        parts = [self._segment_widget(segment, labels, blocks) for segment in segments]
        self.body.reset(parts)
        kept = {id(part) for part in parts}
        for part in old:
            if id(part) not in kept:
                part.deleteLater()
        self.invalidate()

    def set_message(self, message: MessageView) -> None:
        """Replace the message (final content, status, stats) and re-render this card.

        While the card is streaming, a "streaming" update changes only the header and
        footer: the streamed text stays (it arrives through `append_stream`).
        """
        if message.status == "streaming" and self.message.status == "streaming":
            self.message = _with_content(message, self._stream.text if self._stream else "")
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
        if content_changed or self._stream is not None:
            self._render_all()
        self.invalidate()

    def rerender(self) -> None:
        """Render again (theme, zoom or highlight changed)."""
        self.footer.refresh_icons()
        if self.message.status == "streaming":
            text = self._stream.text if self._stream else ""
            self.begin_stream()
            self.append_stream(text)
            return
        self._render_all()

    # streaming -------------------------------------------------------------------
    def begin_stream(self) -> None:
        """Start an empty streaming body."""
        self._clear_body()
        self._stream = AnswerStream(
            self.body,
            self.context,
            self.message.id,
            self._segment_widget,
            lambda html: text_label(html, self.body),
        )
        self.invalidate()

    def append_stream(self, text: str) -> None:
        """Add streamed text: commit finished blocks once, update only the open tail."""
        if not text:
            return
        if self._stream is None:  # e.g. continuing an answer shown whole
            shown = self.message.content
            self.begin_stream()
            assert self._stream is not None
            self._stream.feed(shown)
        assert self._stream is not None
        self._stream.feed(text)
        self.message = _with_content(self.message, self._stream.text)
        self.invalidate(body_only=True)

    def end_stream(self, message: MessageView) -> None:
        """Finish with stats and status; render only what the streamed text lacks."""
        stream, self._stream = self._stream, None
        if stream is not None and self._finishes_in_place(message, stream):
            self._runs = stream.finish()
            if self._runs:
                self._schedule_join()
            self.message = message
            self.header.update_from(message)
            self.footer.update_from(message)
            self.status_line.update_from(message)
            self.invalidate()
            return
        self.message = _with_content(self.message, "\0")  # force the final render
        self.set_message(message)

    def _schedule_join(self) -> None:
        # Joining a run re-lays out its text (as rendering the answer whole would): one
        # run per event-loop turn, so finishing a long answer never stalls a frame.
        if self._join_timer is None:
            self._join_timer = QTimer(self)
            self._join_timer.setSingleShot(True)
            self._join_timer.setInterval(0)
            self._join_timer.timeout.connect(self._join_next)
        self._join_timer.start()

    def _join_next(self) -> None:
        if not self._runs:
            return
        join_run(self.body, self._runs.pop(0))
        self.invalidate()
        self.context.hub.sig_layout_changed.emit(self.message.id)
        if self._runs:
            self._schedule_join()

    @property
    def settled(self) -> bool:
        """True when no text runs are waiting to be joined after a stream ended."""
        return not self._runs

    def _finishes_in_place(self, message: MessageView, stream: AnswerStream) -> bool:
        return (
            message.role == "assistant"
            and message.content == stream.text
            and self._editor is None
            and not self.context.highlight_term.get(message.id)
        )

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
        self.body.append(editor)
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
        self.body.append(buttons)
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
