"""End to end: the real window and `AppBackend` on a project, the scripted Ollama server
as every model. A goal typed in the Agents dock's Plans tab becomes the manager's draft,
the user removes one task and runs the rest; the tasks finish, the progress bar fills and
the plan is stored done."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from codeface.app import build_backend
from codeface.core.settings import Settings
from codeface.ui.bridge import Bridge
from codeface.ui.main_window import MainWindow
from codeface.ui.plans.model import COLUMNS
from codeface.ui.plans.panel import DRAFT_PAGE, LIVE_PAGE
from codeface.workspace import Workspace, WorkspaceOptions
from tests.application.plan_rig import TaskScripts, text
from tests.fakes.ollama_server import OllamaServer
from tests.ui.conftest import wait_until
from tests.ui.local_settings import save_local_only_settings

pytest_plugins = ["tests.fakes.fixtures"]

PLAN = {
    "tasks": [
        {"id": "t1", "title": "Model", "role": "coder", "brief": "Write models.py."},
        {"id": "t2", "title": "Docs", "role": "coder", "brief": "Write README.md."},
        {
            "id": "t3",
            "title": "Review",
            "role": "reviewer",
            "brief": "Review it.",
            "depends_on": ["t1", "t2"],
        },
    ]
}


@pytest.fixture
def configured(ollama_server: OllamaServer) -> Settings:
    """Settings on disk: only the fake Ollama, local only."""
    return save_local_only_settings(ollama_server.url)


@pytest.mark.usefixtures("close_windows", "configured")
@pytest.mark.asyncio
async def test_a_goal_is_planned_edited_and_run_in_the_window(
    ollama_server: OllamaServer, tmp_path: Path
) -> None:
    project = tmp_path / "shop"
    project.mkdir()
    (project / "app.py").write_text("print('shop')\n")
    scripts = TaskScripts(ollama_server)
    scripts.add("manager", text("```json\n" + json.dumps(PLAN) + "\n```"))
    scripts.add("t1", text("Wrote models.py."))
    scripts.add("t3", text("Looks fine."))
    backend = build_backend()
    workspace = Workspace.open(project, options=WorkspaceOptions(terminal="pty"))
    backend.context.workspaces[workspace.key] = workspace  # type: ignore[attr-defined]
    window = MainWindow(Bridge(backend), project=str(project))
    window.resize(1100, 800)
    window.show()
    await window.start()
    await wait_until(lambda: getattr(window, "agents_panel", None) is not None, timeout=10)
    plans = window.agents_panel.plans
    await wait_until(lambda: plans.draft.role.count() > 0, timeout=10)
    width = window.width()

    plans.goal_box.setPlainText("add a model and docs")
    plans.plan_button.click()
    await wait_until(lambda: plans.stack.currentIndex() == DRAFT_PAGE, timeout=20)
    draft = plans.draft
    assert [t.id for t in draft.tasks] == ["t1", "t2", "t3"]
    draft.list.setCurrentRow(1)
    draft.remove_button.click()
    assert [(t.id, t.depends_on) for t in draft.tasks] == [("t1", ()), ("t3", ("t1",))]
    draft.run_button.click()

    await wait_until(lambda: plans.stack.currentIndex() == LIVE_PAGE, timeout=10)
    live = plans.live
    await wait_until(lambda: live.progress.value() == 2 and not live.running, timeout=30)
    assert live.progress.maximum() == 2
    assert [live.model.index(r, COLUMNS.index("Status")).data() for r in range(2)] == [
        "done",
        "done",
    ]
    assert live.status.text().startswith("Done")
    plan_id = live.plan.id if live.plan else ""
    stored = await backend.load_plan(plan_id)
    assert stored.status == "done"
    assert [(t.task_id, t.status) for t in stored.progress] == [("t1", "done"), ("t3", "done")]
    assert scripts.counts["t2"] == 0
    assert window.width() == width  # the dock did not widen the window
    await window.shutdown()  # its tasks end on the running loop, not after the test
