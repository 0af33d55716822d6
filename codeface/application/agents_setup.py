"""Where roles come from and which folders count as private, for a project's agents."""

from __future__ import annotations

from pathlib import Path

from codeface.agents.roles import Role, RoleProblem, load_roles, role_folders
from codeface.core.paths import AppPaths, app_paths, resource_path
from codeface.workspace import Workspace

DEFAULT_ROLE = "coder"


def load_project_roles(
    workspace: Workspace | None, paths: AppPaths | None = None
) -> tuple[dict[str, Role], list[RoleProblem]]:
    """Built-in roles, the user's (config folder ``agents/``) and the project's
    (``.codeface/agents/``), later ones replacing earlier ones of the same name."""
    paths = paths or app_paths()
    folders = role_folders(
        resource_path("agents"), paths.config / "agents", workspace.root if workspace else None
    )
    return load_roles(folders)


def private_folders(paths: AppPaths) -> tuple[Path, ...]:
    """CodeFace's own folders: a command that touches them is treated like one that reads
    credentials (the database, keys file and logs live there)."""
    return (paths.data, paths.config, paths.cache, paths.logs)
