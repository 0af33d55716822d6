"""`ChatPane`: the conversation (virtual transcript) and the composer, as one widget.

The window feeds it `codeface.application.contract.MessageView`s and stream text; it emits what the user
asked for. It never talks to providers or the store. Stream text is buffered and applied
at most every `FLUSH_MS` (≈60 Hz), and only to the answer being written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QVBoxLayout, QWidget

from codeface.application.contract import MessageView
from codeface.ui.chat.agent_steps import AgentSteps
from codeface.ui.chat.attachments import estimate_tokens
from codeface.ui.chat.code_block import prepare_highlighters, warm_common_highlighters
from codeface.ui.chat.composer import Composer
from codeface.ui.chat.context import (
    DEFAULT_POINT_SIZE,
    MAX_POINT_SIZE,
    MIN_POINT_SIZE,
    ChatContext,
    ChatHub,
)
from codeface.ui.chat.empty_hint import hint_for
from codeface.ui.chat.message_widget import MessageWidget
from codeface.ui.chat.notices import NOTICE_KINDS, Notice
from codeface.ui.chat.services import ChatServices
from codeface.ui.chat.style import chat_stylesheet
from codeface.ui.chat.transcript import Transcript
from codeface.ui.theme import Theme, ThemeManager

FLUSH_MS = 16
PREPARED_MESSAGES = 60
"""How many of a reopened branch's last messages have their lexers built before it shows."""


class ChatPane(QWidget):
    """The chat: transcript above, composer below."""

    sig_send = Signal(str, list)
    """Send a prompt; arguments: text, list of `codeface.application.contract.Attachment`."""
    sig_stop = Signal()
    """Stop the streaming answer (Stop button or Esc)."""
    sig_regenerate = Signal(str)
    """Answer again; argument: the answer's message id."""
    sig_edit = Signal(str, str)
    """An earlier user message was edited (creates a branch); arguments: message id, text."""
    sig_switch_sibling = Signal(str, int)
    """Show another version; arguments: message id, step (-1 previous, +1 next)."""
    sig_rate = Signal(str, object)
    """Thumbs up/down; arguments: message id, rating (1, -1, or None when cleared)."""
    sig_continue = Signal(str)
    """Continue an interrupted answer; argument: the answer's message id."""
    sig_action = Signal(str)
    """A notice button was clicked; argument: its action id ("retry", "switch_model"...)."""
    sig_send_to_terminal = Signal(str)
    """"Run in terminal" on a shell code block; argument: the code."""
    sig_zoom_changed = Signal(int)
    """The chat font size changed; argument: the new point size."""
    sig_composing = Signal()
    """The user started writing a message (time to get ready to send it)."""
    sig_apply_code = Signal(str, str)
    """"Apply…" on a code block; arguments: the code, its language."""
    sig_save_code = Signal(str, str)
    """"Save…" on a code block; arguments: the code, its language."""
    sig_open_file = Signal(str, int)
    """Show a project file in the Code panel; arguments: relative path, line (1-based)."""
    sig_approval_answer = Signal(str, str, str)
    """An approval card was answered; arguments: request id, "once"/"session"/"deny", reason."""
    sig_question_answer = Signal(str, str)
    """The agent's question was answered; arguments: question id, the answer."""

    def __init__(
        self,
        theme: Theme | None = None,
        services: ChatServices | None = None,
        parent: QWidget | None = None,
        *,
        point_size: int = DEFAULT_POINT_SIZE,
        enter_sends: bool = True,
        token_counter: Callable[[str], int] = estimate_tokens,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("chatPane")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setAccessibleName("Chat")
        theme = theme or ThemeManager().resolve("system")
        hub = ChatHub(self)
        self.context = ChatContext(
            theme=theme,
            services=services or ChatServices(self),
            hub=hub,
            point_size=point_size,
        )
        self.default_point_size = point_size
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.transcript = Transcript(self.context, self)
        self.transcript.set_empty_hint(hint_for(None))
        layout.addWidget(self.transcript, 1)
        self.composer = Composer(self.context.services.pick_files, self, counter=token_counter)
        layout.addWidget(self.composer)

        hub.sig_regenerate.connect(self.sig_regenerate)
        hub.sig_edit.connect(self.sig_edit)
        hub.sig_switch_sibling.connect(self.sig_switch_sibling)
        hub.sig_rate.connect(self._on_rate)
        hub.sig_continue.connect(self.sig_continue)
        hub.sig_action.connect(self.sig_action)
        hub.sig_send_to_terminal.connect(self.sig_send_to_terminal)
        hub.sig_code_notice.connect(lambda kind, text: self.show_notice(kind, text, []))
        hub.sig_apply_code.connect(self.sig_apply_code)
        hub.sig_save_code.connect(self.sig_save_code)
        hub.sig_open_file.connect(self.sig_open_file)
        self.agent_steps = AgentSteps(self.transcript, self.composer, hub, self)
        """The agent turn's cards (tool steps, approvals, questions)."""
        self.agent_steps.sig_approval_answer.connect(self.sig_approval_answer)
        self.agent_steps.sig_question_answer.connect(self.sig_question_answer)
        self.composer.sig_send.connect(self.sig_send)
        self.composer.sig_stop.connect(self.sig_stop)
        self.composer.sig_composing.connect(self.sig_composing)
        # Build the highlighters while the user writes (a no-op once they are built).
        self.composer.sig_composing.connect(self.warm_highlighters)
        self.composer.sig_notice.connect(lambda kind, text: self.show_notice(kind, text, []))

        self._pending: dict[str, list[str]] = {}
        self._held: dict[str, MessageView] = {}
        self.streaming_id: str | None = None
        self.flush_count = 0
        """How many times streamed text was applied (≈ repaints of the answer)."""
        self._flush_timer = QTimer(self)
        self._flush_timer.setSingleShot(True)
        self._flush_timer.setInterval(FLUSH_MS)
        self._flush_timer.timeout.connect(self.flush)

        for keys, step in (("Ctrl++", 1), ("Ctrl+=", 1), ("Ctrl+-", -1), ("Ctrl+0", 0)):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(lambda step=step: self.zoom(step))
        self.set_enter_sends(enter_sends)
        self.set_theme(theme)

    # transcript --------------------------------------------------------------------
    def set_messages(self, messages: list[MessageView], anchor_id: str | None = None) -> None:
        """Show a whole branch (replaces everything; cheap for 10,000 messages).

        The view follows the bottom, or shows ``anchor_id`` at the top when given (e.g.
        the message whose sibling was just switched, so the reader keeps their place).
        """
        self._pending.clear()
        self._held.clear()
        self._flush_timer.stop()
        self.streaming_id = None
        self.context.highlight_term.clear()
        # Per-message counters are about the transcript shown: a new one starts afresh.
        self.context.render_counts.clear()
        self.context.parsed_chars.clear()
        self.transcript.set_items(self.agent_steps.items_for(list(messages)))
        for message in messages:
            if message.status == "streaming":
                self._start_stream(message.id)
        if anchor_id is not None and self.transcript.item(anchor_id) is not None:
            self.transcript.scroll_to_item(anchor_id)

    def show_project(self, name: str | None) -> None:
        """The conversation is about project ``name`` (None: none is open); an empty
        transcript says how to put agents to work on it."""
        self.transcript.set_empty_hint(hint_for(name))

    def add_message(self, message: MessageView) -> None:
        """Append a message (or update it if its id is already shown); a tool result
        goes into its step's card."""
        if self.agent_steps.fold_result(message):
            return
        if self.transcript.item(message.id) is not None:
            self.update_message(message)
            return
        self.transcript.append(message)

    def update_message(self, message: MessageView) -> None:
        """Replace a message by id (status, stats, final content); adds it if unknown."""
        if message.id == self.streaming_id and message.status != "streaming":
            self.end_answer(message)
            return
        if self.agent_steps.fold_result(message):
            return
        if not self.transcript.replace(message):
            self.transcript.append(message)

    async def prepare_to_show(self, messages: list[MessageView]) -> None:
        """Build what the last screenfuls of ``messages`` will need to be coloured (their
        code fences' lexers) off the GUI thread, before `set_messages` shows them."""
        recent = [message.content for message in messages[-PREPARED_MESSAGES:]]
        await prepare_highlighters(recent, self.context.theme.pygments_style)

    def warm_highlighters(self) -> None:
        """Build the lexers most answers need, in a worker thread (call when idle)."""
        warm_common_highlighters(self.context.theme.pygments_style)

    def begin_answer(self, message: MessageView) -> None:
        """Show an answer that is about to stream (usually empty, status "streaming").

        In an agent turn that already ran tools, a step's answer appears only when text
        arrives: most steps only call tools, and their cards say so without an empty
        answer flashing up (and being laid out) for each of them.
        """
        message = replace(message, status="streaming")
        self.agent_steps.owner = message.id
        if (
            self.agent_steps.tools_ran
            and not message.content
            and self.transcript.item(message.id) is None
        ):
            self._held[message.id] = message
            self.streaming_id = message.id
            return
        self._show_answer(message)

    def _show_answer(self, message: MessageView) -> None:
        self.warm_highlighters()  # a no-op unless the theme changed since
        if self.transcript.item(message.id) is None:
            self.transcript.append(message)
        else:
            self.transcript.replace(message)
        self._start_stream(message.id)
        widget = self.transcript.widget_for(message.id)
        if isinstance(widget, MessageWidget) and widget.message.status != "streaming":
            widget.set_message(message)
            widget.begin_stream()
        self.transcript.relayout()

    def _start_stream(self, message_id: str) -> None:
        self.streaming_id = message_id
        self.transcript.pin(message_id)

    def append_answer_text(self, message_id: str, text: str) -> None:
        """Queue streamed text; it is applied on the next ≈16 ms tick."""
        if not text:
            return
        self._pending.setdefault(message_id, []).append(text)
        if not self._flush_timer.isActive():
            self._flush_timer.start()

    def flush(self) -> None:
        """Apply queued stream text now (incrementally, to the streaming answers only)."""
        pending, self._pending = self._pending, {}
        for message_id in pending:
            held = self._held.pop(message_id, None)
            if held is not None:  # the step's first text: its answer appears now
                self._show_answer(held)
        for message_id, parts in pending.items():
            item = self.transcript.item(message_id)
            if not isinstance(item, MessageView):
                continue
            text = "".join(parts)
            updated = replace(item, content=item.content + text)
            self.transcript.store(updated)
            widget = self.transcript.widget_for(message_id, create=False)
            if isinstance(widget, MessageWidget):
                if widget.message.status == "streaming":
                    widget.append_stream(text)  # it re-measures its body, nothing else
                else:  # text for an answer that was never begun: render it whole
                    widget.set_message(updated)
                    self.transcript.on_item_changed(message_id)
        if pending:
            self.flush_count += 1
            self.transcript.relayout()

    def end_answer(self, message: MessageView) -> None:
        """The answer is done (or failed): final render once, with stats and status."""
        if self._pending.get(message.id):
            self.flush()
        self._pending.pop(message.id, None)
        self._held.pop(message.id, None)
        widget = self.transcript.widget_for(message.id, create=False)
        if self.transcript.item(message.id) is None:
            self.transcript.append(message)
        elif (
            widget is not None and widget.kind != self.transcript.rows.factory.kind_of(message).name
        ):
            self.transcript.replace(message)  # e.g. an answer that only called tools
        elif isinstance(widget, MessageWidget):
            self.transcript.store(message)
            widget.end_stream(message)
            self.transcript.on_item_changed(message.id)
        else:
            self.transcript.replace(message)
        self.transcript.pin(message.id, False)
        if self.streaming_id == message.id:
            self.streaming_id = None
        self.transcript.relayout()

    def show_notice(self, kind: str, text: str, actions: list[tuple[str, str]]) -> None:
        """Show a notice inline at the end of the conversation.

        ``kind``: "fallback", "error", "interrupted" or "info"; ``actions``: (label,
        action_id) buttons that emit ``sig_action(action_id)``.
        """
        if kind not in NOTICE_KINDS:
            kind = "info"
        self.transcript.append(Notice(kind, text, tuple(actions)))
        self.transcript.relayout()

    def scroll_to_message(self, message_id: str, highlight: str | None = None) -> None:
        """Scroll to a message; mark ``highlight`` (a search term) in its text."""
        self.context.highlight_term.clear()
        if highlight:
            self.context.highlight_term[message_id] = highlight
        widget = self.transcript.widget_for(message_id, create=False)
        if widget is not None:
            widget.rerender()
        self.transcript.scroll_to_item(message_id)

    def message_widget(self, message_id: str) -> MessageWidget | None:
        """The built widget of a message (built now if needed), or None if unknown."""
        widget = self.transcript.widget_for(message_id)
        return widget if isinstance(widget, MessageWidget) else None

    def _on_rate(self, message_id: str, rating: object) -> None:
        item = self.transcript.item(message_id)
        if isinstance(item, MessageView) and (rating is None or isinstance(rating, int)):
            self.transcript.store(replace(item, rating=rating))
        self.sig_rate.emit(message_id, rating)

    # composer ------------------------------------------------------------------------
    def set_streaming(self, streaming: bool) -> None:
        """Switch the composer between Send and Stop; at the end of a turn nothing waits
        for the user any more."""
        self.composer.set_streaming(streaming)
        if not streaming:
            self.agent_steps.turn_ended()

    def set_roles(self, roles: list[str]) -> None:
        """The agent roles the composer offers after ``@``."""
        self.composer.set_roles(roles)

    def set_enter_sends(self, enter_sends: bool) -> None:
        """Enter sends (Shift+Enter newline), or Ctrl+Enter sends."""
        self.composer.set_enter_sends(enter_sends)

    def focus_composer(self) -> None:
        """Put the keyboard focus in the prompt box."""
        self.composer.edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def insert_into_composer(self, text: str) -> None:
        """Insert text at the cursor (e.g. terminal output captured for the chat)."""
        self.composer.edit.insertPlainText(text)
        self.focus_composer()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape and self.composer.streaming:
            self.sig_stop.emit()
            return
        super().keyPressEvent(event)

    # appearance ----------------------------------------------------------------------
    def set_theme(self, theme: Theme) -> None:
        """Recolour the chat (visible messages re-render; the rest when shown)."""
        self.context.theme = theme
        self._apply_style()

    def zoom(self, step: int) -> None:
        """Make the chat text bigger (+1) or smaller (-1); 0 resets."""
        size = self.default_point_size if step == 0 else self.context.point_size + step
        size = max(MIN_POINT_SIZE, min(MAX_POINT_SIZE, size))
        if size == self.context.point_size and step != 0:
            return
        self.context.point_size = size
        self._apply_style()
        self.sig_zoom_changed.emit(size)

    def _apply_style(self) -> None:
        theme = self.context.theme
        self.setFont(self.context.text_font())
        self.setStyleSheet(
            chat_stylesheet(
                theme,
                self.context.point_size,
                self.context.font_family,
                self.context.code_font().family(),
            )
        )
        self.composer.set_icon_color(
            theme.palette.get("highlighted_text", "#ffffff"), theme.chat.muted
        )
        self.composer.fit_height()
        self.transcript.set_jump_icon_color(theme.palette.get("highlighted_text", "#ffffff"))
        self.transcript.invalidate_all()
