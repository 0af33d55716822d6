"""A conversation turn that is never lost: the engine's events, written to the store.

Every prompt is saved before it is sent; every answer is saved while it streams (in
small batches) and finished with its stats, or marked failed/cancelled with its partial
text. The CLI and the window both go through `Conversation`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator, Awaitable, Callable
from contextlib import aclosing
from typing import Literal

from codeface.application.contract import Attachment, ConversationEvent, MessageSaved, MessageView
from codeface.application.engine import Engine
from codeface.core.chat import run_turn
from codeface.core.events import TextDelta, TurnDone, TurnFailed, TurnStarted
from codeface.core.messages import ChatMessage, ChatRequest
from codeface.core.router import CONTINUE_PROMPT
from codeface.core.settings import POLICIES, Policy
from codeface.store.models import Message, Session
from codeface.store.service import AsyncAnswerWriter, Store

log = logging.getLogger(__name__)


def compose_prompt(text: str, attachments: tuple[Attachment, ...] = ()) -> str:
    """The prompt text with attached files appended as fenced blocks."""
    parts = [text]
    for attachment in attachments:
        note = " (truncated)" if attachment.truncated else ""
        parts.append(f"Attached file `{attachment.name}`{note}:\n```\n{attachment.text}\n```")
    return "\n\n".join(part for part in parts if part)


def message_view(message: Message, index: int = 0, count: int = 1) -> MessageView:
    """The window's view of a stored message."""
    from datetime import UTC, datetime

    tier: Literal["local", "cloud"] | None = None
    if message.provider:
        tier = "local" if message.provider.startswith(("ollama", "compat:")) else "cloud"
    return MessageView(
        id=message.id,
        role=message.role,
        content=message.content,
        status=message.status,
        parent_id=message.parent_id,
        sibling_index=index,
        sibling_count=count,
        created_at=datetime.fromtimestamp(message.created_at, UTC).isoformat(timespec="seconds"),
        provider=message.provider,
        model=message.model,
        host=message.host,
        tier=tier,
        input_tokens=message.input_tokens,
        output_tokens=message.output_tokens,
        time_to_first_token=message.ttft,
        tokens_per_second=message.tokens_per_second,
        cost_usd=message.cost_usd,
        finish_reason=message.finish_reason,
        error_text=message.error_text,
        rating=message.rating,
    )


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

    async def send(
        self, session_id: str, text: str, attachments: tuple[Attachment, ...] = ()
    ) -> AsyncGenerator[ConversationEvent, None]:
        """Save the prompt under the active leaf and stream the answer."""
        user = await self.store.add_user_message(session_id, compose_prompt(text, attachments))
        yield MessageSaved(await self.view(user.id))
        start = lambda: self.store.begin_answer(session_id, parent_id=user.id)  # noqa: E731
        async with aclosing(self._answer(session_id, start)) as events:
            async for event in events:
                yield event

    async def edit(self, message_id: str, text: str) -> AsyncGenerator[ConversationEvent, None]:
        """Save an edited sibling of a prompt and answer it (the old branch stays)."""
        edited = await self.store.edit_message(message_id, text)
        yield MessageSaved(await self.view(edited.id))
        start = lambda: self.store.begin_answer(edited.session_id, parent_id=edited.id)  # noqa: E731
        async with aclosing(self._answer(edited.session_id, start)) as events:
            async for event in events:
                yield event

    async def regenerate(self, answer_id: str) -> AsyncGenerator[ConversationEvent, None]:
        """A new answer to the same prompt, as a sibling of ``answer_id``."""
        answer = await self.store.get_message(answer_id)
        start = lambda: self.store.regenerate(answer_id)  # noqa: E731
        async with aclosing(self._answer(answer.session_id, start)) as events:
            async for event in events:
                yield event

    async def continue_answer(self, answer_id: str) -> AsyncGenerator[ConversationEvent, None]:
        """Append to an interrupted answer, asking the model to go on from where it stopped."""
        answer = await self.store.get_message(answer_id)
        start = lambda: self.store.continue_answer(answer_id)  # noqa: E731
        async with aclosing(self._answer(answer.session_id, start, continuing=True)) as events:
            async for event in events:
                yield event

    async def _request(self, session: Session, continuing: bool) -> ChatRequest:
        history = await self.store.chat_messages(session.id)
        if continuing:
            history = (*history, ChatMessage("user", CONTINUE_PROMPT))
        system_parts = [session.system_prompt or ""]
        if session.project:
            system_parts.append(await self.store.memory_prompt(session.project))
        system = "\n\n".join(part for part in system_parts if part) or None
        return ChatRequest(model=session.model or "", messages=history, system=system)

    async def _answer(
        self,
        session_id: str,
        start: Callable[[], Awaitable[AsyncAnswerWriter]],
        *,
        continuing: bool = False,
    ) -> AsyncGenerator[ConversationEvent, None]:
        session = await self.store.get_session(session_id)
        writer = await start()
        request = await self._request(session, continuing)
        yield MessageSaved(await self.view(writer.message_id))
        policy: Policy | None = session.policy if session.policy in POLICIES else None  # type: ignore[assignment]
        finished = False
        turn = run_turn(self.engine.router, request, policy=policy, model=session.model or None)
        try:
            async with aclosing(turn):
                async for event in turn:
                    if isinstance(event, TextDelta):
                        writer.append(event.text)
                    elif isinstance(event, TurnStarted):
                        log.info("answering with %s on %s", event.model, event.provider)
                    elif isinstance(event, TurnDone):
                        finished = True
                        await writer.finish(event.stats, event.tool_calls)
                    elif isinstance(event, TurnFailed):
                        finished = True
                        await writer.fail(event.error.one_line(), event.stats)
                    yield event
        finally:
            if not finished:
                await asyncio.shield(writer.cancel())
        yield MessageSaved(await self.view(writer.message_id))
