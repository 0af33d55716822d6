"""The kinds of transcript rows CodeFace ships, and the factory that builds them.

A message card's header and actions depend on its role, so each role is a kind of its
own: a card is only reused for a message of the same role. A new kind of row (a
tool-call card, an approval card) is a `Row` subclass plus a `RowKind` here, tried
before the kinds it refines (e.g. an assistant message that carries tool calls, before
``message:assistant``).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QWidget

from codeface.application.contract import MessageView
from codeface.ui.chat.agent_items import (
    ApprovalItem,
    QuestionItem,
    ToolStep,
    is_quiet_step_message,
)
from codeface.ui.chat.approval_card import ApprovalCardRow, QuestionCardRow
from codeface.ui.chat.context import ChatContext
from codeface.ui.chat.message_widget import MessageWidget
from codeface.ui.chat.notices import Notice, NoticeWidget
from codeface.ui.chat.placeholders import Item
from codeface.ui.chat.rows import Row, RowFactory, RowKind
from codeface.ui.chat.tool_card import ToolCardRow

MESSAGE_ROLES = ("user", "assistant", "system", "tool")


def _role(role: str) -> Callable[[Item], bool]:
    def matches(item: Item) -> bool:
        return isinstance(item, MessageView) and item.role == role

    return matches


def _message_row(item: Item, context: ChatContext, parent: QWidget) -> Row:
    assert isinstance(item, MessageView)
    return MessageWidget(item, context, parent)


def _notice_row(item: Item, context: ChatContext, parent: QWidget) -> Row:
    assert isinstance(item, Notice)
    return NoticeWidget(item, context, parent)


class QuietStepRow(Row):
    """An assistant message that only called tools: its tool cards follow it and say
    everything, so it takes no room (its text, when it has some, gets a message card)."""

    def bind(self, item: Item) -> None:
        """Nothing to show."""

    def measure(self, width: int) -> int:
        """No height."""
        return 0


def _tool_row(item: Item, context: ChatContext, parent: QWidget) -> Row:
    assert isinstance(item, ToolStep)
    return ToolCardRow(item, context, parent)


def _approval_row(item: Item, context: ChatContext, parent: QWidget) -> Row:
    assert isinstance(item, ApprovalItem)
    return ApprovalCardRow(item, context, parent)


def _question_row(item: Item, context: ChatContext, parent: QWidget) -> Row:
    assert isinstance(item, QuestionItem)
    return QuestionCardRow(item, context, parent)


def _quiet_row(item: Item, context: ChatContext, parent: QWidget) -> Row:
    return QuietStepRow(parent)


def default_row_factory() -> RowFactory:
    """Rows for notices, messages of each role, and the steps of agent turns."""
    kinds = [
        RowKind("notice", lambda item: isinstance(item, Notice), _notice_row),
        # Tool cards are one line: a screen and its overscan hold about 40 of them.
        RowKind("tool_step", lambda item: isinstance(item, ToolStep), _tool_row, spares=48),
        RowKind("approval", lambda item: isinstance(item, ApprovalItem), _approval_row),
        RowKind("question", lambda item: isinstance(item, QuestionItem), _question_row),
        RowKind("quiet_step", is_quiet_step_message, _quiet_row, spares=48),
    ]
    kinds += [RowKind(f"message:{role}", _role(role), _message_row) for role in MESSAGE_ROLES]
    # A role this version does not know: shown plainly, like a system message.
    kinds.append(RowKind("message", lambda item: isinstance(item, MessageView), _message_row))
    return RowFactory(kinds)
