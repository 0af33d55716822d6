"""The project half of the fake backend: files kept in a dict, notes in a list.

``FakeProjects.files`` maps a relative path to its text (None for a binary file); folders
are implied by the paths. Saving checks the version like the real backend does.
`change_on_disk` is another program writing a file (it feeds `watch_project`); ``listed``
records the folders asked for (lazy loading), ``file_notices`` replaces a file's content by a
notice (too large, not UTF-8), ``list_gate`` holds `list_dir` until a test opens it.
"""

from __future__ import annotations

import asyncio
import difflib
import itertools
import re
from collections.abc import AsyncIterator
from typing import Literal

from codeface.application.contract import (
    FileContent,
    FileEntryView,
    FilesChanged,
    NoteView,
    ProjectSearchHit,
    ProjectView,
    WritePreview,
)
from codeface.application.contract.project_contract import ProjectContract
from codeface.core.errors import EditConflict, WorkspaceError

FAKE_ROOT = "/work/demo"


class FakeProjects(ProjectContract):
    """Projects and files in memory; ``changes`` feeds `watch_project`."""

    def __init__(self) -> None:
        self.files: dict[str, str | None] = {
            "README.md": "# Demo\n\nA small project.\n",
            "src/app.py": 'def main() -> None:\n    print("hello")\n',
            "src/util.py": "def add(a: int, b: int) -> int:\n    return a + b\n",
            "logo.png": None,
        }
        self.git: dict[str, str] = {"src/app.py": "modified"}
        self.ignored: set[str] = set()
        self.versions: dict[str, int] = {}
        self.notes: list[NoteView] = []
        self.changes: asyncio.Queue[FilesChanged] = asyncio.Queue()
        self.recent: list[ProjectView] = []
        self.listed: list[str] = []
        self.file_notices: dict[str, str] = {}
        self.saved: list[tuple[str, str]] = []
        self.list_gate: asyncio.Event | None = None
        self.watching: set[str] = set()
        self._note_ids = itertools.count(1)

    def change_on_disk(self, path: str, text: str | None, *, announce: bool = True) -> None:
        """Another program wrote (or, with None text, deleted) ``path``."""
        if text is None:
            self.files.pop(path, None)
        else:
            self.files[path] = text
        self.versions[path] = self.versions.get(path, 0) + 1
        if announce:
            self.changes.put_nowait(FilesChanged(FAKE_ROOT, (path,)))

    def project(self, key: str = FAKE_ROOT) -> ProjectView:
        """The view of a fake project."""
        return ProjectView(key, key.rstrip("/").rsplit("/", 1)[-1], key)

    async def open_project(self, folder: str) -> ProjectView:
        view = self.project(folder)
        self.recent = [view, *(p for p in self.recent if p.key != view.key)]
        return view

    async def recent_projects(self) -> list[ProjectView]:
        return list(self.recent)

    async def list_dir(self, project: str, path: str = "") -> list[FileEntryView]:
        self.listed.append(path)
        if self.list_gate is not None:
            await self.list_gate.wait()
        prefix = f"{path.rstrip('/')}/" if path else ""
        if prefix and not any(name.startswith(prefix) for name in self.files):
            raise WorkspaceError(f"{path} does not exist")
        entries: dict[str, FileEntryView] = {}
        for name, text in sorted(self.files.items()):
            if not name.startswith(prefix):
                continue
            head, _, rest = name[len(prefix) :].partition("/")
            child = prefix + head
            if rest:
                status = (
                    "modified"
                    if any(
                        self.git.get(name) for name in self.files if name.startswith(child + "/")
                    )
                    else None
                )
                entries.setdefault(
                    child,
                    FileEntryView(
                        head, child, True, ignored=child in self.ignored, git_status=status
                    ),
                )
            else:
                entries[child] = FileEntryView(
                    head,
                    child,
                    False,
                    len(text or "") if text is not None else 1024,
                    "text" if text is not None else "binary",
                    child in self.ignored,
                    self.git.get(child),
                )
        return sorted(entries.values(), key=lambda e: (not e.is_dir, e.name.casefold()))

    async def list_files(self, project: str) -> list[str]:
        return sorted(name for name in self.files if name not in self.ignored)

    def _version(self, path: str) -> str:
        return str(self.versions.get(path, 0))

    async def read_file(self, project: str, path: str) -> FileContent:
        if path not in self.files:
            raise WorkspaceError(f"{path} does not exist")
        text = self.files[path]
        if path in self.file_notices:
            return FileContent(path, None, "", len(text or ""), notice=self.file_notices[path])
        if text is None:
            return FileContent(path, None, "", 1024, notice=f"{path} is a binary file: not shown")
        ending: Literal["\n", "\r\n"] = "\r\n" if "\r\n" in text else "\n"
        return FileContent(path, text, self._version(path), len(text), None, ending)

    async def save_file(self, project: str, path: str, text: str, version: str) -> FileContent:
        if path in self.files and version != self._version(path):
            raise EditConflict(f"{path} changed on disk since it was opened")
        self.files[path] = text
        self.versions[path] = self.versions.get(path, 0) + 1
        self.saved.append((path, text))
        return await self.read_file(project, path)

    async def preview_write(self, project: str, path: str, text: str) -> WritePreview:
        old = self.files.get(path) or ""
        diff = "".join(
            difflib.unified_diff(
                old.splitlines(keepends=True),
                text.splitlines(keepends=True),
                f"a/{path}",
                f"b/{path}",
            )
        )
        return WritePreview(path, old, text, diff, self._version(path), path not in self.files)

    async def search_project(self, project: str, pattern: str) -> list[ProjectSearchHit]:
        try:
            re.compile(pattern)
        except re.error as error:
            raise WorkspaceError(f"Not a valid regular expression: {error}") from error
        hits = []
        for path, text in sorted(self.files.items()):
            for number, line in enumerate((text or "").splitlines(), 1):
                column = line.find(pattern)
                if column >= 0:
                    hits.append(ProjectSearchHit(path, number, column + 1, line))
        return hits

    async def watch_project(self, project: str) -> AsyncIterator[FilesChanged]:
        self.watching.add(project)
        try:
            while True:
                yield await self.changes.get()
        finally:
            self.watching.discard(project)

    async def list_notes(self, project: str) -> list[NoteView]:
        return list(self.notes)

    async def add_note(self, project: str, text: str) -> NoteView:
        note = NoteView(f"n{next(self._note_ids)}", text, "user", "2026-12-06T10:00:00+00:00")
        self.notes.append(note)
        return note

    async def update_note(self, note_id: str, text: str) -> NoteView:
        for index, note in enumerate(self.notes):
            if note.id == note_id:
                self.notes[index] = NoteView(note.id, text, note.source, note.updated_at)
                return self.notes[index]
        raise WorkspaceError(f"No note {note_id}")

    async def delete_note(self, note_id: str) -> None:
        self.notes = [note for note in self.notes if note.id != note_id]
