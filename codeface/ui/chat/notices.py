"""Inline notices in the conversation: fallbacks, errors, interruptions, info.

A notice says what happened in one line and offers buttons (Retry, Switch model, Open
settings...). It is never a modal and never a traceback. Clicking a button emits the
hub's ``sig_action(action_id)``.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QWidget

from codeface.ui.chat.context import ChatContext

NOTICE_KINDS = ("fallback", "error", "interrupted", "info", "warning")
_TITLES = {
    "fallback": "Switched model",
    "error": "Error",
    "interrupted": "Interrupted",
    "info": "",
    "warning": "",
}
_counter = itertools.count(1)


@dataclass(frozen=True)
class Notice:
    """A notice row in the transcript."""

    kind: str
    text: str
    actions: tuple[tuple[str, str], ...] = ()
    id: str = field(default_factory=lambda: f"notice-{next(_counter)}")


class NoticeWidget(QFrame):
    """A tinted row with an accent stripe, the text and action buttons."""

    def __init__(self, notice: Notice, context: ChatContext, parent: QWidget) -> None:
        super().__init__(parent)
        self.notice = notice
        self.context = context
        self._measured: tuple[int, int] | None = None
        self.setObjectName("noticeRow")
        outer = self._outer = QHBoxLayout(self)
        outer.setContentsMargins(16, 4, 16, 4)
        card = self.card = QFrame(self)
        card.setObjectName("noticeCard")
        card.setProperty("kind", notice.kind)
        outer.addWidget(card)
        layout = self._card_layout = QHBoxLayout(card)
        layout.setContentsMargins(12, 8, 8, 8)
        layout.setSpacing(8)
        title = _TITLES.get(notice.kind, "")
        self.label = QLabel(card)
        self.label.setObjectName("noticeText")
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setText(f"{title}: {notice.text}" if title else notice.text)
        self.label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.label.setMinimumWidth(80)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.label, 1)
        self.buttons: list[QPushButton] = []
        for label, action_id in notice.actions:
            button = QPushButton(label, card)
            button.setObjectName("noticeAction")
            button.setAccessibleName(label)
            button.setCursor(Qt.CursorShape.PointingHandCursor)
            button.clicked.connect(
                lambda _checked=False, action=action_id: context.hub.sig_action.emit(action)
            )
            layout.addWidget(button, 0, Qt.AlignmentFlag.AlignVCenter)
            self.buttons.append(button)
        self.setAccessibleName(f"{notice.kind} notice")
        self.setAccessibleDescription(notice.text)

    def measure(self, width: int) -> int:
        """The height at ``width`` (cached)."""
        if self._measured and self._measured[0] == width:
            return self._measured[1]
        # QBoxLayout's height-for-width overestimates a wrapped label beside buttons,
        # so measure the label at the width it will really get.
        self.ensurePolished()
        card = self.card
        outer = self._outer.contentsMargins()
        inner = self._card_layout.contentsMargins()
        frame = card.contentsMargins()
        spacing = self._card_layout.spacing()
        buttons = sum(button.sizeHint().width() + spacing for button in self.buttons)
        label_width = (
            width
            - outer.left()
            - outer.right()
            - inner.left()
            - inner.right()
            - frame.left()
            - frame.right()
            - buttons
        )
        label_height = self.label.heightForWidth(max(40, label_width))
        button_height = max((button.sizeHint().height() for button in self.buttons), default=0)
        height = (
            max(label_height, button_height)
            + outer.top()
            + outer.bottom()
            + inner.top()
            + inner.bottom()
            + frame.top()
            + frame.bottom()
        )
        self._measured = (width, height)
        return height

    def invalidate(self) -> None:
        """Forget the cached height."""
        self._measured = None

    def rerender(self) -> None:
        """Nothing to re-render: colours come from the stylesheet."""
        self.invalidate()
