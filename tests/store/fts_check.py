"""Test helper: does the message search index hold exactly what its content says?

SQLite 3.40's FTS5 ``integrity-check`` does not compare an external-content index with
its content, so this rebuilds the index in a copy and compares every (term, message,
column, position) instance with the live one.
"""

from __future__ import annotations

import sqlite3


def _instances(conn: sqlite3.Connection) -> set[tuple[str, int, str, int]]:
    conn.execute(
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.fts_instances "
        "USING fts5vocab(main, messages_fts, instance)"
    )
    rows = conn.execute("SELECT term, doc, col, offset FROM temp.fts_instances")
    return {tuple(row) for row in rows}  # type: ignore[misc]


def index_mismatches(conn: sqlite3.Connection) -> set[tuple[str, int, str, int]]:
    """Index entries that differ from a fresh rebuild (empty when the index is right)."""
    copy = sqlite3.connect(":memory:")
    try:
        conn.backup(copy)
        copy.execute("INSERT INTO messages_fts(messages_fts) VALUES ('rebuild')")
        expected = _instances(copy)
    finally:
        copy.close()
    return _instances(conn) ^ expected
