"""The header (role, model badge) and footer (stats, actions) around a message body."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QToolButton,
    QWidget,
)

from codeface.application.contract import MessageView
from codeface.ui.chat.context import ChatContext
from codeface.ui.chat.icons import icon

ROLE_NAMES = {"user": "You", "assistant": "Assistant", "system": "System", "tool": "Tool"}


def badge_text(message: MessageView) -> str:
    """ "model · provider · local" for an answer, or "" when nothing is known."""
    parts = [part for part in (message.model, message.provider) if part]
    if message.tier:
        parts.append(message.tier)
    return " · ".join(parts)


def stats_text(message: MessageView) -> str:
    """Tokens, speed, cost and latency of an answer, as one muted line."""
    parts: list[str] = []
    if message.output_tokens is not None:
        tokens = f"{message.output_tokens:,} tokens"
        if message.input_tokens is not None:
            tokens = f"{message.input_tokens:,} in · {message.output_tokens:,} out"
        parts.append(tokens)
    if message.tokens_per_second:
        parts.append(f"{message.tokens_per_second:.1f} tok/s")
    if message.time_to_first_token is not None:
        parts.append(f"{message.time_to_first_token:.2f} s to first token")
    if message.cost_usd is not None:
        parts.append("free" if message.cost_usd == 0 else f"${message.cost_usd:.4f}")
    return " · ".join(parts)


class ElidedLabel(QLabel):
    """A one-line label that gives up width: too narrow, its text ends in "…" and the
    whole text is its tooltip. `full_text` is what it was given."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.full_text = ""
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)

    def setText(self, text: str) -> None:
        """Show ``text``, elided to the width the layout gives."""
        self.full_text = text
        self._elide()

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        margins = self.contentsMargins()
        width = self.fontMetrics().horizontalAdvance(self.full_text)
        return QSize(width + margins.left() + margins.right() + 2, hint.height())

    def minimumSizeHint(self) -> QSize:
        return QSize(0, super().minimumSizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        room = self.contentsRect().width()
        metrics = self.fontMetrics()
        shown = self.full_text
        if metrics.horizontalAdvance(shown) > room:
            shown = metrics.elidedText(shown, Qt.TextElideMode.ElideRight, max(room, 0))
        if shown != self.text():
            super().setText(shown)
        self.setToolTip(self.full_text if shown != self.full_text else "")


def tool_button(
    parent: QWidget,
    name: str,
    text: str = "",
    icon_name: str = "",
    color: str = "",
    checkable: bool = False,
) -> QToolButton:
    """A flat footer button with an accessible name and tooltip."""
    button = QToolButton(parent)
    button.setObjectName("messageAction")
    button.setAccessibleName(name)
    button.setToolTip(name)
    button.setAutoRaise(True)
    button.setCheckable(checkable)
    button.setCursor(Qt.CursorShape.PointingHandCursor)
    if icon_name:
        button.setIcon(icon(icon_name, color))
        button.setIconSize(QSize(16, 16))
    if text:
        button.setText(text)
        if icon_name:
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    return button


class MessageHeader(QWidget):
    """Role name and, for answers, the model/provider badge."""

    def __init__(self, message: MessageView, context: ChatContext, parent: QWidget) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        self.role_label = QLabel(ROLE_NAMES.get(message.role, message.role.title()), self)
        self.role_label.setObjectName("roleLabel")
        layout.addWidget(self.role_label)
        self.badge = ElidedLabel(self)
        self.badge.setObjectName("modelBadge")
        self.badge.setAccessibleName("Model")
        layout.addWidget(self.badge)
        layout.addStretch(1)
        self.update_from(message)

    def update_from(self, message: MessageView) -> None:
        """Show the role and the badge for ``message`` (the badge hidden when empty)."""
        self.role_label.setText(ROLE_NAMES.get(message.role, message.role.title()))
        text = badge_text(message)
        self.badge.setText(text)
        self.badge.setVisible(bool(text))


class MessageFooter(QWidget):
    """Stats and the actions that fit the message's role and status.

    Buttons a message can never use (ratings on a prompt, Edit on an answer) are not
    built, and the navigator and Continue are built on first need: widgets are built
    while the user scrolls, so each one saved counts.
    """

    def __init__(self, message: MessageView, context: ChatContext, parent: QWidget) -> None:
        super().__init__(parent)
        self.context = context
        self.message = message
        muted = context.theme.chat.muted
        answer = message.role == "assistant"
        layout = self._layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        self.previous_button: QToolButton | None = None
        self.sibling_label: QLabel | None = None
        self.next_button: QToolButton | None = None
        self.continue_button: QToolButton | None = None
        self.edit_button: QToolButton | None = None
        self.regenerate_button: QToolButton | None = None
        self.up_button: QToolButton | None = None
        self.down_button: QToolButton | None = None

        self.stats_label = ElidedLabel(self)
        self.stats_label.setObjectName("statsLabel")
        self.stats_label.setAccessibleName("Answer statistics")
        layout.addWidget(self.stats_label)  # it shrinks (to "…") before any button does
        layout.addStretch(1)
        if message.role == "user":
            self.edit_button = tool_button(self, "Edit message", "", "edit", muted)
            layout.addWidget(self.edit_button)
        self._icon_color = muted
        self.copy_button = tool_button(self, "Copy message", "", "copy", muted)
        self.copy_button.clicked.connect(lambda: context.services.copy_text(self.message.content))
        layout.addWidget(self.copy_button)
        if answer:
            self.regenerate_button = tool_button(self, "Regenerate answer", "", "regenerate", muted)
            self.regenerate_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            self.regenerate_button.clicked.connect(
                lambda: context.hub.sig_regenerate.emit(self.message.id)
            )
            self.up_button = tool_button(self, "Good answer", "", "thumb_up", muted, True)
            self.down_button = tool_button(self, "Bad answer", "", "thumb_down", muted, True)
            self.up_button.clicked.connect(lambda: self._rate(1))
            self.down_button.clicked.connect(lambda: self._rate(-1))
            for widget in (self.regenerate_button, self.up_button, self.down_button):
                layout.addWidget(widget)
        self.update_from(message)

    def update_from(self, message: MessageView) -> None:
        """Show what fits ``message``: answers get stats and ratings, prompts an Edit."""
        self.message = message
        answer = message.role == "assistant"
        streaming = message.status == "streaming"
        self._update_navigator(message)
        stats = stats_text(message) if answer else ""
        self.stats_label.setText("Generating…" if streaming else stats)
        self.stats_label.setVisible(bool(stats) or streaming)
        self.copy_button.setVisible(not streaming)
        if self.regenerate_button is not None:
            self.regenerate_button.setVisible(not streaming)
            self.regenerate_button.setText("Retry" if message.status == "error" else "")
        resumable = answer and message.status in ("interrupted", "cancelled")
        if resumable and self.continue_button is None:
            self.continue_button = tool_button(self, "Continue answer", "Continue")
            self.continue_button.clicked.connect(
                lambda: self.context.hub.sig_continue.emit(self.message.id)
            )
            layout = self._layout
            layout.insertWidget(layout.indexOf(self.copy_button), self.continue_button)
        if self.continue_button is not None:
            self.continue_button.setVisible(resumable)
        for button in (self.up_button, self.down_button):
            if button is not None:
                button.setVisible(message.status == "complete")
        self._show_rating(message.rating)

    def refresh_icons(self) -> None:
        """Recolour the action icons for the current theme."""
        muted = self.context.theme.chat.muted
        if muted == self._icon_color:
            return
        self._icon_color = muted
        for button, name in (
            (self.edit_button, "edit"),
            (self.copy_button, "copy"),
            (self.regenerate_button, "regenerate"),
        ):
            if button is not None:
                button.setIcon(icon(name, muted))
        self._show_rating(self.message.rating)

    def _update_navigator(self, message: MessageView) -> None:
        siblings = message.sibling_count > 1
        if siblings and self.sibling_label is None:
            layout = self._layout
            self.previous_button = tool_button(self, "Previous version", "‹")
            self.sibling_label = QLabel(self)
            self.sibling_label.setObjectName("siblingLabel")
            self.next_button = tool_button(self, "Next version", "›")
            self.previous_button.clicked.connect(lambda: self._switch(-1))
            self.next_button.clicked.connect(lambda: self._switch(1))
            for index, widget in enumerate(
                (self.previous_button, self.sibling_label, self.next_button)
            ):
                layout.insertWidget(index, widget)
        if self.sibling_label is None or self.previous_button is None or not self.next_button:
            return
        for widget in (self.previous_button, self.sibling_label, self.next_button):
            widget.setVisible(siblings)
        self.sibling_label.setText(f"{message.sibling_index + 1}/{message.sibling_count}")
        self.sibling_label.setAccessibleName(
            f"Version {message.sibling_index + 1} of {message.sibling_count}"
        )
        self.previous_button.setEnabled(message.sibling_index > 0)
        self.next_button.setEnabled(message.sibling_index < message.sibling_count - 1)

    def _show_rating(self, rating: int | None) -> None:
        chat = self.context.theme.chat
        if self.up_button is None or self.down_button is None:
            return
        self.up_button.setChecked(rating == 1)
        self.down_button.setChecked(rating == -1)
        self.up_button.setIcon(
            icon("thumb_up", chat.success if rating == 1 else chat.muted, rating == 1)
        )
        self.down_button.setIcon(
            icon("thumb_down", chat.error if rating == -1 else chat.muted, rating == -1)
        )

    def _rate(self, value: int) -> None:
        rating = None if self.message.rating == value else value
        self.message = replace(self.message, rating=rating)
        self._show_rating(rating)
        self.context.hub.sig_rate.emit(self.message.id, rating)

    def _switch(self, step: int) -> None:
        self.context.hub.sig_switch_sibling.emit(self.message.id, step)


class StatusLine(QFrame):
    """Why an answer stopped (error, interruption, cancel), inline under the text."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("statusLine")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.label.setObjectName("statusText")
        layout.addWidget(self.label, 1)

    def update_from(self, message: MessageView) -> None:
        """Show the reason for a non-complete answer; hide otherwise."""
        texts = {
            "error": message.error_text or "The answer failed.",
            "interrupted": message.error_text or "The answer was interrupted.",
            "cancelled": "Stopped.",
        }
        text = texts.get(message.status, "")
        if self.property("kind") != message.status:
            self.setProperty("kind", message.status)
            if self.testAttribute(Qt.WidgetAttribute.WA_WState_Polished):
                # The style sheet picks its colours by this property when it polishes.
                self.style().unpolish(self)
                self.style().polish(self)
        self.label.setText(text)
        self.setVisible(bool(text))
