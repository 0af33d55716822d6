"""Plans that stopped midway (CodeFace was killed while they ran): on opening the project
the Agents dock's Plans tab offers to resume them and the status bar says so; nothing
runs until the user presses Resume, which goes on with the chosen failure policy."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QApplication, QMainWindow, QStatusBar

from codeface.ui.agents import AgentsPanel
from codeface.ui.bridge import Bridge
from codeface.ui.plans.model import COLUMNS
from codeface.ui.plans.panel import LIVE_PAGE
from codeface.ui.window_plans import install_plans
from tests.ui.conftest import wait_until
from tests.ui.fake_backend import FakeBackend

pytestmark = pytest.mark.asyncio


class Window(QMainWindow):
    """The parts of the main window `install_plans` uses."""

    def __init__(self) -> None:
        super().__init__()
        self.status = QStatusBar()
        self.setStatusBar(self.status)


@pytest.fixture
def dock(qapp: QApplication) -> Iterator[tuple[FakeBackend, Window, AgentsPanel]]:
    backend = FakeBackend()
    window = Window()
    panel = AgentsPanel(Bridge(backend))
    window.setCentralWidget(panel)
    window.resize(420, 700)
    install_plans(window, panel)
    window.show()
    yield backend, window, panel
    panel.plans.live.feed.stop_watching()
    window.close()
    window.deleteLater()


async def test_a_plan_that_stopped_is_offered_not_run(
    dock: tuple[FakeBackend, Window, AgentsPanel],
) -> None:
    backend, window, panel = dock
    stopped = backend.add_plan(status="interrupted", statuses={"t1": "done", "t2": "running"})
    backend.add_plan(goal="a draft", status="draft")
    backend.add_plan(goal="finished", status="done")
    plans = panel.plans

    panel.set_project(backend.project())

    bar = plans.resume_bar
    await wait_until(lambda: bar.isVisible())
    assert panel.tabs.currentWidget() is plans
    assert "1 plan stopped before finishing" in bar.notice.text()
    assert bar.picker.itemText(0) == "add pagination (1 of 3 ended)"
    assert "stopped before finishing" in window.status.currentMessage()
    assert not [call for call in backend.calls if call[0] == "run_plan"]

    bar.policy.setCurrentIndex(bar.policy.findData("continue"))
    bar.resume_button.click()

    await wait_until(lambda: stopped.id in backend.plan_feeds)
    assert ("run_plan", stopped.id, "continue") in backend.calls
    assert plans.stack.currentIndex() == LIVE_PAGE
    assert not bar.isVisible()
    model = plans.live.model
    await wait_until(lambda: model.rowCount() == 3)
    assert [model.index(r, COLUMNS.index("Status")).data() for r in range(3)] == [
        "done",
        "queued",
        "queued",
    ]
    backend.finish_plan(stopped.id)
    await wait_until(lambda: plans.live.progress.value() == 3)
    assert backend.plans[stopped.id].status == "done"


async def test_nothing_is_offered_when_no_plan_stopped(
    dock: tuple[FakeBackend, Window, AgentsPanel],
) -> None:
    backend, window, panel = dock
    backend.add_plan(status="done")

    panel.set_project(backend.project())
    await wait_until(lambda: panel.plans.draft.role.count() > 0)  # the look-up is over

    assert not panel.plans.resume_bar.isVisible()
    assert window.status.currentMessage() == ""
    assert panel.tabs.currentWidget() is not panel.plans
