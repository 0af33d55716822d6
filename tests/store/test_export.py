"""Export to Markdown and JSON; import that changes nothing unless the whole file is sound."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from codeface.core.errors import StoreError
from codeface.core.events import AnswerStats
from codeface.core.messages import ToolCall
from codeface.store import export, sessions, streaming
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
