"""Stored plans: the plan, each task's state as it changes, and the log of transitions.

A plan is written when drafted; from then on every transition of a task (started,
retried, done, failed, cancelled) updates its row and adds a log entry in one
transaction, so a process killed at any moment leaves the plan exactly as far as it got.
Cancelling from another process sets ``cancel_requested``, which the running process reads.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Sequence
from typing import Any

from codeface.core.errors import StoreError
from codeface.store import sessions
from codeface.store.connection import reads_text
from codeface.store.models import PlanLogEntry, PlanRecord, PlanTaskRecord, new_id
from codeface.store.tx import transaction

_PLAN_COLUMNS = (
    "id, goal, project, status, failure_policy, options, created_at, updated_at, "
    "manager_session_id, started_at, finished_at, cancel_requested"
)
_TASK_COLUMNS = (
    "task_id, position, title, role, brief, files, depends_on, status, attempts, session_id, "
    "summary, changed_paths, error, model, input_tokens, output_tokens, cost_usd, started_at, "
    "finished_at, cancel_requested"
)
_PLAN_EDITABLE = frozenset(
    {"goal", "status", "failure_policy", "options", "started_at", "finished_at", "cancel_requested"}
)
_TASK_EDITABLE = frozenset(
    {
        "status",
        "attempts",
        "session_id",
        "summary",
        "changed_paths",
        "error",
        "model",
        "input_tokens",
        "output_tokens",
        "cost_usd",
        "started_at",
        "finished_at",
        "cancel_requested",
    }
)
_JSON_COLUMNS = frozenset({"files", "depends_on", "changed_paths"})


def _strings(text: object) -> tuple[str, ...]:
    try:
        value = json.loads(str(text or "[]"))
    except json.JSONDecodeError:
        return ()
    return tuple(str(item) for item in value) if isinstance(value, list) else ()


def _plan_from_row(row: sqlite3.Row, tasks: tuple[PlanTaskRecord, ...] = ()) -> PlanRecord:
    values = dict(row)
    values["cancel_requested"] = bool(values["cancel_requested"])
    values["options"] = str(values["options"] or "{}")
    return PlanRecord(**values, tasks=tasks)


def _task_from_row(row: sqlite3.Row) -> PlanTaskRecord:
    values = dict(row)
    for name in _JSON_COLUMNS:
        values[name] = _strings(values[name])
    values["cancel_requested"] = bool(values["cancel_requested"])
    for name in ("title", "summary", "error", "model"):
        values[name] = str(values[name] or "")
    values["input_tokens"] = int(values["input_tokens"] or 0)
    values["output_tokens"] = int(values["output_tokens"] or 0)
    values["attempts"] = int(values["attempts"] or 0)
    return PlanTaskRecord(**values)


def _task_values(plan_id: str, task: PlanTaskRecord, now: float) -> tuple[Any, ...]:
    return (
        plan_id,
        task.task_id,
        task.position,
        task.title,
        task.role,
        task.brief,
        json.dumps(list(task.files), ensure_ascii=False),
        json.dumps(list(task.depends_on), ensure_ascii=False),
        task.status,
        task.attempts,
        now,
    )


def _insert_tasks(
    conn: sqlite3.Connection, plan_id: str, tasks: Sequence[PlanTaskRecord], now: float
) -> None:
    conn.executemany(
        "INSERT INTO plan_tasks (plan_id, task_id, position, title, role, brief, files, "
        "depends_on, status, attempts, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [_task_values(plan_id, task, now) for task in tasks],
    )


def create_plan(
    conn: sqlite3.Connection,
    *,
    goal: str,
    project: str | None,
    tasks: Sequence[PlanTaskRecord],
    failure_policy: str = "stop",
    status: str = "draft",
    options: str = "{}",
    manager_session_id: str | None = None,
) -> PlanRecord:
    """Store a new plan with its tasks (in order); returns it."""
    plan_id = new_id()
    now = time.time()
    with transaction(conn):
        conn.execute(
            "INSERT INTO plans (id, goal, project, status, failure_policy, options, "
            "manager_session_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (plan_id, goal, project, status, failure_policy, options, manager_session_id, now, now),
        )
        _insert_tasks(conn, plan_id, tasks, now)
        _log(conn, plan_id, "", "planned", 0, f"{len(tasks)} tasks", now)
    return get_plan(conn, plan_id)


@reads_text(lambda plan_id: f"plan {plan_id}")
def get_plan(conn: sqlite3.Connection, plan_id: str) -> PlanRecord:
    """The plan with its tasks in order; `StoreError` when there is none."""
    row = conn.execute(f"SELECT {_PLAN_COLUMNS} FROM plans WHERE id = ?", (plan_id,)).fetchone()
    if row is None:
        raise StoreError(f"No plan {plan_id!r}.", hint="See `codeface plan list`.")
    tasks = conn.execute(
        f"SELECT {_TASK_COLUMNS} FROM plan_tasks WHERE plan_id = ? ORDER BY position, seq",
        (plan_id,),
    )
    return _plan_from_row(row, tuple(_task_from_row(task) for task in tasks))


def resolve_plan_id(conn: sqlite3.Connection, prefix: str) -> str:
    """The full id of the one plan whose id starts with ``prefix``."""
    rows = conn.execute(
        "SELECT id FROM plans WHERE id >= ? AND id < ? ORDER BY id LIMIT 2",
        (prefix, prefix + "\uffff"),
    ).fetchall()
    if len(rows) == 1 and prefix:
        return str(rows[0][0])
    if not rows or not prefix:
        raise StoreError(f"No plan {prefix!r}.", hint="See `codeface plan list`.")
    raise StoreError(f"More than one plan starts with {prefix!r}.", hint="Give more of the id.")


@reads_text(lambda **_: "the plan list")
def list_plans(
    conn: sqlite3.Connection, *, project: str | None = None, limit: int | None = None
) -> list[PlanRecord]:
    """Plans, most recently changed first, with their tasks."""
    sql = f"SELECT {_PLAN_COLUMNS} FROM plans"
    params: list[Any] = []
    if project is not None:
        sql += " WHERE project = ?"
        params.append(project)
    sql += " ORDER BY updated_at DESC, seq DESC"
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    plans = [_plan_from_row(row) for row in conn.execute(sql, params).fetchall()]
    return [get_plan(conn, plan.id) for plan in plans]


def _set(columns: dict[str, Any], allowed: frozenset[str]) -> tuple[str, list[Any]]:
    unknown = set(columns) - allowed
    if unknown:
        raise StoreError(f"Cannot change plan field(s): {', '.join(sorted(unknown))}")
    values = [
        json.dumps(list(value), ensure_ascii=False) if name in _JSON_COLUMNS else value
        for name, value in columns.items()
    ]
    return ", ".join(f"{name} = ?" for name in columns), values


def update_plan(conn: sqlite3.Connection, /, plan_id: str, **changes: Any) -> None:
    """Change the plan's status, options, times or cancel request."""
    assignments, values = _set(changes, _PLAN_EDITABLE)
    now = time.time()
    with transaction(conn):
        cursor = conn.execute(
            f"UPDATE plans SET {assignments}{', ' if assignments else ''}updated_at = ? "
            "WHERE id = ?",
            [*values, now, plan_id],
        )
        if cursor.rowcount == 0:
            raise StoreError(f"No plan {plan_id!r}.")
        if "status" in changes:
            _log(conn, plan_id, "", f"plan {changes['status']}", 0, "", now)


def _log(
    conn: sqlite3.Connection,
    plan_id: str,
    task_id: str,
    kind: str,
    attempt: int,
    detail: str,
    now: float,
) -> None:
    conn.execute(
        "INSERT INTO plan_log (plan_id, task_id, kind, attempt, detail, at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (plan_id, task_id, kind, attempt, detail, now),
    )


def update_plan_task(
    conn: sqlite3.Connection,
    /,
    plan_id: str,
    task_id: str,
    *,
    log: str = "",
    log_detail: str = "",
    **changes: Any,
) -> None:
    """Change one task's row; with ``log``, add that transition to the plan's log in the
    same transaction."""
    with transaction(conn):
        _update_task(conn, plan_id, task_id, log, log_detail, changes)


def _update_task(
    conn: sqlite3.Connection,
    plan_id: str,
    task_id: str,
    log: str,
    log_detail: str,
    changes: dict[str, Any],
) -> None:
    assignments, values = _set(changes, _TASK_EDITABLE)
    now = time.time()
    cursor = conn.execute(
        f"UPDATE plan_tasks SET {assignments}{', ' if assignments else ''}updated_at = ? "
        "WHERE plan_id = ? AND task_id = ?",
        [*values, now, plan_id, task_id],
    )
    if cursor.rowcount == 0:
        raise StoreError(f"Plan {plan_id!r} has no task {task_id!r}.")
    if log:
        attempt = changes.get("attempts")
        if attempt is None:
            attempt = conn.execute(
                "SELECT attempts FROM plan_tasks WHERE plan_id = ? AND task_id = ?",
                (plan_id, task_id),
            ).fetchone()[0]
        _log(conn, plan_id, task_id, log, int(attempt or 0), log_detail, now)
    conn.execute("UPDATE plans SET updated_at = ? WHERE id = ?", (now, plan_id))


def reset_plan_tasks(
    conn: sqlite3.Connection, plan_id: str, task_ids: Sequence[str], status: str = "queued"
) -> None:
    """Put tasks back in the queue (a resumed plan), in one transaction."""
    now = time.time()
    with transaction(conn):
        conn.executemany(
            "UPDATE plan_tasks SET status = ?, cancel_requested = 0, finished_at = NULL, "
            "updated_at = ? WHERE plan_id = ? AND task_id = ?",
            [(status, now, plan_id, task_id) for task_id in task_ids],
        )


def interrupt_task_answers(conn: sqlite3.Connection, plan_id: str, task_ids: Sequence[str]) -> int:
    """Answers of these tasks' sessions still marked streaming become interrupted.

    The store does this on open only when no other process has it open; a plan being
    resumed holds its lock, so no live process can be writing these sessions."""
    if not task_ids:
        return 0
    marks = ", ".join("?" for _ in task_ids)
    return conn.execute(
        "UPDATE messages SET status = 'interrupted', finish_reason = 'interrupted' "
        "WHERE status = 'streaming' AND session_id IN (SELECT session_id FROM plan_tasks "
        f"WHERE plan_id = ? AND task_id IN ({marks}) AND session_id IS NOT NULL)",
        (plan_id, *task_ids),
    ).rowcount


def replace_plan_tasks(
    conn: sqlite3.Connection,
    plan_id: str,
    tasks: Sequence[PlanTaskRecord],
    *,
    goal: str | None = None,
    failure_policy: str | None = None,
) -> PlanRecord:
    """Replace the tasks of a draft (the user edited, reordered or cut them)."""
    plan = get_plan(conn, plan_id)
    if plan.status != "draft":
        raise StoreError(
            f"Plan {plan_id[:8]} has started; only a draft can be edited.",
            hint="Make a new plan from a plan file: codeface plan --from FILE",
        )
    now = time.time()
    with transaction(conn):
        conn.execute("DELETE FROM plan_tasks WHERE plan_id = ?", (plan_id,))
        _insert_tasks(conn, plan_id, tasks, now)
        conn.execute(
            "UPDATE plans SET goal = ?, failure_policy = ?, updated_at = ? WHERE id = ?",
            (goal or plan.goal, failure_policy or plan.failure_policy, now, plan_id),
        )
        _log(conn, plan_id, "", "edited", 0, f"{len(tasks)} tasks", now)
    return get_plan(conn, plan_id)


def request_plan_cancel(conn: sqlite3.Connection, plan_id: str, task_id: str | None = None) -> None:
    """Ask the process running the plan to cancel it (or one task)."""
    if task_id is None:
        update_plan(conn, plan_id, cancel_requested=1)
    else:
        update_plan_task(conn, plan_id, task_id, cancel_requested=1)


def plan_cancel_requests(conn: sqlite3.Connection, plan_id: str) -> tuple[bool, tuple[str, ...]]:
    """Whether the whole plan is to be cancelled, and which tasks are."""
    row = conn.execute("SELECT cancel_requested FROM plans WHERE id = ?", (plan_id,)).fetchone()
    tasks = conn.execute(
        "SELECT task_id FROM plan_tasks WHERE plan_id = ? AND cancel_requested = 1 "
        "AND status NOT IN ('done', 'failed', 'cancelled', 'skipped') ORDER BY position",
        (plan_id,),
    ).fetchall()
    return bool(row and row[0]), tuple(str(task[0]) for task in tasks)


@reads_text(lambda plan_id: f"plan {plan_id}")
def plan_log(conn: sqlite3.Connection, plan_id: str) -> list[PlanLogEntry]:
    """The plan's transitions, oldest first."""
    rows = conn.execute(
        "SELECT plan_id, task_id, kind, attempt, detail, at FROM plan_log "
        "WHERE plan_id = ? ORDER BY seq",
        (plan_id,),
    )
    return [
        PlanLogEntry(
            str(row[0]), str(row[1] or ""), str(row[2]), int(row[3] or 0), str(row[4] or ""), row[5]
        )
        for row in rows
    ]


def start_plan_task(
    conn: sqlite3.Connection,
    /,
    plan_id: str,
    task_id: str,
    *,
    attempts: int,
    started_at: float,
    resumed: bool,
    new_session: dict[str, Any] | None = None,
) -> str | None:
    """Mark a task running (a new attempt) and log it; with ``new_session`` (the arguments
    of `sessions.create_session`), create the task's session in the same transaction.
    Returns the new session's id."""
    with transaction(conn):
        session_id = None
        changes: dict[str, Any] = {}
        if new_session is not None:
            session_id = sessions.create_session(conn, **new_session).id
            changes["session_id"] = session_id
        changes.update(
            status="running", attempts=attempts, started_at=started_at, finished_at=None, error=""
        )
        _update_task(conn, plan_id, task_id, "resumed" if resumed else "started", "", changes)
    return session_id


@reads_text(lambda session_id: f"session {session_id}")
def session_outcome(
    conn: sqlite3.Connection, session_id: str
) -> tuple[str | None, tuple[str, ...]]:
    """A task session's final answer (None while its turn is unfinished) and the files its
    tool runs changed, in order."""
    path = sessions.path_to_leaf(conn, session_id)
    answer = None
    if path and path[-1].role == "assistant":
        last = path[-1]
        if last.status == "complete" and not last.tool_calls:
            answer = last.content
    changed: dict[str, None] = {}
    for (paths,) in conn.execute(
        "SELECT changed_paths FROM tool_runs WHERE session_id = ? AND status = 'ok' ORDER BY seq",
        (session_id,),
    ):
        changed.update(dict.fromkeys(_strings(paths)))
    return answer, tuple(changed)


def plan_usage(conn: sqlite3.Connection, plan_id: str) -> dict[str, tuple[int, int, float | None]]:
    """Tokens in, out and cost of each task's answers so far, from its session."""
    rows = conn.execute(
        "SELECT t.task_id, sum(m.input_tokens), sum(m.output_tokens), sum(m.cost_usd) "
        "FROM plan_tasks AS t JOIN messages AS m ON m.session_id = t.session_id "
        "WHERE t.plan_id = ? AND m.role = 'assistant' GROUP BY t.task_id",
        (plan_id,),
    )
    return {
        str(row[0]): (int(row[1] or 0), int(row[2] or 0), None if row[3] is None else float(row[3]))
        for row in rows
    }
