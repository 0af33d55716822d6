"""Workspace fixtures: real folders in tmp_path, real git, a throw-away tmux server."""

from __future__ import annotations

import subprocess
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from codeface.terminal.tmux import TmuxController
from codeface.workspace import Workspace, WorkspaceOptions

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.invalid",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.invalid",
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(folder: Path, *args: str) -> str:
    """Run git in ``folder`` (the test's own repository) and return its stdout."""
    import os

    env = {**os.environ, **GIT_ENV, "GIT_CONFIG_GLOBAL": os.devnull}
    done = subprocess.run(
        ["git", *args], cwd=folder, env=env, capture_output=True, text=True, check=True
    )
    return done.stdout


def write(root: Path, files: dict[str, str | bytes]) -> None:
    """Create ``files`` (relative path -> text or bytes) under ``root``."""
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """An empty project folder (not a git repository)."""
    folder = tmp_path / "project"
    folder.mkdir()
    return folder


@pytest.fixture
def git_project(project: Path) -> Path:
    """An empty project folder that is a git repository."""
    git(project, "init", "-q", "-b", "main")
    return project


@pytest.fixture
def tmux_socket() -> Iterator[str]:
    """A tmux server socket name of this test's own, killed afterwards."""
    name = "codeface-test-" + uuid.uuid4().hex[:8]
    try:
        yield name
    finally:
        TmuxController(name).kill_server()


@pytest.fixture
def open_workspace(tmux_socket: str) -> Callable[..., Workspace]:
    """``open_workspace(folder, **options)``: a Workspace on the test's tmux server."""

    def opener(folder: Path, **options: object) -> Workspace:
        settings = {"tmux_socket": tmux_socket, **options}
        return Workspace.open(folder, options=WorkspaceOptions(**settings))  # type: ignore[arg-type]

    return opener
