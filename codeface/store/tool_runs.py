"""The audit trail of agent tool calls: what ran, with which arguments, how it ended, and
who allowed it (the user, a session rule, an ``--allow`` flag, or nobody: denied)."""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import replace

from codeface.store.models import ToolRun, new_id

_COLUMNS = (
    "id, session_id, turn_id, message_id, call_id, tool, arguments, status, summary, "
    "approver, decided_at, duration, changed_paths, created_at, decision"
)


def add_tool_run(conn: sqlite3.Connection, run: ToolRun) -> ToolRun:
    """Record one tool call; returns it with its id and time."""
    stored = replace(run, id=run.id or new_id(), created_at=run.created_at or time.time())
    conn.execute(
        f"INSERT INTO tool_runs ({_COLUMNS}) VALUES ({', '.join('?' * 15)})",
        (
            stored.id,
            stored.session_id,
            stored.turn_id,
            stored.message_id,
            stored.call_id,
            stored.tool,
            stored.arguments,
            stored.status,
            stored.summary,
            stored.approver,
            stored.decided_at,
            stored.duration,
            json.dumps(list(stored.changed_paths), ensure_ascii=False),
            stored.created_at,
            stored.decision,
        ),
    )
    return stored


def _from_row(row: sqlite3.Row | tuple[object, ...]) -> ToolRun:
    values = list(row)
    try:
        paths = json.loads(str(values[12] or "[]"))
    except json.JSONDecodeError:
        paths = []
    return ToolRun(
        id=str(values[0]),
        session_id=str(values[1]),
        turn_id=str(values[2]),
        message_id=str(values[3] or ""),
        call_id=str(values[4] or ""),
        tool=str(values[5]),
        arguments=str(values[6]),
        status=str(values[7]),
        summary=str(values[8] or ""),
        approver=str(values[9] or ""),
        decided_at=float(values[10] or 0.0),
        duration=float(values[11] or 0.0),
        changed_paths=tuple(str(path) for path in paths) if isinstance(paths, list) else (),
        created_at=float(values[13] or 0.0),
        decision=str(values[14] or ""),
    )


def tool_runs(conn: sqlite3.Connection, session_id: str) -> list[ToolRun]:
    """The session's tool calls, oldest first."""
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM tool_runs WHERE session_id = ? ORDER BY seq", (session_id,)
    )
    return [_from_row(row) for row in rows]
