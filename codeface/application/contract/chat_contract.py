"""What the window asks about sessions and conversations."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Literal, Protocol

from codeface.core.settings import Policy

if TYPE_CHECKING:
    from codeface.application.contract import ConversationEvent
    from codeface.application.contract.chat_views import (
        Attachment,
        BackendState,
        MessageView,
        SearchHit,
        SessionView,
    )


class ChatContract(Protocol):
    """Sessions, their branches, search, and turns (plain answers or agent turns)."""

    async def load_state(self) -> BackendState:
        """Open the store, check providers, return what the first paint needs."""
        ...

    async def list_sessions(self, *, archived: bool = False) -> list[SessionView]:
        """Sessions not in the trash: active ones, or the archived ones."""
        ...

    async def create_session(
        self,
        *,
        project: str | None = None,
        policy: Policy | None = None,
        role: str | None = None,
    ) -> SessionView:
        """A new empty session (of ``project``, answered by ``role`` when given)."""
        ...

    async def rename_session(self, session_id: str, title: str) -> None:
        """Give a session a title of the user's choosing."""
        ...

    async def set_pinned(self, session_id: str, pinned: bool) -> None:
        """Pin or unpin a session."""
        ...

    async def set_archived(self, session_id: str, archived: bool) -> None:
        """Archive or unarchive a session."""
        ...

    async def delete_session(self, session_id: str) -> None:
        """Move to trash (restorable for 30 days)."""
        ...

    async def restore_session(self, session_id: str) -> None:
        """Bring a session back from the trash."""
        ...

    async def set_session_model(self, session_id: str, model: str | None, policy: Policy) -> None:
        """Choose the model and routing policy of a session."""
        ...

    async def load_branch(self, session_id: str) -> list[MessageView]:
        """The active branch from root to leaf."""
        ...

    async def switch_sibling(self, message_id: str, step: int) -> list[MessageView]:
        """Make the sibling ``step`` away (-1/+1) active; return the new active branch."""
        ...

    async def rate(self, message_id: str, rating: int | None) -> None:
        """Rate an answer (+1 / -1 / None)."""
        ...

    async def search(self, query: str, *, session_id: str | None = None) -> list[SearchHit]:
        """Full-text search over messages and titles, best first."""
        ...

    async def export_session(self, session_id: str, fmt: Literal["md", "json"]) -> str:
        """A session as Markdown or JSON text."""
        ...

    def send(
        self, session_id: str, text: str, attachments: tuple[Attachment, ...] = ()
    ) -> AsyncIterator[ConversationEvent]:
        """Add a user message to the active branch and answer it (an agent turn when the
        session has a role)."""
        ...

    def regenerate(self, answer_id: str) -> AsyncIterator[ConversationEvent]:
        """Answer the same prompt again, as a sibling of ``answer_id``."""
        ...

    def edit(self, message_id: str, text: str) -> AsyncIterator[ConversationEvent]:
        """Add an edited sibling of user message ``message_id`` and answer it."""
        ...

    def continue_answer(self, answer_id: str) -> AsyncIterator[ConversationEvent]:
        """Continue an interrupted answer."""
        ...
