"""Listing a project: the files that count, one folder's entries, and their git status.

The files that count are those git lists (or .gitignore allows, outside git): see
`ignore`. A symlink is listed when it resolves to a regular file inside the project; one
that leads out, dangles or loops is left out. Blocking; the workspace runs these in a
worker thread.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from codeface.core.errors import PathOutsideProject, WorkspaceError
from codeface.workspace import ignore
from codeface.workspace.files import FileEntry, FileKind, classify_file, human_size
from codeface.workspace.paths import resolve_inside


@dataclass(frozen=True)
class DirEntry:
    """One entry of a folder, for a file tree: ``ignored`` entries are shown greyed.

    ``size`` and ``kind`` are None for folders. ``git_status`` is ``modified``, ``new``,
    ``deleted``, ``renamed``, ``conflict``, ``ignored`` or None (unchanged, or no git);
    a folder is ``modified`` when anything below it changed.
    """

    name: str
    path: str
    is_dir: bool
    is_symlink: bool
    size: int | None
    kind: FileKind | None
    ignored: bool
    git_status: str | None

    @property
    def description(self) -> str:
        """``folder``, or the file's kind and size: ``text, 1.2 KB``, ``binary, 3.0 MB``."""
        if self.is_dir:
            return "folder"
        kind = _KIND_WORDS.get(self.kind or "", "special file")
        return f"{kind}, {human_size(self.size or 0)}"


_KIND_WORDS = {
    "text": "text",
    "binary": "binary",
    "huge": "too large to show",
    "not_utf8": "not UTF-8",
}


def listed_paths(root: Path) -> list[str]:
    """The relative paths of the files that count, sorted (no stat, no classification)."""
    if ignore.git_prefix(root) is not None:
        listed = ignore.git_listed_files(root)
        if listed is not None:
            return listed
    return ignore.GitignoreRules(root).listed_files()


def _real_file(root: Path, relative: str) -> tuple[Path, os.stat_result] | None:
    """The real path and stat of a listed file, or None if it is not a regular file inside."""
    try:
        info = os.lstat(f"{root}/{relative}")
        if stat.S_ISLNK(info.st_mode):
            real = resolve_inside(root, relative)
            info = real.stat()
            return (real, info) if stat.S_ISREG(info.st_mode) else None
    except (OSError, PathOutsideProject):
        return None
    if not stat.S_ISREG(info.st_mode):
        return None  # a folder (submodule), a socket, a pipe
    return root / relative, info


def candidates(root: Path, under: str = "") -> list[tuple[str, Path, os.stat_result]]:
    """(relative, real path, stat) of the listed regular files below ``under``, sorted.

    Files deleted since git listed them are left out.
    """
    prefix = f"{under.rstrip('/')}/" if under else ""
    found: list[tuple[str, Path, os.stat_result]] = []
    for relative in listed_paths(root):
        if prefix and not relative.startswith(prefix):
            continue
        real_file = _real_file(root, relative)
        if real_file is not None:
            found.append((relative, *real_file))
    return found


def list_files(root: Path) -> list[FileEntry]:
    """Every file that counts, with its size and kind (from its first 8 KiB)."""
    entries: list[FileEntry] = []
    for relative, real, info in candidates(root):
        try:
            kind = classify_file(real, info.st_size)
        except OSError:
            continue
        entries.append(FileEntry(relative, info.st_size, kind))
    return entries


def list_dir(root: Path, real_dir: Path, relative_dir: str) -> list[DirEntry]:
    """The entries of one folder (``.git`` left out), folders first, then by name."""
    try:
        children = sorted(os.scandir(real_dir), key=lambda entry: entry.name.casefold())
    except NotADirectoryError as error:
        raise WorkspaceError(
            f"{relative_dir} is a file, not a folder", hint="Use read_file."
        ) from error
    except OSError as error:
        raise WorkspaceError(
            f"{relative_dir or 'The project'} cannot be listed: {error.strerror}"
        ) from error
    rows: list[tuple[str, str, bool, bool, int | None, FileKind | None]] = []
    for child in children:
        if child.name == ".git":
            continue
        relative = f"{relative_dir}/{child.name}" if relative_dir else child.name
        try:
            real = resolve_inside(root, relative)
            info = real.stat()
        except (OSError, PathOutsideProject):
            continue  # a link out of the project, dangling or looping
        is_dir = stat.S_ISDIR(info.st_mode)
        size = None if is_dir else info.st_size
        kind = None
        if stat.S_ISREG(info.st_mode):
            try:
                kind = classify_file(real, info.st_size)
            except OSError:
                kind = None
        rows.append((child.name, relative, is_dir, child.is_symlink(), size, kind))
    prefix = ignore.git_prefix(root)
    if prefix is not None:
        ignored = ignore.git_ignored(root, [row[1] for row in rows])
        statuses = ignore.git_status(root, prefix, relative_dir)
    else:
        rules = ignore.GitignoreRules(root)
        ignored = {row[1] for row in rows if rules.ignored(row[1], row[2])}
        statuses = {}
    entries = [
        DirEntry(
            name,
            relative,
            is_dir,
            is_link,
            size,
            kind,
            relative in ignored,
            _status(relative, is_dir, relative in ignored, statuses),
        )
        for name, relative, is_dir, is_link, size, kind in rows
    ]
    return sorted(entries, key=lambda entry: (not entry.is_dir, entry.name.casefold()))


def _status(relative: str, is_dir: bool, ignored: bool, statuses: dict[str, str]) -> str | None:
    if ignored:
        return "ignored"
    own = statuses.get(relative)
    if own is not None or not is_dir:
        return own
    inside = f"{relative}/"
    if any(path.startswith(inside) and value != "ignored" for path, value in statuses.items()):
        return "modified"
    return None
