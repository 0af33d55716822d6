"""The user's project: files, ignore rules, search, repo map, edits, checkpoints, commands.

The only place that writes the user's files or starts processes. No Qt.

The names below load with their module on first use (a module `__getattr__`), so that
importing one part of the workspace (`codeface.workspace.files`, say) does not import the
whole of it, and the terminal and tmux with it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from codeface.core.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from codeface.workspace.checkpoints import CheckpointInfo, Checkpoints, RestoreReport
    from codeface.workspace.commands import CommandResult
    from codeface.workspace.edits import EditPreview, EditResult
    from codeface.workspace.files import FileEntry, FileKind, FileText, FileVersion
    from codeface.workspace.listing import DirEntry
    from codeface.workspace.project import Workspace, WorkspaceOptions
    from codeface.workspace.search import SearchHit, SearchResult

_HOMES = {
    "CheckpointInfo": "checkpoints",
    "Checkpoints": "checkpoints",
    "CommandResult": "commands",
    "DirEntry": "listing",
    "EditPreview": "edits",
    "EditResult": "edits",
    "FileEntry": "files",
    "FileKind": "files",
    "FileText": "files",
    "FileVersion": "files",
    "RestoreReport": "checkpoints",
    "SearchHit": "search",
    "SearchResult": "search",
    "Workspace": "project",
    "WorkspaceOptions": "project",
}

__all__ = [
    "CheckpointInfo",
    "Checkpoints",
    "CommandResult",
    "DirEntry",
    "EditPreview",
    "EditResult",
    "FileEntry",
    "FileKind",
    "FileText",
    "FileVersion",
    "RestoreReport",
    "SearchHit",
    "SearchResult",
    "Workspace",
    "WorkspaceOptions",
]

__getattr__ = lazy_exports(__name__, _HOMES, globals())
