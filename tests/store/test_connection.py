"""One bad value never makes the rest unreadable: bytes that are not UTF-8, a date out of
range, a blob where text belongs, tool calls that are not JSON. Each is read with a fix-up
(U+FFFD, 1970-01-01, no tool calls), the rest reads as stored, and the problem is
reported once through `take_problems`. The bad values are written the way they reach a
real database: raw SQL, as another tool or an older CodeFace would have left them.
"""

from __future__ import annotations

import json
import sqlite3

from codeface.store import SyncStore, export, memory, search, sessions, streaming
from tests.store.fts_check import index_mismatches

BAD_BYTES = "Sum the list: caf\xc3\xa9 \xff\xfe then print it".encode("latin-1")


def _conversation(conn: sqlite3.Connection) -> tuple[str, str, str]:
    session = sessions.create_session(conn, title="Sums")
    prompt = sessions.add_user_message(conn, session.id, "how do I sum a list?")
    writer = streaming.begin_answer(conn, session.id)
    writer.append("Use sum(xs) then print it.")
    answer = writer.finish()
    return session.id, prompt.id, answer.id


def _store_bytes(conn: sqlite3.Connection, message_id: str, data: bytes) -> None:
    """Invalid UTF-8 stored as TEXT: SQLite never checks what it is given."""
    conn.execute("UPDATE messages SET content = CAST(? AS TEXT) WHERE id = ?", (data, message_id))


def test_invalid_utf8_in_a_message_is_replaced_and_reported(store: SyncStore) -> None:
    conn = store.conn
    session_id, _prompt, answer_id = _conversation(conn)
    _store_bytes(conn, answer_id, BAD_BYTES)
    assert store.integrity_check() == "ok"  # the file is sound; one value is not UTF-8

    answer = sessions.get_message(conn, answer_id)
    assert answer.content == "Sum the list: café \ufffd\ufffd then print it"
    assert [m.role for m in sessions.session_messages(conn, session_id)] == ["user", "assistant"]
    assert sessions.chat_messages(conn, session_id)[1].content == answer.content
    markdown = export.export_markdown(conn, [session_id])
    assert "café \ufffd\ufffd then print it" in markdown
    document = json.loads(export.export_json(conn))
    assert document["sessions"][0]["messages"][1]["content"] == answer.content
    # The index FTS5 built from those bytes through the trigger is unusable ("malformed");
    # search rebuilds it from the stored text and goes on.
    hits = search.search(conn, "cafe list")
    assert [hit.message_id for hit in hits] == [answer_id]
    assert hits[0].snippet.startswith("Sum the list: café \ufffd\ufffd")
    assert [hit.message_id for hit in search.search(conn, "print")] == [answer_id]
    assert index_mismatches(conn) == set()

    problems = [p.message() for p in store.take_problems()]
    assert any(answer_id in p and "not UTF-8" in p and "\ufffd" in p for p in problems)
    assert any(p.startswith("the search index: was damaged") for p in problems)
    assert store.take_problems() == []  # each is reported once


def test_text_stays_exact_when_nothing_is_wrong(store: SyncStore) -> None:
    session_id, _prompt, _answer = _conversation(store.conn)
    sessions.add_user_message(store.conn, session_id, "emoji 🐍 and \ufffd typed by the user")
    texts = [m.content for m in sessions.session_messages(store.conn, session_id)]
    assert texts[-1] == "emoji 🐍 and \ufffd typed by the user"
    assert store.take_problems() == []


def test_a_session_with_a_date_out_of_range_still_lists_and_exports(store: SyncStore) -> None:
    conn = store.conn
    good, _prompt, _answer = _conversation(conn)
    bad = sessions.create_session(conn, title="from an old import")
    sessions.add_user_message(conn, bad.id, "hello")
    conn.execute("UPDATE sessions SET created_at = 1e300 WHERE id = ?", (bad.id,))
    conn.execute("UPDATE messages SET created_at = -1e300 WHERE session_id = ?", (bad.id,))

    listed = {session.id: session for session in sessions.list_sessions(conn)}
    assert set(listed) == {good, bad.id}
    assert listed[bad.id].created_at == 0.0
    assert listed[good].created_at > 1e9  # the rest as stored
    assert sessions.session_messages(conn, bad.id)[0].created_at == 0.0
    assert "# from an old import" in export.export_markdown(conn)
    assert len(json.loads(export.export_json(conn))["sessions"]) == 2
    assert {hit.session_id for hit in search.search(conn, "hello")} == {bad.id}

    problems = [p.message() for p in store.take_problems()]
    assert any(bad.id in p and "created_at 1e+300" in p and "1970-01-01" in p for p in problems)
    assert any("created_at -1e+300" in p for p in problems)


def test_a_blob_and_broken_tool_calls_do_not_stop_a_session(store: SyncStore) -> None:
    conn = store.conn
    session_id, prompt_id, answer_id = _conversation(conn)
    conn.execute("UPDATE messages SET content = ? WHERE id = ?", (b"raw \x00 bytes", prompt_id))
    conn.execute("UPDATE messages SET tool_calls = '[{\"id\": 1' WHERE id = ?", (answer_id,))
    messages = sessions.session_messages(conn, session_id)
    assert messages[0].content == "raw \x00 bytes"
    assert messages[1].tool_calls == ()
    problems = [p.message() for p in store.take_problems()]
    assert any(prompt_id in p and "bytes, not text" in p for p in problems)
    assert any(answer_id in p and "tool calls cannot be read" in p for p in problems)


def test_invalid_utf8_in_a_title_and_a_note(store: SyncStore) -> None:
    conn = store.conn
    session_id, _prompt, _answer = _conversation(conn)
    conn.execute(
        "UPDATE sessions SET title = CAST(? AS TEXT) WHERE id = ?", (b"Sums \xff", session_id)
    )
    note = memory.add_note(conn, "/src/app", "Use tabs.")
    conn.execute(
        "UPDATE project_notes SET text = CAST(? AS TEXT) WHERE id = ?", (b"tabs \xfe", note.id)
    )
    assert [s.title for s in sessions.list_sessions(conn)] == ["Sums \ufffd"]
    assert sessions.get_session(conn, session_id).title == "Sums \ufffd"
    assert [n.text for n in memory.list_notes(conn, "/src/app")] == ["tabs \ufffd"]
    assert "tabs \ufffd" in memory.memory_prompt(conn, "/src/app")
    assert len(store.take_problems()) >= 2
