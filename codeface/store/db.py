"""Opening the database: WAL, foreign keys, migrations, and recovery from a corrupt file.

A corrupt or unreadable database never stops CodeFace from starting: the file (with its
``-wal``/``-shm`` companions) is moved aside with a timestamp, a fresh one is created,
and a `RecoveryNotice` says where the old one went. `moved_aside_files()` lists such
files so ``codeface doctor`` can mention them later too. A database written by a newer
CodeFace is the exception: it raises `StoreError` and is left exactly as it was.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from codeface.core.errors import StoreError
from codeface.store.migrations import check_not_newer, migrate

log = logging.getLogger(__name__)

CORRUPT_MARKER = ".corrupt-"
_BUSY_CODES = {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED}


@dataclass(frozen=True)
class RecoveryNotice:
    """Told to the user once: the old database was unusable and was moved aside."""

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

    conn: sqlite3.Connection
    notice: RecoveryNotice | None
    backup: Path | None


def connect(path: Path) -> sqlite3.Connection:
    """A raw connection with CodeFace's pragmas (no migrations, no recovery)."""
    conn = sqlite3.connect(path, autocommit=True, check_same_thread=False, timeout=10.0)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA busy_timeout = 10000")
    return conn


def _prepare(path: Path) -> tuple[sqlite3.Connection, Path | None]:
    conn = connect(path)
    try:
        check_not_newer(conn, path)
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            log.warning("database %s is in %s mode, not WAL", path, mode)
        # NORMAL in WAL mode survives a killed process; only power loss can drop the
        # last commits, and it is much cheaper per streaming batch than FULL.
        conn.execute("PRAGMA synchronous = NORMAL")
        result = conn.execute("PRAGMA quick_check").fetchone()[0]
        if result != "ok":
            raise sqlite3.DatabaseError(f"quick_check: {result}")
        backup = migrate(conn, path)
    except BaseException:
        conn.close()
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


def open_database(path: Path) -> OpenResult:
    """Open (creating or migrating) the database at ``path``; recover from corruption."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        conn, backup = _prepare(path)
        return OpenResult(conn, None, backup)
    except StoreError:
        raise
    except (sqlite3.DatabaseError, OSError) as error:
        if (getattr(error, "sqlite_errorcode", 0) or 0) & 0xFF in _BUSY_CODES:
            raise StoreError(
                f"The database {path} is locked by another program: {error}",
                retryable=True,
                hint="Close the other CodeFace window or command, then try again.",
            ) from error
        if not path.exists():
            raise StoreError(
                f"Cannot create the database {path}: {error}",
                hint="Check that the folder is writable, or set CODEFACE_HOME elsewhere.",
            ) from error
        reason = str(error) or type(error).__name__
    log.error("database %s is unusable (%s); moving it aside", path, reason)
    try:
        moved = _move_aside(path)
        conn, backup = _prepare(path)
    except (sqlite3.DatabaseError, OSError) as error:
        raise StoreError(
            f"The database {path} is unusable ({reason}) and could not be replaced: {error}",
            hint="Move the file away by hand, or set CODEFACE_HOME elsewhere.",
        ) from error
    notice = RecoveryNotice(moved, reason)
    log.warning(notice.message())
    return OpenResult(conn, notice, backup)


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
