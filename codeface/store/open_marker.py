"""Which processes have the database open: each holds a shared lock on a file beside it.

On open, answers still marked ``streaming`` were left by a process that died, and become
``interrupted``. That is only true when no other process has the database open: the window
may be streaming an answer while ``codeface chat`` opens the same store. So an opener first
asks for the lock alone (exclusive, without waiting); only when it gets it does it mark
anything, then it keeps a shared lock until it closes. The OS drops the lock of a process
that dies. Where file locks are unavailable (Windows), every opener counts as alone.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]


class OpenMarker:
    """This process's claim on a database; ``alone`` says no other process had one."""

    def __init__(self, database: Path) -> None:
        self.alone = True
        self._file: IO[bytes] | None = None
        if fcntl is None:
            return
        try:
            self._file = open(database.with_name(database.name + ".open"), "ab")  # noqa: SIM115
        except OSError:
            return  # a read-only folder: nothing to share with
        try:
            fcntl.flock(self._file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.alone = False

    def share(self) -> None:
        """Keep a shared claim (call after the recovery that needed being alone)."""
        if self._file is not None and fcntl is not None:
            fcntl.flock(self._file.fileno(), fcntl.LOCK_SH)

    def release(self) -> None:
        """Give the claim up (on close)."""
        if self._file is not None:
            self._file.close()
            self._file = None
