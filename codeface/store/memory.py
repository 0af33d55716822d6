"""Project memory: notes saved per project folder, shared by every session of the project.

A note is a fact the user or an agent wants remembered ("tests run with `make check`").
Project folders are normalised (``~`` expanded, made absolute) so one folder is one key.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Literal

from codeface.core.errors import StoreError
from codeface.store.connection import reads_text
from codeface.store.models import ProjectNote, new_id

NoteSource = Literal["user", "agent"]
_COLUMNS = "id, project, text, source, created_at, updated_at"


def project_key(folder: str | Path) -> str:
    """The normalised form of a project folder used as the notes key."""
    return str(Path(folder).expanduser().resolve())


@reads_text(lambda note_id: f"project note {note_id}")
def _get(conn: sqlite3.Connection, note_id: str) -> ProjectNote:
    row = conn.execute(f"SELECT {_COLUMNS} FROM project_notes WHERE id = ?", (note_id,))
    found = row.fetchone()
    if found is None:
        raise StoreError(f"No project note {note_id!r}.")
    return ProjectNote(**dict(found))


def add_note(
    conn: sqlite3.Connection, project: str | Path, text: str, *, source: NoteSource = "user"
) -> ProjectNote:
    """Save a note for a project folder."""
    if not text.strip():
        raise StoreError("A project note cannot be empty.")
    now = time.time()
    note_id = new_id()
    conn.execute(
        f"INSERT INTO project_notes ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)",
        (note_id, project_key(project), text.strip(), source, now, now),
    )
    return _get(conn, note_id)


@reads_text(lambda project: f"the notes of {project}")
def list_notes(conn: sqlite3.Connection, project: str | Path) -> list[ProjectNote]:
    """The notes of a project folder, oldest first."""
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM project_notes WHERE project = ? ORDER BY seq",
        (project_key(project),),
    )
    return [ProjectNote(**dict(row)) for row in rows]


def update_note(conn: sqlite3.Connection, note_id: str, text: str) -> ProjectNote:
    """Replace a note's text."""
    if not text.strip():
        raise StoreError("A project note cannot be empty.")
    _get(conn, note_id)
    conn.execute(
        "UPDATE project_notes SET text = ?, updated_at = ? WHERE id = ?",
        (text.strip(), time.time(), note_id),
    )
    return _get(conn, note_id)


def delete_note(conn: sqlite3.Connection, note_id: str) -> None:
    """Remove a note."""
    _get(conn, note_id)
    conn.execute("DELETE FROM project_notes WHERE id = ?", (note_id,))


def memory_prompt(conn: sqlite3.Connection, project: str | Path) -> str:
    """The notes as a block of text to add to a session's system prompt ('' if none)."""
    notes = list_notes(conn, project)
    if not notes:
        return ""
    lines = "\n".join(f"- {note.text}" for note in notes)
    return f"Notes about this project:\n{lines}"
