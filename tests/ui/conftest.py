"""Qt test plumbing: offscreen platform, a qasync loop for async tests and for sync tests.

Async tests (``@pytest.mark.asyncio``) under tests/ui run on a `qasync.QEventLoop`, so Qt
signals, timers and asyncio tasks interleave as in the real window. Sync tests that need
asyncio tasks (``asyncSlot``) take the ``qloop`` fixture.
"""

from __future__ import annotations

import asyncio
import gc
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtWidgets import QApplication

from codeface.ui.event_loop import QtEventLoop
from tests.ui.fake_backend import FakeBackend, RecordingChatPane


def pytest_asyncio_loop_factories(config: Any, item: Any) -> dict[str, Any]:
    """Async UI tests run on a qasync loop bound to the QApplication."""
    return {"qasync": lambda: QtEventLoop(QApplication.instance() or QApplication([]))}


@pytest.fixture(scope="session")
def _qloop(qapp: QApplication) -> Iterator[QtEventLoop]:
    loop = QtEventLoop(qapp)
    yield loop
    loop.close()


@pytest.fixture
def qloop(_qloop: QtEventLoop) -> Iterator[QtEventLoop]:
    """Make the qasync loop current for a sync test (qtbot waits run its tasks)."""
    asyncio.events._set_running_loop(_qloop)
    _qloop.install_asyncgen_hooks()
    yield _qloop
    _qloop.restore_asyncgen_hooks()
    asyncio.events._set_running_loop(None)


@pytest.fixture(autouse=True)
def collect_on_the_gui_thread() -> Iterator[None]:
    """Collect cyclic garbage here, between tests, on the GUI thread. Otherwise a Qt object
    a test left in a reference cycle may be collected later by whichever thread triggers
    the collector (a worker), and Qt crashes deleting a timer from the wrong thread."""
    gc.collect()
    yield
    gc.collect()


@pytest.fixture
def close_windows(qapp: QApplication) -> Iterator[None]:
    """Close and delete the top-level widgets a test leaves behind (use it in window tests)."""
    before = set(map(id, qapp.topLevelWidgets()))
    yield
    for widget in qapp.topLevelWidgets():
        if id(widget) not in before:
            widget.close()
            widget.deleteLater()
    qapp.processEvents()


@pytest.fixture
def fake_backend() -> FakeBackend:
    """An in-memory backend with two sessions, one with code."""
    backend = FakeBackend()
    backend.add_session(
        "Reverse a string",
        [
            ("user", "How do I reverse a string in Python?"),
            ("assistant", "Use slicing: `s[::-1]`."),
        ],
    )
    backend.add_session("Empty chat")
    return backend


@pytest.fixture
def state_path(tmp_path: Path) -> Path:
    """Where a test window keeps its layout."""
    return tmp_path / "window-state.json"


@pytest.fixture
def recording_pane(qapp: QApplication) -> RecordingChatPane:
    """A chat pane that records what the window asks it to show."""
    return RecordingChatPane()


async def wait_until(predicate: Any, timeout: float = 5.0) -> None:  # noqa: ASYNC109
    """Let the loop run until ``predicate()`` is true (the async twin of qtbot.waitUntil)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"condition not met within {timeout} s: {predicate}")
        await asyncio.sleep(0.005)
