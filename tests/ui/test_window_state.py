"""The window-state file: round trip, atomic write, and tolerance of a broken file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from codeface.ui.window_state import (
    WindowState,
    load_window_state,
    save_window_state,
    state_file,
)
from tests.ui.window_driver import run_window_driver


def test_state_round_trips_under_codeface_home(codeface_home: Path) -> None:
    state = WindowState(
        geometry=WindowState.encode(b"\x01\x02geometry"),
        dock_state=WindowState.encode(b"docks"),
        session_id="s42",
        project="/home/me/shop",
        zoom=-2,
        sidebar_visible=False,
        os_scheme="dark",
        look={"window": "#101010"},
    )
    save_window_state(state)
    assert state_file().is_relative_to(codeface_home)
    loaded = load_window_state()
    assert loaded == state
    assert WindowState.decode(loaded.geometry) == b"\x01\x02geometry"
    assert [p.name for p in state_file().parent.iterdir()] == [state_file().name]


@pytest.mark.parametrize("content", ["{not json", "[1, 2]", '{"zoom": "big", "session_id": 5}'])
def test_broken_or_odd_state_gives_defaults(tmp_path: Path, content: str) -> None:
    path = tmp_path / "state.json"
    path.write_text(content)
    loaded = load_window_state(path)
    assert loaded.zoom == 0
    assert loaded.session_id is None


def test_missing_state_gives_defaults(tmp_path: Path) -> None:
    assert load_window_state(tmp_path / "nothing.json") == WindowState()
    assert WindowState.decode("%%%") == b""


DRIVER = """
import json, sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from codeface.ui import launch
from codeface.ui.main_window import MainWindow
from tests.ui.fake_backend import FakeBackend

backend = FakeBackend()
session_id = backend.add_session("Hello there", [("user", "hi"), ("assistant", "hello")])
launch.build_backend = lambda: backend
seen = {"session": session_id}

def poll():
    app = QApplication.instance()
    windows = [w for w in app.topLevelWidgets() if isinstance(w, MainWindow)]
    if windows and windows[0].ready.is_set():
        window = windows[0]
        seen.update(title=window.windowTitle(), visible=window.isVisible(),
                    app=[app.applicationName(), app.desktopFileName()])
        window.close()
    else:
        QTimer.singleShot(10, poll)

QTimer.singleShot(0, poll)
seen["code"] = launch.run_window(None)
seen["closed"] = backend.closed
print(json.dumps(seen))
"""


def test_run_window_shows_loads_and_cleans_up(codeface_home: Path) -> None:
    """The real entry point in a fresh process: shown, state loaded, closed cleanly."""
    seen = run_window_driver(DRIVER)
    assert seen["code"] == 0
    assert seen["closed"] is True
    assert seen["title"] == "Hello there — CodeFace"
    assert seen["visible"] is True
    assert seen["app"] == ["CodeFace", "codeface"]
    saved = json.loads((codeface_home / "config" / "window-state.json").read_text())
    assert saved["session_id"] == seen["session"]
