"""Opening the database: pragmas, migrations with backups, newer schemas, corrupt files."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from codeface.core.errors import StoreError
from codeface.core.paths import app_paths
from codeface.store import SyncStore, migrations, moved_aside_files, search, sessions, streaming
from tests.store.fts_check import index_mismatches

if TYPE_CHECKING:
    from sqlite_utils import Database


def test_database_lives_in_codeface_home_with_wal_and_foreign_keys(codeface_home: Path) -> None:
    with SyncStore() as store:
        assert store.path == codeface_home / "data" / "codeface.db"
        assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert store.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        applied = migrations.applied_migrations(store.conn)
        assert applied == [name for name, _ in migrations.MIGRATIONS]
        assert store.notice is None
        assert store.backup is None  # nothing to back up in a new database


def test_foreign_keys_reject_orphan_messages(conn: sqlite3.Connection) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute(
            "INSERT INTO messages (id, session_id, role, created_at) "
            "VALUES ('m', 'no-such-session', 'user', 0)"
        )


def test_pending_migration_is_applied_after_a_backup_of_the_old_file(
    codeface_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with SyncStore() as store:
        session = sessions.create_session(store.conn, title="keep me")

    def m999_add_column(db: Database) -> None:
        db["sessions"].add_column("colour", str)  # type: ignore[union-attr]

    monkeypatch.setattr(
        migrations, "MIGRATIONS", [*migrations.MIGRATIONS, ("m999_add_column", m999_add_column)]
    )
    with SyncStore() as store:
        assert store.backup is not None
        assert store.backup.exists()
        assert "m999_add_column" in migrations.applied_migrations(store.conn)
        store.conn.execute("SELECT colour FROM sessions").fetchall()
    backup = sqlite3.connect(store.backup)
    try:
        titles = [row[0] for row in backup.execute("SELECT title FROM sessions")]
        columns = [row[1] for row in backup.execute("PRAGMA table_info(sessions)")]
    finally:
        backup.close()
    assert titles == [session.title]
    assert "colour" not in columns  # the backup is the database as it was before


def test_database_from_a_newer_codeface_is_refused_and_left_untouched(
    codeface_home: Path,
) -> None:
    with SyncStore() as store:
        sessions.create_session(store.conn, title="from the future")
        store.conn.execute("INSERT INTO _migrations (name, applied_at) VALUES ('m050_hologram', 0)")
    path = app_paths().database
    before = path.read_bytes()
    with pytest.raises(StoreError, match="newer version of CodeFace") as caught:
        SyncStore()
    assert "Update CodeFace" in caught.value.one_line()
    assert path.read_bytes() == before
    assert moved_aside_files(path) == []


def test_corrupt_database_is_moved_aside_and_a_fresh_one_starts(codeface_home: Path) -> None:
    path = app_paths().database
    path.parent.mkdir(parents=True)
    garbage = b"this is not a database" * 500
    path.write_bytes(garbage)
    with SyncStore() as store:
        assert store.notice is not None
        moved = store.notice.moved_to
        assert moved.read_bytes() == garbage
        assert str(moved) in store.notice.message()
        assert sessions.list_sessions(store.conn) == []
        sessions.create_session(store.conn, title="works again")
    assert moved_aside_files(path) == [moved]
    with SyncStore() as store:  # the fresh database is fine on the next start
        assert store.notice is None
        assert [s.title for s in sessions.list_sessions(store.conn)] == ["works again"]


def test_database_with_a_damaged_page_is_recovered(codeface_home: Path) -> None:
    with SyncStore() as store:
        for index in range(200):
            sessions.create_session(store.conn, title=f"session {index} " + "x" * 200)
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    path = app_paths().database
    data = bytearray(path.read_bytes())
    data[4096 * 2 : 4096 * 4] = b"\xff" * 8192  # trash two pages in the middle
    path.write_bytes(bytes(data))
    with SyncStore() as store:
        assert store.notice is not None
        assert store.integrity_check() == "ok"
    assert len(moved_aside_files(path)) == 1


def test_a_migration_that_rebuilds_a_table_keeps_rows_triggers_and_search(
    codeface_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with SyncStore() as store:
        kept = sessions.create_session(store.conn, project="/src/app")
        sessions.add_user_message(store.conn, kept.id, "how do I debounce input?")
        writer = streaming.begin_answer(store.conn, kept.id, model="qwen")
        writer.append("Use a debounce hook.")
        writer.finish()
        trashed = sessions.create_session(store.conn)
        sessions.add_user_message(store.conn, trashed.id, "old question")
        sessions.trash_session(store.conn, trashed.id)
        before = [m.content for m in sessions.session_messages(store.conn, kept.id)]

    def m999_default_role(db: Database) -> None:
        # A default on an existing column: more than SQLite's ALTER TABLE can do.
        migrations.transform(db, "messages", defaults={"role": "user"})

    known = migrations.MIGRATIONS
    monkeypatch.setattr(
        migrations, "MIGRATIONS", [*known, ("m999_default_role", m999_default_role)]
    )
    with SyncStore() as store:
        conn = store.conn
        assert store.backup is not None
        assert "m999_default_role" in migrations.applied_migrations(conn)
        schema = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'messages'").fetchone()
        assert "DEFAULT 'user'" in schema[0]
        triggers = {
            row[0]
            for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'messages'"
            )
        }
        assert triggers == {
            "messages_fts_insert",
            "messages_fts_delete",
            "messages_fts_update_old",
            "messages_fts_update_new",
        }
        assert [m.content for m in sessions.session_messages(conn, kept.id)] == before
        assert index_mismatches(conn) == set()
        assert {h.session_id for h in search.search(conn, "debounce")} == {kept.id}
        sessions.add_user_message(conn, kept.id, "and throttle?")  # triggers still index
        assert [h.kind for h in search.search(conn, "throttle")] == ["message"]
        assert sessions.purge_trash(conn, now=time.time() + 31 * 86400) == 1
        assert (
            conn.execute(
                "SELECT count(*) FROM messages WHERE session_id = ?", (trashed.id,)
            ).fetchone()[0]
            == 0
        )
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert index_mismatches(conn) == set()
