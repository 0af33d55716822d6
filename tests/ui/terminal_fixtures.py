"""Fixtures for the terminal widget tests (kept apart from the UI helper's conftest)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from pathlib import Path

import pytest

BASH = ["/bin/bash", "--norc", "--noprofile"]


@pytest.fixture
def shell_env(tmp_path: Path) -> dict[str, str]:
    """A quiet, deterministic shell environment (empty HOME, plain prompt)."""
    from codeface.terminal.pty_session import clean_environment

    home = tmp_path / "home"
    home.mkdir()
    env = clean_environment()
    env.update(
        {"HOME": str(home), "PS1": "$ ", "LANG": "C.UTF-8", "LESS": "R", "LESSHISTFILE": "-"}
    )
    env.pop("PROMPT_COMMAND", None)
    return env


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """An empty project folder."""
    folder = tmp_path / "proj"
    folder.mkdir()
    return folder


@pytest.fixture
def terminals(qloop: object) -> Iterator[object]:
    """The terminal service the widgets start their terminals through (the qasync loop
    runs its tasks while qtbot waits); every terminal it opened is hung up at the end."""
    from codeface.application.terminal_service import TerminalService

    service = TerminalService()
    yield service
    service.close_all()


@pytest.fixture
def close_later() -> Iterator[list[object]]:
    """Widgets to hang up at the end of the test (so no shell outlives it)."""
    widgets: list[object] = []
    yield widgets
    from shiboken6 import isValid

    for widget in widgets:
        if not isValid(widget):
            continue  # pytest-qt already closed it (closeEvent hung the shells up)
        for method in ("shutdown", "close_session"):
            if hasattr(widget, method):
                getattr(widget, method)()
                break
