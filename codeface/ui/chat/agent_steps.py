"""An agent turn in the transcript: tool cards, approval and question cards, live output.

`AgentSteps` belongs to one chat pane. The conversation hands it the bridge's agent
events; it adds and updates items (`codeface.ui.chat.agent_items`) in the transcript,
folds each stored "tool" message into its step's card, puts the keyboard focus on a card
that waits for the user and tells the composer the agent is waiting. Answers from the
cards leave as `sig_approval_answer` / `sig_question_answer`; the conversation sends
them to the backend and reports back (`approval_sent`, `approval_refused`...).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject, Signal

from codeface.application.contract import MessageView
from codeface.core.messages import ToolCall
from codeface.ui.chat.agent_items import (
    ApprovalAsked,
    ApprovalItem,
    QuestionItem,
    ToolFinished,
    ToolStarted,
    ToolStep,
    approval_item,
    items_for_branch,
    step_finished,
    step_started,
    with_output,
)
from codeface.ui.chat.approval_card import ApprovalCardRow, QuestionCardRow
from codeface.ui.chat.context import ChatHub
from codeface.ui.chat.tool_card import ToolCardRow

if TYPE_CHECKING:
    from codeface.ui.chat.composer import Composer
    from codeface.ui.chat.placeholders import Item
    from codeface.ui.chat.transcript import Transcript

WAITING_FOR_APPROVAL = "The agent is waiting for your approval"
WAITING_FOR_ANSWER = "The agent is waiting for your answer"


class ApprovalDecided(Protocol):
    """What the pane reads from the engine's ApprovalGiven."""

    @property
    def call_id(self) -> str: ...
    @property
    def decision(self) -> str: ...
    @property
    def approver(self) -> str: ...
    @property
    def reason(self) -> str: ...


class QuestionPosed(Protocol):
    """What the pane reads from the engine's QuestionAsked."""

    @property
    def id(self) -> str: ...
    @property
    def call_id(self) -> str: ...
    @property
    def question(self) -> str: ...


class AgentSteps(QObject):
    """The agent-turn half of a chat pane."""

    sig_approval_answer = Signal(str, str, str)
    """The user answered an approval card; arguments: request id, decision, reason."""
    sig_question_answer = Signal(str, str)
    """The user answered the agent's question; arguments: question id, text."""

    def __init__(
        self, transcript: Transcript, composer: Composer, hub: ChatHub, parent: QObject
    ) -> None:
        super().__init__(parent)
        self.transcript = transcript
        self.composer = composer
        self.owner = ""
        """The assistant message whose tool calls come next (the last answer begun)."""
        self.tools_ran = False
        """A tool ran in the turn under way (its next steps' answers wait for text)."""
        self._steps: dict[str, str] = {}
        self._approvals: dict[str, str] = {}
        self._questions: dict[str, str] = {}
        hub.sig_step_expanded.connect(self.on_step_expanded)
        hub.sig_approval_answer.connect(self.on_approval_answer)
        hub.sig_question_answer.connect(self.on_question_answer)

    # a stored branch ---------------------------------------------------------------
    def items_for(self, messages: list[MessageView]) -> list[Item]:
        """The transcript items of a branch (tool results folded into their steps)."""
        items: list[Item] = list(items_for_branch(messages))
        self.tools_ran = False
        self._steps = {item.call.id: item.id for item in items if isinstance(item, ToolStep)}
        self._approvals.clear()
        self._questions.clear()
        self.owner = next((m.id for m in reversed(messages) if m.role == "assistant"), self.owner)
        self._update_composer()
        return items

    def _get(self, item_id: str | None) -> Item | None:
        return self.transcript.item(item_id) if item_id else None

    def _put(self, item: Item) -> None:
        self.transcript.replace(item)

    # live events -------------------------------------------------------------------
    def tool_started(self, event: ToolStarted) -> None:
        """A tool call of the running turn is about to be checked and run."""
        step = step_started(self.owner, event)
        self.tools_ran = True
        self._steps[event.call.id] = step.id
        if self.transcript.item(step.id) is None:
            self.transcript.append(step)
        else:
            self._put(step)

    def _set_step_status(self, call_id: str, status: str) -> None:
        step = self._get(self._steps.get(call_id))
        if isinstance(step, ToolStep) and step.status != status:
            self._put(replace(step, status=status))  # type: ignore[arg-type]

    def approval_requested(self, request: ApprovalAsked) -> None:
        """The agent waits for the user: a card, the focus on it, the composer says so."""
        item = approval_item(request)
        self._approvals[request.id] = item.id
        self._set_step_status(request.call.id, "waiting")
        self.transcript.append(item)
        self._focus_card(item.id)
        self._update_composer()

    def approval_given(self, event: ApprovalDecided) -> None:
        """How a side effect was decided (by the user, a session rule or the policy)."""
        # Call ids repeat across steps (Ollama numbers every answer's calls from call_0):
        # the card this decision is about is the latest one still waiting for that id.
        for request_id, item_id in reversed(self._approvals.items()):
            item = self._get(item_id)
            if (
                isinstance(item, ApprovalItem)
                and item.call_id == event.call_id
                and item.state in ("pending", "sending")
            ):
                self._decide(request_id, event.decision, event.reason, event.approver)
                break
        if event.decision != "deny":
            self._set_step_status(event.call_id, "running")
        self._update_composer()

    def question_asked(self, event: QuestionPosed) -> None:
        """The agent asks the user something and waits for the reply."""
        item = QuestionItem(f"question:{event.id}", event.id, event.call_id, event.question)
        self._questions[event.id] = item.id
        self._set_step_status(event.call_id, "waiting")
        self.transcript.append(item)
        self._focus_card(item.id)
        self._update_composer()

    def command_output(self, call_id: str, text: str) -> None:
        """Live output of a running command: only its card's output box changes."""
        step = self._get(self._steps.get(call_id))
        if not isinstance(step, ToolStep):
            return
        opening = not step.output and not step.expanded
        step = with_output(step, text)
        if opening:  # the card opens to show the output: its height changes once
            self._put(step)
            self.transcript.on_item_changed(step.id)
            return
        self.transcript.store(step)
        row = self.transcript.widget_for(step.id, create=False)
        if isinstance(row, ToolCardRow):
            row.append_output(step)

    def tool_finished(self, event: ToolFinished) -> None:
        """A tool call ended: status, duration, summary and the full result."""
        step = self._get(self._steps.get(event.call.id))
        if not isinstance(step, ToolStep):
            step = step_started(self.owner, _Started(event.call, "read", event.call.name))
            self._steps[event.call.id] = step.id
            self.transcript.append(step)
        self._put(step_finished(step, event))

    def fold_result(self, message: MessageView) -> bool:
        """A stored "tool" message: True when its step's card already shows it."""
        return message.role == "tool" and (message.tool_call_id or "") in self._steps

    def turn_ended(self) -> None:
        """The turn ended however it ended: nothing waits any more."""
        self.tools_ran = False
        for item_id in [*self._approvals.values(), *self._questions.values()]:
            item = self._get(item_id)
            if isinstance(item, ApprovalItem | QuestionItem) and item.state in (
                "pending",
                "sending",
            ):
                self._put(replace(item, state="expired"))
        for item_id in self._steps.values():
            step = self._get(item_id)
            if isinstance(step, ToolStep) and step.status in ("running", "waiting"):
                self._put(replace(step, status="stopped"))
        self._update_composer()

    # answers -----------------------------------------------------------------------
    def on_approval_answer(self, request_id: str, decision: str, reason: str) -> None:
        """A card's button: the card waits for the backend; the answer goes out."""
        item = self._get(self._approvals.get(request_id))
        if not isinstance(item, ApprovalItem) or item.state != "pending":
            return
        self._put(replace(item, state="sending", decision=decision, reason=reason))
        self.sig_approval_answer.emit(request_id, decision, reason)

    def approval_sent(self, request_id: str) -> None:
        """The backend took the answer: the card collapses to the decision."""
        item = self._get(self._approvals.get(request_id))
        if isinstance(item, ApprovalItem) and item.state == "sending":
            self._decide(request_id, item.decision, item.reason, "user")
        self._update_composer()
        self.composer.edit.setFocus()

    def approval_refused(self, request_id: str) -> None:
        """Nothing waited for that answer any more (the turn ended or was stopped)."""
        item = self._get(self._approvals.get(request_id))
        if isinstance(item, ApprovalItem):
            self._put(replace(item, state="expired"))
        self._update_composer()

    def _decide(self, request_id: str, decision: str, reason: str, approver: str) -> None:
        item = self._get(self._approvals.get(request_id))
        if isinstance(item, ApprovalItem):
            self._put(
                replace(item, state="decided", decision=decision, reason=reason, approver=approver)
            )
            self.transcript.on_item_changed(item.id)

    def on_question_answer(self, question_id: str, text: str) -> None:
        """The reply box of a question card."""
        item = self._get(self._questions.get(question_id))
        if not isinstance(item, QuestionItem) or item.state != "pending":
            return
        self._put(replace(item, state="sending", answer=text))
        self.sig_question_answer.emit(question_id, text)

    def question_sent(self, question_id: str, accepted: bool) -> None:
        """The backend took the reply (or nothing waited for it any more)."""
        item = self._get(self._questions.get(question_id))
        if isinstance(item, QuestionItem):
            self._put(replace(item, state="decided" if accepted else "expired"))
            self._set_step_status(item.call_id, "running")
        self._update_composer()
        self.composer.edit.setFocus()

    # cards -------------------------------------------------------------------------
    def on_step_expanded(self, item_id: str, expanded: bool) -> None:
        """A card's expand arrow."""
        step = self._get(item_id)
        if isinstance(step, ToolStep):
            self._put(replace(step, expanded=expanded))
            self.transcript.on_item_changed(item_id)

    def _focus_card(self, item_id: str) -> None:
        self.transcript.scroll_to_bottom()
        row = self.transcript.widget_for(item_id)
        self.transcript.relayout()
        if isinstance(row, ApprovalCardRow | QuestionCardRow):
            row.focus_default()

    def waiting(self) -> str:
        """What the composer says while a card waits ("" when none does)."""
        for item_id in self._approvals.values():
            item = self._get(item_id)
            if isinstance(item, ApprovalItem) and item.state in ("pending", "sending"):
                return WAITING_FOR_APPROVAL
        for item_id in self._questions.values():
            item = self._get(item_id)
            if isinstance(item, QuestionItem) and item.state in ("pending", "sending"):
                return WAITING_FOR_ANSWER
        return ""

    def _update_composer(self) -> None:
        self.composer.set_waiting(self.waiting())


@dataclass(frozen=True)
class _Started:
    """A stand-in start event for a step whose start was missed."""

    call: ToolCall
    kind: str
    description: str
