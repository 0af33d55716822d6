"""What the window asks about a project: its files, their contents, search, memory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from codeface.application.contract.project_views import (
        FileContent,
        FileEntryView,
        FilesChanged,
        NoteView,
        ProjectSearchHit,
        ProjectView,
        WritePreview,
    )


class ProjectContract(Protocol):
    """A project is named by its ``key`` (from `open_project`); paths are relative to it."""

    async def open_project(self, folder: str) -> ProjectView:
        """Open (and remember as recent) the project rooted at ``folder``."""
        ...

    async def recent_projects(self) -> list[ProjectView]:
        """Projects opened before, most recent first (folders that are gone left out)."""
        ...

    async def list_dir(self, project: str, path: str = "") -> list[FileEntryView]:
        """A folder of the project, ignored entries included and marked."""
        ...

    async def list_files(self, project: str) -> list[str]:
        """Every file of the project that ignore rules keep (for quick open)."""
        ...

    async def read_file(self, project: str, path: str) -> FileContent:
        """A file for the code view (a notice instead of text when it cannot be shown)."""
        ...

    async def save_file(self, project: str, path: str, text: str, version: str) -> FileContent:
        """Write a file atomically; refused when it changed on disk since ``version``."""
        ...

    async def preview_write(self, project: str, path: str, text: str) -> WritePreview:
        """The diff of writing ``text`` to ``path``, nothing written."""
        ...

    async def search_project(self, project: str, pattern: str) -> list[ProjectSearchHit]:
        """Lines of the project matching a regular expression."""
        ...

    def watch_project(self, project: str) -> AsyncIterator[FilesChanged]:
        """Changes on disk as they happen, until the iterator is closed."""
        ...

    async def list_notes(self, project: str) -> list[NoteView]:
        """The project's memory, oldest first."""
        ...

    async def add_note(self, project: str, text: str) -> NoteView:
        """Save a note to the project's memory."""
        ...

    async def update_note(self, note_id: str, text: str) -> NoteView:
        """Change a note's text."""
        ...

    async def delete_note(self, note_id: str) -> None:
        """Forget a note."""
        ...
