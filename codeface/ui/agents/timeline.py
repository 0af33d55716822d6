"""The turn as a tree: one row per step (the model's answer), its tool calls beneath.

Rows are added and changed one at a time as the turn's events arrive (never rebuilt),
so a turn of hundreds of calls costs the same per event as a turn of three. The current
step is drawn bold on the selection colour; a call that waits for the user (approval or
question) on an amber background, so it is found at a glance. Enter or a double click on
a row asks to open its full output (`sig_open`).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTreeWidget, QTreeWidgetItem, QWidget

from codeface.ui.agents.turn_state import CallRecord, StepRecord, TurnState

STATUS_TEXT = {
    "running": "running…",
    "waiting": "waits for approval",
    "question": "waits for your answer",
    "ok": "✓ done",
    "error": "✗ failed",
    "denied": "⊘ denied",
    "stopped": "stopped",
}
WAITING_COLOR = QColor(240, 180, 41, 90)
ROLE_KEY = Qt.ItemDataRole.UserRole


def duration_text(seconds: float | None) -> str:
    """``0.4 s``, ``12 s``, ``2 min 05 s``; empty when unknown."""
    if seconds is None:
        return ""
    if seconds < 10:
        return f"{seconds:.1f} s"
    if seconds < 60:
        return f"{seconds:.0f} s"
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes} min {rest:02d} s"


class TurnTimeline(QTreeWidget):
    """Steps and tool calls of one turn.

    Signals:
        sig_open(object): a `StepRecord` or `CallRecord` whose full output the user wants.
    """

    sig_open = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("agentTimeline")
        self.setAccessibleName("Steps of the agent turn")
        self.setColumnCount(3)
        self.setHeaderLabels(["Step", "Status", "Time"])
        self.setUniformRowHeights(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setAlternatingRowColors(False)
        header = self.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        metrics = self.fontMetrics()
        header.resizeSection(1, metrics.horizontalAdvance("waits for approval") + 12)
        header.resizeSection(2, metrics.horizontalAdvance("0 min 00 s") + 8)
        self._steps: dict[int, QTreeWidgetItem] = {}
        self._calls: dict[int, QTreeWidgetItem] = {}
        self._call_ids: dict[str, QTreeWidgetItem] = {}
        self._records: dict[int, StepRecord | CallRecord] = {}
        self._current: QTreeWidgetItem | None = None
        self._bold = QFont(self.font())
        self._bold.setBold(True)
        self.itemActivated.connect(self._on_activated)

    def rehearse(self) -> None:
        """Draw a throw-away step with a waiting call once, then clear it: PySide6 builds
        the enums and brushes these rows use on first use (~10 ms), which would otherwise
        land on the first step of the first turn."""
        turn = TurnState(None)
        step = StepRecord(1, 0.0, model="m")
        waiting = CallRecord("rehearsal", "read_file", "read", status="waiting")
        step.calls.append(waiting)
        turn.steps.append(step)
        self.show_turn(turn)
        self.verticalScrollBar().value()
        self.show_turn(None)

    # --- building ------------------------------------------------------------------
    def show_turn(self, turn: TurnState | None) -> None:
        """Show a whole turn (a stored one, or the live one after a session switch)."""
        self.clear()
        self._steps.clear()
        self._calls.clear()
        self._call_ids.clear()
        self._records.clear()
        self._current = None
        if turn is None:
            return
        for step in turn.steps:
            self.update_step(step, turn, follow=False)
            for call in step.calls:
                self.update_call(call, step, follow=False)
        self.mark_current(turn)

    def update_step(self, step: StepRecord, turn: TurnState, *, follow: bool = True) -> None:
        """Add or refresh the row of a step."""
        item = self._steps.get(id(step))
        if item is None:
            item = QTreeWidgetItem(self)
            item.setData(0, ROLE_KEY, id(step))
            self._steps[id(step)] = item
            self._records[id(step)] = step
            item.setExpanded(True)
            if follow:
                self._follow(item)
        # The model is named when it changes (a fallback), not on every step.
        previous = turn.steps[step.number - 2] if 1 < step.number <= len(turn.steps) else None
        changed = step.model and (previous is None or previous.model != step.model)
        model = f" · {step.model}" if changed and step.number > 1 else ""
        item.setText(0, f"Step {step.number}{model}")
        item.setToolTip(0, _step_tooltip(step))
        if step.ended is None and turn.running:
            status = "answering…"
        elif step.running and turn.running:
            status = "running…"
        elif step.calls:
            status = f"{len(step.calls)} call{'s' if len(step.calls) != 1 else ''}"
        else:
            status = "answered"
        item.setText(1, status)
        if step.ended is not None:
            item.setText(2, duration_text(step.ended - step.started) if not turn.stored else "")

    def update_call(self, call: CallRecord, step: StepRecord, *, follow: bool = True) -> None:
        """Add or refresh the row of a tool call (under its step)."""
        item = self._calls.get(id(call))
        if item is None:
            parent = self._steps.get(id(step))
            if parent is None:
                return
            item = QTreeWidgetItem(parent)
            item.setData(0, ROLE_KEY, id(call))
            self._calls[id(call)] = item
            self._call_ids[call.call_id] = item
            self._records[id(call)] = call
            if follow:
                self._follow(item)
        item.setText(0, call.description or call.name)
        item.setToolTip(0, _call_tooltip(call))
        item.setText(1, STATUS_TEXT.get(call.status, call.status))
        item.setText(2, duration_text(call.duration))
        waiting = call.status in ("waiting", "question")
        brush = QBrush(WAITING_COLOR) if waiting else QBrush()
        for column in range(3):
            item.setBackground(column, brush)
        if waiting:
            self.scrollToItem(item)

    def mark_current(self, turn: TurnState) -> None:
        """Draw the step being worked on bold and highlighted; clear the previous one."""
        step = turn.current_step
        item = self._steps.get(id(step)) if step is not None else None
        if item is self._current:
            return
        if self._current is not None:
            for column in range(3):
                self._current.setFont(column, self.font())
                self._current.setBackground(column, QBrush())
        self._current = item
        if item is not None:
            highlight = QColor(self.palette().highlight().color())
            highlight.setAlpha(60)
            for column in range(3):
                item.setFont(column, self._bold)
                item.setBackground(column, QBrush(highlight))

    def _follow(self, item: QTreeWidgetItem) -> None:
        bar = self.verticalScrollBar()
        if bar.value() >= bar.maximum() - 2 and not self.selectedItems():
            self.scrollToItem(item)

    # --- reading -------------------------------------------------------------------
    def record(self, item: QTreeWidgetItem | None) -> StepRecord | CallRecord | None:
        """The step or call a row shows."""
        if item is None:
            return None
        return self._records.get(item.data(0, ROLE_KEY))

    def item_for_call(self, call_id: str) -> QTreeWidgetItem | None:
        """The row of the latest call with this id (ids repeat across steps with some
        providers)."""
        return self._call_ids.get(call_id)

    def step_items(self) -> list[QTreeWidgetItem]:
        """The step rows, in order."""
        items = (self.topLevelItem(index) for index in range(self.topLevelItemCount()))
        return [item for item in items if item is not None]

    @property
    def current_item(self) -> QTreeWidgetItem | None:
        """The highlighted row of the current step."""
        return self._current

    def open_selected(self) -> None:
        """Ask to open the selected row's output."""
        record = self.record(self.currentItem())
        if record is not None:
            self.sig_open.emit(record)

    def _on_activated(self, item: QTreeWidgetItem, _column: int) -> None:
        record = self.record(item)
        if record is not None:
            self.sig_open.emit(record)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Enter opens the current row (itemActivated does not fire for it everywhere)."""
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.open_selected()
            return
        super().keyPressEvent(event)


def _step_tooltip(step: StepRecord) -> str:
    parts = [f"Step {step.number}"]
    if step.model:
        parts.append(f"model {step.model}")
    if step.input_tokens is not None or step.output_tokens is not None:
        parts.append(f"{step.input_tokens or 0} in / {step.output_tokens or 0} out tokens")
    if step.cost_usd is not None:
        parts.append(f"${step.cost_usd:.4f}")
    return " · ".join(parts)


def _call_tooltip(call: CallRecord) -> str:
    lines = [call.description or call.name]
    if call.summary:
        lines.append(call.summary)
    if call.reasons:
        lines.append("Asks because: " + "; ".join(call.reasons))
    if call.approver:
        lines.append(f"Decided by: {call.approver}")
    lines.append("Enter or double-click: open the full output")
    return "\n".join(lines)
