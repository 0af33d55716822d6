"""An agent turn, stored step by step: each answer and each tool result is its own message,
written as it happens, and each tool call leaves an audit record (tool, arguments, result,
who approved, when).

A turn killed between steps therefore shows exactly what ran, and `continue` picks it up
from the last stored step: calls that have no stored result run again (asking again), an
answer cut off mid-stream is left as it was and the step is asked anew.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncGenerator
from contextlib import aclosing
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, assert_never

from codeface.agents.approvals import ApprovalGate
from codeface.agents.events import (
    AgentTurnDone,
    ApprovalGiven,
    ApprovalRequested,
    CheckpointSaved,
    CommandOutput,
    QuestionAsked,
    StepStarted,
    ToolCallFinished,
    ToolCallStarted,
)
from codeface.agents.loop import run_agent_turn
from codeface.agents.prompt import agent_system_prompt
from codeface.agents.roles import Role, effective_policy
from codeface.agents.tool_specs import specs_for
from codeface.agents.tools import ClaimPath, ToolBox, as_data
from codeface.application.contract import ConversationEvent, MessageSaved
from codeface.core.events import (
    Finished,
    Notice,
    Progress,
    ProviderSwitched,
    Retrying,
    TextDelta,
    ThinkingDelta,
    ToolCallRequested,
    TurnDone,
    TurnFailed,
    TurnStarted,
    Usage,
)
from codeface.core.messages import ChatMessage, ChatRequest, ToolCall
from codeface.core.settings import POLICIES, Policy
from codeface.store.models import Message, Session, ToolRun
from codeface.store.service import AsyncAnswerWriter
from codeface.workspace import Workspace

if TYPE_CHECKING:
    from codeface.application.conversation import Conversation


@dataclass
class AgentSetup:
    """What an agent turn needs beyond the session: the project, the role, the approvals."""

    workspace: Workspace
    role: Role
    gate: ApprovalGate = field(default_factory=ApprovalGate)
    private_folders: tuple[Path, ...] = ()
    claim_path: ClaimPath | None = None
    """Plans: waits until no other task of the plan is changing the file (`FileLeases`)."""


@dataclass
class _Resume:
    """Where an interrupted turn stands: its id and the calls still without a result."""

    turn_id: str
    pending: tuple[ToolCall, ...]


def find_resume_point(path: list[Message]) -> _Resume | None:
    """The turn to continue on the active branch (None when the last turn is complete)."""
    user_index = max((i for i, m in enumerate(path) if m.role == "user"), default=-1)
    if user_index < 0:
        return None
    turn = path[user_index + 1 :]
    turn_id = path[user_index].id
    answered = {m.tool_call_id for m in turn if m.role == "tool"}
    for message in reversed(turn):
        if message.role == "tool":
            return _Resume(turn_id, ())
        if message.role != "assistant":
            continue
        if message.tool_calls:
            pending = tuple(c for c in message.tool_calls if c.id not in answered)
            return _Resume(turn_id, pending)
        if message.status != "complete" or not message.content:
            continue
        return None
    return _Resume(turn_id, ())


def _model_history(path: list[Message]) -> tuple[ChatMessage, ...]:
    """The branch as the model sees it: answers cut off mid-stream without tool calls are
    left out, so the step is asked anew rather than two answers following each other."""
    kept = [
        m
        for m in path
        if not (m.role == "assistant" and not m.tool_calls and m.status != "complete")
        and (m.content or m.tool_calls or m.role != "assistant")
    ]
    return tuple(m.to_chat_message() for m in kept)


async def _request(
    conversation: Conversation, session: Session, setup: AgentSetup, path: list[Message]
) -> ChatRequest:
    plan_only = setup.gate.policy.plan_only
    memory = await conversation.memory(session)
    system = agent_system_prompt(
        setup.role,
        setup.workspace.name,
        plan_only=plan_only,
        memory=as_data("notes saved about this project", memory) if memory else "",
        session_prompt=session.system_prompt or "",
    )
    return ChatRequest(
        model=session.model or setup.role.model or "",
        messages=_model_history(path),
        tools=specs_for(setup.role.tools, plan_only=plan_only),
        system=system,
    )


def _audit(
    session: Session, turn_id: str, event: ToolCallFinished, message_id: str, decided: float
) -> ToolRun:
    return ToolRun(
        session_id=session.id,
        turn_id=turn_id,
        message_id=message_id,
        call_id=event.call.id,
        tool=event.call.name,
        arguments=json.dumps(event.call.arguments, ensure_ascii=False, sort_keys=True),
        status=event.status,
        summary=event.summary,
        approver=event.approver,
        decision=event.decision or "",
        decided_at=decided,
        duration=event.duration,
        changed_paths=tuple(event.changed_paths),
    )


async def run_stored_agent_turn(
    conversation: Conversation,
    session: Session,
    setup: AgentSetup,
    *,
    turn_id: str | None,
) -> AsyncGenerator[ConversationEvent, None]:
    """Run (or, with ``turn_id`` None, continue) an agent turn, storing every step."""
    store = conversation.store
    path = await store.path_to_leaf(session.id)
    pending: tuple[ToolCall, ...] = ()
    if turn_id is None:
        resume = find_resume_point(path)
        if resume is None:
            return
        turn_id, pending = resume.turn_id, resume.pending
    request = await _request(conversation, session, setup, path)
    policy = effective_policy(setup.role, conversation_policy(session))

    async def remember(note: str) -> None:
        await store.add_note(setup.workspace.key, note, source="agent")

    toolbox = ToolBox(
        setup.workspace,
        setup.gate,
        turn_id,
        remember=remember,
        private_folders=setup.private_folders,
        claim_path=setup.claim_path,
    )
    turn = run_agent_turn(
        conversation.engine.router,
        request,
        toolbox,
        policy=policy,
        model=session.model or setup.role.model or None,
        max_steps=setup.role.max_steps,
        pending_calls=pending,
    )
    writer: AsyncAnswerWriter | None = None
    decided: dict[str, float] = {}
    try:
        async with aclosing(turn):
            async for event in turn:
                match event:
                    case StepStarted():
                        writer = await store.begin_answer(session.id)
                        yield event
                        yield MessageSaved(await conversation.view(writer.message_id))
                        continue
                    case TextDelta():
                        if writer is not None:
                            writer.append(event.text)
                    case TurnDone():
                        if writer is not None:
                            await writer.finish(event.stats, event.tool_calls)
                            yield event
                            yield MessageSaved(await conversation.view(writer.message_id))
                            writer = None
                            continue
                    case TurnFailed():
                        if writer is not None:
                            await writer.fail(event.error.one_line(), event.stats)
                            yield event
                            yield MessageSaved(await conversation.view(writer.message_id))
                            writer = None
                            continue
                    case ApprovalGiven():
                        decided[event.call_id] = time.time()
                    case ToolCallFinished():
                        message = await store.add_message(
                            session.id,
                            "tool",
                            event.result,
                            tool_call_id=event.call.id,
                            tool_name=event.call.name,
                            status="complete" if event.status == "ok" else "error",
                        )
                        when = decided.pop(event.call.id, time.time())
                        await store.add_tool_run(_audit(session, turn_id, event, message.id, when))
                        yield event
                        yield MessageSaved(await conversation.view(message.id))
                        continue
                    case (
                        ThinkingDelta()
                        | ToolCallRequested()
                        | Usage()
                        | Finished()
                        | Retrying()
                        | ProviderSwitched()
                        | Progress()
                        | Notice()
                        | Notice()
                        | TurnStarted()
                        | ToolCallStarted()
                        | ApprovalRequested()
                        | QuestionAsked()
                        | CommandOutput()
                        | CheckpointSaved()
                        | AgentTurnDone()
                    ):
                        pass
                    case _:
                        assert_never(event)
                yield event
    finally:
        if writer is not None:
            await asyncio.shield(writer.cancel())


def conversation_policy(session: Session) -> Policy:
    """The session's policy (local-first when it names none)."""
    return session.policy if session.policy in POLICIES else "local-first"  # type: ignore[return-value]
