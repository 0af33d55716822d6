"""A read-only window with the full output of one step or tool call.

For a call: what it was asked to do, its arguments, how it ended and who decided, then
its full output (the diff of an edit, a command's output, a file read) and what went back
to the model. A command still running keeps growing as its output streams in. For a
step: the model, its tokens and cost, and what it wrote. Diffs reuse `DiffText`.
"""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from codeface.ui.agents.diff_text import DiffHighlighter, looks_like_diff
from codeface.ui.agents.timeline import STATUS_TEXT, duration_text
from codeface.ui.agents.turn_state import CallRecord, StepRecord

MAX_SHOWN = 2_000_000


def call_text(call: CallRecord) -> str:
    """Everything known about a call, as text."""
    lines = [call.description or call.name, ""]
    lines.append(f"Tool: {call.name}")
    lines.append(f"Arguments: {call.arguments}")
    status = STATUS_TEXT.get(call.status, call.status)
    took = duration_text(call.duration)
    lines.append(f"Status: {status}" + (f" in {took}" if took else ""))
    if call.approver:
        lines.append(f"Decided by: {call.approver}")
    if call.reasons:
        lines.append("Asks because: " + "; ".join(call.reasons))
    if call.summary:
        lines.append(f"Summary: {call.summary}")
    if call.waiting_for:
        lines += ["", "Waiting for you:", call.waiting_for]
    body = call.detail or call.live_output
    if body or (call.kind == "command" and not call.finished):
        lines += ["", "Output:", body]
    if call.result and call.result != body:
        lines += ["", "Sent back to the model:", call.result]
    return "\n".join(lines)[:MAX_SHOWN]


def step_text(step: StepRecord) -> str:
    """What is known about a step: model, usage, the text it wrote, its calls."""
    lines = [f"Step {step.number}"]
    if step.model:
        lines.append(f"Model: {step.model}" + (f" ({step.provider})" if step.provider else ""))
    if step.input_tokens is not None or step.output_tokens is not None:
        lines.append(f"Tokens: {step.input_tokens or 0} in, {step.output_tokens or 0} out")
    if step.cost_usd is not None:
        lines.append(f"Cost: ${step.cost_usd:.4f}")
    if step.ended is not None and step.ended > step.started:
        lines.append(f"Answered in {duration_text(step.ended - step.started)}")
    lines += ["", step.text.strip() or "(no text: the model only called tools)"]
    if step.calls:
        lines += ["", "Tool calls:"]
        lines += [
            f"  {STATUS_TEXT.get(c.status, c.status):>20}  {c.description or c.name}"
            for c in step.calls
        ]
    return "\n".join(lines)[:MAX_SHOWN]


class OutputView(QDialog):
    """The full output of a step or a call; non-modal, closed with Esc."""

    def __init__(self, record: StepRecord | CallRecord, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.record = record
        if isinstance(record, CallRecord):
            title = record.description or record.name
        else:
            title = f"Step {record.number}"
        self.setWindowTitle(f"Agent output — {title}"[:120])
        self.setObjectName("agentOutputView")
        self.resize(760, 520)
        layout = QVBoxLayout(self)
        self.heading = QLabel(title)
        self.heading.setWordWrap(True)
        layout.addWidget(self.heading)
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setAccessibleName("Full output")
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        font = QFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.text.setFont(font)
        layout.addWidget(self.text, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout.addWidget(buttons)
        self._highlighter: DiffHighlighter | None = None
        self.refresh()

    def refresh(self) -> None:
        """Show the record as it is now."""
        record = self.record
        content = call_text(record) if isinstance(record, CallRecord) else step_text(record)
        diff = isinstance(record, CallRecord) and looks_like_diff(record.detail)
        if diff and self._highlighter is None:
            self._highlighter = DiffHighlighter(self.text.document())
        self.text.setPlainText(content)

    def append_output(self, text: str) -> None:
        """More live output of the command this view shows."""
        bar = self.text.verticalScrollBar()
        at_end = bar.value() >= bar.maximum() - 2
        cursor = self.text.textCursor()
        cursor.movePosition(cursor.MoveOperation.End)
        cursor.insertText(text)
        if at_end:
            bar.setValue(bar.maximum())
