"""Approval and question cards: the agent waits for the user here, inline in the chat.

An approval card says what will happen (an edit's diff in the diff view, a command line
and its folder) and, for a risky command, why it asks. Allow once, Allow for this
session (when the engine offers it) and Deny (with an optional reason) are buttons with
mnemonics; Enter allows once, Escape denies, Enter in the reason box denies with that
reason. A question card (`ask_user`) has a reply box. Once answered, a card collapses to
one line saying the decision. Answers go out through the hub; the pane passes them on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from codeface.ui.chat.agent_items import ApprovalItem, QuestionItem
from codeface.ui.chat.context import ChatContext
from codeface.ui.chat.rows import Row

if TYPE_CHECKING:
    from codeface.ui.chat.placeholders import Item
    from codeface.ui.diff.view import DiffView

TITLES = {"edit": "Allow this change?", "command": "Run this command?"}
DECISION_WORDS = {
    "once": "✓ Allowed once",
    "session": "✓ Allowed for this session",
    "allowed": "✓ Allowed",  # reopened, recorded before the audit kept how long
    "deny": "✗ Denied",
}


def split_command_detail(detail: str) -> tuple[str, str]:
    """("pytest -q", "/home/me/project") from "$ pytest -q\\n(in /home/me/project)"."""
    command, folder = detail, ""
    lines = detail.splitlines()
    if lines and lines[-1].startswith("(in ") and lines[-1].endswith(")"):
        folder = lines[-1][4:-1]
        command = "\n".join(lines[:-1])
    return command.removeprefix("$ "), folder


class _CardRow(Row):
    """Shared frame, measuring and collapse logic of the waiting cards."""

    def __init__(self, context: ChatContext, parent: QWidget, object_name: str) -> None:
        super().__init__(parent)
        self.context = context
        self._measured: tuple[int, int] | None = None
        self.setObjectName("approvalRow")
        self._outer = QVBoxLayout(self)
        self._outer.setContentsMargins(28, 4, 16, 4)
        self.card = QFrame(self)
        self.card.setObjectName(object_name)
        self._outer.addWidget(self.card)
        self.column = QVBoxLayout(self.card)
        self.column.setContentsMargins(12, 8, 12, 8)
        self.column.setSpacing(6)
        self.title = QLabel(self.card)
        self.title.setObjectName("approvalTitle")
        self.title.setWordWrap(True)
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.column.addWidget(self.title)

    def _set_state(self, state: str) -> None:
        waiting = state in ("pending", "sending")
        margin = (12, 8) if waiting else (10, 3)
        self.column.setContentsMargins(margin[0], margin[1], margin[0], margin[1])
        for widget, name, value in (
            (self.card, "state", state),
            (self.title, "waiting", "true" if waiting else "false"),
        ):
            if widget.property(name) != value:
                widget.setProperty(name, value)
                if widget.testAttribute(Qt.WidgetAttribute.WA_WState_Polished):
                    widget.style().unpolish(widget)
                    widget.style().polish(widget)

    def measure(self, width: int) -> int:
        """The card's height at ``width`` (cached)."""
        if self._measured and self._measured[0] == width:
            return self._measured[1]
        self.column.invalidate()
        self._outer.invalidate()
        self._outer.activate()
        height = self._outer.totalHeightForWidth(width)
        if height <= 0:
            height = self.sizeHint().height()
        self._measured = (width, height)
        return height

    def invalidate(self) -> None:
        """Forget the cached height."""
        self._measured = None

    def _changed(self, item_id: str) -> None:
        self.invalidate()
        self.context.hub.sig_layout_changed.emit(item_id)


class ApprovalCardRow(_CardRow):
    """An approval request; collapses to its decision once answered."""

    def __init__(self, item: ApprovalItem, context: ChatContext, parent: QWidget) -> None:
        super().__init__(context, parent, "approvalCard")
        self.item = item
        self._diff: DiffView | None = None
        self.description = QLabel(self.card)
        self.description.setObjectName("approvalDescription")
        self.description.setWordWrap(True)
        self.description.setTextFormat(Qt.TextFormat.PlainText)
        self.column.addWidget(self.description)
        self.reasons = QLabel(self.card)
        self.reasons.setObjectName("approvalReasons")
        self.reasons.setWordWrap(True)
        self.reasons.setTextFormat(Qt.TextFormat.PlainText)
        self.column.addWidget(self.reasons)
        self.command = QLabel(self.card)
        self.command.setObjectName("approvalCommand")
        self.command.setWordWrap(True)
        self.command.setTextFormat(Qt.TextFormat.PlainText)
        self.command.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.command.setFont(context.code_font())
        self.column.addWidget(self.command)
        self.folder = QLabel(self.card)
        self.folder.setObjectName("approvalFolder")
        self.folder.setTextFormat(Qt.TextFormat.PlainText)
        self.column.addWidget(self.folder)
        self.buttons = QWidget(self.card)
        row = QHBoxLayout(self.buttons)
        row.setContentsMargins(0, 2, 0, 0)
        row.setSpacing(6)
        self.allow_button = self._button("Allow &once", "primaryButton", "once")
        self.session_button = self._button("Allow for this &session", "approvalButton", "session")
        self.deny_button = self._button("&Deny", "denyButton", "deny")
        for button in (self.allow_button, self.session_button, self.deny_button):
            row.addWidget(button)
        self.reason = QLineEdit(self.buttons)
        self.reason.setObjectName("denyReason")
        self.reason.setPlaceholderText("Reason for denying (optional, the agent sees it)")
        self.reason.setAccessibleName("Reason for denying")
        self.reason.returnPressed.connect(lambda: self._answer("deny"))
        row.addWidget(self.reason, 1)
        self.column.addWidget(self.buttons)
        self.bind(item)

    def _button(self, text: str, name: str, decision: str) -> QPushButton:
        button = QPushButton(text, self.buttons)
        button.setObjectName(name)
        button.setAccessibleName(text.replace("&", ""))
        button.setAutoDefault(True)
        button.setCursor(Qt.CursorShape.PointingHandCursor)
        button.clicked.connect(lambda _checked=False: self._answer(decision))
        return button

    # binding ---------------------------------------------------------------------
    def bind(self, item: Item) -> None:
        """Show ``item`` (an `ApprovalItem`), pending or decided."""
        assert isinstance(item, ApprovalItem)
        previous_id = self.item.id
        self.item = item
        pending = item.state in ("pending", "sending")
        self._set_state(item.state if item.state != "decided" else f"decided-{item.decision}")
        if pending:
            self.title.setText(TITLES.get(item.kind, "Allow this?"))
        elif item.state == "expired":
            self.title.setText(f"No longer waiting: {item.description}")
        else:
            reason = f" ({item.reason})" if item.reason else ""
            who = "" if item.approver in ("", "user") else f" by {item.approver}"
            words = DECISION_WORDS.get(item.decision, item.decision)
            self.title.setText(f"{words}{who}: {item.description}{reason}")
        self.description.setText(item.description)
        self.description.setVisible(pending)
        reasons = "; ".join(item.reasons)
        self.reasons.setText(f"Why it asks: {reasons}" if reasons else "")
        self.reasons.setVisible(pending and bool(reasons))
        is_command = item.kind == "command"
        command, folder = split_command_detail(item.detail) if is_command else ("", "")
        self.command.setText(command)
        self.command.setVisible(pending and is_command)
        self.folder.setText(f"in {folder}" if folder else "")
        self.folder.setVisible(pending and bool(folder))
        show_diff = pending and item.kind == "edit" and bool(item.detail)
        if show_diff:
            diff = self._ensure_diff()
            if previous_id != item.id or not diff.hunks:
                diff.set_unified(item.detail)
        if self._diff is not None:
            self._diff.setVisible(show_diff)
        self.buttons.setVisible(pending)
        self.session_button.setVisible(item.can_allow_for_session)
        for button in (self.allow_button, self.session_button, self.deny_button):
            button.setEnabled(item.state == "pending")
        self.reason.setEnabled(item.state == "pending")
        if previous_id != item.id:
            self.reason.clear()
        self.setAccessibleName(f"Approval: {item.description}")
        self.setAccessibleDescription(self.title.text() + (f". {reasons}" if reasons else ""))
        self.invalidate()

    def _ensure_diff(self) -> DiffView:
        if self._diff is None:
            from codeface.ui.diff.view import DiffView

            self._diff = DiffView(self.context.theme, compact=True, parent=self.card)
            self.column.insertWidget(self.column.indexOf(self.buttons), self._diff)
        return self._diff

    def release(self) -> None:
        """Nothing runs for the old item."""

    @property
    def busy(self) -> bool:
        """A waiting card stays bound off screen (it keeps a typed reason)."""
        return self.item.state in ("pending", "sending")

    # answering -------------------------------------------------------------------
    def focus_default(self) -> None:
        """Put the keyboard focus on Allow once (Enter allows, Escape denies)."""
        self.allow_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def _answer(self, decision: str) -> None:
        if self.item.state != "pending":
            return
        reason = self.reason.text().strip() if decision == "deny" else ""
        self.context.hub.sig_approval_answer.emit(self.item.request_id, decision, reason)

    def event(self, event: QEvent) -> bool:
        # The window's Esc stops the whole turn; on a waiting card Esc means "deny".
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Escape
            and self.item.state == "pending"
        ):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self.item.state == "pending" and event.key() == Qt.Key.Key_Escape:
            self._answer("deny")
            event.accept()
            return
        super().keyPressEvent(event)

    def rerender(self) -> None:
        """Theme or zoom changed."""
        self.command.setFont(self.context.code_font())
        if self._diff is not None:
            self._diff.set_theme(self.context.theme)
        self.invalidate()


class QuestionCardRow(_CardRow):
    """A question from the agent, with a reply box; collapses to the answer."""

    def __init__(self, item: QuestionItem, context: ChatContext, parent: QWidget) -> None:
        super().__init__(context, parent, "questionCard")
        self.item = item
        self.question = QLabel(self.card)
        self.question.setObjectName("questionText")
        self.question.setWordWrap(True)
        self.question.setTextFormat(Qt.TextFormat.PlainText)
        self.question.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.column.addWidget(self.question)
        self.reply_row = QWidget(self.card)
        row = QHBoxLayout(self.reply_row)
        row.setContentsMargins(0, 0, 0, 0)
        self.reply = QLineEdit(self.reply_row)
        self.reply.setObjectName("questionReply")
        self.reply.setPlaceholderText("Your answer (Enter to send)")
        self.reply.setAccessibleName("Answer to the agent's question")
        self.reply.returnPressed.connect(self._send)
        row.addWidget(self.reply, 1)
        self.send_button = QPushButton("&Reply", self.reply_row)
        self.send_button.setObjectName("primaryButton")
        self.send_button.setAccessibleName("Send the answer")
        self.send_button.clicked.connect(self._send)
        row.addWidget(self.send_button)
        self.column.addWidget(self.reply_row)
        self.bind(item)

    def bind(self, item: Item) -> None:
        """Show ``item`` (a `QuestionItem`)."""
        assert isinstance(item, QuestionItem)
        if item.id != self.item.id:
            self.reply.clear()
        self.item = item
        pending = item.state in ("pending", "sending")
        self._set_state(item.state)
        if pending:
            self.title.setText("The agent asks:")
        elif item.state == "expired":
            self.title.setText("No longer waiting for an answer")
        else:
            self.title.setText(f"You answered: {item.answer}")
        self.question.setText(item.question)
        self.reply_row.setVisible(pending)
        self.reply.setEnabled(item.state == "pending")
        self.send_button.setEnabled(item.state == "pending")
        self.setAccessibleName(f"Question from the agent: {item.question}")
        self.invalidate()

    @property
    def busy(self) -> bool:
        """A waiting question stays bound off screen (it keeps a typed answer)."""
        return self.item.state in ("pending", "sending")

    def focus_default(self) -> None:
        """Put the keyboard focus in the reply box."""
        self.reply.setFocus(Qt.FocusReason.OtherFocusReason)

    def _send(self) -> None:
        text = self.reply.text().strip()
        if self.item.state == "pending" and text:
            self.context.hub.sig_question_answer.emit(self.item.question_id, text)

    def rerender(self) -> None:
        """Colours come from the style sheet."""
        self.invalidate()
