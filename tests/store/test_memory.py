"""Project memory: notes per project folder, shared by every session of that project."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from codeface.core.errors import StoreError
from codeface.store import memory


def test_notes_are_per_folder_editable_and_shared(conn: sqlite3.Connection, tmp_path: Path) -> None:
    project = tmp_path / "app"
    project.mkdir()
    first = memory.add_note(conn, project, "Tests run with `make check`.")
    memory.add_note(conn, str(project) + "/", "Uses Python 3.12.", source="agent")
    memory.add_note(conn, tmp_path / "other", "Unrelated.")
    notes = memory.list_notes(conn, project)
    assert [(n.text, n.source) for n in notes] == [
        ("Tests run with `make check`.", "user"),
        ("Uses Python 3.12.", "agent"),
    ]
    memory.update_note(conn, first.id, "Tests run with `make test`.")
    memory.delete_note(conn, notes[1].id)
    assert memory.memory_prompt(conn, project) == (
        "Notes about this project:\n- Tests run with `make test`."
    )
    assert memory.memory_prompt(conn, tmp_path / "empty") == ""
    with pytest.raises(StoreError):
        memory.add_note(conn, project, "  ")
