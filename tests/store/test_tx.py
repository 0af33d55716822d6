"""Explicit transactions: all or nothing, even when the COMMIT itself fails."""

from __future__ import annotations

import sqlite3

import pytest

from codeface.store import sessions
from codeface.store.tx import transaction


def _orphan_checked_at_commit(conn: sqlite3.Connection, session_id: str) -> None:
    with transaction(conn):
        conn.execute("PRAGMA defer_foreign_keys = ON")  # the check moves to COMMIT
        conn.execute("UPDATE sessions SET title = 'after' WHERE id = ?", (session_id,))
        conn.execute(
            "INSERT INTO messages (id, session_id, role, created_at) "
            "VALUES ('orphan', 'no-such-session', 'user', 0)"
        )


def _rename_then_fail(conn: sqlite3.Connection, session_id: str) -> None:
    with transaction(conn):
        sessions.rename_session(conn, session_id, "undone")
        raise RuntimeError


def test_a_commit_that_fails_rolls_back_and_leaves_no_transaction_open(
    conn: sqlite3.Connection,
) -> None:
    session = sessions.create_session(conn, title="before")
    with pytest.raises(sqlite3.IntegrityError):
        _orphan_checked_at_commit(conn, session.id)
    assert not conn.in_transaction
    assert sessions.get_session(conn, session.id).title == "before"
    assert conn.execute("SELECT count(*) FROM messages").fetchone()[0] == 0
    sessions.add_user_message(conn, session.id, "the connection still works")


def test_a_failing_block_inside_a_transaction_undoes_only_itself(
    conn: sqlite3.Connection,
) -> None:
    session = sessions.create_session(conn, title="outer")
    with transaction(conn):
        sessions.rename_session(conn, session.id, "kept")
        with pytest.raises(RuntimeError):
            _rename_then_fail(conn, session.id)
    assert sessions.get_session(conn, session.id).title == "kept"
