"""At the Agents dock's width the live plan shows task, status and current tool unscrolled."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from codeface.ui.bridge import Bridge
from codeface.ui.plans.live import PlanLiveView
from tests.ui.fake_backend import FakeBackend

DOCK_WIDTH = 380


def test_task_status_and_current_tool_fit_a_dock_without_scrolling(
    qtbot: QtBot, qloop: object
) -> None:
    view = PlanLiveView(Bridge(FakeBackend()))
    qtbot.addWidget(view)
    view.resize(DOCK_WIDTH, 400)
    view.show()
    qtbot.waitExposed(view)
    tree, model = view.tree, view.model
    header = tree.header()
    titles = [
        model.headerData(header.logicalIndex(visual), Qt.Orientation.Horizontal)
        for visual in range(header.count())
    ]
    assert titles[:3] == ["Task", "Status", "Doing"]
    room = tree.viewport().width()
    for visual in range(3):
        logical = header.logicalIndex(visual)
        right = header.sectionViewportPosition(logical) + header.sectionSize(logical)
        assert right <= room, f"{titles[visual]} ends at {right} px of {room}"
    assert header.sectionSize(header.logicalIndex(0)) >= 120  # titles stay readable
