"""The Plans tab's draft: a goal becomes the manager's plan, shown as an editable list;
tasks are edited, reordered and removed; a circle is refused with its reason and nothing
runs; Run saves the edit and starts the plan with the chosen failure policy; Discard."""

from __future__ import annotations

import asyncio

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from codeface.core.errors import ModelMissing
from codeface.ui.plans import PlansPanel
from codeface.ui.plans.panel import DRAFT_PAGE, GOAL_PAGE, LIVE_PAGE
from tests.ui.conftest import wait_until
from tests.ui.fake_backend import FakeBackend
from tests.ui.fake_plans import PlanScript

pytest_plugins = ["tests.ui.plans_fixtures"]
pytestmark = pytest.mark.asyncio


async def drafted(plans: PlansPanel, goal: str = "add pagination") -> None:
    plans.set_project(FakeBackend().project())
    await wait_until(lambda: plans.draft.role.count() > 0)  # the roles arrived
    plans.goal_box.setPlainText(goal)
    QTest.mouseClick(plans.plan_button, Qt.MouseButton.LeftButton)
    await wait_until(lambda: plans.stack.currentIndex() == DRAFT_PAGE)


async def test_the_managers_plan_is_shown_and_edited_before_it_runs(
    plans: PlansPanel, backend: FakeBackend
) -> None:
    gate = asyncio.Event()
    backend.script_plan(PlanScript(gate=gate))
    plans.set_project(backend.project())
    await wait_until(lambda: plans.draft.role.count() > 0)
    plans.goal_box.setPlainText("add pagination")
    plans.plan_button.click()
    await wait_until(lambda: "repo map" in plans.goal_status.text())
    assert not plans.plan_button.isEnabled()  # one draft at a time
    gate.set()
    await wait_until(lambda: plans.stack.currentIndex() == DRAFT_PAGE)
    draft = plans.draft
    assert [draft.list.item(i).text() for i in range(draft.list.count())] == [
        "t1 · coder — Page model",
        "t2 · coder — Paginated API  (after t1)",
        "t3 · reviewer — Review  (after t1, t2)",
    ]
    assert [draft.role.itemText(i) for i in range(draft.role.count())] == [
        "architect",
        "coder",
        "reviewer",
    ]

    draft.list.setCurrentRow(1)
    draft.role.setCurrentText("architect")
    draft.brief.setPlainText("Design the paginated API first.")
    QTest.keyClicks(draft.files, ", docs/api.md")
    draft.move_selected(-1)  # t2 above t1 (it still waits for t1: the order is advisory)
    draft.list.setCurrentRow(1)
    assert draft.tasks[1].id == "t1"
    draft.remove_button.click()  # t1 goes, and so does every wait on it
    draft.policy.setCurrentIndex(draft.policy.findData("continue"))
    QTest.mouseClick(draft.run_button, Qt.MouseButton.LeftButton)

    await wait_until(lambda: plans.stack.currentIndex() == LIVE_PAGE)
    plan_id = draft.plan.id if draft.plan else ""
    saved = backend.plans[plan_id]
    assert [(t.id, t.role, t.depends_on) for t in saved.tasks] == [
        ("t2", "architect", ()),
        ("t3", "reviewer", ("t2",)),
    ]
    assert saved.tasks[0].brief == "Design the paginated API first."
    assert saved.tasks[0].files == ("api.py", "docs/api.md")
    assert ("run_plan", plan_id, "continue") in backend.calls
    await wait_until(lambda: plans.live.model.rowCount() == 2)


async def test_a_circle_is_refused_with_its_reason_and_nothing_runs(
    plans: PlansPanel, backend: FakeBackend
) -> None:
    await drafted(plans)
    draft = plans.draft
    draft.list.setCurrentRow(0)
    draft.depends.setFocus()
    QTest.keyClicks(draft.depends, "t3")

    draft.run_button.click()

    await wait_until(lambda: "circle" in draft.problem.text())
    assert "t1 → t3 → t1" in draft.problem.text()
    assert plans.stack.currentIndex() == DRAFT_PAGE
    assert not [call for call in backend.calls if call[0] == "run_plan"]
    assert draft.run_button.isEnabled()

    draft.depends.clear()
    QTest.keyClicks(draft.depends, " ")  # the user empties the field
    draft.role.setCurrentText("coder")
    draft.run_button.click()
    await wait_until(lambda: plans.stack.currentIndex() == LIVE_PAGE)


async def test_an_unknown_role_is_refused_by_name(plans: PlansPanel, backend: FakeBackend) -> None:
    backend.script_plan(PlanScript(tasks=_one_task("wizard")))
    await drafted(plans)
    assert plans.draft.role.currentText() == "wizard"  # shown as it came, until changed

    plans.draft.run_button.click()

    await wait_until(lambda: "unknown role 'wizard'" in plans.draft.problem.text())


async def test_discarding_a_draft_goes_back_to_the_goal(
    plans: PlansPanel, backend: FakeBackend
) -> None:
    await drafted(plans)
    plan_id = plans.draft.plan.id if plans.draft.plan else ""

    plans.draft.discard_button.click()

    await wait_until(lambda: plans.stack.currentIndex() == GOAL_PAGE)
    assert backend.plans[plan_id].status == "cancelled"


async def test_a_manager_that_fails_says_why_and_keeps_the_goal(
    plans: PlansPanel, backend: FakeBackend
) -> None:
    backend.script_plan(PlanScript(fail=ModelMissing("The model qwen3 is not installed")))
    plans.set_project(backend.project())
    await wait_until(lambda: plans.draft.role.count() > 0)
    plans.goal_box.setPlainText("add pagination")
    plans.plan_button.click()

    await wait_until(lambda: "not installed" in plans.goal_status.text())
    assert plans.stack.currentIndex() == GOAL_PAGE
    assert plans.goal_box.toPlainText() == "add pagination"
    assert plans.plan_button.isEnabled()


def _one_task(role: str) -> tuple:  # type: ignore[type-arg]
    from codeface.application.contract import PlanTaskView

    return (PlanTaskView("t1", "Odd", role, "Do it."),)


async def test_the_goal_box_sits_under_its_explanation_at_the_top(plans: PlansPanel) -> None:
    plans.resize(380, 700)  # a side dock: tall and narrow
    await wait_until(lambda: plans.goal_box.isVisible())
    intro = plans.goal_page.layout().itemAt(0).widget()
    assert "Describe a larger change" in intro.text()
    # The explanation takes the lines it needs, not the page's spare height.
    assert plans.goal_box.y() - intro.geometry().bottom() < 20
    assert plans.goal_box.y() < 120
