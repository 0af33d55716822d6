"""Fixtures of the Plans tab tests: the tab on the fake backend, with the fake project."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QApplication

from codeface.ui.bridge import Bridge
from codeface.ui.plans import PlansPanel
from tests.ui.fake_backend import FakeBackend


@pytest.fixture
def backend() -> FakeBackend:
    """A fake backend (roles architect, coder, reviewer; project /work/demo)."""
    return FakeBackend()


@pytest.fixture
def plans(backend: FakeBackend, qapp: QApplication) -> Iterator[PlansPanel]:
    """The Plans tab, shown at a dock's size (the test opens the project)."""
    panel = PlansPanel(Bridge(backend))
    panel.resize(380, 640)
    panel.show()
    yield panel
    panel.live.feed.stop_watching()
    panel.close()
    panel.deleteLater()
