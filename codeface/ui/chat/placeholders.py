"""Cheap stand-ins for messages whose widgets are not built yet.

`height_estimator` guesses an item's height from its text length, so 10,000 messages
can be given offsets without building anything. `paint_placeholders` draws a bubble with
the first lines of text for items the transcript has deferred for a frame or two.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter

from codeface.application.contract import MessageView
from codeface.ui.chat.agent_items import (
    AgentItem,
    ApprovalItem,
    QuestionItem,
    ToolStep,
    is_quiet_step_message,
)
from codeface.ui.chat.message_widget import USER_INDENT_PX
from codeface.ui.chat.notices import Notice
from codeface.ui.theme import Theme

Item = MessageView | Notice | AgentItem


def placeholder_text(item: Item) -> str:
    """The text a placeholder shows for ``item`` (its first lines are drawn)."""
    match item:
        case Notice():
            return item.text
        case MessageView():
            return item.content
        case ToolStep():
            return item.description
        case ApprovalItem():
            return item.description
        case QuestionItem():
            return item.question


def height_estimator(font: QFont, width: int) -> Callable[[Item], int]:
    """A function giving an item's likely height at ``width`` in ``font``."""
    metrics = QFontMetrics(font)
    line = metrics.lineSpacing()
    char = max(1, metrics.averageCharWidth())
    chars_per_line = max(20, (max(width, 300) - 80) // char)

    def estimate(item: Item) -> int:
        if isinstance(item, Notice):
            return 48 + line * (len(item.text) // chars_per_line)
        if isinstance(item, ToolStep):
            return line + 14 + (line * 8 + 16 if item.expanded else 0)
        if isinstance(item, ApprovalItem):
            return 220 if item.state in ("pending", "sending") else line + 24
        if isinstance(item, QuestionItem):
            return 110 if item.state in ("pending", "sending") else line + 24
        if is_quiet_step_message(item):
            return 0
        text = item.content
        lines = len(text) // chars_per_line + text.count("\n") + 1
        return 80 + lines * line

    return estimate


def paint_placeholders(
    painter: QPainter, theme: Theme, boxes: list[tuple[Item, int, int]], viewport: QSize
) -> None:
    """Draw (item, top, height) boxes that intersect the viewport."""
    chat = theme.chat
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    metrics = painter.fontMetrics()
    for item, top, height in boxes:
        if top > viewport.height() or top + height < 0 or height < 12:
            continue
        user = isinstance(item, MessageView) and item.role == "user"
        left = USER_INDENT_PX if user else 16
        box = QRectF(left, top + 6, viewport.width() - left - 16, height - 12)
        painter.setPen(QColor(chat.border))
        painter.setBrush(QColor(chat.user_bubble if user else chat.assistant_bubble))
        painter.drawRoundedRect(box, 14, 14)
        painter.setPen(QColor(chat.muted))
        text = placeholder_text(item)
        for index, line in enumerate(text[:400].splitlines()[:3]):
            elided = metrics.elidedText(line, Qt.TextElideMode.ElideRight, int(box.width()) - 28)
            painter.drawText(
                int(box.left()) + 14, int(box.top()) + 34 + index * metrics.lineSpacing(), elided
            )
