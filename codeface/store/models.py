"""The records the store hands out: sessions, messages and project notes.

Rows become records even when a value in them is wrong (a date out of range from an old
import, tool calls that are not JSON): the value is replaced by a harmless one and the
problem is recorded on the connection (`connection.record_problem`), so one bad row never
stops a list, a search or an export.
"""

from __future__ import annotations

import json
import math
import sqlite3
import time
import uuid
from dataclasses import dataclass
from typing import Any, Literal, get_args

from codeface.core.messages import ChatMessage, Role, ToolCall
from codeface.store.connection import record_problem

MessageStatus = Literal["complete", "streaming", "interrupted", "error", "cancelled"]
MESSAGE_STATUSES: tuple[str, ...] = get_args(MessageStatus)
ROLES: tuple[str, ...] = get_args(Role)
FINISH_REASONS: tuple[str, ...] = (
    "stop",
    "length",
    "tool_calls",
    "cancelled",
    "interrupted",
    "error",
    "content_filter",
)


EARLIEST_TIME = 0.0
# 3000-01-01 UTC: later times are mistakes, and Windows' localtime() cannot show them.
LATEST_TIME = 32503680000.0


def is_valid_time(value: object) -> bool:
    """A number of seconds since 1970 that every platform can turn into a date."""
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and EARLIEST_TIME <= value <= LATEST_TIME
    )


def new_id() -> str:
    """A random, globally unique id (kept across export and import)."""
    return uuid.uuid4().hex


@dataclass(frozen=True)
class Session:
    """A conversation and its settings."""

    id: str
    title: str
    created_at: float
    updated_at: float
    pinned: bool = False
    archived: bool = False
    project: str | None = None
    role: str | None = None
    system_prompt: str | None = None
    model: str | None = None
    policy: str | None = None
    active_leaf_id: str | None = None
    deleted_at: float | None = None
    title_from_user: bool = False


@dataclass(frozen=True)
class Message:
    """One node of a session's message tree, with the stats of an answer."""

    id: str
    session_id: str
    parent_id: str | None
    role: Role
    content: str
    status: MessageStatus
    created_at: float
    provider: str | None = None
    model: str | None = None
    host: str | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    ttft: float | None = None
    tokens_per_second: float | None = None
    cost_usd: float | None = None
    finish_reason: str | None = None
    error_text: str | None = None
    rating: int | None = None
    tool_calls: tuple[ToolCall, ...] = ()
    tool_call_id: str | None = None
    tool_name: str | None = None

    def to_chat_message(self) -> ChatMessage:
        """The provider-neutral message the engine sends to a model."""
        return ChatMessage(
            role=self.role,
            content=self.content,
            tool_calls=self.tool_calls,
            tool_call_id=self.tool_call_id,
            tool_name=self.tool_name,
        )


@dataclass(frozen=True)
class BranchPoint:
    """A message on the active path and where it sits among its siblings."""

    message: Message
    index: int
    count: int


@dataclass(frozen=True)
class ToolRun:
    """One tool call of an agent turn, as the audit trail keeps it."""

    session_id: str
    turn_id: str
    message_id: str
    call_id: str
    tool: str
    arguments: str
    status: str
    summary: str
    approver: str
    decided_at: float
    duration: float
    changed_paths: tuple[str, ...] = ()
    id: str = ""
    created_at: float = 0.0
    decision: str = ""
    """A person's answer when one was asked: "once", "session" or "deny"."""


@dataclass(frozen=True)
class ProjectNote:
    """A fact saved for a project folder, shared by every session of that project."""

    id: str
    project: str
    text: str
    source: str
    created_at: float
    updated_at: float


SESSION_COLUMNS = (
    "id, title, created_at, updated_at, pinned, archived, project, role, system_prompt, "
    "model, policy, active_leaf_id, deleted_at, title_from_user"
)
MESSAGE_COLUMNS = (
    "id, session_id, parent_id, role, content, status, created_at, provider, model, host, "
    "input_tokens, output_tokens, ttft, tokens_per_second, cost_usd, finish_reason, "
    "error_text, rating, tool_calls, tool_call_id, tool_name"
)


def _time_or_fallback(
    conn: sqlite3.Connection | None, subject: str, name: str, value: object, fallback: float
) -> float:
    if conn is not None:
        shown = time.strftime("%Y-%m-%d", time.gmtime(fallback))
        record_problem(conn, subject, f"{name} {value!r} is not a valid time; shown as {shown}")
    return fallback


def _text(conn: sqlite3.Connection | None, subject: str, name: str, value: object) -> str:
    if isinstance(value, bytes):
        text = value.decode(errors="replace")
    else:
        text = "" if value is None else str(value)
    if conn is not None:
        record_problem(conn, subject, f"{name} is stored as {type(value).__name__}, not text")
    return text


def session_from_row(row: sqlite3.Row, conn: sqlite3.Connection | None = None) -> Session:
    """Build a `Session` from a row selected with `SESSION_COLUMNS` (bad values fixed up
    and recorded on ``conn``)."""
    values = dict(row)
    values["pinned"] = bool(values["pinned"])
    values["archived"] = bool(values["archived"])
    values["title_from_user"] = bool(values["title_from_user"])
    subject = f"session {values['id']}"
    for name in ("created_at", "updated_at", "deleted_at"):
        value = values[name]
        if not (is_valid_time(value) or (value is None and name == "deleted_at")):
            values[name] = _time_or_fallback(conn, subject, name, value, EARLIEST_TIME)
    if type(values["title"]) is not str:
        values["title"] = _text(conn, subject, "title", values["title"])
    return Session(**values)


def tool_calls_to_json(calls: tuple[ToolCall, ...]) -> str | None:
    """The stored form of tool calls (None when there are none)."""
    if not calls:
        return None
    return json.dumps(
        [{"id": c.id, "name": c.name, "arguments": c.arguments} for c in calls],
        sort_keys=True,
        ensure_ascii=False,
    )


def tool_calls_from_json(text: str | None) -> tuple[ToolCall, ...]:
    """Parse the stored form back into `ToolCall`s."""
    if not text:
        return ()
    items: list[dict[str, Any]] = json.loads(text)
    return tuple(ToolCall(str(i["id"]), str(i["name"]), dict(i["arguments"])) for i in items)


_MESSAGE_FIELDS = tuple(name.strip() for name in MESSAGE_COLUMNS.split(","))


def _fix_message_values(values: list[Any], conn: sqlite3.Connection | None) -> None:
    """The slow path of `message_from_row`: replace and record what cannot be used."""
    subject = f"message {values[0]}"
    if not is_valid_time(values[6]):
        values[6] = _time_or_fallback(conn, subject, "created_at", values[6], EARLIEST_TIME)
    if type(values[4]) is not str:
        values[4] = _text(conn, subject, "content", values[4])


def _message_tool_calls(values: list[Any], conn: sqlite3.Connection | None) -> tuple[ToolCall, ...]:
    try:
        return tool_calls_from_json(values[18])
    except (ValueError, TypeError, KeyError, AttributeError) as error:
        if conn is not None:
            record_problem(
                conn, f"message {values[0]}", f"its tool calls cannot be read ({error}); left out"
            )
        return ()


def message_from_row(
    row: sqlite3.Row | tuple[Any, ...], conn: sqlite3.Connection | None = None
) -> Message:
    """Build a `Message` from a row selected with `MESSAGE_COLUMNS` (same order as fields);
    bad values are fixed up and recorded on ``conn``."""
    values = list(row)
    created = values[6]
    if (
        type(created) is not float
        or not EARLIEST_TIME <= created <= LATEST_TIME
        or type(values[4]) is not str
    ):
        _fix_message_values(values, conn)
    values[18] = _message_tool_calls(values, conn) if values[18] is not None else ()
    # Filling __dict__ directly skips the frozen dataclass's 21 object.__setattr__ calls,
    # which halves the time to open a 10,000-message session.
    message = object.__new__(Message)
    message.__dict__.update(zip(_MESSAGE_FIELDS, values, strict=True))
    return message


@dataclass(frozen=True)
class PlanTaskRecord:
    """One task of a stored plan, as it stands (see `codeface.agents.plan_state`)."""

    task_id: str
    position: int
    title: str
    role: str
    brief: str
    files: tuple[str, ...] = ()
    depends_on: tuple[str, ...] = ()
    status: str = "queued"
    attempts: int = 0
    session_id: str | None = None
    summary: str = ""
    changed_paths: tuple[str, ...] = ()
    error: str = ""
    model: str = ""
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float | None = None
    started_at: float | None = None
    finished_at: float | None = None
    cancel_requested: bool = False


@dataclass(frozen=True)
class PlanRecord:
    """A stored plan: its goal, project, status and options, with its tasks in order."""

    id: str
    goal: str
    project: str | None
    status: str
    failure_policy: str
    options: str
    created_at: float
    updated_at: float
    manager_session_id: str | None = None
    started_at: float | None = None
    finished_at: float | None = None
    cancel_requested: bool = False
    tasks: tuple[PlanTaskRecord, ...] = ()


@dataclass(frozen=True)
class PlanLogEntry:
    """One transition in a plan's history (a task started, retried, finished…)."""

    plan_id: str
    task_id: str
    kind: str
    attempt: int
    detail: str
    at: float
