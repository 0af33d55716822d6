"""Who may do what: reads run freely, side effects ask, risky commands always ask.

`ApprovalGate` decides each tool call: allow (and by whom: a rule, an ``--allow`` flag,
the user), deny with a reason the model is told, or ask the user. Asking is an event with
an answer: the loop yields `ApprovalRequested` and awaits `wait()`, which ends when the
front end calls `answer()`. "Allow for this session" stores a normalised rule (all edits,
or a command's program and subcommand), compared with every part of what actually runs.
"""

from __future__ import annotations

import asyncio
import itertools
import os
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from codeface.agents.command_risk import CommandRisk
from codeface.agents.events import ApprovalRequest, Approver, Decision, ToolKind
from codeface.core.messages import ToolCall

_SENSITIVE_SUFFIXES = (".pem", ".key", ".p12", ".pfx", ".keystore", ".jks")
_SENSITIVE_NAMES = {
    ".netrc",
    ".pgpass",
    ".npmrc",
    ".pypirc",
    ".git-credentials",
    "id_rsa",
    "id_ed25519",
    "id_ecdsa",
    "credentials",
    "credentials.json",
    "secrets.json",
}


def is_sensitive_path(path: str) -> bool:
    """Whether a project file looks like it holds credentials (``.env``, keys, tokens)."""
    name = PurePosixPath(path).name.lower()
    return (
        name == ".env"
        or name.startswith(".env.")
        or name in _SENSITIVE_NAMES
        or name.endswith(_SENSITIVE_SUFFIXES)
    )


@dataclass
class ApprovalPolicy:
    """What a session allows without asking; ``interactive`` says whether anyone can be
    asked (false for a CLI run without a terminal)."""

    allow_edits: bool = False
    allow_commands: bool = False
    plan_only: bool = False
    interactive: bool = True
    edits_for_session: bool = False
    command_rules: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class Allow:
    """Run it; ``approver`` says why no one was asked."""

    approver: Approver


@dataclass(frozen=True)
class Deny:
    """Do not run it; ``reason`` goes back to the model."""

    reason: str
    approver: Approver


@dataclass(frozen=True)
class Ask:
    """Ask the user with this request."""

    request: ApprovalRequest


Verdict = Allow | Deny | Ask


@dataclass(frozen=True)
class Answer:
    """The user's answer to an approval request."""

    decision: Decision
    reason: str = ""


class ApprovalGate:
    """Decides tool calls for one session under its `ApprovalPolicy`."""

    def __init__(self, policy: ApprovalPolicy | None = None) -> None:
        self.policy = policy or ApprovalPolicy()
        self._ids = itertools.count(1)
        self._prefix = os.urandom(4).hex()  # ids stay unique across sessions' gates
        self._pending: dict[str, asyncio.Future[Answer]] = {}
        self._questions: dict[str, asyncio.Future[str]] = {}

    # ------------------------------------------------------------------ deciding
    def check(
        self,
        call: ToolCall,
        kind: ToolKind,
        description: str,
        detail: str = "",
        *,
        sensitive_path: bool = False,
        risk: CommandRisk | None = None,
    ) -> Verdict:
        """Allow, deny or ask for one call."""
        policy = self.policy
        if kind == "question":
            return Allow("auto")
        if kind == "read":
            if not sensitive_path:
                return Allow("auto")
            return self._ask(
                call, kind, description, detail, ("the file may hold credentials",), False
            )
        if policy.plan_only:
            return Deny(
                "Plan-only mode: nothing may be changed or run. Describe the plan.", "plan mode"
            )
        if kind == "memory":
            return Allow("auto")
        if kind == "edit":
            if sensitive_path:
                return self._ask(
                    call, kind, description, detail, ("the file may hold credentials",), False
                )
            if policy.allow_edits:
                return Allow("allowed")
            if policy.edits_for_session:
                return Allow("session rule")
            return self._ask(call, kind, description, detail, (), True)
        assert risk is not None, "commands are checked with their risk"
        if risk.risky:
            return self._ask(call, kind, description, detail, risk.reasons, False)
        if policy.allow_commands:
            return Allow("allowed")
        if risk.rules and set(risk.rules) <= policy.command_rules:
            return Allow("session rule")
        return self._ask(call, kind, description, detail, (), bool(risk.rules))

    def _ask(
        self,
        call: ToolCall,
        kind: ToolKind,
        description: str,
        detail: str,
        reasons: tuple[str, ...],
        can_allow_for_session: bool,
    ) -> Verdict:
        if not self.policy.interactive:
            why = "; ".join(reasons) if reasons else "it was not allowed (see --allow)"
            return Deny(f"Not run: {why}, and there is no one to ask in this run.", "no terminal")
        request = ApprovalRequest(
            id=f"approval-{self._prefix}-{next(self._ids)}",
            call=call,
            kind=kind,
            description=description,
            detail=detail,
            reasons=reasons,
            can_allow_for_session=can_allow_for_session,
        )
        self._pending[request.id] = asyncio.get_running_loop().create_future()
        return Ask(request)

    # ------------------------------------------------------------------ answers
    async def wait(self, request: ApprovalRequest, risk: CommandRisk | None = None) -> Answer:
        """Wait for the user's answer (which may already be in), then remember a
        for-this-session rule."""
        future = self._pending[request.id]
        try:
            answer = await future
        finally:
            self._pending.pop(request.id, None)
        if answer.decision == "session" and request.can_allow_for_session:
            if request.kind == "edit":
                self.policy.edits_for_session = True
            elif request.kind == "command" and risk is not None:
                self.policy.command_rules.update(risk.rules)
        return answer

    def answer(self, request_id: str, decision: Decision, reason: str = "") -> bool:
        """Answer a waiting request; False when no such request waits (already answered)."""
        future = self._pending.get(request_id)
        if future is None or future.done():
            return False
        future.set_result(Answer(decision, reason))
        return True

    def new_question_id(self) -> str:
        """An id for a question to the user, ready to be answered."""
        question_id = f"question-{self._prefix}-{next(self._ids)}"
        self._questions[question_id] = asyncio.get_running_loop().create_future()
        return question_id

    async def wait_question(self, question_id: str) -> str:
        """Wait for the user's reply to a question (which may already be in)."""
        future = self._questions[question_id]
        try:
            return await future
        finally:
            self._questions.pop(question_id, None)

    def answer_question(self, question_id: str, text: str) -> bool:
        """Reply to a waiting question; False when none waits under that id."""
        future = self._questions.get(question_id)
        if future is None or future.done():
            return False
        future.set_result(text)
        return True

    @property
    def waiting(self) -> tuple[str, ...]:
        """Ids of requests and questions waiting for an answer."""
        return (*self._pending, *self._questions)
