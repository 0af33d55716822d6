"""The audit trail keeps how long a person's "allow" held ("once" or for the session), and
a database from before the m004 step keeps its rows, which then read as plain "allowed"."""

from __future__ import annotations

from pathlib import Path

import pytest

from codeface.application.views import message_view
from codeface.store import SyncStore, migrations, sessions
from codeface.store.models import Message, ToolRun
from codeface.store.tool_runs import add_tool_run, tool_runs


def run(session_id: str, call_id: str, status: str = "ok", decision: str = "") -> ToolRun:
    return ToolRun(
        session_id=session_id,
        turn_id="turn",
        message_id="",
        call_id=call_id,
        tool="edit_file",
        arguments="{}",
        status=status,
        summary="changed calc.py" if status == "ok" else "denied by the user (not now)",
        approver="user",
        decided_at=1.0,
        duration=0.5,
        decision=decision,
    )


def approval_of(stored: ToolRun) -> tuple[str, str]:
    message = Message("m", "s", None, "tool", "", "complete", 1.0)
    view = message_view(message, run=stored)
    return view.approval, view.approval_reason


def test_a_decision_is_kept_and_read_back_as_the_live_turn_showed_it(
    codeface_home: Path,
) -> None:
    with SyncStore() as store:
        session = sessions.create_session(store.conn, title="agent")
        for call_id, status, decision in (
            ("c1", "ok", "once"),
            ("c2", "ok", "session"),
            ("c3", "denied", "deny"),
        ):
            add_tool_run(store.conn, run(session.id, call_id, status, decision))
        stored = tool_runs(store.conn, session.id)
    assert [r.decision for r in stored] == ["once", "session", "deny"]
    assert [approval_of(r) for r in stored] == [("once", ""), ("session", ""), ("deny", "not now")]


def test_rows_from_before_m004_are_kept_and_read_as_allowed(codeface_home: Path) -> None:
    before = [
        (name, step) for name, step in migrations.MIGRATIONS if name != "m004_tool_run_decisions"
    ]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(migrations, "MIGRATIONS", before)
        with SyncStore() as old:
            session = sessions.create_session(old.conn, title="kept")
            old.conn.execute(
                "INSERT INTO tool_runs (id, session_id, turn_id, call_id, tool, arguments, "
                "status, summary, approver, created_at) "
                "VALUES ('r1', ?, 't', 'c1', 'edit_file', '{}', 'ok', 'changed a.py', 'user', 1)",
                (session.id,),
            )

    with SyncStore() as store:
        assert store.backup is not None  # the step ran, after a backup
        assert migrations.applied_migrations(store.conn)[-1] == "m004_tool_run_decisions"
        [kept] = tool_runs(store.conn, session.id)
        assert (kept.summary, kept.decision) == ("changed a.py", "")
        assert approval_of(kept) == ("allowed", "")
        add_tool_run(store.conn, run(session.id, "c2", decision="session"))
        assert [r.decision for r in tool_runs(store.conn, session.id)] == ["", "session"]
