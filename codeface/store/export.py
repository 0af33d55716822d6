"""Export sessions to Markdown and canonical JSON; import JSON without ever half-importing.

The JSON form keeps every branch, status and usage figure, with sorted keys and no
timestamps of its own, so export → import → export gives the same bytes. An import is
checked completely before anything is written, and is written in one transaction: a
foreign or broken file changes nothing and the error says what is wrong and where.
"""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass, field
from typing import Any

from codeface.core.errors import StoreError
from codeface.store.models import FINISH_REASONS, MESSAGE_STATUSES, ROLES, Session
from codeface.store.sessions import get_session, list_sessions, path_to_leaf, session_messages
from codeface.store.tx import transaction

FORMAT = "codeface.sessions"
VERSION = 1
_NUMBER = (int, float)
_SESSION_FIELDS: dict[str, tuple[tuple[type, ...], bool]] = {
    "id": ((str,), False),
    "title": ((str,), False),
    "title_from_user": ((bool,), False),
    "created_at": (_NUMBER, False),
    "updated_at": (_NUMBER, False),
    "pinned": ((bool,), False),
    "archived": ((bool,), False),
    "project": ((str,), True),
    "role": ((str,), True),
    "system_prompt": ((str,), True),
    "model": ((str,), True),
    "policy": ((str,), True),
    "active_leaf_id": ((str,), True),
}
_MESSAGE_FIELDS: dict[str, tuple[tuple[type, ...], bool]] = {
    "id": ((str,), False),
    "parent_id": ((str,), True),
    "role": ((str,), False),
    "content": ((str,), False),
    "status": ((str,), False),
    "created_at": (_NUMBER, False),
    "provider": ((str,), True),
    "model": ((str,), True),
    "host": ((str,), True),
    "input_tokens": ((int,), True),
    "output_tokens": ((int,), True),
    "ttft": (_NUMBER, True),
    "tokens_per_second": (_NUMBER, True),
    "cost_usd": (_NUMBER, True),
    "finish_reason": ((str,), True),
    "error_text": ((str,), True),
    "rating": ((int,), True),
    "tool_calls": ((list,), False),
    "tool_call_id": ((str,), True),
    "tool_name": ((str,), True),
}
_CHOICES = {"role": ROLES, "status": MESSAGE_STATUSES, "finish_reason": FINISH_REASONS}


@dataclass
class ImportResult:
    """What an import did."""

    imported: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def _session_document(conn: sqlite3.Connection, session: Session) -> dict[str, Any]:
    document: dict[str, Any] = {name: getattr(session, name) for name in _SESSION_FIELDS}
    messages = []
    for message in session_messages(conn, session.id):
        item: dict[str, Any] = {
            name: getattr(message, name) for name in _MESSAGE_FIELDS if name != "tool_calls"
        }
        item["tool_calls"] = [
            {"id": call.id, "name": call.name, "arguments": call.arguments}
            for call in message.tool_calls
        ]
        messages.append(item)
    document["messages"] = messages
    return document


def _sessions(conn: sqlite3.Connection, session_ids: list[str] | None) -> list[Session]:
    if session_ids is None:
        return sorted(list_sessions(conn), key=lambda s: (s.created_at, s.id))
    return [get_session(conn, session_id) for session_id in session_ids]


def export_json(conn: sqlite3.Connection, session_ids: list[str] | None = None) -> str:
    """Canonical JSON of the given sessions (all sessions not in the trash when None)."""
    sessions = [_session_document(conn, s) for s in _sessions(conn, session_ids)]
    document = {"format": FORMAT, "version": VERSION, "sessions": sessions}
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def _when(timestamp: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(timestamp))


def export_markdown(conn: sqlite3.Connection, session_ids: list[str] | None = None) -> str:
    """Readable Markdown of each session's active branch, with each answer's stats."""
    parts = []
    for session in _sessions(conn, session_ids):
        lines = [f"# {session.title or 'New chat'}", ""]
        lines.append(f"- Session: `{session.id}`")
        lines.append(f"- Created: {_when(session.created_at)}")
        for label, value in (
            ("Project", session.project),
            ("Model", session.model),
            ("Policy", session.policy),
            ("Role", session.role),
        ):
            if value:
                lines.append(f"- {label}: {value}")
        path = path_to_leaf(conn, session.id)
        total = conn.execute(
            "SELECT count(*) FROM messages WHERE session_id = ?", (session.id,)
        ).fetchone()[0]
        if total > len(path):
            lines.append(f"- Other branches: {total - len(path)} messages (kept in JSON export)")
        if session.system_prompt:
            lines += ["", "## System", "", session.system_prompt]
        for message in path:
            heading = message.role.capitalize()
            details = [
                value
                for value in (
                    message.model,
                    message.provider,
                    f"{message.input_tokens} in" if message.input_tokens is not None else None,
                    f"{message.output_tokens} out" if message.output_tokens is not None else None,
                    f"${message.cost_usd:.4f}" if message.cost_usd is not None else None,
                    message.status if message.status != "complete" else None,
                )
                if value
            ]
            if message.role == "assistant" and details:
                heading += " · " + " · ".join(details)
            lines += ["", f"## {heading}", "", message.content]
            if message.error_text:
                lines += ["", f"> Error: {message.error_text}"]
        parts.append("\n".join(lines).rstrip() + "\n")
    return "\n---\n\n".join(parts)


def _check_fields(
    where: str,
    item: Any,
    spec: dict[str, tuple[tuple[type, ...], bool]],
    extra: set[str],
    choices: dict[str, tuple[str, ...]],
) -> None:
    if not isinstance(item, dict):
        raise StoreError(f"{where} must be an object.")
    missing = [name for name in spec if name not in item]
    unknown = set(item) - set(spec) - extra
    if missing:
        raise StoreError(f"{where} is missing {', '.join(missing)}.")
    if unknown:
        raise StoreError(f"{where} has unknown field(s) {', '.join(sorted(unknown))}.")
    for name, (types, nullable) in spec.items():
        value = item[name]
        if value is None and nullable:
            continue
        bad_bool = isinstance(value, bool) and bool not in types
        if bad_bool or not isinstance(value, types):
            raise StoreError(f"{where}.{name} has the wrong type ({value!r}).")
        if name in choices and value not in choices[name]:
            raise StoreError(f"{where}.{name} is {value!r}, not one of {choices[name]}.")


def _check_document(document: Any) -> list[dict[str, Any]]:
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise StoreError(
            'This is not a CodeFace sessions export (no "format": "codeface.sessions").'
        )
    version = document.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise StoreError("The export has no valid version number.")
    if version > VERSION:
        raise StoreError(
            f"The export is format version {version}, from a newer CodeFace.",
            hint="Update CodeFace to import it.",
        )
    sessions = document.get("sessions")
    if not isinstance(sessions, list):
        raise StoreError("The export has no list of sessions.")
    seen: set[str] = set()
    for index, session in enumerate(sessions):
        where = f"sessions[{index}]"
        _check_fields(where, session, _SESSION_FIELDS, {"messages"}, {})
        if not isinstance(session["messages"], list):
            raise StoreError(f"{where}.messages must be a list.")
        ids_here: set[str] = set()
        for position, message in enumerate(session["messages"]):
            spot = f"{where}.messages[{position}]"
            _check_fields(spot, message, _MESSAGE_FIELDS, set(), _CHOICES)
            if message["id"] in seen or message["id"] in ids_here or not message["id"]:
                raise StoreError(f"{spot}.id {message['id']!r} is repeated or empty.")
            if message["parent_id"] is not None and message["parent_id"] not in ids_here:
                raise StoreError(f"{spot}.parent_id does not name an earlier message.")
            for call in message["tool_calls"]:
                if not isinstance(call, dict) or set(call) != {"id", "name", "arguments"}:
                    raise StoreError(f"{spot}.tool_calls has a malformed call.")
            ids_here.add(message["id"])
        leaf = session["active_leaf_id"]
        if leaf is not None and leaf not in ids_here:
            raise StoreError(f"{where}.active_leaf_id does not name one of its messages.")
        if session["id"] in seen or not session["id"]:
            raise StoreError(f"{where}.id {session['id']!r} is repeated or empty.")
        seen |= ids_here | {session["id"]}
    return sessions


def parse_export(text: str) -> list[dict[str, Any]]:
    """Validate an export file's text; returns its sessions or raises `StoreError`."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise StoreError(
            f"The file is not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})."
        ) from error
    return _check_document(document)


def import_json(conn: sqlite3.Connection, text: str) -> ImportResult:
    """Import sessions from an export; sessions already present are skipped, not changed."""
    sessions = parse_export(text)
    result = ImportResult()
    with transaction(conn):
        for session in sessions:
            exists = conn.execute("SELECT 1 FROM sessions WHERE id = ?", (session["id"],))
            if exists.fetchone():
                result.skipped.append(session["id"])
                continue
            clash = (
                conn.execute(
                    f"SELECT id FROM messages WHERE id IN "
                    f"({', '.join('?' for _ in session['messages'])})",
                    [message["id"] for message in session["messages"]],
                ).fetchone()
                if session["messages"]
                else None
            )
            if clash:
                raise StoreError(f"Message {clash[0]!r} already exists in another session.")
            columns = [name for name in _SESSION_FIELDS if name != "active_leaf_id"]
            conn.execute(
                f"INSERT INTO sessions ({', '.join(columns)}) "
                f"VALUES ({', '.join('?' for _ in columns)})",
                [session[name] for name in columns],
            )
            names = [name for name in _MESSAGE_FIELDS]
            for message in session["messages"]:
                values = [message[name] for name in names]
                calls = message["tool_calls"]
                values[names.index("tool_calls")] = (
                    json.dumps(calls, sort_keys=True, ensure_ascii=False) if calls else None
                )
                conn.execute(
                    f"INSERT INTO messages (session_id, {', '.join(names)}) "
                    f"VALUES (?, {', '.join('?' for _ in names)})",
                    [session["id"], *values],
                )
            conn.execute(
                "UPDATE sessions SET active_leaf_id = ? WHERE id = ?",
                (session["active_leaf_id"], session["id"]),
            )
            result.imported.append(session["id"])
    return result
