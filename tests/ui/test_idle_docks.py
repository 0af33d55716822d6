"""The idle window holds no dock panel nobody opened: the Code and Agents panels, the
Agents dock's Undo/Memory/Plans tabs and their modules are built the first time they are
shown (or needed), and a project with plans that stopped midway still says so at start."""

from __future__ import annotations

import json
from pathlib import Path

from tests.ui.window_driver import run_window_driver

DRIVER = """
import json, os, sys, time
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from codeface.ui import launch
from codeface.ui.main_window import MainWindow

UNFINISHED = os.environ.get("DRIVER_UNFINISHED") == "1"
PROJECT = "/work/demo"
LAZY = ("codeface.ui.code.panel", "codeface.ui.widgets.file_tree", "codeface.ui.agents.panel",
        "codeface.ui.agents.checkpoints", "codeface.ui.agents.memory", "codeface.ui.plans")

def build_backend():
    from tests.ui.fake_backend import FakeBackend

    backend = FakeBackend()
    backend.add_session("Hello there", [("user", "hi"), ("assistant", "hello")])
    if UNFINISHED:
        backend.add_plan(status="interrupted", statuses={"t1": "done", "t2": "running"},
                         project=PROJECT)
    return backend
launch.build_backend = build_backend

seen = {}
def window():
    windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]
    return windows[0] if windows else None

def at_idle():
    w = window()
    seen["project"] = w.project.key if w.project else None
    seen["idle_modules"] = [name for name in LAZY if name in sys.modules]
    seen["idle_panels"] = sorted(w.docks.panels)
    seen["status"] = w.status.currentMessage()
    if UNFINISHED:
        panel = w.docks.panels.get("agents")
        seen["plans_tab_current"] = panel is not None and panel.tabs.currentWidget() is panel.plans
        seen["agents_dock_visible"] = w.docks.docks["agents"].isVisible()
        w.close()
        return
    w.chat.sig_composing.emit()  # the user starts typing: the panel's modules load meanwhile
    wait_for_prepared(time.monotonic() + 10)

def wait_for_prepared(deadline):
    w = window()
    if "codeface.ui.agents.panel" not in sys.modules and time.monotonic() < deadline:
        QTimer.singleShot(10, lambda: wait_for_prepared(deadline))
        return
    seen["prepared_modules"] = "codeface.ui.agents.panel" in sys.modules
    seen["panels_while_typing"] = sorted(w.docks.panels)
    agents = w.docks.docks["agents"]
    agents.show()
    agents.raise_()
    panel = w.docks.panels.get("agents")
    seen["agents_built_on_show"] = panel is not None
    seen["tabs_built_on_show"] = [k for k in ("checkpoints", "memory", "plans") if panel.built(k)]
    seen["tab_labels"] = [panel.tabs.tabText(i) for i in range(panel.tabs.count())]
    panel.tabs.setCurrentIndex(3)
    seen["plans_built_on_tab"] = panel.built("plans") is not None
    seen["plans_current"] = panel.tabs.currentWidget() is panel.plans
    seen["plans_project"] = panel.plans.project.key if panel.plans.project else None
    w.quick_open()  # needs the Code panel: it is built and shown
    seen["code_built"] = "code" in w.docks.panels
    seen["code_project"] = w.code_panel.project.key if w.code_panel.project else None
    seen["code_visible"] = w.code_panel.isVisible()
    w.close()

def poll():
    w = window()
    if w is not None and w.chat is not None and w.ready.is_set():
        QTimer.singleShot(300, at_idle)  # the unfinished-plans look-up is a task of its own
    else:
        QTimer.singleShot(10, poll)

QTimer.singleShot(0, poll)
# A returning user: the project reopens from the saved window state, whose docks are closed.
from codeface.ui.window_state import WindowState, save_window_state
save_window_state(WindowState(project=PROJECT))
seen["code"] = launch.run_window(None)
print(json.dumps(seen))
"""


def test_the_idle_window_builds_no_dock_panel_until_it_is_shown(codeface_home: Path) -> None:
    seen = run_window_driver(DRIVER)

    assert seen["code"] == 0
    assert seen["project"] == "/work/demo"
    assert seen["idle_modules"] == []
    assert seen["idle_panels"] == []
    # Typing a message loads the Agents panel's modules in a worker, building nothing yet.
    assert seen["prepared_modules"] is True
    assert seen["panels_while_typing"] == []
    # Shown, the Agents dock builds its panel; each of its other tabs waits for its turn.
    assert seen["agents_built_on_show"] is True
    assert seen["tabs_built_on_show"] == []
    assert seen["tab_labels"] == ["&Turn", "&Undo", "&Memory", "Pla&ns"]
    assert seen["plans_built_on_tab"] is True
    assert seen["plans_current"] is True
    assert seen["plans_project"] == "/work/demo"
    assert seen["code_built"] is True
    assert seen["code_project"] == "/work/demo"
    assert seen["code_visible"] is True


def test_plans_that_stopped_midway_are_offered_at_start_with_the_dock_never_opened(
    codeface_home: Path,
) -> None:
    seen = run_window_driver(DRIVER.replace('os.environ.get("DRIVER_UNFINISHED") == "1"', "True"))

    assert seen["code"] == 0
    assert "1 plan stopped before finishing" in str(seen["status"])
    assert seen["agents_dock_visible"] is True
    assert seen["plans_tab_current"] is True
    assert "codeface.ui.code.panel" not in json.dumps(seen["idle_modules"])
