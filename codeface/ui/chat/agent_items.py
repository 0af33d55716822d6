"""The transcript items of an agent turn: tool steps, approvals, questions. No Qt.

A `ToolStep` is one tool call and its outcome (the stored "tool" message is folded into
it, not shown on its own); an `ApprovalItem` is a side effect waiting for the user; a
`QuestionItem` is the agent's `ask_user`. Items are frozen: the pane replaces an item
when its state changes, and a row reused for another item shows exactly that item.

Tool call ids repeat across steps (Ollama numbers them per answer), so a step's item id
also names the assistant message that made the call.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, Protocol

from codeface.application.contract import MessageView
from codeface.core.messages import ToolCall
from codeface.ui.chat.step_words import describe_step, step_kind

StepStatus = Literal["running", "waiting", "ok", "error", "denied", "stopped"]
ApprovalState = Literal["pending", "sending", "decided", "expired"]
OUTPUT_LIMIT = 64_000
"""Characters of live command output a card keeps (the tail)."""

_DATA = re.compile(r'\A<data source="([^"]*)">\n(.*)\n</data>\Z', re.DOTALL)
_DENIED = ("The user denied this", "Denied:")


class ToolStarted(Protocol):
    """What the pane reads from the engine's ToolCallStarted."""

    @property
    def call(self) -> ToolCall: ...
    @property
    def kind(self) -> str: ...
    @property
    def description(self) -> str: ...


class ToolFinished(Protocol):
    """What the pane reads from the engine's ToolCallFinished."""

    @property
    def call(self) -> ToolCall: ...
    @property
    def status(self) -> str: ...
    @property
    def result(self) -> str: ...
    @property
    def summary(self) -> str: ...
    @property
    def detail(self) -> str: ...
    @property
    def duration(self) -> float: ...
    @property
    def changed_paths(self) -> tuple[str, ...]: ...
    @property
    def approver(self) -> str: ...


class ApprovalAsked(Protocol):
    """What the pane reads from the engine's ApprovalRequest."""

    @property
    def id(self) -> str: ...
    @property
    def call(self) -> ToolCall: ...
    @property
    def kind(self) -> str: ...
    @property
    def description(self) -> str: ...
    @property
    def detail(self) -> str: ...
    @property
    def reasons(self) -> tuple[str, ...]: ...
    @property
    def can_allow_for_session(self) -> bool: ...


@dataclass(frozen=True)
class ToolStep:
    """One tool call of an agent turn, as its card shows it."""

    id: str
    call: ToolCall
    kind: str
    description: str
    status: StepStatus = "running"
    summary: str = ""
    detail: str = ""
    """The full output or diff, once the call ended."""
    output: str = ""
    """Live command output so far (the last `OUTPUT_LIMIT` characters)."""
    duration: float | None = None
    approver: str = ""
    changed_paths: tuple[str, ...] = ()
    expanded: bool = False

    @property
    def result_text(self) -> str:
        """What the expanded card shows."""
        return self.detail or self.output or self.summary

    @property
    def has_result(self) -> bool:
        """Whether there is anything to expand."""
        return bool(self.detail or self.output)


@dataclass(frozen=True)
class ApprovalItem:
    """A side effect the agent waits to have allowed or denied."""

    id: str
    request_id: str
    call_id: str
    kind: str
    description: str
    detail: str
    reasons: tuple[str, ...] = ()
    can_allow_for_session: bool = True
    state: ApprovalState = "pending"
    decision: str = ""
    reason: str = ""
    approver: str = ""


@dataclass(frozen=True)
class QuestionItem:
    """A question the agent asked (`ask_user`), answered in its card."""

    id: str
    question_id: str
    call_id: str
    question: str
    state: ApprovalState = "pending"
    answer: str = ""


AgentItem = ToolStep | ApprovalItem | QuestionItem


def step_id(owner: str, call_id: str) -> str:
    """The item id of a call made by message ``owner``."""
    return f"step:{owner}:{call_id}"


def step_started(owner: str, event: ToolStarted) -> ToolStep:
    """A running step from a live ToolCallStarted."""
    return ToolStep(step_id(owner, event.call.id), event.call, event.kind, event.description)


def step_finished(step: ToolStep, event: ToolFinished) -> ToolStep:
    """``step`` with the outcome of a live ToolCallFinished."""
    status: StepStatus = (
        event.status if event.status in ("ok", "error", "denied") else "error"  # type: ignore[assignment]
    )
    return ToolStep(
        step.id,
        step.call,
        step.kind,
        step.description,
        status,
        event.summary,
        event.detail,
        step.output,
        event.duration,
        event.approver,
        tuple(event.changed_paths),
        step.expanded,
    )


def with_output(step: ToolStep, text: str) -> ToolStep:
    """``step`` with more live command output (only the tail is kept); the first output
    opens the card, so the user sees the command run."""
    output = step.output + text
    if len(output) > OUTPUT_LIMIT:
        output = "…" + output[-OUTPUT_LIMIT:]
    return _replace(step, output=output, expanded=step.expanded or not step.output)


def approval_item(request: ApprovalAsked) -> ApprovalItem:
    """A pending approval card for an ApprovalRequest."""
    return ApprovalItem(
        f"approval:{request.id}",
        request.id,
        request.call.id,
        request.kind,
        request.description,
        request.detail,
        tuple(request.reasons),
        request.can_allow_for_session,
    )


def _replace(item: ToolStep, **changes: object) -> ToolStep:
    from dataclasses import replace

    return replace(item, **changes)  # type: ignore[arg-type]


def _stored_result(step: ToolStep, message: MessageView) -> ToolStep:
    found = _DATA.match(message.content)
    body = found.group(2).replace("<\\/data>", "</data>") if found else message.content
    if message.status == "complete":
        status: StepStatus = "ok"
    elif message.content.startswith(_DENIED):
        status = "denied"
    else:
        status = "error"
    if message.tool_summary:
        summary = message.tool_summary
    elif found is None:
        summary = message.content.strip().splitlines()[0] if message.content.strip() else ""
    elif step.kind == "command":
        summary = body.splitlines()[0] if body else ""
    else:
        summary = found.group(1)
    detail = body if found is not None or len(message.content) > len(summary) else ""
    return _replace(step, status=status, summary=summary[:200], detail=detail)


def stored_approval(step: ToolStep, message: MessageView) -> ApprovalItem | None:
    """The decided approval row of a stored step a person allowed (once, or for the
    session) or denied; None when no one was asked."""
    if not message.approval:
        return None
    return ApprovalItem(
        f"approval:stored:{message.id}",
        f"stored:{message.id}",
        step.call.id,
        step.kind,
        step.description,
        "",
        state="decided",
        decision=message.approval,
        reason=message.approval_reason,
        approver="user",
    )


def items_for_branch(messages: list[MessageView]) -> list[MessageView | AgentItem]:
    """The transcript items of a stored branch: each assistant message is followed by a
    step per tool call, with the result of its "tool" message folded in, and after a step
    a person decided, the approval row the live turn showed."""
    items: list[MessageView | AgentItem] = []
    approvals: dict[str, ApprovalItem] = {}
    open_calls: dict[str, int] = {}
    for message in messages:
        if message.role == "tool":
            position = open_calls.pop(message.tool_call_id or "", None)
            if position is None:  # a result whose call is not on this branch: as it is
                items.append(message)
            else:
                current = items[position]
                assert isinstance(current, ToolStep)
                items[position] = _stored_result(current, message)
                approval = stored_approval(current, message)
                if approval is not None:
                    approvals[current.id] = approval
            continue
        items.append(message)
        if message.role != "assistant":
            continue
        for call in message.tool_calls:
            open_calls[call.id] = len(items)
            items.append(
                ToolStep(
                    step_id(message.id, call.id),
                    call,
                    step_kind(call.name),
                    describe_step(call),
                    status="stopped" if message.status != "streaming" else "running",
                )
            )
    if not approvals:
        return items
    placed: list[MessageView | AgentItem] = []
    for item in items:
        placed.append(item)
        if isinstance(item, ToolStep) and item.id in approvals:
            placed.append(approvals[item.id])
    return placed


def is_quiet_step_message(item: object) -> bool:
    """An assistant message that only called tools: its cards say everything, so the
    message itself takes no room."""
    return (
        isinstance(item, MessageView)
        and item.role == "assistant"
        and bool(item.tool_calls)
        and not item.content.strip()
        and item.status == "complete"
    )
