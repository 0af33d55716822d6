"""A tool call's card in the conversation: one compact line, expandable to its result.

The line says the tool's action in words, its status (running, waiting, ok, error,
denied, not run), how long it took and its one-line summary; "Open" shows the file it
read or changed in the Code panel; the arrow expands the full output or diff. A running
command's card is expanded and its output streams in (`append_output`) without changing
the card's height, so a chatty command never re-lays out the conversation.

The card is a transcript `Row`: rows are reused for other steps as the view scrolls, and
the result view is built on the first expand and kept for the next item.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPaintEvent, QTextCursor
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QPlainTextEdit,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from codeface.ui.chat.agent_items import ToolStep
from codeface.ui.chat.context import ChatContext
from codeface.ui.chat.rows import Row
from codeface.ui.chat.step_words import first_line, touched_path

if TYPE_CHECKING:
    from codeface.ui.chat.placeholders import Item
    from codeface.ui.diff.view import DiffView

RESULT_LINES = 12
"""Lines an expanded result shows before it scrolls."""
LIVE_LINES = 8
"""Lines a running command's output box shows (fixed, so streaming never resizes it)."""

STATUS_GLYPHS = {
    "running": ("●", "running"),
    "waiting": ("◆", "waiting for you"),
    "ok": ("✓", "done"),
    "error": ("✗", "failed"),
    "denied": ("⊘", "denied"),
    "stopped": ("■", "not run"),
}


def format_duration(seconds: float | None) -> str:
    """ "0.4 s", "12 s", "2 min 5 s" ("" when unknown)."""
    if seconds is None:
        return ""
    if seconds < 10:
        return f"{seconds:.1f} s"
    if seconds < 60:
        return f"{seconds:.0f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s"


class StepLine(QWidget):
    """The card's line, painted in one go: status glyph, what the step does, its one-line
    summary and its duration. (One widget instead of four labels: a screenful of cards
    repaints in a fraction of the time while the conversation scrolls along a turn.)"""

    def __init__(self, context: ChatContext, parent: QWidget) -> None:
        super().__init__(parent)
        self.context = context
        self.status = "running"
        self.description = ""
        self.summary = ""
        self.duration = ""
        self.setObjectName("toolLine")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_step(self, status: str, description: str, summary: str, duration: str) -> None:
        """Show these (repaints only when something changed)."""
        shown = (status, description, summary, duration)
        if shown == (self.status, self.description, self.summary, self.duration):
            return
        self.status, self.description, self.summary, self.duration = shown
        words = STATUS_GLYPHS.get(status, ("", status))[1]
        self.setToolTip(f"{description} — {words}" + (f": {summary}" if summary else ""))
        self.update()

    @property
    def status_words(self) -> str:
        """The status in words ("done", "failed"...)."""
        return STATUS_GLYPHS.get(self.status, ("", self.status))[1]

    def _small(self) -> QFont:
        font = QFont(self.font())
        font.setPointSizeF(max(7.0, font.pointSizeF() - 2))
        return font

    def sizeHint(self) -> QSize:
        return QSize(200, QFontMetrics(self.font()).height() + 4)

    def minimumSizeHint(self) -> QSize:
        return QSize(40, self.sizeHint().height())

    def paintEvent(self, event: QPaintEvent) -> None:
        chat = self.context.theme.chat
        text_color = self.context.theme.palette.get("window_text", chat.assistant_text)
        colors = {
            "running": chat.accent,
            "waiting": chat.warning,
            "ok": chat.success,
            "error": chat.error,
            "denied": chat.warning,
            "stopped": chat.muted,
        }
        painter = QPainter(self)
        rect = self.rect()
        middle = Qt.AlignmentFlag.AlignVCenter
        bold = QFont(self.font())
        bold.setBold(True)
        painter.setFont(bold)
        painter.setPen(QColor(colors.get(self.status, chat.muted)))
        glyph = STATUS_GLYPHS.get(self.status, ("●", ""))[0]
        glyph_width = QFontMetrics(bold).horizontalAdvance(glyph) + 8
        painter.drawText(rect.adjusted(0, 0, 0, 0), int(middle | Qt.AlignmentFlag.AlignLeft), glyph)
        small = self._small()
        small_metrics = QFontMetrics(small)
        right = rect.right()
        painter.setFont(small)
        painter.setPen(QColor(chat.muted))
        if self.duration:
            width = small_metrics.horizontalAdvance(self.duration)
            painter.drawText(
                QRect(right - width, rect.top(), width, rect.height()),
                int(middle | Qt.AlignmentFlag.AlignRight),
                self.duration,
            )
            right -= width + 10
        description_metrics = QFontMetrics(self.font())
        wanted = description_metrics.horizontalAdvance(self.description)
        if self.summary:
            room = max(0, right - glyph_width - min(wanted, 160) - 12)
            summary = small_metrics.elidedText(
                self.summary, Qt.TextElideMode.ElideRight, min(280, room)
            )
            width = small_metrics.horizontalAdvance(summary)
            painter.drawText(
                QRect(right - width, rect.top(), width, rect.height()),
                int(middle | Qt.AlignmentFlag.AlignRight),
                summary,
            )
            right -= width + 12 if width else 0
        painter.setFont(self.font())
        painter.setPen(QColor(text_color))
        description = description_metrics.elidedText(
            self.description, Qt.TextElideMode.ElideRight, max(0, right - glyph_width)
        )
        painter.drawText(
            QRect(glyph_width, rect.top(), max(0, right - glyph_width), rect.height()),
            int(middle | Qt.AlignmentFlag.AlignLeft),
            description,
        )
        painter.end()


class ToolCardRow(Row):
    """One tool step."""

    def __init__(self, step: ToolStep, context: ChatContext, parent: QWidget) -> None:
        super().__init__(parent)
        self.context = context
        self.step = step
        self.setObjectName("toolRow")
        self._measured: tuple[int, int] | None = None
        self._text_view: QPlainTextEdit | None = None
        self._diff_view: DiffView | None = None
        self._shown_output = 0
        outer = self._outer = QVBoxLayout(self)
        outer.setContentsMargins(28, 2, 16, 2)
        self.card = QFrame(self)
        self.card.setObjectName("toolCard")
        outer.addWidget(self.card)
        column = self._column = QVBoxLayout(self.card)
        column.setContentsMargins(8, 3, 4, 3)
        column.setSpacing(4)
        line = QHBoxLayout()
        line.setSpacing(6)
        self.line = StepLine(context, self.card)
        line.addWidget(self.line, 1)
        self.open_button = self._button("Open", self._open_file)
        line.addWidget(self.open_button)
        self.expand_button = self._button("▸", self._toggle)
        self.expand_button.setCheckable(True)
        line.addWidget(self.expand_button)
        column.addLayout(line)
        self.bind(step)

    def _button(self, text: str, slot: object) -> QToolButton:
        button = QToolButton(self.card)
        button.setObjectName("toolAction")
        button.setText(text)
        button.setAutoRaise(True)
        button.setCursor(Qt.CursorShape.PointingHandCursor)
        button.clicked.connect(lambda _checked=False: slot())  # type: ignore[operator]
        return button

    # binding ---------------------------------------------------------------------
    def bind(self, item: Item) -> None:
        """Show ``item`` (a `ToolStep`)."""
        assert isinstance(item, ToolStep)
        self.step = item
        words = STATUS_GLYPHS.get(item.status, ("●", item.status))[1]
        summary = item.summary if item.status not in ("running", "waiting") else ""
        self.line.set_step(item.status, item.description, summary, format_duration(item.duration))
        path = touched_path(item.call)
        self.open_button.setVisible(bool(path) and item.status != "denied")
        self.open_button.setAccessibleName(f"Open {path} in the Code panel")
        self.open_button.setToolTip(f"Open {path}")
        can_expand = item.has_result or item.kind == "command"
        self.expand_button.setVisible(can_expand)
        self.expand_button.setChecked(item.expanded and can_expand)
        self.expand_button.setText("▾" if item.expanded else "▸")
        self.expand_button.setAccessibleName(
            f"{'Hide' if item.expanded else 'Show'} the result of {item.description}"
        )
        self.setAccessibleName(f"Tool step: {item.description}")
        self.setAccessibleDescription(f"{words}. {item.summary}".strip())
        self._show_result(item.expanded and can_expand)
        self.invalidate()

    def release(self) -> None:
        """Forget the output shown (the next item renders its own)."""
        self._shown_output = 0

    # the result ------------------------------------------------------------------
    def _result_height(self, view: QPlainTextEdit, lines: int, wide: bool) -> int:
        spacing = QFontMetrics(self.context.code_font()).lineSpacing()
        chrome = int(view.document().documentMargin() * 2) + 2 * view.frameWidth() + 4
        scroll = view.horizontalScrollBar().sizeHint().height() if wide else 0
        return max(1, lines) * spacing + chrome + scroll

    def _show_result(self, expanded: bool) -> None:
        step = self.step
        use_diff = expanded and step.kind == "edit" and bool(step.detail)
        if self._diff_view is not None:
            self._diff_view.setVisible(use_diff)
        if self._text_view is not None:
            self._text_view.setVisible(expanded and not use_diff)
        if not expanded:
            return
        if use_diff:
            view = self._ensure_diff()
            view.set_unified(step.detail, touched_path(step.call))
            return
        text_view = self._ensure_text()
        live = step.status in ("running", "waiting") and step.kind == "command"
        # Live output is shown as it came (more is appended to it); a result without its
        # last newline (no empty last line to scroll to).
        text = step.output if live else step.result_text.rstrip("\n")
        text_view.setPlainText(text)
        self._shown_output = len(step.output)
        lines = LIVE_LINES if live else min(RESULT_LINES, text.rstrip("\n").count("\n") + 1)
        wide = max((len(line) for line in text.splitlines()[:200]), default=0) > 100
        text_view.setFixedHeight(self._result_height(text_view, lines, live or wide))
        if live:
            text_view.moveCursor(QTextCursor.MoveOperation.End)

    def _ensure_text(self) -> QPlainTextEdit:
        if self._text_view is None:
            view = QPlainTextEdit(self.card)
            view.setObjectName("toolOutput")
            view.setReadOnly(True)
            view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
            view.setTabChangesFocus(True)
            view.setFont(self.context.code_font())
            view.setAccessibleName("Tool output")
            self._column.addWidget(view)
            self._text_view = view
        return self._text_view

    def _ensure_diff(self) -> DiffView:
        if self._diff_view is None:
            from codeface.ui.diff.view import DiffView

            view = DiffView(self.context.theme, compact=True, parent=self.card)
            self._column.addWidget(view)
            self._diff_view = view
        return self._diff_view

    def append_output(self, step: ToolStep) -> None:
        """More live output arrived for the step shown (``step`` holds all of it)."""
        self.step = step
        view = self._text_view
        if not step.expanded or view is None or not view.isVisibleTo(self):
            return
        if len(step.output) < self._shown_output:  # the kept tail was cut: show it again
            view.setPlainText(step.output)
        else:
            cursor = QTextCursor(view.document())
            cursor.movePosition(QTextCursor.MoveOperation.End)
            cursor.insertText(step.output[self._shown_output :])
        self._shown_output = len(step.output)
        bar = view.verticalScrollBar()
        bar.setValue(bar.maximum())

    # actions ---------------------------------------------------------------------
    def _toggle(self) -> None:
        self.context.hub.sig_step_expanded.emit(self.step.id, not self.step.expanded)

    def _open_file(self) -> None:
        path = touched_path(self.step.call)
        if path:
            self.context.hub.sig_open_file.emit(path, first_line(self.step.call))

    # measuring -------------------------------------------------------------------
    def measure(self, width: int) -> int:
        """The card's height at ``width`` (cached)."""
        if self._measured and self._measured[0] == width:
            return self._measured[1]
        for layout in (self._column, self._outer):
            layout.invalidate()
        self._outer.activate()
        height = self._outer.totalHeightForWidth(width)
        if height <= 0:
            height = self.sizeHint().height()
        self._measured = (width, height)
        return height

    def invalidate(self) -> None:
        """Forget the cached height."""
        self._measured = None

    def rerender(self) -> None:
        """Theme or zoom changed: fonts and colours again."""
        if self._text_view is not None:
            self._text_view.setFont(self.context.code_font())
        if self._diff_view is not None:
            self._diff_view.set_theme(self.context.theme)
        self.line.update()
        self.bind(self.step)
