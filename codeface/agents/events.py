"""The events of an agent turn, around the router's events for each step.

Approval and questions are events with an answer: the consumer (the window's bridge, the
CLI) shows the request and answers through `ApprovalGate.answer` / `answer_question`;
the loop waits for that answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from codeface.core.messages import ToolCall

ToolKind = Literal["read", "edit", "command", "question", "memory"]
Decision = Literal["once", "session", "deny"]
ToolStatus = Literal["ok", "error", "denied"]
Approver = Literal["auto", "user", "session rule", "allowed", "plan mode", "no terminal", "policy"]


@dataclass(frozen=True)
class StepStarted:
    """The model is asked again (step 1 is the first answer of the turn)."""

    turn_id: str
    step: int


@dataclass(frozen=True)
class ToolCallStarted:
    """A tool call is about to be checked and run; ``description`` says it in words."""

    call: ToolCall
    kind: ToolKind
    description: str


@dataclass(frozen=True)
class ApprovalRequest:
    """What a side effect will do, for the user to allow or deny.

    ``detail`` is the diff of an edit or the command line with its folder; ``reasons``
    say why it asks even when such actions are allowed (network, outside the project,
    credentials).
    """

    id: str
    call: ToolCall
    kind: ToolKind
    description: str
    detail: str
    reasons: tuple[str, ...] = ()
    can_allow_for_session: bool = True


@dataclass(frozen=True)
class ApprovalRequested:
    """The loop waits until the request is answered (allow once, for the session, deny)."""

    request: ApprovalRequest


@dataclass(frozen=True)
class ApprovalGiven:
    """How a side effect was decided, and by whom (for the audit trail)."""

    call_id: str
    decision: Decision
    approver: Approver
    reason: str = ""


@dataclass(frozen=True)
class QuestionAsked:
    """The model asks the user something (`ask_user`); answered with text."""

    id: str
    call_id: str
    question: str


@dataclass(frozen=True)
class CommandOutput:
    """Live output of a command the agent runs (already decoded, bad bytes replaced)."""

    call_id: str
    text: str


@dataclass(frozen=True)
class CheckpointSaved:
    """Files were saved in the turn's checkpoint before the turn first changed them."""

    turn_id: str
    paths: tuple[str, ...]


@dataclass(frozen=True)
class ToolCallFinished:
    """A tool call ended. ``result`` goes back to the model (as data); ``summary`` is the
    one line a person reads; ``detail`` is the full output or diff."""

    call: ToolCall
    kind: ToolKind
    status: ToolStatus
    result: str
    summary: str
    detail: str = ""
    duration: float = 0.0
    changed_paths: tuple[str, ...] = ()
    approver: Approver = "auto"
    decision: Decision | None = None
    """The person's answer, when one was asked."""


@dataclass(frozen=True)
class AgentTurnDone:
    """The turn ended: how many steps, what it cost, which models answered."""

    turn_id: str
    steps: int
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float | None = None
    models: tuple[str, ...] = field(default_factory=tuple)
    stopped_at_step_limit: bool = False
    changed_paths: tuple[str, ...] = ()


AgentEvent = (
    StepStarted
    | ToolCallStarted
    | ApprovalRequested
    | ApprovalGiven
    | QuestionAsked
    | CommandOutput
    | CheckpointSaved
    | ToolCallFinished
    | AgentTurnDone
)
