"""What an empty conversation says: what to ask, and how to let an agent work on the project.

The transcript paints it in the middle of its empty viewport (`paint_empty_hint`); it is gone
as soon as the first message is shown.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter

from codeface.ui.theme import Theme

MAX_WIDTH_PX = 460


@dataclass(frozen=True)
class EmptyHint:
    """A title and a sentence or two."""

    title: str
    text: str


def hint_for(project_name: str | None) -> EmptyHint:
    """The hint for a conversation in ``project_name`` (None: no project open)."""
    if project_name is None:
        return EmptyHint(
            "Ask anything",
            "Paste code or attach files with the clip. To let agents read and edit your code, "
            "open its folder: File ▸ Open project… (Ctrl+O).",
        )
    return EmptyHint(
        f"Ask about {project_name}",
        "Start a message with @coder (or @architect, @reviewer, @tester) to let an agent "
        "read and edit the project; each change waits for your approval. "
        "Ctrl+P opens a file.",
    )


def paint_empty_hint(painter: QPainter, theme: Theme, hint: EmptyHint, size: QSize) -> None:
    """Draw ``hint`` centred in a viewport of ``size``."""
    width = min(MAX_WIDTH_PX, size.width() - 32)
    if width <= 0:
        return
    title_font = QFont(painter.font())
    title_font.setPointSizeF(title_font.pointSizeF() * 1.3)
    title_font.setBold(True)
    flags = int(Qt.AlignmentFlag.AlignHCenter | Qt.TextFlag.TextWordWrap)
    painter.setFont(title_font)
    title_box = painter.boundingRect(QRect(0, 0, width, 10_000), flags, hint.title)
    body_font = QFont(title_font)
    body_font.setBold(False)
    body_font.setPointSizeF(title_font.pointSizeF() / 1.3)
    painter.setFont(body_font)
    text_box = painter.boundingRect(QRect(0, 0, width, 10_000), flags, hint.text)
    left = (size.width() - width) // 2
    top = max(8, (size.height() - title_box.height() - 8 - text_box.height()) // 3)
    painter.setFont(title_font)
    painter.setPen(QColor(theme.chat.assistant_text))
    painter.drawText(QRect(left, top, width, title_box.height()), flags, hint.title)
    painter.setFont(body_font)
    painter.setPen(QColor(theme.muted))
    below = top + title_box.height() + 8
    painter.drawText(QRect(left, below, width, text_box.height()), flags, hint.text)
