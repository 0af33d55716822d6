"""Schema migrations, recorded by name in ``_migrations`` and applied forward only.

Each step is a function of a `sqlite_utils.Database` wrapping the store's connection, run
in its own ``BEGIN IMMEDIATE`` transaction with foreign keys off (SQLite's procedure for
schema changes; `PRAGMA foreign_key_check` must pass before the step commits). sqlite-utils
is the tool for schema work: ``db[name].create(...)``, ``add_column``, and `transform`
below (``table.transform()`` for what ``ALTER TABLE`` cannot do, keeping the table's
triggers). A step that has shipped is never edited: databases record it by name.

Before a database that already holds data is migrated, a backup copy is written next to
it. A database that records a migration this CodeFace does not know was written by a
newer version: it is refused with a `StoreError` and never altered. The caller holds the
`setup_lock`, so two processes never migrate at once; each step also checks, inside its
transaction, that no one applied it meanwhile.

sqlite-utils is imported only when a step is pending (see `sqlite_utils_database`).
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from codeface.core.errors import StoreError
from codeface.store.connection import sqlite_utils_database

if TYPE_CHECKING:
    from sqlite_utils import Database

log = logging.getLogger(__name__)

Migration = Callable[["Database"], None]
MIGRATIONS: list[tuple[str, Migration]] = []


def migration(function: Migration) -> Migration:
    """Register a migration; order of definition is order of application."""
    MIGRATIONS.append((function.__name__, function))
    return function


def transform(db: Database, table: str, **changes: Any) -> None:
    """``db[table].transform(**changes)``, keeping the table's triggers.

    SQLite drops a table's triggers with the table, and `transform` rebuilds the table
    under a new name; the triggers are created again afterwards (a trigger that uses a
    dropped column then fails the step, which rolls back).
    """
    triggers = [
        row[0]
        for row in db.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?", [table]
        ).fetchall()
    ]
    db[table].transform(**changes)  # type: ignore[union-attr]
    for sql in triggers:
        db.execute(sql)


def _tags(row: str, project: str | None = None) -> str:
    """SQL for a message's hidden search tags: session, project and model, one token each."""
    project = project or f"(SELECT project FROM sessions WHERE id = {row}.session_id)"
    return (
        f"'s' || hex({row}.session_id) || ' p' || hex(coalesce({project}, '')) "
        f"|| ' m' || hex(coalesce({row}.model, ''))"
    )


# Messages are indexed with a hidden "tags" column (session, project and model as single
# tokens) so filters run inside FTS5 rather than as a join per match. The content table
# is a view that computes the same tags; every 'delete' below passes exactly the tags that
# were indexed, which is why a session's messages are deleted (and re-tagged on a project
# change) while the session row still exists. Answers are indexed once they stop
# streaming: a flush every 250 ms must not re-index the whole answer each time.
_MESSAGE_SEARCH = f"""
        CREATE VIEW messages_search AS
            SELECT m.seq, m.content, {_tags("m", "s.project")} AS tags
            FROM messages AS m LEFT JOIN sessions AS s ON s.id = m.session_id
            WHERE m.status != 'streaming';
        CREATE VIRTUAL TABLE messages_fts USING fts5(
            content, tags, content='messages_search', content_rowid='seq', prefix='2 3 4',
            tokenize='unicode61 remove_diacritics 2'
        );
        INSERT INTO messages_fts(messages_fts, rank) VALUES ('rank', 'bm25(1.0, 0.0)');
        CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages
        WHEN new.status != 'streaming' BEGIN
            INSERT INTO messages_fts(rowid, content, tags)
            VALUES (new.seq, new.content, {_tags("new")});
        END;
        CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages
        WHEN old.status != 'streaming' BEGIN
            INSERT INTO messages_fts(messages_fts, rowid, content, tags)
            VALUES ('delete', old.seq, old.content, {_tags("old")});
        END;
        CREATE TRIGGER messages_fts_update_old AFTER UPDATE OF content, status, model ON messages
        WHEN old.status != 'streaming' BEGIN
            INSERT INTO messages_fts(messages_fts, rowid, content, tags)
            VALUES ('delete', old.seq, old.content, {_tags("old")});
        END;
        CREATE TRIGGER messages_fts_update_new AFTER UPDATE OF content, status, model ON messages
        WHEN new.status != 'streaming' BEGIN
            INSERT INTO messages_fts(rowid, content, tags)
            VALUES (new.seq, new.content, {_tags("new")});
        END;
        CREATE TRIGGER sessions_delete_messages_first BEFORE DELETE ON sessions BEGIN
            DELETE FROM messages WHERE session_id = old.id;
        END;
        CREATE TRIGGER sessions_project_retag AFTER UPDATE OF project ON sessions
        WHEN old.project IS NOT new.project BEGIN
            INSERT INTO messages_fts(messages_fts, rowid, content, tags)
            SELECT 'delete', m.seq, m.content, {_tags("m", "old.project")}
            FROM messages AS m WHERE m.session_id = old.id AND m.status != 'streaming';
            INSERT INTO messages_fts(rowid, content, tags)
            SELECT m.seq, m.content, {_tags("m", "new.project")}
            FROM messages AS m WHERE m.session_id = new.id AND m.status != 'streaming';
        END;
"""


@migration
def m001_initial(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE sessions (
            seq INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            title TEXT NOT NULL DEFAULT '',
            title_from_user INTEGER NOT NULL DEFAULT 0,
            created_at REAL NOT NULL,
            updated_at REAL NOT NULL,
            pinned INTEGER NOT NULL DEFAULT 0,
            archived INTEGER NOT NULL DEFAULT 0,
            project TEXT,
            role TEXT,
            system_prompt TEXT,
            model TEXT,
            policy TEXT,
            active_leaf_id TEXT,
            deleted_at REAL
        );
        CREATE INDEX sessions_updated ON sessions(deleted_at, updated_at);
        CREATE INDEX sessions_project ON sessions(project);

        CREATE TABLE messages (
            seq INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            parent_id TEXT REFERENCES messages(id) ON DELETE CASCADE,
            role TEXT NOT NULL,
            content TEXT NOT NULL DEFAULT '',
            status TEXT NOT NULL DEFAULT 'complete',
            created_at REAL NOT NULL,
            provider TEXT,
            model TEXT,
            host TEXT,
            input_tokens INTEGER,
            output_tokens INTEGER,
            ttft REAL,
            tokens_per_second REAL,
            cost_usd REAL,
            finish_reason TEXT,
            error_text TEXT,
            rating INTEGER,
            tool_calls TEXT,
            tool_call_id TEXT,
            tool_name TEXT
        );
        CREATE INDEX messages_session ON messages(session_id, seq);
        CREATE INDEX messages_parent ON messages(parent_id);
        CREATE INDEX messages_streaming ON messages(status) WHERE status = 'streaming';
        CREATE INDEX messages_created ON messages(created_at);

        CREATE TABLE project_notes (
            seq INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            project TEXT NOT NULL,
            text TEXT NOT NULL,
            source TEXT NOT NULL DEFAULT 'user',
            created_at REAL NOT NULL,
            updated_at REAL NOT NULL
        );
        CREATE INDEX project_notes_project ON project_notes(project, seq);

        {MESSAGE_SEARCH}
        CREATE VIRTUAL TABLE sessions_fts USING fts5(
            title, content='sessions', content_rowid='seq',
            tokenize='unicode61 remove_diacritics 2'
        );
        CREATE TRIGGER sessions_fts_insert AFTER INSERT ON sessions BEGIN
            INSERT INTO sessions_fts(rowid, title) VALUES (new.seq, new.title);
        END;
        CREATE TRIGGER sessions_fts_delete AFTER DELETE ON sessions BEGIN
            INSERT INTO sessions_fts(sessions_fts, rowid, title) VALUES ('delete', old.seq, old.title);
        END;
        CREATE TRIGGER sessions_fts_update AFTER UPDATE OF title ON sessions BEGIN
            INSERT INTO sessions_fts(sessions_fts, rowid, title) VALUES ('delete', old.seq, old.title);
            INSERT INTO sessions_fts(rowid, title) VALUES (new.seq, new.title);
        END;
        """.replace("{MESSAGE_SEARCH}", _MESSAGE_SEARCH)
    )


@migration
def m002_tool_runs(db: Database) -> None:
    """The audit trail: one row per tool call an agent made (tool, arguments, outcome, who
    approved it and when), kept with its session and deleted with it."""
    db["tool_runs"].create(  # type: ignore[union-attr]
        {
            "seq": int,
            "id": str,
            "session_id": str,
            "turn_id": str,
            "message_id": str,
            "call_id": str,
            "tool": str,
            "arguments": str,
            "status": str,
            "summary": str,
            "approver": str,
            "decided_at": float,
            "duration": float,
            "changed_paths": str,
            "created_at": float,
        },
        pk="seq",
        not_null={"id", "session_id", "turn_id", "tool", "arguments", "status", "created_at"},
        defaults={"summary": "", "approver": "auto", "changed_paths": "[]"},
    )
    db.execute("CREATE UNIQUE INDEX tool_runs_id ON tool_runs(id)")
    db.execute("CREATE INDEX tool_runs_session ON tool_runs(session_id, seq)")
    db.execute(
        "CREATE TRIGGER tool_runs_follow_session AFTER DELETE ON sessions BEGIN "
        "DELETE FROM tool_runs WHERE session_id = old.id; END"
    )


@migration
def m003_plans(db: Database) -> None:
    """Multi-agent plans: the plan, each task's state as it changes, and a log of the
    transitions (attempts included). Each task's steps are the messages and tool runs of
    its own session; a plan outlives those sessions (a trashed session leaves the task's
    summary)."""
    db["plans"].create(  # type: ignore[union-attr]
        {
            "seq": int,
            "id": str,
            "goal": str,
            "project": str,
            "status": str,
            "failure_policy": str,
            "options": str,
            "manager_session_id": str,
            "created_at": float,
            "updated_at": float,
            "started_at": float,
            "finished_at": float,
            "cancel_requested": int,
        },
        pk="seq",
        not_null={"id", "goal", "status", "failure_policy", "options", "created_at", "updated_at"},
        defaults={"options": "{}", "failure_policy": "stop", "cancel_requested": 0},
    )
    db.execute("CREATE UNIQUE INDEX plans_id ON plans(id)")
    db.execute("CREATE INDEX plans_updated ON plans(updated_at)")
    db["plan_tasks"].create(  # type: ignore[union-attr]
        {
            "seq": int,
            "plan_id": str,
            "task_id": str,
            "position": int,
            "title": str,
            "role": str,
            "brief": str,
            "files": str,
            "depends_on": str,
            "status": str,
            "attempts": int,
            "session_id": str,
            "summary": str,
            "changed_paths": str,
            "error": str,
            "model": str,
            "input_tokens": int,
            "output_tokens": int,
            "cost_usd": float,
            "started_at": float,
            "finished_at": float,
            "cancel_requested": int,
            "updated_at": float,
        },
        pk="seq",
        not_null={"plan_id", "task_id", "position", "role", "brief", "status", "updated_at"},
        defaults={
            "title": "",
            "files": "[]",
            "depends_on": "[]",
            "attempts": 0,
            "summary": "",
            "changed_paths": "[]",
            "error": "",
            "model": "",
            "input_tokens": 0,
            "output_tokens": 0,
            "cancel_requested": 0,
        },
        foreign_keys=[("plan_id", "plans", "id")],
    )
    db.execute("CREATE UNIQUE INDEX plan_tasks_key ON plan_tasks(plan_id, task_id)")
    db["plan_log"].create(  # type: ignore[union-attr]
        {
            "seq": int,
            "plan_id": str,
            "task_id": str,
            "kind": str,
            "attempt": int,
            "detail": str,
            "at": float,
        },
        pk="seq",
        not_null={"plan_id", "kind", "at"},
        defaults={"task_id": "", "attempt": 0, "detail": ""},
        foreign_keys=[("plan_id", "plans", "id")],
    )
    db.execute("CREATE INDEX plan_log_plan ON plan_log(plan_id, seq)")
    db.execute(
        "CREATE TRIGGER plans_delete_children BEFORE DELETE ON plans BEGIN "
        "DELETE FROM plan_tasks WHERE plan_id = old.id; "
        "DELETE FROM plan_log WHERE plan_id = old.id; END"
    )


@migration
def m004_tool_run_decisions(db: Database) -> None:
    """How long a person's answer to an approval held: "once", "session" or "deny" (empty
    for calls nobody was asked about, and for rows recorded before this step)."""
    db.execute("ALTER TABLE tool_runs ADD COLUMN decision TEXT NOT NULL DEFAULT ''")


def _ensure_table(conn: sqlite3.Connection) -> None:
    conn.execute(
        "CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at REAL NOT NULL)"
    )


def applied_migrations(conn: sqlite3.Connection) -> list[str]:
    """Names recorded in ``_migrations`` (empty for a new database)."""
    exists = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_migrations'"
    ).fetchone()
    if not exists:
        return []
    return [row[0] for row in conn.execute("SELECT name FROM _migrations ORDER BY rowid")]


def check_not_newer(conn: sqlite3.Connection, path: Path) -> None:
    """Raise `StoreError` if the database was written by a newer CodeFace."""
    known = {name for name, _ in MIGRATIONS}
    unknown = [name for name in applied_migrations(conn) if name not in known]
    if unknown:
        raise StoreError(
            f"The database {path} was written by a newer version of CodeFace "
            f"(unknown schema step {unknown[-1]!r}); it has not been changed.",
            hint="Update CodeFace, or set CODEFACE_HOME to use another folder.",
        )


def _backup(conn: sqlite3.Connection, path: Path, version: int) -> Path:
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    target = path.with_name(f"{path.name}.backup-v{version}-{stamp}")
    counter = 1
    while target.exists():
        target = path.with_name(f"{path.name}.backup-v{version}-{stamp}-{counter}")
        counter += 1
    try:
        destination = sqlite3.connect(target)
        try:
            conn.backup(destination)
        finally:
            destination.close()
    except BaseException:
        target.unlink(missing_ok=True)  # a half-written backup (full disk) is no backup
        raise
    return target


def _apply(conn: sqlite3.Connection, name: str, step: Migration) -> bool:
    """Run one step in its own transaction; False if another process applied it first."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        if conn.execute("SELECT 1 FROM _migrations WHERE name = ?", (name,)).fetchone():
            conn.execute("ROLLBACK")
            return False
        step(sqlite_utils_database(conn))
        problems = conn.execute("PRAGMA foreign_key_check").fetchall()
        if problems:
            raise StoreError(
                f"Schema step {name} would break {len(problems)} reference(s) between rows; "
                "nothing was changed.",
                hint="Report this with the log file; the database was kept as it was.",
            )
        conn.execute(
            "INSERT INTO _migrations (name, applied_at) VALUES (?, ?)", (name, time.time())
        )
        count = conn.execute("SELECT count(*) FROM _migrations").fetchone()[0]
        conn.execute(f"PRAGMA user_version = {int(count)}")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return True


def migrate(conn: sqlite3.Connection, path: Path) -> Path | None:
    """Apply pending migrations; return the backup made first, if the database had data."""
    check_not_newer(conn, path)
    done = set(applied_migrations(conn))
    pending = [(name, step) for name, step in MIGRATIONS if name not in done]
    if not pending:
        return None
    has_data = (
        bool(done)
        or conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
    )
    backup = _backup(conn, path, len(done)) if has_data and path.exists() else None
    _ensure_table(conn)
    # Foreign keys are off while the schema changes (a table rebuilt by transform() must
    # not cascade-delete the rows that point at it); foreign_key_check guards each step.
    conn.execute("PRAGMA foreign_keys = OFF")
    try:
        for name, step in pending:
            if _apply(conn, name, step):
                log.info("database %s: applied schema step %s", path, name)
    finally:
        conn.execute("PRAGMA foreign_keys = ON")
    return backup
