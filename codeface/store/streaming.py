"""Durable streaming: an answer is written while it streams, in small batches.

`AnswerWriter` keeps the newest text in memory and appends it to the message row at most
every `FLUSH_INTERVAL` seconds (or on demand), so a ``kill -9`` loses at most the last
batch. Until it ends, the row's status is ``streaming``; when the store is next opened,
rows still ``streaming`` become ``interrupted`` (see `sessions.mark_interrupted`) and
keep their partial text, ready to be continued or regenerated.

When a write fails (a full disk, an I/O error, a lock held too long), what was saved
stays saved: the text not yet written is kept in memory for the next attempt, and the
`StoreError` says how much of the answer is stored and what to do.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable

from codeface.core.errors import StoreError
from codeface.core.events import AnswerStats
from codeface.core.messages import ToolCall
from codeface.store.models import Message, tool_calls_to_json
from codeface.store.sessions import (
    ACTIVE,
    _Active,
    add_message,
    ensure_not_trashed,
    get_message,
    get_session,
)
from codeface.store.tx import transaction

FLUSH_INTERVAL = 0.25


class AnswerWriter:
    """Writes one streaming answer into its message row (synchronous, one thread)."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        message_id: str,
        *,
        flush_interval: float = FLUSH_INTERVAL,
        clock: Callable[[], float] = time.monotonic,
        saved: int = 0,
    ) -> None:
        self._conn = conn
        self.message_id = message_id
        self.saved = saved  # characters of the answer already in the database
        self.flush_interval = flush_interval
        self._clock = clock
        self._pending: list[str] = []
        self._last_flush = clock()
        self._closed = False
        self.flushes = 0

    @property
    def pending_text(self) -> str:
        """Text received but not yet written."""
        return "".join(self._pending)

    def append(self, delta: str) -> None:
        """Add streamed text; writes it when the last write is ``flush_interval`` old."""
        if self._closed:
            raise StoreError("This answer is already finished.")
        if delta:
            self._pending.append(delta)
        if self._clock() - self._last_flush >= self.flush_interval:
            self.flush()

    def buffer(self, text: str) -> None:
        """Add text to the pending batch without considering a write."""
        if self._closed:
            raise StoreError("This answer is already finished.")
        if text:
            self._pending.append(text)

    def flush(self) -> None:
        """Write the pending text now (`StoreError` if it cannot be; the text is kept)."""
        self._last_flush = self._clock()
        if not self._pending:
            return
        text = "".join(self._pending)
        self._pending.clear()
        try:
            self._conn.execute(
                "UPDATE messages SET content = content || ? WHERE id = ?", (text, self.message_id)
            )
        except StoreError as error:
            self._pending.insert(0, text)
            raise self._not_saved(error) from error
        self.saved += len(text)
        self.flushes += 1

    def _not_saved(self, error: StoreError) -> StoreError:
        kept = (
            f"The answer could not be saved beyond its first {self.saved:,} characters, "
            "which are kept."
            if self.saved
            else "None of the answer could be saved."
        )
        return StoreError(
            f"{kept} {error.user_message}", retryable=error.retryable, hint=error.hint
        )

    def _close(self, status: str, columns: dict[str, object]) -> Message:
        if self._closed:
            raise StoreError("This answer is already finished.")
        text = "".join(self._pending)
        assignments = ", ".join(f"{name} = ?" for name in columns)
        try:
            with transaction(self._conn):
                self._conn.execute(
                    f"UPDATE messages SET content = content || ?, status = ?, {assignments} "
                    "WHERE id = ?",
                    (text, status, *columns.values(), self.message_id),
                )
        except StoreError as error:
            # Still "streaming" in the file: the next start marks it interrupted, text kept.
            raise self._not_saved(error) from error
        self._pending.clear()
        self._closed = True
        self.saved += len(text)
        return get_message(self._conn, self.message_id)

    def finish(
        self, stats: AnswerStats | None = None, tool_calls: tuple[ToolCall, ...] = ()
    ) -> Message:
        """The answer ended normally; store its stats (finish reason, tokens, cost...)."""
        columns: dict[str, object] = {"finish_reason": "stop"}
        if stats is not None:
            columns = {
                "provider": stats.provider,
                "model": stats.model,
                "host": stats.host,
                "input_tokens": stats.input_tokens,
                "output_tokens": stats.output_tokens,
                "ttft": stats.time_to_first_token,
                "tokens_per_second": stats.tokens_per_second,
                "cost_usd": stats.cost_usd,
                "finish_reason": stats.finish_reason,
                "error_text": stats.error,
            }
        if tool_calls:
            columns["tool_calls"] = tool_calls_to_json(tool_calls)
        status = "complete"
        if columns["finish_reason"] in ("error", "cancelled", "interrupted"):
            status = str(columns["finish_reason"])
        return self._close(status, columns)

    def fail(self, error_text: str, stats: AnswerStats | None = None) -> Message:
        """The answer failed; the partial text is kept with the error."""
        columns: dict[str, object] = {"finish_reason": "error", "error_text": error_text}
        if stats is not None:
            columns.update(input_tokens=stats.input_tokens, output_tokens=stats.output_tokens)
        return self._close("error", columns)

    def cancel(self) -> Message:
        """The user stopped the answer; the partial text is kept."""
        return self._close("cancelled", {"finish_reason": "cancelled"})


def begin_answer(
    conn: sqlite3.Connection,
    session_id: str,
    *,
    parent_id: str | _Active | None = ACTIVE,
    provider: str | None = None,
    model: str | None = None,
    host: str | None = None,
    flush_interval: float = FLUSH_INTERVAL,
) -> AnswerWriter:
    """Create a ``streaming`` assistant message and a writer for it."""
    message = add_message(
        conn,
        session_id,
        "assistant",
        "",
        parent_id=parent_id,
        status="streaming",
        provider=provider,
        model=model,
        host=host,
    )
    return AnswerWriter(conn, message.id, flush_interval=flush_interval)


def regenerate(
    conn: sqlite3.Connection,
    answer_id: str,
    *,
    provider: str | None = None,
    model: str | None = None,
    host: str | None = None,
    flush_interval: float = FLUSH_INTERVAL,
) -> AnswerWriter:
    """A new answer to the same prompt, as a sibling of ``answer_id``."""
    answer = get_message(conn, answer_id)
    if answer.role != "assistant":
        raise StoreError("Only an answer can be regenerated; edit a prompt instead.")
    return begin_answer(
        conn,
        answer.session_id,
        parent_id=answer.parent_id,
        provider=provider or answer.provider,
        model=model or answer.model,
        host=host or answer.host,
        flush_interval=flush_interval,
    )


def continue_answer(
    conn: sqlite3.Connection, answer_id: str, *, flush_interval: float = FLUSH_INTERVAL
) -> AnswerWriter:
    """Reopen an interrupted (or cancelled/failed) answer to append more text to it."""
    answer = get_message(conn, answer_id)
    if answer.role != "assistant" or answer.status == "streaming":
        raise StoreError("Only a stopped answer can be continued.")
    ensure_not_trashed(get_session(conn, answer.session_id))
    with transaction(conn):
        conn.execute(
            "UPDATE messages SET status = 'streaming', finish_reason = NULL, error_text = NULL "
            "WHERE id = ?",
            (answer_id,),
        )
        conn.execute(
            "UPDATE sessions SET active_leaf_id = ? WHERE id = ?", (answer_id, answer.session_id)
        )
    return AnswerWriter(conn, answer_id, flush_interval=flush_interval, saved=len(answer.content))
