"""View data of a project: its files, their contents, search hits, previews, memory notes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

FileKind = Literal["text", "binary", "huge", "not_utf8"]


@dataclass(frozen=True)
class ProjectView:
    """An open project: ``key`` names it everywhere (sessions, terminal, memory)."""

    key: str
    name: str
    root: str


@dataclass(frozen=True)
class FileEntryView:
    """A file or folder of the project tree, with its git status when known."""

    name: str
    path: str
    is_dir: bool
    size: int = 0
    kind: FileKind = "text"
    ignored: bool = False
    git_status: str | None = None
    is_symlink: bool = False


@dataclass(frozen=True)
class FileContent:
    """A file as the code view shows it. ``text`` is None when it cannot be shown (binary,
    too large, not UTF-8): ``notice`` says why. ``version`` is passed back when saving, so
    a file changed on disk since is never overwritten."""

    path: str
    text: str | None
    version: str
    size: int
    notice: str | None = None
    line_ending: Literal["\n", "\r\n"] = "\n"


@dataclass(frozen=True)
class WritePreview:
    """What writing ``new_text`` to ``path`` would change, before anything is written."""

    path: str
    old_text: str
    new_text: str
    diff: str
    version: str
    creates: bool


@dataclass(frozen=True)
class ProjectSearchHit:
    """A line of the project that matches a search."""

    path: str
    line: int
    column: int
    text: str


@dataclass(frozen=True)
class FilesChanged:
    """Files of the project changed on disk (empty ``paths``: too many to list; reload)."""

    project: str
    paths: tuple[str, ...]


@dataclass(frozen=True)
class NoteView:
    """A project note (from the user or an agent's `remember`)."""

    id: str
    text: str
    source: str
    updated_at: str
