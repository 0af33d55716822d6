"""Opening the database: WAL, foreign keys, migrations, and recovery from a damaged file.

Opening runs under the `setup_lock`, so processes started together open one after the
other: the first creates or migrates the schema, the next ones find it done.

A damaged database never stops CodeFace from starting: a file that SQLite calls corrupt
(``SQLITE_CORRUPT``, ``SQLITE_NOTADB``) or that fails ``PRAGMA quick_check`` is moved aside
with its ``-wal``/``-shm`` companions, a fresh one is created, and a `RecoveryNotice` says
where the old one went (`moved_aside_files()` lists them for ``codeface doctor``). Nothing
else is corruption (see `faults`): a full disk, an I/O error, a read-only file, a lock, a
failed schema step or a database written by a newer CodeFace raise a `StoreError` and
leave the file exactly as it was. A damaged file is only moved while no other process has
it open; otherwise the error says to close the others first.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from codeface.core.errors import StoreError
from codeface.store.connection import BUSY_TIMEOUT, StoreConnection, connect
from codeface.store.faults import fault_kind, is_corruption, storage_error
from codeface.store.migrations import check_not_newer, migrate
from codeface.store.open_marker import OpenMarker
from codeface.store.sessions import mark_interrupted
from codeface.store.setup_lock import LOCK_TIMEOUT, SetupLock

log = logging.getLogger(__name__)

CORRUPT_MARKER = ".corrupt-"


@dataclass(frozen=True)
class RecoveryNotice:
    """Told to the user once: the old database was damaged and was moved aside."""

    moved_to: Path
    reason: str

    def message(self) -> str:
        """One line for the UI, the CLI and doctor."""
        return (
            f"The database could not be read ({self.reason}); it was moved to "
            f"{self.moved_to} and a fresh one was started."
        )


@dataclass(frozen=True)
class OpenResult:
    """A ready connection and what happened while opening it."""

    conn: StoreConnection
    notice: RecoveryNotice | None
    backup: Path | None
    marker: OpenMarker
    interrupted: int

    def close(self) -> None:
        """Close the connection and give up this process's claim on the database."""
        try:
            self.conn.close()
        finally:
            self.marker.release()


class _Damaged(Exception):
    """The file itself is damaged (SQLite's verdict), with the reason shown to the user."""


def _prepare(path: Path, busy_timeout: float) -> tuple[StoreConnection, Path | None]:
    conn: StoreConnection | None = None
    try:
        conn = connect(path, busy_timeout=busy_timeout)
        check_not_newer(conn, path)
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            log.warning("database %s is in %s mode, not WAL", path, mode)
        # NORMAL in WAL mode survives a killed process; only power loss can drop the
        # last commits, and it is much cheaper per streaming batch than FULL.
        conn.execute("PRAGMA synchronous = NORMAL")
        result = conn.execute("PRAGMA quick_check").fetchone()[0]
        if result != "ok":
            raise _Damaged(f"quick_check: {result}")
        backup = migrate(conn, path)
    except BaseException as error:
        if conn is not None:
            conn.close()
        if is_corruption(error):
            raise _Damaged(str(error)) from error
        raise
    return conn, backup


def _move_aside(path: Path) -> Path:
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    target = path.with_name(f"{path.name}{CORRUPT_MARKER}{stamp}")
    counter = 1
    while target.exists():
        target = path.with_name(f"{path.name}{CORRUPT_MARKER}{stamp}-{counter}")
        counter += 1
    path.replace(target)
    for suffix in ("-wal", "-shm"):
        companion = path.with_name(path.name + suffix)
        if companion.exists():
            companion.replace(target.with_name(target.name + suffix))
    return target


def _as_store_error(error: sqlite3.Error | OSError | StoreError, path: Path) -> StoreError:
    """A fault met while opening: never a reason to touch the file."""
    if isinstance(error, StoreError):
        return error
    if fault_kind(error) is not None:
        return storage_error(error, path)
    return StoreError(
        f"The database {path} could not be opened ({error}). It was left as it is.",
        hint="Try again; if it happens again, report it with the log file "
        "(CODEFACE_HOME set to another folder starts afresh meanwhile).",
    )


def _open_or_recover(
    path: Path, *, alone: bool, busy_timeout: float
) -> tuple[StoreConnection, Path | None, RecoveryNotice | None]:
    try:
        conn, backup = _prepare(path, busy_timeout)
        return conn, backup, None
    except _Damaged as damaged:
        reason = str(damaged)
    except (sqlite3.Error, OSError, StoreError) as error:
        raise _as_store_error(error, path) from error
    if not alone:
        raise StoreError(
            f"The database {path} is damaged ({reason}), and another CodeFace window or "
            "command has it open.",
            hint="Close every CodeFace window and command, then start again: the damaged "
            "file will be moved aside and a fresh one started.",
        )
    log.error("database %s is damaged (%s); moving it aside", path, reason)
    try:
        moved = _move_aside(path)
    except OSError as error:
        raise StoreError(
            f"The database {path} is damaged ({reason}) and could not be moved aside: "
            f"{error.strerror or error}",
            hint="Move the file away by hand, or set CODEFACE_HOME elsewhere.",
        ) from error
    try:
        conn, backup = _prepare(path, busy_timeout)
    except (_Damaged, sqlite3.Error, OSError, StoreError) as error:
        raise StoreError(
            f"The database {path} was damaged ({reason}) and was moved to {moved}, but a "
            f"fresh one could not be created: {error}",
            hint="Check the folder is writable and has free space, or set CODEFACE_HOME elsewhere.",
        ) from error
    notice = RecoveryNotice(moved, reason)
    log.warning(notice.message())
    return conn, backup, notice


def _mark_interrupted(conn: StoreConnection, *, alone: bool) -> int:
    """Answers a dead process left streaming become interrupted; best effort.

    Streaming rows of another live process are its answers in progress, so only a lone
    opener marks them. A full disk or a lock held elsewhere does not stop the store from
    opening for reading: the rows are marked on a later start, and every write until
    then says what is wrong.
    """
    if not alone:
        return 0
    try:
        return mark_interrupted(conn)
    except StoreError as error:
        log.warning("could not mark interrupted answers in %s: %s", conn.path, error)
        return 0


def open_database(
    path: Path, *, busy_timeout: float = BUSY_TIMEOUT, lock_timeout: float = LOCK_TIMEOUT
) -> OpenResult:
    """Open (creating or migrating) the database at ``path``; recover from a damaged file.

    Also claims the database for this process (`OpenMarker`) and, when no other process
    has it open, marks answers left ``streaming`` by a dead process as interrupted.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as error:
        raise StoreError(
            f"Cannot create the folder for the database {path}: {error.strerror or error}.",
            hint="Check that CODEFACE_HOME (or the data folder) is a writable folder.",
        ) from error
    with SetupLock(path, lock_timeout):
        marker = OpenMarker(path)
        conn: StoreConnection | None = None
        try:
            conn, backup, notice = _open_or_recover(
                path, alone=marker.alone, busy_timeout=busy_timeout
            )
            interrupted = _mark_interrupted(conn, alone=marker.alone)
            marker.share()
        except BaseException:
            if conn is not None:
                conn.close()
            marker.release()
            raise
    return OpenResult(conn, notice, backup, marker, interrupted)


def moved_aside_files(path: Path) -> list[Path]:
    """Databases moved aside after corruption, oldest first (for ``codeface doctor``)."""
    if not path.parent.is_dir():
        return []
    pattern = f"{path.name}{CORRUPT_MARKER}*"
    return sorted(
        candidate
        for candidate in path.parent.glob(pattern)
        if not candidate.name.endswith(("-wal", "-shm"))
    )
