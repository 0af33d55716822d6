"""The window-state file: round trip, atomic write, and tolerance of a broken file."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from codeface.ui import launch
from codeface.ui.main_window import MainWindow
from codeface.ui.window_state import (
    WindowState,
    load_window_state,
    save_window_state,
    state_file,
)
from tests.ui.fake_backend import FakeBackend


def test_state_round_trips_under_codeface_home(codeface_home: Path) -> None:
    state = WindowState(
        geometry=WindowState.encode(b"\x01\x02geometry"),
        dock_state=WindowState.encode(b"docks"),
        session_id="s42",
        zoom=-2,
        sidebar_visible=False,
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
    assert loaded.zoom == 0 and loaded.session_id is None


def test_missing_state_gives_defaults(tmp_path: Path) -> None:
    assert load_window_state(tmp_path / "nothing.json") == WindowState()
    assert WindowState.decode("%%%") == b""


def test_run_window_shows_loads_and_cleans_up(
    qapp: QApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    backend = FakeBackend()
    session_id = backend.add_session("Hello there", [("user", "hi"), ("assistant", "hello")])
    monkeypatch.setattr(launch, "build_backend", lambda: backend)
    seen: dict[str, object] = {}

    def poll() -> None:
        windows = [w for w in qapp.topLevelWidgets() if isinstance(w, MainWindow)]
        if windows and windows[0].ready.is_set():
            window = windows[0]
            seen["title"] = window.windowTitle()
            seen["visible"] = window.isVisible()
            seen["app"] = (qapp.applicationName(), qapp.desktopFileName())
            window.close()
        else:
            QTimer.singleShot(10, poll)

    QTimer.singleShot(0, poll)
    assert launch.run_window(argparse.Namespace(verbose=False)) == 0

    assert seen == {"title": "Hello there — CodeFace", "visible": True, "app": ("CodeFace", "codeface")}
    assert backend.closed
    assert json.loads(state_file().read_text())["session_id"] == session_id
