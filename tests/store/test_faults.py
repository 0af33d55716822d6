"""Storage faults are not corruption: a full disk, an I/O error, a lock or a read-only
database gives a clear `StoreError`, keeps the file as it is, and loses nothing that was
saved. Each fault is real: SQLite's own page limit (``SQLITE_FULL``), a file-size limit on
a child process (the kernel refuses the writes), a second connection holding the lock.
"""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from codeface.core.errors import StoreError
from codeface.core.paths import app_paths
from codeface.store import Store, SyncStore, migrations, moved_aside_files, sessions, streaming
from codeface.store.open_marker import OpenMarker
from codeface.store.setup_lock import SetupLock

ROOT = Path(__file__).resolve().parents[2]


def _seed(title: str = "keep me") -> str:
    with SyncStore() as store:
        session = sessions.create_session(store.conn, title=title)
        for index in range(40):
            sessions.add_user_message(store.conn, session.id, f"message {index} " + "x" * 2000)
        return session.id


def _nothing_moved_aside(path: Path) -> None:
    assert moved_aside_files(path) == []
    assert not list(path.parent.glob("*corrupt*"))


def _fill_the_disk(conn: sqlite3.Connection) -> None:
    """SQLite's own limit on the file's pages: any write that needs a page fails FULL."""
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages}")


def _free_the_disk(conn: sqlite3.Connection) -> None:
    conn.execute("PRAGMA max_page_count = 1073741823")


_OPEN_WITH_A_FILE_SIZE_LIMIT = """
import resource, signal, sys
from codeface.core.errors import StoreError
from codeface.store import SyncStore
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a refused write fails; it does not kill
resource.setrlimit(resource.RLIMIT_FSIZE, (4096, resource.RLIM_INFINITY))
try:
    SyncStore()
except StoreError as error:
    print(error.one_line())
    sys.exit(error.exit_code)
print("opened")
"""


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_FSIZE is POSIX")
def test_a_disk_that_refuses_writes_at_start_keeps_the_database(codeface_home: Path) -> None:
    session_id = _seed()
    path = app_paths().database
    before = path.read_bytes()
    child = subprocess.run(
        [sys.executable, "-c", _OPEN_WITH_A_FILE_SIZE_LIMIT],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert child.returncode == StoreError.exit_code, child.stdout + child.stderr
    assert "disk I/O error" in child.stdout
    assert "left as it is" in child.stdout
    assert "free space" in child.stdout
    assert "Traceback" not in child.stderr
    assert path.read_bytes() == before  # not renamed, not rewritten
    _nothing_moved_aside(path)
    with SyncStore() as store:  # once the disk has room again: everything is there
        assert store.notice is None
        assert [s.id for s in sessions.list_sessions(store.conn)] == [session_id]
        assert len(sessions.session_messages(store.conn, session_id)) == 40


def test_a_full_disk_during_a_migration_changes_nothing(
    codeface_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    session_id = _seed()

    def m999_big_table(db: object) -> None:
        conn = db.conn  # type: ignore[attr-defined]
        _fill_the_disk(conn)
        conn.execute("CREATE TABLE steps (body TEXT)")
        conn.executemany("INSERT INTO steps VALUES (?)", [("y" * 4000,) for _ in range(50)])

    known = migrations.MIGRATIONS
    monkeypatch.setattr(migrations, "MIGRATIONS", [*known, ("m999_big_table", m999_big_table)])
    with pytest.raises(StoreError, match="is full") as caught:
        SyncStore()
    assert "Free some disk space" in caught.value.one_line()
    path = app_paths().database
    _nothing_moved_aside(path)
    monkeypatch.setattr(migrations, "MIGRATIONS", known)  # an older CodeFace again
    with SyncStore() as store:
        assert store.notice is None
        assert "m999_big_table" not in migrations.applied_migrations(store.conn)
        tables = store.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        assert "steps" not in {row[0] for row in tables}
        assert sessions.get_session(store.conn, session_id).title == "keep me"


def test_a_full_disk_mid_stream_keeps_the_saved_text_and_says_why(codeface_home: Path) -> None:
    async def scenario() -> str:
        store = await Store.open()
        session = await store.create_session()
        await store.add_user_message(session.id, "write a lot")
        writer = await store.begin_answer(session.id)
        writer.append("The first part. ")
        await writer.flush()
        await store.run(lambda: _fill_the_disk(store.sync.conn))
        writer.append("x" * 200_000)
        with pytest.raises(StoreError, match="beyond its first 16 characters") as caught:
            await writer.flush()
        assert "is full" in caught.value.user_message
        assert "Free some disk space" in caught.value.hint
        with pytest.raises(StoreError, match="beyond its first 16 characters"):
            writer.append("more")  # the turn stops here, with the reason
        with pytest.raises(StoreError, match="is full"):
            await writer.cancel()  # the disk is still full
        stored = await store.get_message(writer.message_id)
        assert (stored.content, stored.status) == ("The first part. ", "streaming")
        await store.close()  # closing works on a full disk
        return writer.message_id

    message_id = asyncio.run(scenario())
    with SyncStore() as store:  # the next start: the answer is interrupted, its text kept
        assert store.interrupted == 1
        message = sessions.get_message(store.conn, message_id)
        assert (message.content, message.status) == ("The first part. ", "interrupted")


def test_text_that_could_not_be_written_is_kept_for_the_next_write(
    conn: sqlite3.Connection,
) -> None:
    session = sessions.create_session(conn)
    writer = streaming.begin_answer(conn, session.id, flush_interval=0)
    writer.append("saved. ")
    _fill_the_disk(conn)
    with pytest.raises(StoreError, match="is full"):
        writer.append("y" * 100_000)
    assert writer.pending_text == "y" * 100_000
    _free_the_disk(conn)
    done = writer.finish()
    assert (done.content, done.status) == ("saved. " + "y" * 100_000, "complete")


def test_a_database_locked_by_another_program_is_not_corrupt(codeface_home: Path) -> None:
    first = SyncStore()
    session = sessions.create_session(first.conn)
    writer = streaming.begin_answer(first.conn, session.id, flush_interval=0)
    writer.append("half")
    first.conn.close()
    first.marker.release()  # a CodeFace that died while streaming
    path = app_paths().database
    other = sqlite3.connect(path, isolation_level=None)  # e.g. the sqlite3 shell, mid-write
    other.execute("BEGIN IMMEDIATE")
    other.execute("CREATE TABLE scratch (x)")
    try:
        with SyncStore(busy_timeout=0.1) as store:  # opens for reading all the same
            assert store.notice is None
            assert store.interrupted == 0  # it cannot mark the dead answer yet
            assert sessions.get_message(store.conn, writer.message_id).content == "half"
            with pytest.raises(StoreError, match="locked by another program") as caught:
                sessions.add_user_message(store.conn, session.id, "hello")
            assert caught.value.retryable
        _nothing_moved_aside(path)
    finally:
        other.execute("ROLLBACK")
        other.close()
    with SyncStore() as store:  # the lock is gone: the dead answer is recovered now
        assert store.interrupted == 1
        message = sessions.get_message(store.conn, writer.message_id)
        assert (message.content, message.status) == ("half", "interrupted")


def test_a_write_while_another_program_holds_the_lock_says_so(codeface_home: Path) -> None:
    with SyncStore(busy_timeout=0.1) as store:
        session = sessions.create_session(store.conn)
        other = sqlite3.connect(store.path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            with pytest.raises(StoreError, match="locked by another program") as caught:
                sessions.add_user_message(store.conn, session.id, "hello")
            assert caught.value.retryable
        finally:
            other.execute("ROLLBACK")
            other.close()
        assert sessions.add_user_message(store.conn, session.id, "hello").content == "hello"


def test_a_read_only_database_refuses_writes_with_an_action(conn: sqlite3.Connection) -> None:
    session = sessions.create_session(conn)
    conn.execute("PRAGMA query_only = 1")  # SQLite answers SQLITE_READONLY to any write
    with pytest.raises(StoreError, match="read-only") as caught:
        sessions.add_user_message(conn, session.id, "hello")
    assert "writable" in caught.value.hint
    conn.execute("PRAGMA query_only = 0")
    assert sessions.session_messages(conn, session.id) == []


def test_a_failed_schema_step_is_not_corruption(
    codeface_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    session_id = _seed()

    def m999_clash(db: object) -> None:
        db.execute("CREATE TABLE sessions (x)")  # type: ignore[attr-defined]

    known = migrations.MIGRATIONS
    monkeypatch.setattr(migrations, "MIGRATIONS", [*known, ("m999_clash", m999_clash)])
    with pytest.raises(StoreError, match="table sessions already exists") as caught:
        SyncStore()
    assert "left as it is" in caught.value.user_message
    _nothing_moved_aside(app_paths().database)
    monkeypatch.setattr(migrations, "MIGRATIONS", known)  # an older CodeFace again
    with SyncStore() as store:
        assert sessions.get_session(store.conn, session_id).title == "keep me"


def test_a_damaged_database_is_moved_aside_only_when_no_one_has_it_open(
    codeface_home: Path,
) -> None:
    with SyncStore() as store:
        for index in range(200):
            sessions.create_session(store.conn, title=f"session {index} " + "x" * 200)
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    path = app_paths().database
    data = bytearray(path.read_bytes())
    data[4096 * 2 : 4096 * 4] = b"\xff" * 8192
    path.write_bytes(bytes(data))
    window = OpenMarker(path)  # another CodeFace still has it open
    window.share()
    try:
        with pytest.raises(StoreError, match="another CodeFace window or command has it open"):
            SyncStore()
        _nothing_moved_aside(path)
    finally:
        window.release()
    with SyncStore() as store:
        assert store.notice is not None
    assert len(moved_aside_files(path)) == 1


def test_waiting_for_another_opener_gives_up_with_a_clear_error(codeface_home: Path) -> None:
    path = app_paths().database
    path.parent.mkdir(parents=True)
    with SetupLock(path):  # another process is opening or migrating
        with pytest.raises(StoreError, match="opening or upgrading") as caught:
            SyncStore(lock_timeout=0.05)
        assert caught.value.retryable
    with SyncStore() as store:
        assert store.notice is None
