"""The Plans tab while a plan runs (fake backend): each task's row follows its events
(role, model, status, tokens, cost, current tool, attempts), the progress bar fills, the
user cancels a task or the plan, answers a task's approval from the keyboard, opens a
task's transcript; a burst of 1,000 tasks' events is applied in a few coalesced updates."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from codeface.application.contract import PlanTaskView
from codeface.application.contract.plan_views import (
    ApprovalRequest,
    ApprovalRequested,
    QuestionAsked,
    TaskActivity,
    TaskDone,
    TaskStarted,
    TaskStep,
)
from codeface.core.messages import ToolCall
from codeface.ui.plans import PlansPanel
from codeface.ui.plans.panel import GOAL_PAGE
from tests.ui.conftest import wait_until
from tests.ui.fake_backend import FakeBackend

pytest_plugins = ["tests.ui.plans_fixtures"]
pytestmark = pytest.mark.asyncio


def cells(plans: PlansPanel, row: int) -> dict[str, str]:
    """The row's texts by column title."""
    model = plans.live.model
    return {
        str(model.headerData(column, Qt.Orientation.Horizontal)): model.index(row, column).data()
        for column in range(model.columnCount())
    }


def status(plans: PlansPanel, row: int) -> str:
    return cells(plans, row)["Status"]


async def running(plans: PlansPanel, backend: FakeBackend, **kwargs: object) -> str:
    plans.set_project(backend.project())
    plan = backend.add_plan(**kwargs)  # type: ignore[arg-type]
    plans.run_plan(plan, "stop")
    await wait_until(lambda: plan.id in backend.plan_feeds)
    await wait_until(lambda: plans.live.model.rowCount() == len(plan.tasks))
    return plan.id


async def test_rows_follow_the_tasks_and_the_progress_bar_fills(
    plans: PlansPanel, backend: FakeBackend
) -> None:
    plan_id = await running(plans, backend)
    live = plans.live
    first = cells(plans, 0)
    assert [first[name] for name in ("Task", "Role", "Model", "Status")] == [
        "○ t1 Page model",
        "coder",
        "",
        "queued",
    ]
    assert not live.new_button.isVisible()

    started = backend.task_progress(plan_id, "t1", "running", attempt=1, model="qwen2.5")
    step = replace(
        started,
        input_tokens=900,
        output_tokens=400,
        cost_usd=0.0042,
        current_tool="edit models.py",
        attempt=2,
    )
    backend.feed_plan(plan_id, TaskStarted(started), TaskStep(step, "tool"))

    await wait_until(lambda: status(plans, 0) == "running")
    row = cells(plans, 0)
    assert row["Task"] == "▶ t1 Page model"
    assert row["Model"] == "qwen2.5"
    assert [row[name] for name in ("Tokens", "Cost", "Doing", "Tries")] == [
        "1.3k",
        "$0.004",
        "edit models.py",
        "2/3",
    ]
    assert live.progress.value() == 0

    backend.finish_plan(plan_id)

    await wait_until(lambda: live.progress.value() == 3)
    assert live.progress.maximum() == 3
    assert [status(plans, r) for r in range(3)] == ["done", "done", "done"]
    await wait_until(lambda: live.new_button.isVisible())
    assert live.status.text().startswith("Done")
    assert not live.cancel_plan_button.isEnabled()
    live.new_button.click()
    assert plans.stack.currentIndex() == GOAL_PAGE


async def test_cancel_one_task_then_the_plan(plans: PlansPanel, backend: FakeBackend) -> None:
    plan_id = await running(plans, backend)
    live = plans.live
    backend.feed_plan(plan_id, TaskStarted(backend.task_progress(plan_id, "t1", "running")))
    await wait_until(lambda: status(plans, 0) == "running")
    live.select_task("t1")
    assert live.cancel_task_button.isEnabled()

    QTest.mouseClick(live.cancel_task_button, Qt.MouseButton.LeftButton)

    await wait_until(lambda: status(plans, 0) == "cancelled")
    assert backend.plan_cancels == [(plan_id, "t1")]
    assert not live.cancel_task_button.isEnabled()  # it has ended
    live.cancel_plan_button.click()
    await wait_until(lambda: not live.running)
    assert backend.plan_cancels[-1] == (plan_id, None)
    assert [status(plans, r) for r in range(3)] == ["cancelled"] * 3
    assert live.status.text().startswith("Cancelled")


async def test_a_tasks_approval_is_answered_from_the_keyboard(
    plans: PlansPanel, backend: FakeBackend
) -> None:
    plan_id = await running(plans, backend)
    approvals = plans.live.approvals
    assert not approvals.isVisible()
    call = ToolCall("c1", "edit_file", {"path": "models.py"})
    other = ToolCall("c2", "run_command", {"command": "pytest -q"})
    backend.feed_plan(
        plan_id,
        TaskActivity(
            plan_id,
            "t1",
            ApprovalRequested(ApprovalRequest("r1", call, "edit", "edit models.py", "-a\n+b\n")),
        ),
        TaskActivity(
            plan_id,
            "t2",
            ApprovalRequested(
                ApprovalRequest("r2", other, "command", "run `pytest -q`", "$ pytest -q")
            ),
        ),
        TaskActivity(plan_id, "t3", QuestionAsked("q1", "c3", "Which page size?")),
    )

    await wait_until(lambda: approvals.isVisible())
    assert approvals.heading.text() == "Task t1 asks to edit models.py"
    assert approvals.detail.toPlainText() == "-a\n+b\n"
    assert approvals.more.text() == "2 more waiting"
    assert approvals.allow_button.accessibleName() == "Allow this once"
    approvals.allow_button.setFocus()
    QTest.keyClick(approvals.allow_button, Qt.Key.Key_Space)
    await wait_until(lambda: len(backend.plan_answers) == 1)
    assert backend.plan_answers == [(plan_id, "r1", "once")]

    assert approvals.heading.text() == "Task t2 asks to run `pytest -q`"
    QTest.keyClick(approvals.deny_button, Qt.Key.Key_D, Qt.KeyboardModifier.AltModifier)
    await wait_until(lambda: len(backend.plan_answers) == 2)
    assert backend.plan_answers[-1] == (plan_id, "r2", "deny")

    assert approvals.heading.text() == "Task t3 asks: Which page size?"
    assert approvals.answer.isVisible()
    assert not approvals.allow_button.isVisible()
    approvals.answer.setFocus()
    QTest.keyClicks(approvals.answer, "20")
    QTest.keyClick(approvals.answer, Qt.Key.Key_Return)
    await wait_until(lambda: len(backend.plan_answers) == 3)
    assert backend.plan_answers[-1] == (plan_id, "q1", "20")
    assert not approvals.isVisible()
    assert QApplication.focusWidget() is not None


async def test_an_approval_settled_elsewhere_leaves_the_line(
    plans: PlansPanel, backend: FakeBackend
) -> None:
    from codeface.application.contract.plan_views import ApprovalGiven

    plan_id = await running(plans, backend)
    call = ToolCall("c1", "edit_file", {"path": "models.py"})
    request = ApprovalRequest("r1", call, "edit", "edit models.py", "")
    backend.feed_plan(plan_id, TaskActivity(plan_id, "t1", ApprovalRequested(request)))
    await wait_until(lambda: plans.live.approvals.isVisible())

    backend.feed_plan(plan_id, TaskActivity(plan_id, "t1", ApprovalGiven("c1", "deny", "timeout")))

    await wait_until(lambda: not plans.live.approvals.isVisible())
    assert backend.plan_answers == []


async def test_a_tasks_transcript_shows_its_steps(plans: PlansPanel, backend: FakeBackend) -> None:
    plan_id = await running(plans, backend)
    session_id = backend.add_session(
        "t1", [("user", "Plan task t1: Page model"), ("assistant", "Added the Page class.")]
    )
    done = backend.task_progress(plan_id, "t1", "done", session_id=session_id)
    backend.feed_plan(plan_id, TaskDone(done, "Added the Page class.", ("models.py",)))
    await wait_until(lambda: status(plans, 0) == "done")
    live = plans.live
    live.select_task("t1")
    assert live.transcript_button.isEnabled()

    live.tree.setFocus()
    QTest.keyClick(live.tree, Qt.Key.Key_Return)  # activating the row opens it

    await wait_until(lambda: live.transcript.isVisible())
    text = live.transcript.toPlainText()
    assert "▌ Brief\nPlan task t1: Page model" in text
    assert "▌ Step 1" in text
    assert "Added the Page class." in text


async def test_a_burst_of_1000_tasks_is_applied_in_a_few_updates(
    plans: PlansPanel, backend: FakeBackend
) -> None:
    tasks = tuple(PlanTaskView(f"t{n}", f"task {n}", "coder", "do it") for n in range(1000))
    plan_id = await running(plans, backend, tasks=tasks)
    updates: list[int] = []
    plans.live.model.dataChanged.connect(
        lambda top, bottom, *_: updates.append(bottom.row() - top.row() + 1)
    )

    backend.finish_plan(plan_id)

    await wait_until(lambda: plans.live.progress.value() == 1000, timeout=20)
    assert plans.live.feed.events_seen == 1 + 2000 + 1
    assert 1 <= len(updates) <= 20  # coalesced: not one repaint per event
    assert plans.live.progress.text() == "1000 of 1000 tasks"
