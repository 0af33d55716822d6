"""Stored plans: the m003 migration on an existing database, tasks and their transitions,
cancel requests between processes, drafts that can be edited, and the history log."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from codeface.core.errors import StoreError
from codeface.store import SyncStore, migrations, sessions
from codeface.store import plans as stored
from codeface.store.models import PlanTaskRecord


def task(task_id: str, position: int, *deps: str, files: tuple[str, ...] = ()) -> PlanTaskRecord:
    return PlanTaskRecord(
        task_id, position, f"title {task_id}", "coder", f"brief {task_id}", files, deps
    )


def make_plan(conn: sqlite3.Connection, **options: str) -> str:
    record = stored.create_plan(
        conn,
        goal="add pagination",
        project="/projects/api",
        tasks=[task("t1", 0, files=("api.py",)), task("t2", 1, "t1")],
        **options,
    )
    return record.id


def test_plans_arrive_with_m003_on_a_database_from_before(codeface_home: Path) -> None:
    before = [(name, step) for name, step in migrations.MIGRATIONS if name != "m003_plans"]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(migrations, "MIGRATIONS", before)
        with SyncStore() as old:
            session = sessions.create_session(old.conn, title="kept")
            tables = {row[0] for row in old.conn.execute("SELECT name FROM sqlite_master")}
            assert "plans" not in tables

    with SyncStore() as store:
        assert store.backup is not None
        assert migrations.applied_migrations(store.conn)[-1] == "m003_plans"
        assert sessions.get_session(store.conn, session.id).title == "kept"
        plan_id = make_plan(store.conn)
        assert stored.get_plan(store.conn, plan_id).goal == "add pagination"


def test_a_plan_keeps_its_tasks_in_order_with_files_and_dependencies(
    conn: sqlite3.Connection,
) -> None:
    plan_id = make_plan(conn, options='{"model": "m"}')

    record = stored.get_plan(conn, plan_id)

    assert (record.status, record.failure_policy, record.options) == (
        "draft",
        "stop",
        '{"model": "m"}',
    )
    assert [(t.task_id, t.files, t.depends_on, t.status) for t in record.tasks] == [
        ("t1", ("api.py",), (), "queued"),
        ("t2", (), ("t1",), "queued"),
    ]
    assert stored.resolve_plan_id(conn, plan_id[:6]) == plan_id
    with pytest.raises(StoreError, match="No plan"):
        stored.resolve_plan_id(conn, "zz")


def test_each_transition_updates_the_task_and_the_log_together(conn: sqlite3.Connection) -> None:
    plan_id = make_plan(conn)

    stored.update_plan(conn, plan_id, status="running", started_at=10.0)
    stored.update_plan_task(conn, plan_id, "t1", status="running", attempts=1, log="started")
    stored.update_plan_task(
        conn, plan_id, "t1", status="retrying", error="HTTP 500", log="retrying", log_detail="500"
    )
    stored.update_plan_task(
        conn,
        plan_id,
        "t1",
        status="done",
        attempts=2,
        summary="Paginated.",
        changed_paths=("api.py",),
        input_tokens=10,
        output_tokens=5,
        cost_usd=0.25,
        log="done",
    )

    record = stored.get_plan(conn, plan_id)
    first = record.tasks[0]
    assert (first.status, first.attempts, first.summary, first.changed_paths) == (
        "done",
        2,
        "Paginated.",
        ("api.py",),
    )
    assert (first.input_tokens, first.output_tokens, first.cost_usd) == (10, 5, 0.25)
    log = [(e.task_id, e.kind, e.attempt, e.detail) for e in stored.plan_log(conn, plan_id)]
    assert log == [
        ("", "planned", 0, "2 tasks"),
        ("", "plan running", 0, ""),
        ("t1", "started", 1, ""),
        ("t1", "retrying", 1, "500"),
        ("t1", "done", 2, ""),
    ]
    with pytest.raises(StoreError, match="no task 't9'"):
        stored.update_plan_task(conn, plan_id, "t9", status="done")
    with pytest.raises(StoreError, match="Cannot change"):
        stored.update_plan_task(conn, plan_id, "t1", brief="sneaky")


def test_cancel_requests_reach_the_running_process_through_the_store(
    conn: sqlite3.Connection,
) -> None:
    plan_id = make_plan(conn)
    assert stored.plan_cancel_requests(conn, plan_id) == (False, ())

    stored.request_plan_cancel(conn, plan_id, "t2")
    assert stored.plan_cancel_requests(conn, plan_id) == (False, ("t2",))
    stored.request_plan_cancel(conn, plan_id)
    assert stored.plan_cancel_requests(conn, plan_id) == (True, ("t2",))

    stored.update_plan_task(conn, plan_id, "t2", status="cancelled")
    assert stored.plan_cancel_requests(conn, plan_id) == (True, ())
    stored.reset_plan_tasks(conn, plan_id, ["t2"])
    assert stored.get_plan(conn, plan_id).tasks[1].status == "queued"


def test_only_a_draft_can_be_edited(conn: sqlite3.Connection) -> None:
    plan_id = make_plan(conn)

    edited = stored.replace_plan_tasks(
        conn,
        plan_id,
        [task("t2", 0), task("t1", 1, "t2")],
        goal="changed",
        failure_policy="continue",
    )

    assert [t.task_id for t in edited.tasks] == ["t2", "t1"]
    assert (edited.goal, edited.failure_policy) == ("changed", "continue")
    stored.update_plan(conn, plan_id, status="running")
    with pytest.raises(StoreError, match="only a draft can be edited"):
        stored.replace_plan_tasks(conn, plan_id, [task("t1", 0)])


def test_deleting_a_plan_deletes_its_tasks_and_log(conn: sqlite3.Connection) -> None:
    keep = make_plan(conn)
    gone = make_plan(conn)

    conn.execute("DELETE FROM plans WHERE id = ?", (gone,))

    assert [p.id for p in stored.list_plans(conn)] == [keep]
    left = conn.execute("SELECT DISTINCT plan_id FROM plan_tasks").fetchall()
    assert [row[0] for row in left] == [keep]
    assert {e.plan_id for e in stored.plan_log(conn, gone)} == set()


def test_plans_are_listed_newest_first_and_by_project(conn: sqlite3.Connection) -> None:
    older = make_plan(conn)
    newer = stored.create_plan(conn, goal="other", project="/elsewhere", tasks=[task("a", 0)]).id
    stored.update_plan_task(conn, older, "t1", status="running")  # touches the plan

    assert [p.id for p in stored.list_plans(conn)] == [older, newer]
    assert [p.id for p in stored.list_plans(conn, project="/elsewhere")] == [newer]
    assert [p.id for p in stored.list_plans(conn, limit=1)] == [older]


def test_a_resumed_task_s_answer_left_streaming_is_marked_interrupted(
    conn: sqlite3.Connection,
) -> None:
    from codeface.store import streaming

    plan_id = make_plan(conn)
    mine = sessions.create_session(conn, title="t1's")
    other = sessions.create_session(conn, title="someone else's")
    stored.update_plan_task(conn, plan_id, "t1", session_id=mine.id)
    sessions.add_user_message(conn, mine.id, "brief")
    sessions.add_user_message(conn, other.id, "hello")
    cut = streaming.begin_answer(conn, mine.id)
    live = streaming.begin_answer(conn, other.id)
    cut.buffer("half an ans")
    cut.flush()

    assert stored.interrupt_task_answers(conn, plan_id, ["t1", "t2"]) == 1

    assert sessions.get_message(conn, cut.message_id).status == "interrupted"
    assert sessions.get_message(conn, cut.message_id).content == "half an ans"
    assert sessions.get_message(conn, live.message_id).status == "streaming"
