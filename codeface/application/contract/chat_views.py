"""View data of chats: sessions, messages, search hits, attachments, start-up state."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from codeface.core.messages import ToolCall
from codeface.core.provider import Health
from codeface.core.settings import Policy

MessageStatus = Literal["complete", "streaming", "interrupted", "error", "cancelled"]
Approval = Literal["", "once", "session", "allowed", "deny"]
"""How a person decided a tool call: "allowed" is a row from before the audit said for how long."""


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
    tool_summary: str = ""
    """For a "tool" message: the one line the live card showed ("" when not audited)."""
    approval: Approval = ""
    """For a "tool" message: how a person decided the call ("" when no one was asked)."""
    approval_reason: str = ""
    """Why the person denied it, when they said."""


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
