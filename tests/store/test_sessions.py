"""Sessions and their message tree: titles, branches, the active leaf, the trash."""

from __future__ import annotations

import sqlite3
import time

import pytest

from codeface.core.errors import StoreError
from codeface.core.messages import ChatMessage, ToolCall
from codeface.store import sessions, streaming


def _answer(conn: sqlite3.Connection, session_id: str, text: str, **options: object) -> str:
    writer = streaming.begin_answer(conn, session_id, **options)  # type: ignore[arg-type]
    writer.append(text)
    return writer.finish().id


def test_title_comes_from_the_first_prompt_and_can_be_renamed(conn: sqlite3.Connection) -> None:
    session = sessions.create_session(conn, project="/work/app", model="qwen", policy="local-only")
    assert session.title == ""
    sessions.add_user_message(conn, session.id, "\n  Why does   my test\tfail?\nDetails...")
    sessions.add_user_message(conn, session.id, "A second prompt")
    assert sessions.get_session(conn, session.id).title == "Why does my test fail?"
    renamed = sessions.rename_session(conn, session.id, "Flaky test")
    assert renamed.title == "Flaky test"
    other = sessions.create_session(conn)
    sessions.add_user_message(conn, other.id, "word " * 40)
    title = sessions.get_session(conn, other.id).title
    assert len(title) == sessions.TITLE_LENGTH
    assert title.endswith("…")
    assert (renamed.project, renamed.model, renamed.policy) == ("/work/app", "qwen", "local-only")


def test_list_puts_pinned_first_then_recent_and_hides_the_trash(conn: sqlite3.Connection) -> None:
    old = sessions.create_session(conn, title="old")
    pinned = sessions.create_session(conn, title="pinned")
    new = sessions.create_session(conn, title="new")
    gone = sessions.create_session(conn, title="gone")
    sessions.update_session(conn, pinned.id, pinned=True)
    sessions.add_user_message(conn, new.id, "hello")
    sessions.update_session(conn, old.id, archived=True)
    sessions.trash_session(conn, gone.id)
    titles = [s.title for s in sessions.list_sessions(conn)]
    assert titles[0] == "pinned"
    assert set(titles) == {"pinned", "new", "old"}
    assert [s.title for s in sessions.list_sessions(conn, include_archived=False)] == [
        "pinned",
        "new",
    ]
    assert [s.title for s in sessions.list_sessions(conn, trashed=True)] == ["gone"]


def test_edit_and_regenerate_add_siblings_and_keep_every_branch(conn: sqlite3.Connection) -> None:
    session = sessions.create_session(conn)
    first = sessions.add_user_message(conn, session.id, "Write hello world")
    answer = _answer(conn, session.id, "print('hello world')", model="a")
    again = streaming.regenerate(conn, answer)
    again.append("puts 'hello world'")
    second_answer = again.finish().id
    assert [m.id for m in sessions.siblings(conn, answer)] == [answer, second_answer]
    assert sessions.get_message(conn, second_answer).model == "a"  # same model by default

    edited = sessions.edit_message(conn, first.id, "Write hello world in C")
    assert edited.parent_id is None
    assert [m.id for m in sessions.siblings(conn, first.id)] == [first.id, edited.id]
    edit_answer = _answer(conn, session.id, "#include <stdio.h>")
    path = [m.content for m in sessions.path_to_leaf(conn, session.id)]
    assert path == ["Write hello world in C", "#include <stdio.h>"]

    leaf = sessions.set_active(conn, first.id)  # back to the first prompt's newest answer
    assert leaf.id == second_answer
    points = sessions.active_path(conn, session.id)
    assert [(p.index, p.count) for p in points] == [(0, 2), (1, 2)]
    assert sessions.chat_messages(conn, session.id) == (
        ChatMessage("user", "Write hello world"),
        ChatMessage("assistant", "puts 'hello world'"),
    )
    assert sessions.switch_sibling(conn, first.id, +1).id == edit_answer
    assert sessions.switch_sibling(conn, edited.id, +5).id == edit_answer  # clamped
    assert sessions.switch_sibling(conn, edited.id, -1).id == second_answer
    sessions.set_active(conn, edit_answer)
    assert [p.message.id for p in sessions.active_path(conn, session.id)] == [
        edited.id,
        edit_answer,
    ]


def test_answers_keep_their_stats_rating_and_tool_calls(conn: sqlite3.Connection) -> None:
    from codeface.core.events import AnswerStats

    session = sessions.create_session(conn)
    sessions.add_user_message(conn, session.id, "read a.py")
    writer = streaming.begin_answer(conn, session.id, provider="anthropic", model="claude")
    writer.append("Let me look.")
    call = ToolCall("call_1", "read_file", {"path": "a.py", "lines": [1, 2]})
    stats = AnswerStats(
        provider="anthropic",
        model="claude",
        host="api.anthropic.com",
        input_tokens=120,
        output_tokens=30,
        time_to_first_token=0.42,
        tokens_per_second=55.5,
        cost_usd=0.0012,
        finish_reason="tool_calls",
    )
    answer = writer.finish(stats, (call,))
    result = sessions.add_message(
        conn, session.id, "tool", "print(1)", tool_call_id="call_1", tool_name="read_file"
    )
    assert answer.status == "complete"
    assert (answer.input_tokens, answer.output_tokens, answer.ttft) == (120, 30, 0.42)
    assert (answer.tokens_per_second, answer.cost_usd) == (55.5, 0.0012)
    assert answer.finish_reason == "tool_calls"
    assert answer.host == "api.anthropic.com"
    assert sessions.rate_message(conn, answer.id, -1).rating == -1
    assert sessions.rate_message(conn, answer.id, None).rating is None
    with pytest.raises(StoreError):
        sessions.rate_message(conn, answer.id, 5)
    assert sessions.chat_messages(conn, session.id)[1:] == (
        ChatMessage("assistant", "Let me look.", tool_calls=(call,)),
        ChatMessage("tool", "print(1)", tool_call_id="call_1", tool_name="read_file"),
    )
    assert result.parent_id == answer.id


def test_trash_restore_and_purge_after_thirty_days(conn: sqlite3.Connection) -> None:
    keep = sessions.create_session(conn, title="restored")
    old = sessions.create_session(conn, title="expired")
    sessions.add_user_message(conn, old.id, "bye")
    sessions.trash_session(conn, keep.id)
    sessions.trash_session(conn, old.id)
    assert sessions.restore_session(conn, keep.id).deleted_at is None
    with pytest.raises(StoreError, match="not in the trash"):
        sessions.restore_session(conn, keep.id)
    assert sessions.purge_trash(conn, now=time.time() + 29 * 86400) == 0
    assert sessions.purge_trash(conn, now=time.time() + 31 * 86400) == 1
    with pytest.raises(StoreError, match="No session"):
        sessions.get_session(conn, old.id)
    assert conn.execute("SELECT count(*) FROM messages").fetchone()[0] == 0
    assert [s.title for s in sessions.list_sessions(conn)] == ["restored"]


def test_session_ids_resolve_from_unique_prefixes(conn: sqlite3.Connection) -> None:
    session = sessions.create_session(conn)
    assert sessions.resolve_session_id(conn, session.id[:8]) == session.id
    with pytest.raises(StoreError, match="No session"):
        sessions.resolve_session_id(conn, "zzzz")


def test_nothing_is_added_to_a_session_in_the_trash(conn: sqlite3.Connection) -> None:
    session = sessions.create_session(conn)
    prompt = sessions.add_user_message(conn, session.id, "first question")
    answer = _answer(conn, session.id, "first answer")
    cancelled = streaming.begin_answer(conn, session.id)
    cancelled.append("stopped")
    stopped = cancelled.cancel()
    sessions.trash_session(conn, session.id)
    refusals = [
        lambda: sessions.add_user_message(conn, session.id, "more"),
        lambda: streaming.begin_answer(conn, session.id),
        lambda: sessions.edit_message(conn, prompt.id, "edited"),
        lambda: streaming.regenerate(conn, answer),
        lambda: streaming.continue_answer(conn, stopped.id),
    ]
    for refused in refusals:
        with pytest.raises(StoreError, match=f"Session {session.id} is in the trash") as caught:
            refused()
        assert caught.value.hint == f"Restore it with `codeface sessions restore {session.id}`."
    assert len(sessions.session_messages(conn, session.id)) == 3
    assert sessions.get_message(conn, stopped.id).status == "cancelled"
    sessions.restore_session(conn, session.id)
    assert sessions.add_user_message(conn, session.id, "more").content == "more"
