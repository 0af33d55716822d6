"""Sessions, their message tree, and the trash (synchronous core; see `service` for async).

Messages form a tree: editing a user message or regenerating an answer adds a sibling,
so every branch stays reachable. A session remembers its active leaf; the path from the
root to that leaf is the conversation the model sees. A deleted session goes to the trash
and can be restored for `TRASH_DAYS` days.
"""

from __future__ import annotations

import re
import sqlite3
import time
from typing import Any, Final

from codeface.core.errors import StoreError
from codeface.core.messages import ChatMessage, Role, ToolCall
from codeface.store.connection import reads_text
from codeface.store.models import (
    MESSAGE_COLUMNS,
    SESSION_COLUMNS,
    BranchPoint,
    Message,
    MessageStatus,
    Session,
    message_from_row,
    new_id,
    session_from_row,
    tool_calls_to_json,
)
from codeface.store.tx import transaction

TRASH_DAYS: Final = 30
TITLE_LENGTH: Final = 60


class _Active:
    """Marker: attach the new message under the session's active leaf."""


ACTIVE: Final = _Active()
_UNSET: Any = object()
_STAT_COLUMNS = frozenset(
    {
        "provider",
        "model",
        "host",
        "input_tokens",
        "output_tokens",
        "ttft",
        "tokens_per_second",
        "cost_usd",
        "finish_reason",
        "error_text",
        "rating",
    }
)
_EDITABLE = ("title", "pinned", "archived", "project", "role", "system_prompt", "model", "policy")


def title_from_prompt(text: str) -> str:
    """A short title from the first line of a prompt."""
    line = next((part for part in text.splitlines() if part.strip()), "")
    line = re.sub(r"\s+", " ", line).strip()
    if len(line) > TITLE_LENGTH:
        line = line[: TITLE_LENGTH - 1].rstrip() + "…"
    return line or "New chat"


def create_session(
    conn: sqlite3.Connection,
    *,
    title: str | None = None,
    project: str | None = None,
    role: str | None = None,
    system_prompt: str | None = None,
    model: str | None = None,
    policy: str | None = None,
) -> Session:
    """Start a new, empty session (untitled until its first prompt unless ``title``)."""
    now = time.time()
    session_id = new_id()
    conn.execute(
        "INSERT INTO sessions (id, title, title_from_user, created_at, updated_at, project, "
        "role, system_prompt, model, policy) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            session_id,
            title or "",
            title is not None,
            now,
            now,
            project,
            role,
            system_prompt,
            model,
            policy,
        ),
    )
    return get_session(conn, session_id)


@reads_text(lambda session_id: f"session {session_id}")
def get_session(conn: sqlite3.Connection, session_id: str) -> Session:
    """The session with this id (trashed ones included); `StoreError` if there is none."""
    row = conn.execute(f"SELECT {SESSION_COLUMNS} FROM sessions WHERE id = ?", (session_id,))
    found = row.fetchone()
    if found is None:
        raise StoreError(f"No session {session_id!r}.", hint="See `codeface sessions list`.")
    return session_from_row(found, conn)


def resolve_session_id(conn: sqlite3.Connection, prefix: str) -> str:
    """The full id of the one session whose id starts with ``prefix``."""
    rows = conn.execute(
        "SELECT id FROM sessions WHERE id >= ? AND id < ? ORDER BY id LIMIT 2",
        (prefix, prefix + "\uffff"),
    ).fetchall()
    if len(rows) == 1 and prefix:
        return str(rows[0][0])
    if not rows or not prefix:
        raise StoreError(f"No session {prefix!r}.", hint="See `codeface sessions list`.")
    raise StoreError(f"More than one session starts with {prefix!r}.", hint="Give more of the id.")


@reads_text(lambda **_: "the session list")
def list_sessions(
    conn: sqlite3.Connection,
    *,
    trashed: bool = False,
    include_archived: bool = True,
    project: str | None = None,
    limit: int | None = None,
) -> list[Session]:
    """Sessions, pinned first then most recently updated (the trash when ``trashed``)."""
    where = ["deleted_at IS NOT NULL" if trashed else "deleted_at IS NULL"]
    params: list[Any] = []
    if not include_archived:
        where.append("archived = 0")
    if project is not None:
        where.append("project = ?")
        params.append(project)
    sql = (
        f"SELECT {SESSION_COLUMNS} FROM sessions WHERE {' AND '.join(where)} "
        "ORDER BY pinned DESC, updated_at DESC, seq DESC"
    )
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    return [session_from_row(row, conn) for row in conn.execute(sql, params)]


def update_session(conn: sqlite3.Connection, /, session_id: str, **changes: Any) -> Session:
    """Change any of title, pinned, archived, project, role, system_prompt, model, policy."""
    unknown = set(changes) - set(_EDITABLE)
    if unknown:
        raise StoreError(f"Cannot change session field(s): {', '.join(sorted(unknown))}")
    get_session(conn, session_id)
    if not changes:
        return get_session(conn, session_id)
    assignments = [f"{name} = ?" for name in changes]
    values = list(changes.values())
    if "title" in changes:
        assignments.append("title_from_user = 1")
    assignments.append("updated_at = ?")
    values += [time.time(), session_id]
    conn.execute(f"UPDATE sessions SET {', '.join(assignments)} WHERE id = ?", values)
    return get_session(conn, session_id)


def rename_session(conn: sqlite3.Connection, session_id: str, title: str) -> Session:
    """Give the session a title of the user's choosing (no longer taken from the prompt)."""
    return update_session(conn, session_id, title=title.strip() or "New chat")


def trash_session(conn: sqlite3.Connection, session_id: str) -> None:
    """Move a session to the trash; it can be restored for `TRASH_DAYS` days."""
    get_session(conn, session_id)
    conn.execute(
        "UPDATE sessions SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL",
        (time.time(), session_id),
    )


def restore_session(conn: sqlite3.Connection, session_id: str) -> Session:
    """Bring a session back from the trash."""
    session = get_session(conn, session_id)
    if session.deleted_at is None:
        raise StoreError(f"Session {session_id!r} is not in the trash.")
    conn.execute("UPDATE sessions SET deleted_at = NULL WHERE id = ?", (session_id,))
    return get_session(conn, session_id)


def purge_trash(conn: sqlite3.Connection, *, now: float | None = None) -> int:
    """Delete for good the sessions that have been in the trash over `TRASH_DAYS` days."""
    cutoff = (now if now is not None else time.time()) - TRASH_DAYS * 86400
    with transaction(conn):
        return conn.execute(
            "DELETE FROM sessions WHERE deleted_at IS NOT NULL AND deleted_at < ?", (cutoff,)
        ).rowcount


@reads_text(lambda message_id: f"message {message_id}")
def get_message(conn: sqlite3.Connection, message_id: str) -> Message:
    """The message with this id; `StoreError` if there is none."""
    row = conn.execute(f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE id = ?", (message_id,))
    found = row.fetchone()
    if found is None:
        raise StoreError(f"No message {message_id!r}.")
    return message_from_row(found, conn)


@reads_text(lambda session_id: f"session {session_id}")
def session_messages(conn: sqlite3.Connection, session_id: str) -> list[Message]:
    """Every message of a session (all branches), oldest first."""
    cursor = conn.cursor()
    cursor.row_factory = None  # plain tuples: twice as fast for a 10,000-message session
    rows = cursor.execute(
        f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE session_id = ? ORDER BY seq",
        (session_id,),
    )
    return [message_from_row(row, conn) for row in rows]


def ensure_not_trashed(session: Session) -> None:
    """Refuse to add to a session in the trash: it would be deleted with it."""
    if session.deleted_at is not None:
        raise StoreError(
            f"Session {session.id} is in the trash.",
            hint=f"Restore it with `codeface sessions restore {session.id}`.",
        )


def add_message(
    conn: sqlite3.Connection,
    /,
    session_id: str,
    role: Role,
    content: str,
    *,
    parent_id: str | _Active | None = ACTIVE,
    status: MessageStatus = "complete",
    tool_calls: tuple[ToolCall, ...] = (),
    tool_call_id: str | None = None,
    tool_name: str | None = None,
    **stats: Any,
) -> Message:
    """Add a message under ``parent_id`` (default: the active leaf) and make it active.

    ``stats`` are answer columns: provider, model, host, input_tokens, output_tokens,
    ttft, tokens_per_second, cost_usd, finish_reason, error_text, rating.
    """
    unknown = set(stats) - _STAT_COLUMNS
    if unknown:
        raise StoreError(f"Unknown message field(s): {', '.join(sorted(unknown))}")
    with transaction(conn):
        session = get_session(conn, session_id)
        ensure_not_trashed(session)
        parent = session.active_leaf_id if isinstance(parent_id, _Active) else parent_id
        if parent is not None and get_message(conn, parent).session_id != session_id:
            raise StoreError(f"Message {parent!r} belongs to another session.")
        message_id = new_id()
        now = time.time()
        columns = ["id", "session_id", "parent_id", "role", "content", "status", "created_at"]
        values: list[Any] = [message_id, session_id, parent, role, content, status, now]
        columns += ["tool_calls", "tool_call_id", "tool_name", *stats]
        values += [tool_calls_to_json(tool_calls), tool_call_id, tool_name, *stats.values()]
        conn.execute(
            f"INSERT INTO messages ({', '.join(columns)}) "
            f"VALUES ({', '.join('?' for _ in columns)})",
            values,
        )
        title_sql = ""
        title_args: list[Any] = []
        if role == "user" and not session.title_from_user and not session.title:
            title_sql = ", title = ?"
            title_args = [title_from_prompt(content)]
        conn.execute(
            f"UPDATE sessions SET active_leaf_id = ?, updated_at = ?{title_sql} WHERE id = ?",
            [message_id, now, *title_args, session_id],
        )
    return get_message(conn, message_id)


def add_user_message(
    conn: sqlite3.Connection,
    session_id: str,
    text: str,
    *,
    parent_id: str | _Active | None = ACTIVE,
) -> Message:
    """Add the user's prompt (under the active leaf unless ``parent_id``)."""
    return add_message(conn, session_id, "user", text, parent_id=parent_id)


def edit_message(conn: sqlite3.Connection, message_id: str, text: str) -> Message:
    """An edited copy of a message as its new sibling; the original branch is kept."""
    original = get_message(conn, message_id)
    return add_message(conn, original.session_id, original.role, text, parent_id=original.parent_id)


@reads_text(lambda message_id: f"message {message_id}")
def siblings(conn: sqlite3.Connection, message_id: str) -> list[Message]:
    """The message and its alternatives (same parent), oldest first."""
    message = get_message(conn, message_id)
    rows = conn.execute(
        f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE session_id = ? AND parent_id IS ? "
        "ORDER BY seq",
        (message.session_id, message.parent_id),
    )
    return [message_from_row(row, conn) for row in rows]


@reads_text(lambda message_id: f"message {message_id}")
def children(conn: sqlite3.Connection, message_id: str) -> list[Message]:
    """The direct replies to a message, oldest first."""
    rows = conn.execute(
        f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE parent_id = ? ORDER BY seq", (message_id,)
    )
    return [message_from_row(row, conn) for row in rows]


def latest_leaf(conn: sqlite3.Connection, message_id: str) -> str:
    """Follow the newest reply from ``message_id`` down to a leaf."""
    current = message_id
    while True:
        row = conn.execute(
            "SELECT id FROM messages WHERE parent_id = ? ORDER BY seq DESC LIMIT 1", (current,)
        ).fetchone()
        if row is None:
            return current
        current = row[0]


def set_active(conn: sqlite3.Connection, message_id: str) -> Message:
    """Show the branch through ``message_id`` (down to its newest leaf); returns the leaf."""
    message = get_message(conn, message_id)
    leaf = latest_leaf(conn, message_id)
    conn.execute("UPDATE sessions SET active_leaf_id = ? WHERE id = ?", (leaf, message.session_id))
    return get_message(conn, leaf)


def _walk_up(by_id: dict[str, Message], leaf: str | None) -> list[Message]:
    path: list[Message] = []
    current = by_id.get(leaf) if leaf is not None else None
    while current is not None:
        path.append(current)
        current = by_id.get(current.parent_id) if current.parent_id is not None else None
    path.reverse()
    return path


def switch_sibling(conn: sqlite3.Connection, message_id: str, step: int) -> Message:
    """Show the sibling ``step`` places away (-1 = previous, +1 = next, clamped); returns
    the new active leaf."""
    group = siblings(conn, message_id)
    index = next(i for i, message in enumerate(group) if message.id == message_id)
    target = group[max(0, min(len(group) - 1, index + step))]
    return set_active(conn, target.id)


def path_to_leaf(
    conn: sqlite3.Connection, session_id: str, leaf_id: str | None = None
) -> list[Message]:
    """Messages from the root to ``leaf_id`` (default: the session's active leaf)."""
    leaf = leaf_id if leaf_id is not None else get_session(conn, session_id).active_leaf_id
    if leaf is None:
        return []
    return _walk_up({m.id: m for m in session_messages(conn, session_id)}, leaf)


def active_path(conn: sqlite3.Connection, session_id: str) -> list[BranchPoint]:
    """The active conversation, each message with its position among its siblings."""
    leaf = get_session(conn, session_id).active_leaf_id
    messages = session_messages(conn, session_id)
    by_parent: dict[str | None, list[str]] = {}
    for message in messages:
        by_parent.setdefault(message.parent_id, []).append(message.id)
    path = _walk_up({m.id: m for m in messages}, leaf)
    points = []
    for message in path:
        group = by_parent[message.parent_id]
        index = 0 if len(group) == 1 else group.index(message.id)
        points.append(BranchPoint(message, index, len(group)))
    return points


def rate_message(conn: sqlite3.Connection, message_id: str, rating: int | None) -> Message:
    """Attach a thumbs up (1), thumbs down (-1), or clear it (None)."""
    if rating not in (1, -1, None):
        raise StoreError(f"A rating is 1, -1 or none, not {rating!r}.")
    get_message(conn, message_id)
    conn.execute("UPDATE messages SET rating = ? WHERE id = ?", (rating, message_id))
    return get_message(conn, message_id)


def chat_messages(conn: sqlite3.Connection, session_id: str) -> tuple[ChatMessage, ...]:
    """The active branch as the engine sends it (empty failed answers left out)."""
    return tuple(
        message.to_chat_message()
        for message in path_to_leaf(conn, session_id)
        if message.content or message.tool_calls or message.role != "assistant"
    )


def mark_interrupted(conn: sqlite3.Connection) -> int:
    """Answers left streaming by a process that died become ``interrupted``."""
    return conn.execute(
        "UPDATE messages SET status = 'interrupted', finish_reason = 'interrupted' "
        "WHERE status = 'streaming'"
    ).rowcount
