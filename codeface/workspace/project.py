"""What a project is: one root folder, resolved once, and the key everything stores under it.

Sessions, the terminal's tabs, project memory and agents all name a project by
`Workspace.key`, so "project" means one thing everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from codeface.core.errors import WorkspaceError


@dataclass(frozen=True)
class Workspace:
    """A project folder. Build it with `Workspace.open`, which resolves and checks the root."""

    root: Path

    @classmethod
    def open(cls, folder: str | Path) -> Workspace:
        """The project rooted at ``folder`` (``~`` expanded, symlinks resolved)."""
        try:
            root = Path(folder).expanduser().resolve(strict=True)
        except (OSError, RuntimeError) as error:
            raise WorkspaceError(
                f"The project folder {folder} does not exist",
                hint="Open an existing folder.",
            ) from error
        if not root.is_dir():
            raise WorkspaceError(
                f"{root} is not a folder", hint="Open the project's folder, not a file in it."
            )
        return cls(root)

    @property
    def key(self) -> str:
        """The stable text that names this project in the store and in state files."""
        return str(self.root)

    @property
    def name(self) -> str:
        """The folder's name, as shown to the user."""
        return self.root.name or str(self.root)
