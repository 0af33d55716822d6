"""A conversation turn that is never lost: the engine's events, written to the store.

Every prompt is saved before it is sent; every answer is saved while it streams (in small
batches) and finished with its stats, or marked failed/cancelled with its partial text.
An agent turn (`agent_turn.py`) stores each step as its own messages as it happens. The
CLI and the window both go through `Conversation`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator, Awaitable, Callable
from contextlib import aclosing
from typing import TYPE_CHECKING, assert_never

from codeface.application.contract import Attachment, ConversationEvent, MessageSaved, MessageView
from codeface.application.engine import Engine
from codeface.application.views import message_view
from codeface.core.chat import run_turn
from codeface.core.errors import StoreError
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
from codeface.core.messages import ChatMessage, ChatRequest
from codeface.core.router import CONTINUE_PROMPT
from codeface.core.settings import POLICIES, Policy
from codeface.store.models import Session
from codeface.store.service import AsyncAnswerWriter, Store

if TYPE_CHECKING:
    from codeface.application.agent_turn import AgentSetup

log = logging.getLogger(__name__)


def compose_prompt(text: str, attachments: tuple[Attachment, ...] = ()) -> str:
    """The prompt text with attached files appended as fenced blocks."""
    parts = [text]
    for attachment in attachments:
        note = " (truncated)" if attachment.truncated else ""
        parts.append(f"Attached file `{attachment.name}`{note}:\n```\n{attachment.text}\n```")
    return "\n\n".join(part for part in parts if part)


def session_policy(session: Session) -> Policy | None:
    """The session's routing policy, when it names a known one."""
    return session.policy if session.policy in POLICIES else None  # type: ignore[return-value]


class Conversation:
    """Runs turns of stored sessions through the engine."""

    def __init__(self, engine: Engine, store: Store) -> None:
        self.engine = engine
        self.store = store

    async def view(self, message_id: str) -> MessageView:
        """A stored message with its place among its siblings."""
        message = await self.store.get_message(message_id)
        siblings = await self.store.siblings(message_id)
        ids = [sibling.id for sibling in siblings]
        return message_view(message, ids.index(message_id), len(ids))

    async def _writable(self, session_id: str) -> Session:
        session = await self.store.get_session(session_id)
        if session.deleted_at is not None:
            raise StoreError(
                f"The session {session.title or session_id[:8]!r} is in the trash",
                hint=f"Restore it first: codeface sessions restore {session_id[:8]}",
            )
        return session

    async def send(
        self,
        session_id: str,
        text: str,
        attachments: tuple[Attachment, ...] = (),
        *,
        agent: AgentSetup | None = None,
    ) -> AsyncGenerator[ConversationEvent, None]:
        """Save the prompt under the active leaf and answer it: one streamed answer, or an
        agent turn of several steps when ``agent`` is given."""
        session = await self._writable(session_id)
        user = await self.store.add_user_message(session_id, compose_prompt(text, attachments))
        yield MessageSaved(await self.view(user.id))
        if agent is not None:
            from codeface.application.agent_turn import run_stored_agent_turn

            turn = run_stored_agent_turn(self, session, agent, turn_id=user.id)
            async with aclosing(turn) as events:
                async for event in events:
                    yield event
            return
        start = lambda: self.store.begin_answer(session_id, parent_id=user.id)  # noqa: E731
        async with aclosing(self._answer(session, start)) as events:
            async for event in events:
                yield event

    async def continue_turn(
        self, session_id: str, agent: AgentSetup
    ) -> AsyncGenerator[ConversationEvent, None]:
        """Go on with an agent turn that was interrupted between or during steps."""
        from codeface.application.agent_turn import run_stored_agent_turn

        session = await self._writable(session_id)
        turn = run_stored_agent_turn(self, session, agent, turn_id=None)
        async with aclosing(turn) as events:
            async for event in events:
                yield event

    async def edit(self, message_id: str, text: str) -> AsyncGenerator[ConversationEvent, None]:
        """Save an edited sibling of a prompt and answer it (the old branch stays)."""
        original = await self.store.get_message(message_id)
        session = await self._writable(original.session_id)
        edited = await self.store.edit_message(message_id, text)
        yield MessageSaved(await self.view(edited.id))
        start = lambda: self.store.begin_answer(edited.session_id, parent_id=edited.id)  # noqa: E731
        async with aclosing(self._answer(session, start)) as events:
            async for event in events:
                yield event

    async def regenerate(self, answer_id: str) -> AsyncGenerator[ConversationEvent, None]:
        """A new answer to the same prompt, as a sibling of ``answer_id``."""
        answer = await self.store.get_message(answer_id)
        session = await self._writable(answer.session_id)
        start = lambda: self.store.regenerate(answer_id)  # noqa: E731
        async with aclosing(self._answer(session, start)) as events:
            async for event in events:
                yield event

    async def continue_answer(self, answer_id: str) -> AsyncGenerator[ConversationEvent, None]:
        """Append to an interrupted answer, asking the model to go on from where it stopped."""
        answer = await self.store.get_message(answer_id)
        session = await self._writable(answer.session_id)
        start = lambda: self.store.continue_answer(answer_id)  # noqa: E731
        async with aclosing(self._answer(session, start, continuing=True)) as events:
            async for event in events:
                yield event

    async def history(self, session: Session) -> tuple[ChatMessage, ...]:
        """The active branch as the model sees it."""
        return tuple(await self.store.chat_messages(session.id))

    async def memory(self, session: Session) -> str:
        """The project's notes as prompt text ('' when the session has no project)."""
        if not session.project:
            return ""
        return str(await self.store.memory_prompt(session.project))

    async def _request(self, session: Session, continuing: bool) -> ChatRequest:
        history = await self.history(session)
        if continuing:
            history = (*history, ChatMessage("user", CONTINUE_PROMPT))
        system_parts = [session.system_prompt or "", await self.memory(session)]
        system = "\n\n".join(part for part in system_parts if part) or None
        return ChatRequest(model=session.model or "", messages=history, system=system)

    async def _answer(
        self,
        session: Session,
        start: Callable[[], Awaitable[AsyncAnswerWriter]],
        *,
        continuing: bool = False,
    ) -> AsyncGenerator[ConversationEvent, None]:
        writer = await start()
        request = await self._request(session, continuing)
        yield MessageSaved(await self.view(writer.message_id))
        finished = False
        turn = run_turn(
            self.engine.router, request, policy=session_policy(session), model=session.model or None
        )
        try:
            async with aclosing(turn):
                async for event in turn:
                    match event:
                        case TextDelta():
                            writer.append(event.text)
                        case TurnStarted():
                            log.info("answering with %s on %s", event.model, event.provider)
                        case TurnDone():
                            finished = True
                            await writer.finish(event.stats, event.tool_calls)
                        case TurnFailed():
                            finished = True
                            await writer.fail(event.error.one_line(), event.stats)
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
                            | Notice()
                        ):
                            pass
                        case _:
                            assert_never(event)
                    yield event
        finally:
            if not finished:
                await asyncio.shield(writer.cancel())
        yield MessageSaved(await self.view(writer.message_id))
