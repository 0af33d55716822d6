"""The contract between the window and the engine: view data and the `Backend` protocol.

`codeface.application.backend.AppBackend` implements `Backend` with the real router and
store; UI tests use a fake with the same shape. Only plain data crosses this line: the UI never sees a provider
object, an SDK type or a database row. No Qt here.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Literal, Protocol

from codeface.agents.events import AgentEvent
from codeface.core.events import Progress, TurnEvent
from codeface.core.messages import ToolCall
from codeface.core.provider import Health, ModelInfo, Residency
from codeface.core.settings import Policy, Settings

MessageStatus = Literal["complete", "streaming", "interrupted", "error", "cancelled"]


@dataclass(frozen=True)
class SessionView:
    """A row of the sessions sidebar."""

    id: str
    title: str
    updated_at: str
    pinned: bool = False
    archived: bool = False
    project: str | None = None
    model: str | None = None
    policy: Policy = "local-first"
    role: str | None = None


@dataclass(frozen=True)
class MessageView:
    """One message of the active branch, with what the chat pane shows about it."""

    id: str
    role: Literal["system", "user", "assistant", "tool"]
    content: str
    status: MessageStatus = "complete"
    parent_id: str | None = None
    sibling_index: int = 0
    sibling_count: int = 1
    created_at: str = ""
    provider: str | None = None
    model: str | None = None
    host: str | None = None
    tier: Literal["local", "cloud"] | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    time_to_first_token: float | None = None
    tokens_per_second: float | None = None
    cost_usd: float | None = None
    finish_reason: str | None = None
    error_text: str | None = None
    rating: int | None = None
    tool_calls: tuple[ToolCall, ...] = ()
    tool_call_id: str | None = None
    tool_name: str | None = None


@dataclass(frozen=True)
class SearchHit:
    """A full-text search result; offsets index into ``snippet``."""

    session_id: str
    session_title: str
    message_id: str | None
    snippet: str
    match_offsets: tuple[tuple[int, int], ...] = ()
    rank: float = 0.0


@dataclass(frozen=True)
class Attachment:
    """A file attached to a prompt, with its estimated token cost."""

    name: str
    text: str
    tokens: int
    truncated: bool = False


@dataclass(frozen=True)
class MessageSaved:
    """Emitted by `Backend.send`/`regenerate`/`edit` when a message row exists in the store.

    The user message comes first (so the pane can show it with its real id), then the
    answer placeholder as soon as the answer starts, and the final answer when it ends.
    """

    message: MessageView


@dataclass(frozen=True)
class StartupNotice:
    """Something the user must know at start (e.g. a corrupt database was moved aside)."""

    text: str
    level: Literal["info", "warning", "error"] = "warning"


@dataclass(frozen=True)
class ProviderStatus:
    """How a provider stands right now, for the status bar, settings and first run."""

    id: str
    kind: str
    tier: Literal["local", "cloud"]
    host: str
    health: Health
    has_key: bool = True
    key_storage: str = ""


@dataclass
class BackendState:
    """What the window needs at start, loaded off the GUI thread in one call."""

    sessions: list[SessionView] = field(default_factory=list)
    providers: list[ProviderStatus] = field(default_factory=list)
    notices: list[StartupNotice] = field(default_factory=list)
    last_session_id: str | None = None


ConversationEvent = TurnEvent | AgentEvent | MessageSaved

__all__ = [
    "Attachment",
    "Backend",
    "BackendState",
    "ConversationEvent",
    "Health",
    "MessageSaved",
    "MessageView",
    "ModelInfo",
    "Progress",
    "ProviderStatus",
    "Residency",
    "SearchHit",
    "SessionView",
    "StartupNotice",
]


class Backend(Protocol):
    """Everything the window asks of the engine and the store. All slow work is async."""

    @property
    def settings(self) -> Settings:
        """The settings in force."""
        ...

    async def load_state(self) -> BackendState:
        """Open the store, check providers, return what the first paint needs."""
        ...

    # sessions -------------------------------------------------------------------
    async def list_sessions(self, *, archived: bool = False) -> list[SessionView]: ...
    async def create_session(
        self, *, project: str | None = None, policy: Policy | None = None
    ) -> SessionView: ...
    async def rename_session(self, session_id: str, title: str) -> None: ...
    async def set_pinned(self, session_id: str, pinned: bool) -> None: ...
    async def set_archived(self, session_id: str, archived: bool) -> None: ...
    async def delete_session(self, session_id: str) -> None:
        """Move to trash (restorable for 30 days)."""
        ...

    async def restore_session(self, session_id: str) -> None: ...
    async def set_session_model(
        self, session_id: str, model: str | None, policy: Policy
    ) -> None: ...
    async def load_branch(self, session_id: str) -> list[MessageView]:
        """The active branch from root to leaf."""
        ...

    async def switch_sibling(self, message_id: str, step: int) -> list[MessageView]:
        """Make the sibling ``step`` away (-1/+1) active; return the new active branch."""
        ...

    async def rate(self, message_id: str, rating: int | None) -> None: ...
    async def search(self, query: str, *, session_id: str | None = None) -> list[SearchHit]: ...
    async def export_session(self, session_id: str, fmt: Literal["md", "json"]) -> str: ...

    # conversation ---------------------------------------------------------------
    def send(
        self, session_id: str, text: str, attachments: tuple[Attachment, ...] = ()
    ) -> AsyncIterator[ConversationEvent]:
        """Add a user message to the active branch and stream the answer."""
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

    # models and providers -------------------------------------------------------
    async def prepare_to_send(self) -> None:
        """The user is writing a message: connect the local providers now (never raises)."""
        ...

    async def list_models(self) -> list[ModelInfo]: ...
    async def provider_status(self) -> list[ProviderStatus]: ...
    def pull_model(self, name: str) -> AsyncIterator[Progress]: ...
    async def delete_model(self, name: str) -> None: ...
    async def model_details(self, name: str) -> dict[str, object]: ...
    async def test_ollama_host(self, host: str) -> Health: ...

    # settings and keys ----------------------------------------------------------
    async def save_settings(self, settings: Settings) -> None: ...
    async def set_key(self, provider: str, key: str) -> None: ...
    async def remove_key(self, provider: str) -> None: ...
    async def test_key(self, provider: str, key: str | None = None) -> Health:
        """Check a key against the provider for real (the stored one when ``key`` is None)."""
        ...

    async def key_storage_description(self) -> str:
        """Where keys are kept (keyring backend, or the fallback in use), for the UI."""
        ...

    async def aclose(self) -> None: ...
