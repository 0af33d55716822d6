"""The user's project: files, ignore rules, search, repo map, edits, checkpoints, commands.

The only place that writes the user's files or starts processes. No Qt.
"""

from codeface.workspace.checkpoints import CheckpointInfo, Checkpoints, RestoreReport
from codeface.workspace.commands import CommandResult
from codeface.workspace.edits import EditPreview, EditResult
from codeface.workspace.files import FileEntry, FileKind, FileText, FileVersion
from codeface.workspace.listing import DirEntry
from codeface.workspace.project import Workspace, WorkspaceOptions
from codeface.workspace.search import SearchHit, SearchResult

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
