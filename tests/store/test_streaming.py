"""Durable streaming: batches, ending states, interrupted answers after a crash."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

from codeface.store import SyncStore, sessions, streaming


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _content(conn: sqlite3.Connection, message_id: str) -> str:
    return str(
        conn.execute("SELECT content FROM messages WHERE id = ?", (message_id,)).fetchone()[0]
    )


def test_text_is_written_in_batches_at_most_every_interval(conn: sqlite3.Connection) -> None:
    session = sessions.create_session(conn)
    message = streaming.begin_answer(conn, session.id)
    clock = FakeClock()
    writer = streaming.AnswerWriter(conn, message.message_id, clock=clock)
    for token in ("a", "b", "c"):
        writer.append(token)
        clock.now += 0.1
    assert _content(conn, writer.message_id) == ""  # 0.2 s: still one batch in memory
    writer.append("d")  # 0.3 s since the last write: the batch goes out
    assert _content(conn, writer.message_id) == "abcd"
    writer.append("e")
    assert writer.pending_text == "e"
    assert writer.flushes == 1
    done = writer.finish()
    assert (done.content, done.status, done.finish_reason) == ("abcde", "complete", "stop")


def test_failed_and_cancelled_answers_keep_partial_text(conn: sqlite3.Connection) -> None:
    session = sessions.create_session(conn)
    writer = streaming.begin_answer(conn, session.id)
    writer.append("half an ans")
    failed = writer.fail("Connection reset by peer")
    assert (failed.status, failed.content, failed.error_text) == (
        "error",
        "half an ans",
        "Connection reset by peer",
    )
    writer = streaming.regenerate(conn, failed.id)
    writer.append("stopped early")
    cancelled = writer.cancel()
    assert (cancelled.status, cancelled.finish_reason) == ("cancelled", "cancelled")


def test_streaming_answer_left_by_a_dead_process_reopens_as_interrupted(
    codeface_home: Path,
) -> None:
    store = SyncStore()
    session = sessions.create_session(store.conn)
    sessions.add_user_message(store.conn, session.id, "tell me a story")
    writer = streaming.begin_answer(store.conn, session.id, flush_interval=0)
    writer.append("Once upon")
    writer.append(" a time")  # written; the process "dies" without finish()
    store.conn.close()
    store.marker.release()  # as the OS does for a process that died

    reopened = SyncStore()
    assert reopened.interrupted == 1
    message = sessions.get_message(reopened.conn, writer.message_id)
    assert (message.status, message.finish_reason) == ("interrupted", "interrupted")
    assert message.content == "Once upon a time"

    more = streaming.continue_answer(reopened.conn, message.id)
    more.append(", there was a database.")
    done = more.finish()
    assert (done.status, done.content) == ("complete", "Once upon a time, there was a database.")
    regenerated = streaming.regenerate(reopened.conn, message.id)
    assert [m.id for m in sessions.siblings(reopened.conn, message.id)] == [
        message.id,
        regenerated.message_id,
    ]
    reopened.close()


def test_an_answer_another_process_is_streaming_is_left_alone(codeface_home: Path) -> None:
    # The window streams an answer while `codeface chat` opens the same database.
    window = SyncStore()
    session = sessions.create_session(window.conn)
    sessions.add_user_message(window.conn, session.id, "a long question")
    writer = streaming.begin_answer(window.conn, session.id, flush_interval=0)
    writer.append("Still being written")
    probe = (
        "from codeface.store import SyncStore\n"
        "with SyncStore() as cli:\n"
        "    print(cli.interrupted)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == "0"
    writer.append(", and finished.")
    done = writer.finish()
    assert (done.status, done.content) == ("complete", "Still being written, and finished.")
    window.close()
