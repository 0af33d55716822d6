"""The user's project: files, ignore rules, search, repo map, edits, checkpoints, commands.

The only place that writes the user's files or starts processes. No Qt.
"""

from codeface.workspace.project import Workspace

__all__ = ["Workspace"]
