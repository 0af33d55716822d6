"""Sessions and conversations, as the window asks for them (`ChatContract`)."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable
from contextlib import aclosing
from typing import Literal

from codeface.application.context import AppContext
from codeface.application.contract import (
    Attachment,
    ConversationEvent,
    MessageView,
    SearchHit,
    SessionView,
)
from codeface.application.contract.chat_contract import ChatContract
from codeface.application.conversation import Conversation
from codeface.application.engine import Engine
from codeface.application.views import message_view, session_view
from codeface.core.settings import Policy
from codeface.store.models import ToolRun
from codeface.store.service import Store


class ContextUser:
    """A service of the backend: reaches the engine and the store through its context."""

    context: AppContext

    @property
    def engine(self) -> Engine:
        """The engine in force (rebuilt when settings or keys change)."""
        return self.context.engine

    async def store(self) -> Store:
        """The store, opened on first use."""
        return await self.context.store()


class ChatService(ContextUser, ChatContract):
    """Sessions, branches, search and turns."""

    # sessions -------------------------------------------------------------------
    async def list_sessions(self, *, archived: bool = False) -> list[SessionView]:
        """Sessions not in the trash: active ones, or the archived ones."""
        sessions = await (await self.store()).list_sessions(include_archived=archived)
        return [session_view(s) for s in sessions if s.archived == archived]

    async def create_session(
        self,
        *,
        project: str | None = None,
        policy: Policy | None = None,
        role: str | None = None,
    ) -> SessionView:
        """A new empty session with the default model and policy."""
        general = self.engine.settings.general
        session = await (await self.store()).create_session(
            project=project,
            policy=policy or general.policy,
            model=general.model or None,
            role=role,
        )
        return session_view(session)

    async def rename_session(self, session_id: str, title: str) -> None:
        """Give a session a title of the user's choosing."""
        await (await self.store()).rename_session(session_id, title)

    async def set_pinned(self, session_id: str, pinned: bool) -> None:
        """Pin or unpin a session."""
        await (await self.store()).update_session(session_id, pinned=pinned)

    async def set_archived(self, session_id: str, archived: bool) -> None:
        """Archive or unarchive a session."""
        await (await self.store()).update_session(session_id, archived=archived)

    async def delete_session(self, session_id: str) -> None:
        """Move to the trash (restorable for 30 days)."""
        await (await self.store()).trash_session(session_id)

    async def restore_session(self, session_id: str) -> None:
        """Bring a session back from the trash."""
        await (await self.store()).restore_session(session_id)

    async def set_session_model(self, session_id: str, model: str | None, policy: Policy) -> None:
        """Choose the model and routing policy of a session."""
        await (await self.store()).update_session(session_id, model=model, policy=policy)

    async def load_branch(self, session_id: str) -> list[MessageView]:
        """The active branch from root to leaf, each with its sibling position."""
        store = await self.store()
        points = await store.active_path(session_id)
        runs: dict[str, ToolRun] = {}
        if any(point.message.role == "tool" for point in points):
            runs = {run.message_id: run for run in await store.tool_runs(session_id)}
        return [message_view(p.message, p.index, p.count, runs.get(p.message.id)) for p in points]

    async def switch_sibling(self, message_id: str, step: int) -> list[MessageView]:
        """Show the sibling ``step`` away; returns the new active branch."""
        store = await self.store()
        siblings = await store.siblings(message_id)
        ids = [sibling.id for sibling in siblings]
        target = ids[max(0, min(len(ids) - 1, ids.index(message_id) + step))]
        await store.set_active(target)
        return await self.load_branch(siblings[0].session_id)

    async def rate(self, message_id: str, rating: int | None) -> None:
        """Rate an answer (+1 / -1 / None)."""
        await (await self.store()).rate_message(message_id, rating)

    async def search(self, query: str, *, session_id: str | None = None) -> list[SearchHit]:
        """Full-text search over messages and titles, best first."""
        if not query.strip():
            return []
        hits = await (await self.store()).search(query, session_id=session_id)
        return [
            SearchHit(
                session_id=hit.session_id,
                session_title=hit.session_title,
                message_id=hit.message_id,
                snippet=hit.snippet,
                match_offsets=hit.snippet_spans,
                rank=hit.rank,
            )
            for hit in hits
        ]

    async def export_session(self, session_id: str, fmt: Literal["md", "json"]) -> str:
        """A session as Markdown or JSON text."""
        store = await self.store()
        if fmt == "json":
            return await store.export_json([session_id])
        return await store.export_markdown([session_id])

    # conversation ---------------------------------------------------------------
    def send(
        self, session_id: str, text: str, attachments: tuple[Attachment, ...] = ()
    ) -> AsyncGenerator[ConversationEvent, None]:
        """Save the prompt and answer it: an agent turn when the session has a role."""
        return self._relay(lambda c: self._send(c, session_id, text, attachments))

    async def _send(
        self,
        conversation: Conversation,
        session_id: str,
        text: str,
        attachments: tuple[Attachment, ...],
    ) -> AsyncGenerator[ConversationEvent, None]:
        session = await conversation.store.get_session(session_id)
        setup = await self.context.agent_setup(session)
        async with aclosing(
            conversation.send(session_id, text, attachments, agent=setup)
        ) as events:
            async for event in events:
                yield event

    def regenerate(self, answer_id: str) -> AsyncGenerator[ConversationEvent, None]:
        """A new answer to the same prompt, as a sibling."""
        return self._relay(lambda c: c.regenerate(answer_id))

    def edit(self, message_id: str, text: str) -> AsyncGenerator[ConversationEvent, None]:
        """An edited sibling of a prompt, answered."""
        return self._relay(lambda c: c.edit(message_id, text))

    def continue_answer(self, answer_id: str) -> AsyncGenerator[ConversationEvent, None]:
        """More text for an interrupted answer."""
        return self._relay(lambda c: c.continue_answer(answer_id))

    async def _relay(
        self, start: Callable[[Conversation], AsyncGenerator[ConversationEvent, None]]
    ) -> AsyncGenerator[ConversationEvent, None]:
        conversation = Conversation(self.engine, await self.store())
        async with aclosing(start(conversation)) as events:
            async for event in events:
                yield event
