"""The async `Store`: database work off the caller's thread, durable async streaming."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path

import pytest

from codeface.core.errors import StoreError
from codeface.core.events import AnswerStats
from codeface.core.messages import ChatMessage
from codeface.store import Store, SyncStore, sessions


@pytest.mark.asyncio
async def test_store_runs_sqlite_on_its_own_thread(codeface_home: Path) -> None:
    store = await Store.open()
    try:
        caller = threading.get_ident()
        worker = await store.run(threading.get_ident)
        assert worker != caller
        session = await store.create_session(project="/src/app")
        await store.add_user_message(session.id, "hello there")
        assert (await store.get_session(session.id)).title == "hello there"
        assert await store.chat_messages(session.id) == (ChatMessage("user", "hello there"),)
        hits = await store.search("hello")
        assert {hit.kind for hit in hits} == {"message", "title"}
        assert "hello there" in await store.export_markdown([session.id])
        note = await store.add_note("/src/app", "Use tabs.")
        assert await store.list_notes("/src/app") == [note]
        assert await store.integrity_check() == "ok"
    finally:
        await store.close()


async def _content_becomes(path: Path, message_id: str, expected: str) -> None:
    """Poll the file from a second connection until the text is there (as a crash would see)."""
    reader = sqlite3.connect(path)
    try:
        while True:
            row = reader.execute("SELECT content FROM messages WHERE id = ?", (message_id,))
            if row.fetchone()[0] == expected:
                return
            await asyncio.sleep(0.005)
    finally:
        reader.close()


@pytest.mark.asyncio
async def test_async_writer_saves_text_within_the_interval_without_blocking(
    codeface_home: Path,
) -> None:
    store = await Store.open()
    try:
        session = await store.create_session()
        await store.add_user_message(session.id, "count")
        writer = await store.begin_answer(session.id, provider="ollama", model="qwen")
        writer.flush_interval = 0.05
        for word in ("one ", "two ", "three"):
            writer.append(word)  # returns at once: no await, no database work here
        await asyncio.wait_for(_content_becomes(store.path, writer.message_id, "one two three"), 5)
        writer.append(" four")
        await writer.flush()
        await _content_becomes(store.path, writer.message_id, "one two three four")
        stats = AnswerStats("ollama", "qwen", "h", 5, 4, 0.1, 20.0, None, "length")
        done = await writer.finish(stats)
        assert (done.status, done.finish_reason, done.output_tokens) == ("complete", "length", 4)

        again = await store.regenerate(done.id)
        again.append("partial")
        cancelled = await again.cancel()
        assert (cancelled.content, cancelled.status) == ("partial", "cancelled")
        resumed = await store.continue_answer(cancelled.id)
        resumed.append(" and more")
        failed = await resumed.fail("boom")
        assert (failed.content, failed.error_text) == ("partial and more", "boom")
        siblings = await store.siblings(done.id)
        assert [m.id for m in siblings] == [done.id, failed.id]
    finally:
        await store.close()


def test_store_reports_answers_interrupted_by_a_crash(codeface_home: Path) -> None:
    first = SyncStore()
    session = sessions.create_session(first.conn)
    first.conn.execute(
        "INSERT INTO messages (id, session_id, role, content, status, created_at) "
        "VALUES ('m1', ?, 'assistant', 'half', 'streaming', 0)",
        (session.id,),
    )
    first.conn.close()
    first.marker.release()  # as the OS does for a process that died

    async def reopen() -> int:
        store = await Store.open()
        try:
            assert (await store.get_message("m1")).status == "interrupted"
            return store.interrupted
        finally:
            await store.close()

    assert asyncio.run(reopen()) == 1


@pytest.mark.asyncio
async def test_the_async_store_refuses_to_answer_into_the_trash(codeface_home: Path) -> None:
    store = await Store.open()
    try:
        session = await store.create_session()
        await store.add_user_message(session.id, "hello")
        await store.trash_session(session.id)
        with pytest.raises(StoreError, match="is in the trash"):
            await store.begin_answer(session.id)
        assert [m.role for m in await store.session_messages(session.id)] == ["user"]
    finally:
        await store.close()
