"""One opener at a time: the lock that serialises opening the database across processes.

Two processes started together on a fresh folder must not both create the schema (the
second one failed with "table sessions already exists" and moved the first one's database
aside as corrupt). So everything that decides what the database is, or changes it as a
whole, runs while holding an exclusive lock on ``codeface.db.lock`` beside it: switching
to WAL, the "written by a newer CodeFace" check, ``quick_check``, the migrations (and the
backup before them), moving a damaged file aside, and asking whether other processes have
it open (`open_marker`). Ordinary reads and writes never take this lock.

POSIX uses ``flock``, Windows ``msvcrt.locking``; the OS drops either when a process
dies. A folder where the lock file cannot be created is left to SQLite's own errors.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from types import TracebackType
from typing import IO

from codeface.core.errors import StoreError

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]
try:
    import msvcrt
except ImportError:  # POSIX
    msvcrt = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

LOCK_TIMEOUT = 120.0
_FIRST_RETRY = 0.002
_LONGEST_RETRY = 0.05


def _try_lock(file: IO[bytes]) -> bool:
    if fcntl is not None:
        try:
            fcntl.flock(file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True
    if msvcrt is not None:  # pragma: no cover - Windows
        file.seek(0)
        try:
            msvcrt.locking(file.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    return True  # pragma: no cover - no file locks at all


def _unlock(file: IO[bytes]) -> None:
    if fcntl is not None:
        fcntl.flock(file.fileno(), fcntl.LOCK_UN)
    elif msvcrt is not None:  # pragma: no cover - Windows
        file.seek(0)
        msvcrt.locking(file.fileno(), msvcrt.LK_UNLCK, 1)


class SetupLock:
    """``with SetupLock(database):`` holds the opening lock, waiting up to ``timeout`` s."""

    def __init__(self, database: Path, timeout: float = LOCK_TIMEOUT) -> None:
        self.path = database.with_name(database.name + ".lock")
        self.timeout = timeout
        self._file: IO[bytes] | None = None

    def __enter__(self) -> SetupLock:
        try:
            self._file = open(self.path, "a+b")  # held until __exit__
        except OSError as error:
            log.warning("cannot create %s (%s); opening without it", self.path, error)
            return self
        deadline = time.monotonic() + self.timeout
        pause = _FIRST_RETRY
        while not _try_lock(self._file):
            if time.monotonic() >= deadline:
                self._file.close()
                self._file = None
                raise StoreError(
                    f"Another CodeFace has been opening or upgrading the database beside "
                    f"{self.path} for over {self.timeout:.0f} s.",
                    retryable=True,
                    hint="Wait for it to finish, or close it, then try again.",
                )
            # Waiting on another process; there is no event to wait on across processes.
            time.sleep(pause)
            pause = min(pause * 2, _LONGEST_RETRY)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._file is not None:
            try:
                _unlock(self._file)
            finally:
                self._file.close()
                self._file = None
