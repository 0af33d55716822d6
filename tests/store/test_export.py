"""Export to Markdown and JSON; import that changes nothing unless the whole file is sound."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from codeface.core.errors import StoreError
from codeface.core.events import AnswerStats
from codeface.core.messages import ToolCall
from codeface.store import export, search, sessions, streaming
from codeface.store.db import open_database


def _fill(conn: sqlite3.Connection) -> list[str]:
    first = sessions.create_session(
        conn, project="/src/app", role="coder", system_prompt="Be brief."
    )
    prompt = sessions.add_user_message(conn, first.id, "Sum a list — in Python 🐍")
    writer = streaming.begin_answer(conn, first.id, provider="ollama", model="qwen")
    writer.append("sum(xs)")
    stats = AnswerStats("ollama", "qwen", "127.0.0.1:11434", 12, 3, 0.25, 40.0, 0.0, "stop")
    answer = writer.finish(stats)
    sessions.rate_message(conn, answer.id, 1)
    other = streaming.regenerate(conn, answer.id)
    other.append("functools.reduce(operator.add, xs)")
    other.fail("stream dropped")
    sessions.edit_message(conn, prompt.id, "Sum a list in Rust")
    tool = streaming.begin_answer(conn, first.id)
    tool.finish(tool_calls=(ToolCall("c1", "run", {"cmd": ["cargo", "test"], "n": 1.5}),))
    sessions.add_message(conn, first.id, "tool", "ok", tool_call_id="c1", tool_name="run")
    sessions.set_active(conn, answer.id)
    second = sessions.create_session(conn, title="Second")
    sessions.update_session(conn, second.id, pinned=True, archived=True)
    return [first.id, second.id]


def _fresh(tmp_path: Path, name: str) -> sqlite3.Connection:
    return open_database(tmp_path / name / "codeface.db").conn


def test_export_import_export_is_byte_identical(conn: sqlite3.Connection, tmp_path: Path) -> None:
    ids = _fill(conn)
    exported = export.export_json(conn)
    document = json.loads(exported)
    assert [s["id"] for s in document["sessions"]] == ids
    first = document["sessions"][0]
    assert len(first["messages"]) == 6  # every branch
    statuses = {m["status"] for m in first["messages"]}
    assert statuses == {"complete", "error"}
    answer = next(m for m in first["messages"] if m["rating"] == 1)
    assert (answer["input_tokens"], answer["output_tokens"], answer["ttft"]) == (12, 3, 0.25)

    other = _fresh(tmp_path, "other")
    result = export.import_json(other, exported)
    assert result.imported == ids
    assert result.skipped == []
    assert export.export_json(other) == exported
    assert export.export_json(other, [ids[0]]) == export.export_json(conn, [ids[0]])
    again = export.import_json(other, exported)  # already there: skipped, nothing changed
    assert again.skipped == ids
    assert export.export_json(other) == exported
    assert sessions.get_session(other, ids[0]).title == "Sum a list — in Python 🐍"


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d.update(format="chatgpt"), "not a CodeFace sessions export"),
        (lambda d: d.update(version=99), "newer CodeFace"),
        (lambda d: d["sessions"][1].pop("title"), r"sessions\[1\] is missing title"),
        (lambda d: d["sessions"][0]["messages"][2].update(role="robot"), "role is 'robot'"),
        (lambda d: d["sessions"][0]["messages"][1].update(parent_id="nope"), "parent_id"),
        (lambda d: d["sessions"][0]["messages"][0].update(created_at="today"), "wrong type"),
        (lambda d: d["sessions"][0].update(active_leaf_id="ghost"), "active_leaf_id"),
        (lambda d: d["sessions"][1].update(id=d["sessions"][0]["id"]), "repeated"),
    ],
)
def test_broken_imports_change_nothing_and_say_what_is_wrong(
    conn: sqlite3.Connection, tmp_path: Path, mutate: object, message: str
) -> None:
    _fill(conn)
    document = json.loads(export.export_json(conn))
    mutate(document)  # type: ignore[operator]
    target = _fresh(tmp_path, "target")
    sessions.create_session(target, title="already here")
    before = export.export_json(target)
    with pytest.raises(StoreError, match=message):
        export.import_json(target, json.dumps(document))
    assert export.export_json(target) == before


def test_non_json_and_half_valid_files_change_nothing(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    ids = _fill(conn)
    target = _fresh(tmp_path, "target")
    with pytest.raises(StoreError, match="not valid JSON"):
        export.import_json(target, '{"format": ')
    # the first session is fine, the second clashes with a message already stored
    document = json.loads(export.export_json(conn))
    document["sessions"][1]["messages"] = [dict(document["sessions"][0]["messages"][0])]
    document["sessions"][1]["messages"][0]["id"] = "taken"
    document["sessions"][1]["active_leaf_id"] = None
    taken = sessions.create_session(target)
    target.execute(
        "INSERT INTO messages (id, session_id, role, created_at) VALUES ('taken', ?, 'user', 0)",
        (taken.id,),
    )
    with pytest.raises(StoreError, match="already exists"):
        export.import_json(target, json.dumps(document))
    assert [s.id for s in sessions.list_sessions(target)] == [taken.id]
    assert ids[0] not in {s.id for s in sessions.list_sessions(target)}


def test_markdown_shows_the_active_branch_with_stats(conn: sqlite3.Connection) -> None:
    first, _ = _fill(conn)
    text = export.export_markdown(conn, [first])
    assert text.startswith("# Sum a list — in Python 🐍\n")
    assert "- Project: /src/app" in text
    assert "## System\n\nBe brief." in text
    assert "## User\n\nSum a list — in Python 🐍" in text
    assert "## Assistant · qwen · ollama · 12 in · 3 out · $0.0000\n\nsum(xs)" in text
    assert "Sum a list in Rust" not in text
    assert "Other branches: 4 messages" in text
    everything = export.export_markdown(conn)
    assert everything.count("\n---\n") == 1
    assert "# Second" in everything


def _first_message(document: dict[str, Any]) -> dict[str, Any]:
    return document["sessions"][0]["messages"][0]  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (
            lambda d: _first_message(d).update(input_tokens=2**64),
            r"messages\[0\]\.input_tokens is 18446744073709551616, beyond the 64-bit",
        ),
        (
            lambda d: _first_message(d).update(rating=-(2**70)),
            r"messages\[0\]\.rating is -1180591620717411303424, beyond the 64-bit",
        ),
        (
            lambda d: _first_message(d).update(content="lone \ud800 half"),
            r"messages\[0\]\.content holds text that is not valid Unicode",
        ),
        (
            lambda d: d["sessions"][1].update(title="\udfff"),
            r"sessions\[1\]\.title holds text that is not valid Unicode",
        ),
        (lambda d: _first_message(d).update(ttft=float("nan")), r"\.ttft is nan; numbers must be"),
        (lambda d: _first_message(d).update(cost_usd=float("inf")), r"\.cost_usd is inf"),
        (
            lambda d: d["sessions"][0].update(created_at=1e300),
            r"sessions\[0\]\.created_at is 1e\+300, not a time between 1970 and 3000",
        ),
        (
            lambda d: _first_message(d).update(created_at=-5),
            r"messages\[0\]\.created_at is -5, not a time",
        ),
        (lambda d: _first_message(d).update(rating=5), r"rating is 5, not one of"),
        (
            lambda d: d["sessions"][0]["messages"][4]["tool_calls"][0].update(
                arguments={"cmd": ["ok", "bad \udc80"]}
            ),
            r"tool_calls\[0\]\.arguments\.cmd\[1\] holds text that is not valid Unicode",
        ),
        (
            lambda d: d["sessions"][0]["messages"][4]["tool_calls"][0].update(arguments=[1]),
            r"tool_calls\[0\]\.arguments must be an object",
        ),
    ],
)
def test_values_a_database_cannot_hold_are_refused_naming_the_field(
    conn: sqlite3.Connection, tmp_path: Path, mutate: object, message: str
) -> None:
    _fill(conn)
    document = json.loads(export.export_json(conn))
    mutate(document)  # type: ignore[operator]
    text = json.dumps(document)  # NaN, Infinity and \ud800 escapes, as a hostile file has
    target = _fresh(tmp_path, "target")
    with pytest.raises(StoreError, match=message):
        export.import_json(target, text)
    assert sessions.list_sessions(target) == []


def test_a_file_nested_too_deeply_is_refused(tmp_path: Path) -> None:
    target = _fresh(tmp_path, "target")
    with pytest.raises(StoreError, match="nests lists or objects too deeply"):
        export.import_json(target, "[" * 200_000 + "]" * 200_000)


def test_a_large_import_goes_in_whole(conn: sqlite3.Connection, tmp_path: Path) -> None:
    session = sessions.create_session(conn, title="long")
    for index in range(700):  # more message ids than one query may name
        sessions.add_user_message(conn, session.id, f"message {index}")
    exported = export.export_json(conn)
    target = _fresh(tmp_path, "target")
    assert export.import_json(target, exported).imported == [session.id]
    assert export.export_json(target) == exported
    assert [hit.session_id for hit in search.search(target, "message 699")] == [session.id]
    document = json.loads(exported)
    document["sessions"][0]["id"] = "another"
    with pytest.raises(StoreError, match="already exists in another session"):
        export.import_json(target, json.dumps(document))
