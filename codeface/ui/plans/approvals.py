"""`PlanApprovals`: what the plan's tasks wait for from the user, one request at a time.

An approval shows the task, what it wants to do, and its diff or command, with Allow once
(Enter), Allow for this session and Deny; a question shows a box for the answer. Others
wait in line behind it ("2 more waiting"). An approval settled elsewhere (it timed out, the
task was cancelled) leaves the line.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from codeface.ui.agents.labels import elastic_label


@dataclass(frozen=True)
class Waiting:
    """One request: ``kind`` is "approval" or "question"; ``item`` the event's object."""

    kind: str
    task_id: str
    request_id: str
    call_id: str
    text: str
    detail: str = ""
    can_allow_for_session: bool = True


class PlanApprovals(QFrame):
    """The line of approvals and questions of a running plan.

    Signals:
        sig_decided(str, str): (request id, "once" | "session" | "deny").
        sig_answered(str, str): (question id, the answer).
    """

    sig_decided = Signal(str, str)
    sig_answered = Signal(str, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("planApprovals")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.waiting: list[Waiting] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        self.heading = elastic_label(name="planApprovalHeading")
        self.heading.setWordWrap(True)
        layout.addWidget(self.heading)
        self.detail = QPlainTextEdit()
        self.detail.setReadOnly(True)
        self.detail.setAccessibleName("What the task wants to change or run")
        self.detail.setMaximumHeight(110)
        self.detail.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.detail.setTabChangesFocus(True)
        layout.addWidget(self.detail)
        self.answer = QLineEdit()
        self.answer.setAccessibleName("Your answer to the task's question")
        self.answer.setPlaceholderText("Your answer…")
        self.answer.returnPressed.connect(self._answer)
        layout.addWidget(self.answer)
        row = QHBoxLayout()
        self.more = QLabel()
        row.addWidget(self.more, 1)
        self.allow_button = QPushButton("&Allow once")
        self.allow_button.setAccessibleName("Allow this once")
        self.allow_button.setDefault(True)
        self.session_button = QPushButton("Allow for &session")
        self.session_button.setAccessibleName("Allow this kind of change for the whole plan")
        self.deny_button = QPushButton("&Deny")
        self.deny_button.setAccessibleName("Deny: the task is told and goes on without it")
        self.answer_button = QPushButton("A&nswer")
        self.answer_button.setAccessibleName("Send the answer to the task")
        self.allow_button.clicked.connect(lambda: self._decide("once"))
        self.session_button.clicked.connect(lambda: self._decide("session"))
        self.deny_button.clicked.connect(lambda: self._decide("deny"))
        self.answer_button.clicked.connect(self._answer)
        for button in (
            self.allow_button,
            self.session_button,
            self.deny_button,
            self.answer_button,
        ):
            button.setMinimumWidth(56)
            row.addWidget(button)
        layout.addLayout(row)
        self._show()

    # --- inputs -----------------------------------------------------------------------
    def add_approval(self, task_id: str, request: Any) -> None:
        """A task asks to edit a file or run a command (`ApprovalRequest`)."""
        self.waiting.append(
            Waiting(
                "approval",
                task_id,
                request.id,
                request.call.id,
                request.description,
                request.detail,
                request.can_allow_for_session,
            )
        )
        self._show()

    def add_question(self, task_id: str, question: Any) -> None:
        """A task asks the user something (`QuestionAsked`)."""
        self.waiting.append(
            Waiting("question", task_id, question.id, question.call_id, question.question)
        )
        self._show()

    def settled(self, call_id: str) -> None:
        """A call's approval or question was settled (here or elsewhere)."""
        kept = [w for w in self.waiting if w.call_id != call_id]
        if len(kept) != len(self.waiting):
            self.waiting = kept
            self._show()

    def clear(self) -> None:
        """Nothing waits any more (the run ended)."""
        self.waiting = []
        self._show()

    # --- reactions --------------------------------------------------------------------
    def _decide(self, decision: str) -> None:
        if not self.waiting or self.waiting[0].kind != "approval":
            return
        first = self.waiting.pop(0)
        self._show()
        self.sig_decided.emit(first.request_id, decision)

    def _answer(self) -> None:
        if not self.waiting or self.waiting[0].kind != "question":
            return
        first = self.waiting.pop(0)
        text = self.answer.text()
        self.answer.clear()
        self._show()
        self.sig_answered.emit(first.request_id, text)

    def _show(self) -> None:
        if not self.waiting:
            self.hide()
            return
        first = self.waiting[0]
        approval = first.kind == "approval"
        verb = "asks to" if approval else "asks:"
        self.heading.setText(f"Task {first.task_id} {verb} {first.text}")
        self.heading.setToolTip(first.text)
        self.detail.setPlainText(first.detail)
        self.detail.setVisible(approval and bool(first.detail))
        self.answer.setVisible(not approval)
        self.allow_button.setVisible(approval)
        self.session_button.setVisible(approval)
        self.session_button.setEnabled(first.can_allow_for_session)
        self.deny_button.setVisible(approval)
        self.answer_button.setVisible(not approval)
        others = len(self.waiting) - 1
        self.more.setText(f"{others} more waiting" if others else "")
        self.show()
