"""The store's SQLite connection: storage faults become `StoreError`s, bad rows are reported.

`StoreConnection` is a plain `sqlite3.Connection` (no implicit transactions: the store
opens its own with `tx.transaction`) that turns a full disk, an I/O error, a read-only
file or a lock into a `StoreError` with an action, wherever a statement runs.

Rows are read so that one bad value never makes the rest unreadable. Text that is not
valid UTF-8 (SQLite does not check what it stores) is read again with the bad bytes
replaced by U+FFFD (`reads_text`), and values a reader fixes up (a date out of range,
unparsable tool calls) are kept as a `ReadProblem` on the connection, logged once, for
the CLI and the window to show (`take_problems`).
"""

from __future__ import annotations

import functools
import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Concatenate

from codeface.store.faults import fault_kind, storage_error

if TYPE_CHECKING:
    from sqlite_utils import Database

log = logging.getLogger(__name__)

BUSY_TIMEOUT = 10.0
_UNDECODABLE = "Could not decode to UTF-8"
_STALE_SCHEMA = "no such table"


@dataclass(frozen=True)
class ReadProblem:
    """A stored value that could not be read as it is, and what the reader did instead."""

    subject: str
    detail: str

    def message(self) -> str:
        """One line for the CLI, the window and the log."""
        return f"{self.subject}: {self.detail}"


class StoreConnection(sqlite3.Connection):
    """A connection that raises `StoreError` for storage faults and collects read problems."""

    path: Path
    problems: list[ReadProblem]
    reported: set[ReadProblem]

    def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:
        """`sqlite3.Connection.execute`, with storage faults as `StoreError`."""
        return self._run(super().execute, sql, parameters)

    def executemany(self, sql: str, parameters: Any, /) -> sqlite3.Cursor:
        """`sqlite3.Connection.executemany`, with storage faults as `StoreError`."""
        return self._run(super().executemany, sql, parameters)

    def _run(
        self, method: Callable[[str, Any], sqlite3.Cursor], sql: str, parameters: Any
    ) -> sqlite3.Cursor:
        try:
            try:
                return method(sql, parameters)
            except sqlite3.OperationalError as error:
                if not str(error).startswith(_STALE_SCHEMA):
                    raise
                # SQLite 3.40 reports a table that exists as missing when another process
                # changed the schema since this connection last read it (a migration, the
                # first ANALYZE) and a trigger's FTS5 table reloads it mid-statement.
                # Nothing ran; by now the schema is current, so a second try is sound.
                return method(sql, parameters)
        except sqlite3.Error as error:
            if fault_kind(error) is None:
                raise
            raise storage_error(error, self.path) from error


def connect(path: Path, *, busy_timeout: float = BUSY_TIMEOUT) -> StoreConnection:
    """A connection with CodeFace's pragmas (no migrations, no recovery)."""
    conn = sqlite3.connect(
        path,
        isolation_level=None,  # no implicit BEGIN; sqlite-utils needs this mode, not autocommit
        check_same_thread=False,
        timeout=busy_timeout,
        factory=StoreConnection,
    )
    assert isinstance(conn, StoreConnection)
    conn.path = path
    conn.problems = []
    conn.reported = set()
    conn.row_factory = sqlite3.Row
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
    except BaseException:
        conn.close()
        raise
    return conn


def sqlite_utils_database(conn: sqlite3.Connection) -> Database:
    """sqlite-utils over the store's own connection (transactions stay the caller's).

    Imported here, on first use: sqlite-utils takes ~140 ms to import (click, pluggy, and
    numpy when installed), which only schema changes and imports pay, never a normal start.
    """
    from sqlite_utils import Database

    # No plugins, and no recursive_triggers: the store's triggers are written without it.
    return Database(conn, recursive_triggers=False, execute_plugins=False)


def record_problem(conn: sqlite3.Connection, subject: str, detail: str) -> None:
    """Note a value that was read with a fix-up (logged once per connection)."""
    problem = ReadProblem(subject, detail)
    if isinstance(conn, StoreConnection):
        if problem in conn.reported:
            return
        conn.reported.add(problem)
        conn.problems.append(problem)
    log.warning("stored data read with a fix-up: %s", problem.message())


def take_problems(conn: sqlite3.Connection) -> list[ReadProblem]:
    """The read problems noted since the last call (each one is reported once)."""
    if not isinstance(conn, StoreConnection):
        return []
    problems, conn.problems = conn.problems, []
    return problems


def is_undecodable(error: BaseException) -> bool:
    """A stored text value was not UTF-8 (see `reads_text`)."""
    return isinstance(error, sqlite3.OperationalError) and str(error).startswith(_UNDECODABLE)


class _ReplacingDecoder:
    """A ``text_factory`` that replaces bytes that are not UTF-8, and counts the values."""

    def __init__(self) -> None:
        self.replaced = 0

    def __call__(self, data: bytes) -> str:
        try:
            return data.decode()
        except UnicodeDecodeError:
            self.replaced += 1
            return data.decode(errors="replace")


def reads_text[**P, T](
    describe: Callable[..., str],
) -> Callable[
    [Callable[Concatenate[sqlite3.Connection, P], T]],
    Callable[Concatenate[sqlite3.Connection, P], T],
]:
    """Decorate a read-only function so that text that is not UTF-8 never makes it fail.

    The fast path reads with SQLite's own decoding. Only when a value cannot be decoded
    is the whole read run again with a decoder that replaces the bad bytes (U+FFFD); the
    problem is recorded under ``describe(*args)``. Only for functions that write nothing.
    """

    def decorate(
        function: Callable[Concatenate[sqlite3.Connection, P], T],
    ) -> Callable[Concatenate[sqlite3.Connection, P], T]:
        @functools.wraps(function)
        def read(conn: sqlite3.Connection, /, *args: P.args, **kwargs: P.kwargs) -> T:
            try:
                return function(conn, *args, **kwargs)
            except sqlite3.OperationalError as error:
                if not is_undecodable(error):
                    raise
            previous = conn.text_factory
            decoder = _ReplacingDecoder()
            conn.text_factory = decoder
            try:
                result = function(conn, *args, **kwargs)
            finally:
                conn.text_factory = previous
            if decoder.replaced:
                record_problem(
                    conn,
                    describe(*args, **kwargs),
                    f"{decoder.replaced} stored text(s) hold bytes that are not UTF-8; "
                    "they are shown as \ufffd",
                )
            return result

        return read

    return decorate
