"""The store's front door: `Store` (async, for the engine and the window) and `SyncStore`.

All SQLite work runs on one dedicated writer thread, so an awaiting caller (the qasync
loop driving the window) never blocks on the database. Each async method has the same
arguments as the synchronous function of the same name in `sessions`, `search`,
`export` or `memory`, minus the connection.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import sqlite3
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

from codeface.core.errors import StoreError
from codeface.core.events import AnswerStats
from codeface.core.messages import ToolCall
from codeface.core.paths import app_paths
from codeface.store import export, memory, plans, sessions, streaming
from codeface.store import search as search_module
from codeface.store import tool_runs as audit
from codeface.store.connection import BUSY_TIMEOUT, ReadProblem, take_problems
from codeface.store.db import RecoveryNotice, open_database
from codeface.store.models import Message
from codeface.store.setup_lock import LOCK_TIMEOUT

log = logging.getLogger(__name__)
P = ParamSpec("P")
T = TypeVar("T")


class SyncStore:
    """An open database for synchronous callers (the CLI, tests, the crash-test child).

    ``busy_timeout`` is how long a statement waits for another process's write lock;
    ``lock_timeout`` how long opening waits for another process that is opening or
    migrating the same database.
    """

    def __init__(
        self,
        path: Path | None = None,
        *,
        busy_timeout: float = BUSY_TIMEOUT,
        lock_timeout: float = LOCK_TIMEOUT,
    ) -> None:
        self.path = path if path is not None else app_paths().database
        opened = open_database(self.path, busy_timeout=busy_timeout, lock_timeout=lock_timeout)
        self.conn: sqlite3.Connection = opened.conn
        self.notice: RecoveryNotice | None = opened.notice
        self.backup: Path | None = opened.backup
        self.marker = opened.marker
        self.interrupted = opened.interrupted
        try:
            self.purged = sessions.purge_trash(self.conn)
        except StoreError as error:  # housekeeping; a full disk must not stop reading
            log.warning("could not empty the trash of %s: %s", self.path, error)
            self.purged = 0
        except BaseException:
            opened.close()
            raise

    def take_problems(self) -> list[ReadProblem]:
        """Stored values read with a fix-up since the last call (bad bytes, bad dates)."""
        return take_problems(self.conn)

    def integrity_check(self) -> str:
        """SQLite's full integrity check: ``"ok"`` when the file is sound."""
        return str(self.conn.execute("PRAGMA integrity_check").fetchone()[0])

    def close(self) -> None:
        """Checkpoint and close the connection."""
        try:
            self.conn.execute("PRAGMA optimize")
        except StoreError as error:  # a full disk: closing must still work
            log.warning("could not optimize %s on close: %s", self.path, error)
        finally:
            self.conn.close()
            self.marker.release()

    def __enter__(self) -> SyncStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _bind[**P, T](
    function: Callable[Concatenate[sqlite3.Connection, P], T],
) -> Callable[Concatenate[Store, P], Awaitable[T]]:
    async def method(self: Store, /, *args: P.args, **kwargs: P.kwargs) -> T:
        return await self.run(functools.partial(function, self.sync.conn, *args, **kwargs))

    method.__name__ = function.__name__
    method.__qualname__ = f"Store.{function.__name__}"
    method.__doc__ = function.__doc__
    return method


class Store:
    """The async store. Open with ``await Store.open()``; close with ``await store.close()``."""

    def __init__(self, sync: SyncStore, executor: ThreadPoolExecutor) -> None:
        self.sync = sync
        self._executor = executor
        self.path = sync.path
        self.notice = sync.notice
        self.interrupted = sync.interrupted

    @classmethod
    async def open(cls, path: Path | None = None) -> Store:
        """Open (create, migrate or recover) the database on the store's own thread."""
        executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="codeface-store")
        loop = asyncio.get_running_loop()
        try:
            sync = await loop.run_in_executor(executor, SyncStore, path)
        except BaseException:
            executor.shutdown(wait=False)
            raise
        return cls(sync, executor)

    async def run(self, call: Callable[[], T]) -> T:
        """Run ``call`` on the store thread (calls run one at a time, in order)."""
        return await asyncio.get_running_loop().run_in_executor(self._executor, call)

    def submit(self, call: Callable[[], Any]) -> asyncio.Future[Any]:
        """Queue ``call`` on the store thread without waiting for it."""
        return asyncio.wrap_future(self._executor.submit(call))

    async def close(self) -> None:
        """Finish queued work, then close the database and the thread."""
        await self.run(self.sync.close)
        self._executor.shutdown(wait=False)

    async def integrity_check(self) -> str:
        """SQLite's integrity check, ``"ok"`` when sound."""
        return await self.run(self.sync.integrity_check)

    async def take_problems(self) -> list[ReadProblem]:
        """Stored values read with a fix-up since the last call (bad bytes, bad dates)."""
        return await self.run(self.sync.take_problems)

    create_session = _bind(sessions.create_session)
    get_session = _bind(sessions.get_session)
    resolve_session_id = _bind(sessions.resolve_session_id)
    list_sessions = _bind(sessions.list_sessions)
    update_session = _bind(sessions.update_session)
    rename_session = _bind(sessions.rename_session)
    trash_session = _bind(sessions.trash_session)
    restore_session = _bind(sessions.restore_session)
    purge_trash = _bind(sessions.purge_trash)
    get_message = _bind(sessions.get_message)
    session_messages = _bind(sessions.session_messages)
    add_message = _bind(sessions.add_message)
    add_user_message = _bind(sessions.add_user_message)
    edit_message = _bind(sessions.edit_message)
    siblings = _bind(sessions.siblings)
    children = _bind(sessions.children)
    set_active = _bind(sessions.set_active)
    switch_sibling = _bind(sessions.switch_sibling)
    path_to_leaf = _bind(sessions.path_to_leaf)
    active_path = _bind(sessions.active_path)
    rate_message = _bind(sessions.rate_message)
    chat_messages = _bind(sessions.chat_messages)
    search = _bind(search_module.search)
    export_json = _bind(export.export_json)
    export_markdown = _bind(export.export_markdown)
    import_json = _bind(export.import_json)
    add_note = _bind(memory.add_note)
    list_notes = _bind(memory.list_notes)
    update_note = _bind(memory.update_note)
    delete_note = _bind(memory.delete_note)
    memory_prompt = _bind(memory.memory_prompt)
    add_tool_run = _bind(audit.add_tool_run)
    tool_runs = _bind(audit.tool_runs)
    create_plan = _bind(plans.create_plan)
    get_plan = _bind(plans.get_plan)
    resolve_plan_id = _bind(plans.resolve_plan_id)
    list_plans = _bind(plans.list_plans)
    update_plan = _bind(plans.update_plan)
    update_plan_task = _bind(plans.update_plan_task)
    reset_plan_tasks = _bind(plans.reset_plan_tasks)
    replace_plan_tasks = _bind(plans.replace_plan_tasks)
    request_plan_cancel = _bind(plans.request_plan_cancel)
    plan_cancel_requests = _bind(plans.plan_cancel_requests)
    plan_log = _bind(plans.plan_log)
    start_plan_task = _bind(plans.start_plan_task)
    session_outcome = _bind(plans.session_outcome)
    plan_usage = _bind(plans.plan_usage)
    interrupt_task_answers = _bind(plans.interrupt_task_answers)

    async def begin_answer(self, session_id: str, **options: Any) -> AsyncAnswerWriter:
        """Start a streaming answer (options as `streaming.begin_answer`)."""
        writer = await self.run(
            functools.partial(streaming.begin_answer, self.sync.conn, session_id, **options)
        )
        return AsyncAnswerWriter(self, writer)

    async def regenerate(self, answer_id: str, **options: Any) -> AsyncAnswerWriter:
        """Start a new answer as a sibling of ``answer_id``."""
        writer = await self.run(
            functools.partial(streaming.regenerate, self.sync.conn, answer_id, **options)
        )
        return AsyncAnswerWriter(self, writer)

    async def continue_answer(self, answer_id: str) -> AsyncAnswerWriter:
        """Reopen a stopped answer to append to it."""
        writer = await self.run(
            functools.partial(streaming.continue_answer, self.sync.conn, answer_id)
        )
        return AsyncAnswerWriter(self, writer)


class AsyncAnswerWriter:
    """Durable streaming from the event loop: `append` never blocks.

    Text is buffered and written on the store thread within ``flush_interval`` seconds of
    arriving, so a killed process loses at most the last batch.
    """

    def __init__(self, store: Store, writer: streaming.AnswerWriter) -> None:
        self._store = store
        self._writer = writer
        self.message_id = writer.message_id
        self.flush_interval = writer.flush_interval
        self._pending: list[str] = []
        self._timer: asyncio.TimerHandle | None = None
        self._last: asyncio.Future[Any] | None = None
        self._error: BaseException | None = None
        self._closed = False

    def append(self, delta: str) -> None:
        """Add streamed text; it is written within ``flush_interval`` seconds.

        Raises the `StoreError` of a write that failed (a full disk...): the answer is
        kept as far as it was saved, and the turn should stop and say why.
        """
        if self._closed:
            raise StoreError("This answer is already finished.")
        if isinstance(self._error, StoreError):
            raise self._error
        if not delta:
            return
        self._pending.append(delta)
        if self._timer is None:
            loop = asyncio.get_running_loop()
            self._timer = loop.call_later(self.flush_interval, self._flush_now)

    def _flush_now(self) -> asyncio.Future[Any] | None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if not self._pending:
            return self._last
        text = "".join(self._pending)
        self._pending.clear()

        def write() -> None:
            self._writer.buffer(text)
            self._writer.flush()

        future = self._store.submit(write)
        future.add_done_callback(self._remember_error)
        self._last = future
        return future

    def _remember_error(self, future: asyncio.Future[Any]) -> None:
        if not future.cancelled() and future.exception() is not None:
            self._error = future.exception()
            log.error("could not save streamed text: %s", self._error)

    async def flush(self) -> None:
        """Write everything received so far, now."""
        future = self._flush_now()
        if future is not None:
            await future

    async def _close(self, finish: Callable[[streaming.AnswerWriter], Message]) -> Message:
        if self._closed:
            raise StoreError("This answer is already finished.")
        self._closed = True
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        text = "".join(self._pending)
        self._pending.clear()

        def close() -> Message:
            self._writer.buffer(text)
            return finish(self._writer)

        return await self._store.run(close)

    async def finish(
        self, stats: AnswerStats | None = None, tool_calls: tuple[ToolCall, ...] = ()
    ) -> Message:
        """The answer ended normally; store the text and its stats."""
        return await self._close(lambda writer: writer.finish(stats, tool_calls))

    async def fail(self, error_text: str, stats: AnswerStats | None = None) -> Message:
        """The answer failed; keep the partial text with the error."""
        return await self._close(lambda writer: writer.fail(error_text, stats))

    async def cancel(self) -> Message:
        """The user stopped the answer; keep the partial text."""
        return await self._close(lambda writer: writer.cancel())
