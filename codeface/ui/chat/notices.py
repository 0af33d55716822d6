"""Inline notices in the conversation: fallbacks, errors, interruptions, info.

A notice says what happened in one line and offers buttons (Retry, Switch model, Open
settings...). It is never a modal and never a traceback. Clicking a button emits the
hub's ``sig_action(action_id)``.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QWidget

from codeface.ui.chat.context import ChatContext
from codeface.ui.chat.rows import Row

if TYPE_CHECKING:
    from codeface.ui.chat.placeholders import Item

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


class NoticeWidget(Row):
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
        outer.addWidget(card)
        layout = self._card_layout = QHBoxLayout(card)
        layout.setContentsMargins(12, 8, 8, 8)
        layout.setSpacing(8)
        self.label = QLabel(card)
        self.label.setObjectName("noticeText")
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.label.setMinimumWidth(80)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.label, 1)
        self.buttons: list[QPushButton] = []
        self._actions: list[str] = []
        self.bind(notice)

    def bind(self, item: Item) -> None:
        """Show another notice in this row (its kind, text and buttons)."""
        assert isinstance(item, Notice)
        notice = self.notice = item
        card = self.card
        if card.property("kind") != notice.kind:
            card.setProperty("kind", notice.kind)
            if card.testAttribute(Qt.WidgetAttribute.WA_WState_Polished):
                # The style sheet tints the card by this property when it polishes.
                card.style().unpolish(card)
                card.style().polish(card)
        title = _TITLES.get(notice.kind, "")
        self.label.setText(f"{title}: {notice.text}" if title else notice.text)
        while len(self.buttons) > len(notice.actions):
            self._card_layout.removeWidget(self.buttons[-1])
            self.buttons.pop().deleteLater()
        while len(self.buttons) < len(notice.actions):
            self.buttons.append(self._add_button(len(self.buttons)))
        self._actions = [action_id for _label, action_id in notice.actions]
        for button, (label, _action_id) in zip(self.buttons, notice.actions, strict=True):
            button.setText(label)
            button.setAccessibleName(label)
        self.setAccessibleName(f"{notice.kind} notice")
        self.setAccessibleDescription(notice.text)
        self.invalidate()

    def _add_button(self, index: int) -> QPushButton:
        button = QPushButton(self.card)
        button.setObjectName("noticeAction")
        button.setCursor(Qt.CursorShape.PointingHandCursor)
        button.clicked.connect(lambda _checked=False: self._on_button(index))
        self._card_layout.addWidget(button, 0, Qt.AlignmentFlag.AlignVCenter)
        return button

    def _on_button(self, index: int) -> None:
        if index < len(self._actions):
            self.context.hub.sig_action.emit(self._actions[index])

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
