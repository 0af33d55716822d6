"""``codeface sessions list|show|search|export|import|rm|restore``: the store from the shell.

Titles, messages and snippets came from models and imports: they are printed through
`terminal_safe`, so an escape sequence in them is shown, never obeyed by the terminal. An
export to stdout that is not a terminal (a pipe, a file) is left exactly as stored.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from codeface.commands.common import message_safe, terminal_safe
from codeface.core.errors import StoreError


def register(subparsers: Any) -> None:
    """Add the ``sessions`` command group."""
    parser = subparsers.add_parser("sessions", help="list, search, export and restore sessions")
    parser.set_defaults(handler=lambda args: _usage(parser))
    commands = parser.add_subparsers(dest="sessions_command", metavar="ACTION")

    listing = commands.add_parser("list", help="sessions, newest first")
    listing.add_argument("--trash", action="store_true", help="list the trash instead")
    listing.add_argument("--project", help="only sessions of this project folder")
    listing.add_argument("-n", "--limit", type=int, default=50)
    listing.set_defaults(handler=_list)

    show = commands.add_parser("show", help="print a session's active branch")
    show.add_argument("session", help="session id (or a unique prefix)")
    show.set_defaults(handler=_show)

    find = commands.add_parser("search", help="full-text search over messages and titles")
    find.add_argument("query")
    find.add_argument("--session", help="only this session")
    find.add_argument("--project", help="only sessions of this project folder")
    find.add_argument("--model", help="only answers from this model")
    find.add_argument("--since", help="on or after this date (YYYY-MM-DD)")
    find.add_argument("--until", help="before this date (YYYY-MM-DD)")
    find.add_argument("-n", "--limit", type=int, default=20)
    find.set_defaults(handler=_search)

    export = commands.add_parser("export", help="export sessions to Markdown or JSON")
    export.add_argument("session", nargs="?", help="session id (or a unique prefix)")
    export.add_argument("--all", action="store_true", help="every session not in the trash")
    export.add_argument("--format", choices=("md", "json"), default="md")
    export.add_argument("-o", "--output", type=Path, help="write to this file, not stdout")
    export.set_defaults(handler=_export)

    importing = commands.add_parser("import", help="import sessions from a JSON export")
    importing.add_argument("file", type=Path)
    importing.set_defaults(handler=_import)

    remove = commands.add_parser("rm", help="move sessions to the trash (kept 30 days)")
    remove.add_argument("session", nargs="+")
    remove.set_defaults(handler=_remove)

    restore = commands.add_parser("restore", help="bring sessions back from the trash")
    restore.add_argument("session", nargs="+")
    restore.set_defaults(handler=_restore)


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return 2


@contextlib.contextmanager
def _open() -> Iterator[Any]:
    """The store, with its recovery notice and any rows it had to read around printed as
    warnings on stderr (the rest of the output is complete)."""
    from codeface.store import SyncStore

    store = SyncStore()
    if store.notice is not None:
        print(f"codeface: {store.notice.message()}", file=sys.stderr)
    with store:
        try:
            yield store
        finally:
            for problem in store.take_problems():
                print(f"codeface: warning: {message_safe(problem.message())}", file=sys.stderr)


def _when(timestamp: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(timestamp))


def _date(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        return time.mktime(time.strptime(text, "%Y-%m-%d"))
    except ValueError as error:
        raise StoreError(f"{text!r} is not a date like 2026-01-31.") from error


def _list(args: argparse.Namespace) -> int:
    from codeface.store import sessions

    with _open() as store:
        rows = sessions.list_sessions(
            store.conn, trashed=args.trash, project=args.project, limit=args.limit
        )
        counts = dict(
            store.conn.execute("SELECT session_id, count(*) FROM messages GROUP BY session_id")
        )
    if not rows:
        print("The trash is empty." if args.trash else "No sessions yet.")
        return 0
    table = [("ID", "UPDATED", "MSGS", "FLAGS", "TITLE")]
    for session in rows:
        flags = "".join(flag for flag, on in (("P", session.pinned), ("A", session.archived)) if on)
        when = session.deleted_at if args.trash and session.deleted_at else session.updated_at
        table.append(
            (
                session.id[:12],
                _when(when),
                str(counts.get(session.id, 0)),
                flags or "-",
                terminal_safe(session.title or "New chat"),
            )
        )
    widths = [max(len(row[column]) for row in table) for column in range(4)]
    for row in table:
        cells = [cell.ljust(width) for cell, width in zip(row[:4], widths, strict=True)]
        print("  ".join([*cells, row[4]]))
    return 0


def _show(args: argparse.Namespace) -> int:
    from codeface.store import export, sessions, tool_runs

    with _open() as store:
        session_id = sessions.resolve_session_id(store.conn, args.session)
        print(terminal_safe(export.export_markdown(store.conn, [session_id])), end="")
        runs = tool_runs.tool_runs(store.conn, session_id)
    if runs:
        print("\n## Tool calls (audit trail)\n")
        for run in runs:
            changed = f" · changed {', '.join(run.changed_paths)}" if run.changed_paths else ""
            line = (
                f"- {_when(run.decided_at or run.created_at)} {run.tool} {run.arguments} → "
                f"{run.status}: {run.summary} · decided by {run.approver}"
                f" · {run.duration:.2f} s{changed}"
            )
            print(terminal_safe(line[:2000]))
    return 0


def _search(args: argparse.Namespace) -> int:
    from codeface.store import search, sessions

    with _open() as store:
        session_id = sessions.resolve_session_id(store.conn, args.session) if args.session else None
        project = str(Path(args.project).expanduser().resolve()) if args.project else None
        hits = search.search(
            store.conn,
            args.query,
            session_id=session_id,
            project=project,
            model=args.model,
            since=_date(args.since),
            until=_date(args.until),
            limit=args.limit,
        )
    if not hits:
        print("No matches.")
        return 1
    color = sys.stdout.isatty()
    for hit in hits:
        snippet = terminal_safe(hit.snippet.replace("\n", " "))
        marked = ""
        last = 0
        for start, end in hit.snippet_spans:
            word = snippet[start:end]
            marked += snippet[last:start] + (f"\x1b[1;33m{word}\x1b[0m" if color else f"[{word}]")
            last = end
        marked += snippet[last:]
        where = hit.role or "title"
        title = terminal_safe(hit.session_title)
        print(f"{hit.session_id[:12]}  {_when(hit.created_at)}  {title}  ({where})")
        print(f"    {marked}")
    return 0


def _export(args: argparse.Namespace) -> int:
    from codeface.store import export, sessions

    if args.all == bool(args.session):
        raise StoreError("Name one session, or use --all.", hint="See `codeface sessions list`.")
    with _open() as store:
        ids = None if args.all else [sessions.resolve_session_id(store.conn, args.session)]
        if args.format == "json":
            text = export.export_json(store.conn, ids)
        else:
            text = export.export_markdown(store.conn, ids)
    if args.output is None:
        sys.stdout.write(terminal_safe(text) if sys.stdout.isatty() else text)
    else:
        _write_export(args.output, text)
        print(f"Exported to {args.output}", file=sys.stderr)
    return 0


def _write_export(path: Path, text: str) -> None:
    """Write the whole export or nothing (a temporary file renamed into place)."""
    from codeface.core.atomic import write_atomically

    hint = "Give a file name in an existing folder: -o FOLDER/sessions.md"
    if path.is_dir():
        raise StoreError(f"Cannot export to {path}: it is a folder.", hint=hint)
    if not path.parent.is_dir():
        raise StoreError(
            f"Cannot export to {path}: the folder {path.parent} does not exist.", hint=hint
        )
    try:
        write_atomically(path, text)
    except OSError as error:
        raise StoreError(
            f"Cannot export to {path}: {error.strerror or error}. Nothing was written.",
            hint="Check the folder is writable and has free space.",
        ) from error


def _import(args: argparse.Namespace) -> int:
    from codeface.store import export

    try:
        text = args.file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise StoreError(f"Cannot read {args.file}: {error}") from error
    with _open() as store:
        try:
            result = export.import_json(store.conn, text)
        except StoreError as error:
            raise StoreError(
                f"{args.file}: {error.user_message} Nothing was imported.", hint=error.hint
            ) from error
    print(f"Imported {len(result.imported)} session(s).")
    for session_id in result.skipped:
        print(f"Skipped {terminal_safe(session_id[:12])}: already in the database.")
    return 0


def _remove(args: argparse.Namespace) -> int:
    from codeface.store import sessions

    with _open() as store:
        for prefix in args.session:
            session_id = sessions.resolve_session_id(store.conn, prefix)
            sessions.trash_session(store.conn, session_id)
            print(
                f"Moved {session_id[:12]} to the trash (restore with `codeface sessions "
                f"restore {session_id[:12]}` within {sessions.TRASH_DAYS} days)."
            )
    return 0


def _restore(args: argparse.Namespace) -> int:
    from codeface.store import sessions

    with _open() as store:
        for prefix in args.session:
            session_id = sessions.resolve_session_id(store.conn, prefix)
            restored = sessions.restore_session(store.conn, session_id)
            print(f"Restored {session_id[:12]}: {terminal_safe(restored.title or 'New chat')}")
    return 0
