"""A project as the window sees it: files, their contents, search, changes on disk, memory
(`ProjectContract`). Everything goes through the project's `Workspace`, the only writer."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from codeface.application.chat_service import ContextUser
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
from codeface.application.file_watch import follow_changes
from codeface.core.atomic import write_atomically
from codeface.core.errors import WorkspaceError
from codeface.store.models import ProjectNote

if TYPE_CHECKING:
    from codeface.workspace import Workspace
    from codeface.workspace.files import FileVersion

log = logging.getLogger(__name__)
RECENT_LIMIT = 12
WATCH_DEBOUNCE_MS = 300
_SKIPPED_FOLDERS = {".git", "node_modules", "__pycache__", ".venv", ".mypy_cache", ".tox"}


def version_token(version: FileVersion | None) -> str:
    """The opaque text the window passes back when saving ("" for a file not there yet)."""
    if version is None:
        return ""
    return f"{version.mtime_ns}:{version.size}:{version.sha256}"


def parse_version(token: str) -> FileVersion | None:
    """`version_token` read back (None for "")."""
    if not token:
        return None
    from codeface.workspace.files import FileVersion

    try:
        mtime, size, digest = token.split(":", 2)
        return FileVersion(int(mtime), int(size), digest)
    except ValueError as error:
        raise WorkspaceError(f"{token!r} is not a file version") from error


def project_view(workspace: Workspace) -> ProjectView:
    """The window's view of a workspace."""
    return ProjectView(key=workspace.key, name=workspace.name, root=str(workspace.root))


def note_view(note: ProjectNote) -> NoteView:
    """The window's view of a project note."""
    when = datetime.fromtimestamp(note.updated_at, UTC).isoformat(timespec="seconds")
    return NoteView(id=note.id, text=note.text, source=note.source, updated_at=when)


class ProjectService(ContextUser, ProjectContract):
    """Projects, files and memory."""

    @property
    def _recent_file(self) -> Path:
        return self.engine.paths.config / "recent-projects.json"

    async def open_project(self, folder: str) -> ProjectView:
        """Open (and remember as recent) the project rooted at ``folder``."""
        workspace = await asyncio.to_thread(self.context.workspace, folder)
        await asyncio.to_thread(self._remember_recent, workspace.key)
        return project_view(workspace)

    def _read_recent(self) -> list[str]:
        try:
            data = json.loads(self._recent_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return []
        return (
            [str(item) for item in data if isinstance(item, str)] if isinstance(data, list) else []
        )

    def _remember_recent(self, key: str) -> None:
        keys = [key, *(item for item in self._read_recent() if item != key)][:RECENT_LIMIT]
        write_atomically(self._recent_file, json.dumps(keys, indent=1))

    async def recent_projects(self) -> list[ProjectView]:
        """Projects opened before, most recent first (folders that are gone left out)."""

        def read() -> list[ProjectView]:
            found = []
            for key in self._read_recent():
                try:
                    found.append(project_view(self.context.workspace(key)))
                except WorkspaceError:
                    continue
            return found

        return await asyncio.to_thread(read)

    def _workspace(self, project: str) -> Workspace:
        return self.context.workspace(project)

    async def list_dir(self, project: str, path: str = "") -> list[FileEntryView]:
        """A folder of the project, ignored entries included and marked."""
        workspace = await asyncio.to_thread(self._workspace, project)
        return [
            FileEntryView(
                name=entry.name,
                path=entry.path,
                is_dir=entry.is_dir,
                size=entry.size or 0,
                kind=entry.kind or "text",
                ignored=entry.ignored,
                git_status=entry.git_status,
                is_symlink=entry.is_symlink,
            )
            for entry in await workspace.list_dir(path)
        ]

    async def list_files(self, project: str) -> list[str]:
        """The files quick open offers: those ignore rules keep, less binary files and
        tool caches (``__pycache__``, ``node_modules``…) a project forgot to ignore."""
        workspace = await asyncio.to_thread(self._workspace, project)
        return [
            entry.path
            for entry in await workspace.list_files()
            if entry.kind != "binary" and _SKIPPED_FOLDERS.isdisjoint(entry.path.split("/"))
        ]

    async def read_file(self, project: str, path: str) -> FileContent:
        """A file for the code view: its text, or a notice saying why it is not shown."""
        workspace = await asyncio.to_thread(self._workspace, project)
        relative = workspace.relative(workspace.resolve(path))
        try:
            text, version = await workspace.read_whole(relative)
        except WorkspaceError as error:
            size = await asyncio.to_thread(_size_of, workspace.resolve(relative))
            return FileContent(relative, None, "", size, notice=error.user_message)
        crlf = "\r\n" in text[:10_000]
        return FileContent(
            relative, text, version_token(version), version.size, None, "\r\n" if crlf else "\n"
        )

    async def save_file(self, project: str, path: str, text: str, version: str) -> FileContent:
        """Write a file atomically; refused (EditConflict) when it changed since ``version``."""
        workspace = await asyncio.to_thread(self._workspace, project)
        result = await workspace.write_file(
            path, text, expected_version=parse_version(version), checks=False
        )
        return await self.read_file(project, result.path)

    async def preview_write(self, project: str, path: str, text: str) -> WritePreview:
        """The diff of writing ``text`` to ``path``, nothing written."""
        workspace = await asyncio.to_thread(self._workspace, project)
        preview = await workspace.preview_write(path, text, checks=False)
        old = ""
        if not preview.creates:
            old, _ = await workspace.read_whole(preview.path)
        return WritePreview(
            path=preview.path,
            old_text=old,
            new_text=text,
            diff=preview.diff,
            version=version_token(preview.version),
            creates=preview.creates,
        )

    async def search_project(self, project: str, pattern: str) -> list[ProjectSearchHit]:
        """Lines of the project matching a regular expression (the first 500)."""
        workspace = await asyncio.to_thread(self._workspace, project)
        found = await workspace.search(pattern, max_results=500)
        return [ProjectSearchHit(h.path, h.line, h.column, h.text) for h in found.hits]

    async def watch_project(self, project: str) -> AsyncIterator[FilesChanged]:
        """Changes on disk, batched every ~300 ms, until the iterator is closed."""
        workspace = await asyncio.to_thread(self._workspace, project)
        root = workspace.root

        def keep(_change: object, path: str) -> bool:
            parts = Path(path).relative_to(root).parts if path.startswith(str(root)) else ()
            return not any(part in _SKIPPED_FOLDERS for part in parts)

        changes = follow_changes(root, keep, WATCH_DEBOUNCE_MS)
        try:
            async for paths in changes:
                inside = {
                    str(Path(path).relative_to(root))
                    for path in paths
                    if path.startswith(str(root))
                }
                yield FilesChanged(workspace.key, tuple(sorted(inside)))
        finally:
            await changes.aclose()

    async def list_notes(self, project: str) -> list[NoteView]:
        """The project's memory, oldest first."""
        return [note_view(note) for note in await (await self.store()).list_notes(project)]

    async def add_note(self, project: str, text: str) -> NoteView:
        """Save a note to the project's memory."""
        return note_view(await (await self.store()).add_note(project, text, source="user"))

    async def update_note(self, note_id: str, text: str) -> NoteView:
        """Change a note's text."""
        return note_view(await (await self.store()).update_note(note_id, text))

    async def delete_note(self, note_id: str) -> None:
        """Forget a note."""
        await (await self.store()).delete_note(note_id)


def _size_of(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
