"""Telling a damaged database apart from a disk that is full, failing, locked or read-only.

Only SQLite's own verdict that the file is damaged (``SQLITE_CORRUPT``, ``SQLITE_NOTADB``,
or a ``quick_check`` that is not ``ok``) makes a database corrupt. A full disk, an I/O
error, a read-only file or folder, or a lock held by another program says nothing about
the file: each becomes a `StoreError` that names the cause and what to do, and the file
is kept exactly as it is. Anything else (a bug, a failed schema step) is neither: it is
raised as it is, never "recovered" by moving the user's data aside.
"""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path
from typing import Literal

from codeface.core.errors import StoreError

FaultKind = Literal["busy", "full", "io", "readonly", "cantopen", "memory"]

_KIND_BY_CODE: dict[int, FaultKind] = {
    sqlite3.SQLITE_BUSY: "busy",
    sqlite3.SQLITE_LOCKED: "busy",
    sqlite3.SQLITE_FULL: "full",
    sqlite3.SQLITE_IOERR: "io",
    sqlite3.SQLITE_READONLY: "readonly",
    sqlite3.SQLITE_PERM: "readonly",
    sqlite3.SQLITE_AUTH: "readonly",
    sqlite3.SQLITE_CANTOPEN: "cantopen",
    sqlite3.SQLITE_NOMEM: "memory",
}
_CORRUPT_CODES = frozenset({sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB})
_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})
_READONLY_ERRNOS = frozenset({errno.EACCES, errno.EPERM, errno.EROFS})


def _primary_code(error: BaseException) -> int:
    return (getattr(error, "sqlite_errorcode", None) or 0) & 0xFF


def is_corruption(error: BaseException) -> bool:
    """SQLite says the file itself is damaged (not the disk, not a lock)."""
    return isinstance(error, sqlite3.DatabaseError) and _primary_code(error) in _CORRUPT_CODES


def fault_kind(error: BaseException) -> FaultKind | None:
    """What kind of storage fault ``error`` is, or None when it is none of them."""
    if isinstance(error, sqlite3.Error):
        return _KIND_BY_CODE.get(_primary_code(error))
    if isinstance(error, OSError):
        if error.errno in _FULL_ERRNOS:
            return "full"
        if error.errno in _READONLY_ERRNOS:
            return "readonly"
        return "io"
    return None


def _detail(error: BaseException) -> str:
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return str(error) or type(error).__name__


def storage_error(error: BaseException, path: Path, kind: FaultKind | None = None) -> StoreError:
    """The `StoreError` a user sees for a storage fault on the database at ``path``."""
    kind = kind or fault_kind(error) or "io"
    detail = _detail(error)
    if kind == "busy":
        return StoreError(
            f"The database {path} is locked by another program ({detail}).",
            retryable=True,
            hint="Close the other CodeFace window or command, then try again.",
        )
    if kind == "full":
        return StoreError(
            f"The disk holding {path} is full ({detail}); nothing more can be saved.",
            hint="Free some disk space, then try again. Everything saved before is kept.",
        )
    if kind == "readonly":
        return StoreError(
            f"Cannot write to the database {path}: the file or its folder is read-only "
            f"({detail}). It was left as it is.",
            hint=f"Make {path.parent} writable, or set CODEFACE_HOME to a writable folder.",
        )
    if kind == "cantopen":
        return StoreError(
            f"Cannot open the database {path} ({detail}).",
            hint="Check that its folder exists and is writable, or set CODEFACE_HOME elsewhere.",
        )
    if kind == "memory":
        return StoreError(
            f"Out of memory while using the database {path}.",
            hint="Close other programs, then try again.",
        )
    return StoreError(
        f"Cannot read or write the database {path} ({detail}). It was left as it is.",
        hint="Check that the disk has free space and is still attached, then try again.",
    )
