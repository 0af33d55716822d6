"""What the window asks about multi-agent plans: draft one from a goal, edit the draft,
list and load plans, run or resume one as a stream of events, cancel, answer approvals.

A plan runs in the window's process; while it runs, `cancel_plan_task`, `cancel_plan`,
`answer_plan_approval` and `answer_plan_question` reach it. For a plan that is not running
here, the cancel calls mark the stored plan (or ask the process that runs it).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Protocol

from codeface.agents.events import Decision

if TYPE_CHECKING:
    from codeface.application.contract import ConversationEvent
    from codeface.application.contract.plan_views import (
        FailurePolicy,
        PlanDrafted,
        PlanEvent,
        PlanView,
    )


class PlansContract(Protocol):
    """Plans of a project (its key, as `open_project` gave it)."""

    def draft_plan(
        self, project: str, goal: str, failure_policy: FailurePolicy = "stop"
    ) -> AsyncIterator[ConversationEvent | PlanDrafted]:
        """The manager turns ``goal`` into a plan: its turn's events, then `PlanDrafted`.
        Raises a `CodefaceError` (``PlanInvalid``) when no usable plan came of it."""
        ...

    async def save_plan_draft(self, plan: PlanView) -> PlanView:
        """Store the user's edit of a draft (tasks edited, reordered or removed; goal and
        failure policy). A cycle, an unknown role, a missing brief or a dependency on no
        task raises a `CodefaceError` whose message names every problem."""
        ...

    async def list_plans(self, project: str) -> list[PlanView]:
        """The project's plans, most recently changed first."""
        ...

    async def load_plan(self, plan_id: str) -> PlanView:
        """One stored plan (``plan_id`` may be a unique prefix)."""
        ...

    async def unfinished_plans(self, project: str) -> list[PlanView]:
        """The project's plans that stopped while running (CodeFace quit or was killed)
        and that no other process runs now: the ones to offer to resume."""
        ...

    def run_plan(
        self, plan_id: str, failure_policy: FailurePolicy | None = None
    ) -> AsyncIterator[PlanEvent]:
        """Run a draft, or resume a plan that stopped (finished tasks are not run again).
        Every transition as it happens, `PlanFinished` last. ``failure_policy`` (when
        given) replaces the stored one first: ``stop`` everything, or ``continue`` with
        the independent tasks."""
        ...

    async def cancel_plan_task(self, plan_id: str, task_id: str) -> bool:
        """Cancel one task (the tasks waiting for it are skipped); False if it had ended."""
        ...

    async def cancel_plan(self, plan_id: str) -> bool:
        """Cancel the whole plan (a draft is discarded this way)."""
        ...

    async def answer_plan_approval(
        self, plan_id: str, request_id: str, decision: Decision, reason: str = ""
    ) -> bool:
        """Answer an approval a task of a running plan asked for; False if none waits."""
        ...

    async def answer_plan_question(self, plan_id: str, question_id: str, text: str) -> bool:
        """Reply to a question a task of a running plan asked; False if none waits."""
        ...
