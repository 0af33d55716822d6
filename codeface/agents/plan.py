"""A plan: tasks with a role each, a short brief, the files they expect to touch, and the
tasks they wait for. Validation names what is wrong (an unknown role, a dependency on a
task that does not exist, a cycle with the tasks in it); `task_brief` writes what one
task's agent is told, including what the tasks it waited for reported.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal, get_args

from codeface.core.errors import CodefaceError

FailurePolicy = Literal["stop", "continue"]
FAILURE_POLICIES: tuple[str, ...] = get_args(FailurePolicy)
MANAGER_ROLE = "manager"
MAX_TASKS = 10_000
SUMMARY_LIMIT = 2_000
TASK_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")


class PlanInvalid(CodefaceError):
    """A plan that cannot run: each problem names the task it is about."""

    kind_name = "invalid_plan"
    exit_code = 2
    default_hint = "Edit the plan (or ask again with a clearer goal)."

    def __init__(self, problems: Sequence[str], *, hint: str | None = None) -> None:
        self.problems = tuple(problems)
        shown = "; ".join(self.problems[:5])
        more = f" (and {len(self.problems) - 5} more)" if len(self.problems) > 5 else ""
        super().__init__(f"The plan cannot run: {shown}{more}", hint=hint)


@dataclass(frozen=True)
class PlanTask:
    """One task of a plan. ``id`` is short and unique within the plan (``t1``)."""

    id: str
    title: str
    role: str
    brief: str
    files: tuple[str, ...] = ()
    depends_on: tuple[str, ...] = ()


@dataclass(frozen=True)
class Plan:
    """A goal and the tasks that reach it, in the order the user wants them considered."""

    goal: str
    tasks: tuple[PlanTask, ...]
    failure_policy: FailurePolicy = "stop"

    def task(self, task_id: str) -> PlanTask:
        """The task with this id (KeyError when there is none)."""
        for task in self.tasks:
            if task.id == task_id:
                return task
        raise KeyError(task_id)

    def without(self, task_id: str) -> Plan:
        """The plan with one task cut, and every dependency on it dropped."""
        kept = tuple(
            replace(task, depends_on=tuple(d for d in task.depends_on if d != task_id))
            for task in self.tasks
            if task.id != task_id
        )
        return replace(self, tasks=kept)


@dataclass(frozen=True)
class TaskReport:
    """What a finished task hands to the tasks that wait for it."""

    title: str
    summary: str
    changed_paths: tuple[str, ...] = field(default_factory=tuple)


def find_cycle(tasks: Sequence[PlanTask]) -> list[str] | None:
    """One dependency cycle as the ids along it (first id repeated at the end), or None."""
    known = {task.id: task for task in tasks}

    def waits_for(task_id: str) -> Iterator[str]:
        return (d for d in known[task_id].depends_on if d in known)

    state: dict[str, int] = {}  # 1: on the current path, 2: explored
    for start in known:
        if start in state:
            continue
        state[start] = 1
        path = [start]
        stack = [waits_for(start)]
        while stack:
            target = next(stack[-1], None)
            if target is None:
                state[path.pop()] = 2
                stack.pop()
            elif state.get(target) == 1:
                return [*path[path.index(target) :], target]
            elif target not in state:
                state[target] = 1
                path.append(target)
                stack.append(waits_for(target))
    return None


def plan_problems(plan: Plan, roles: Collection[str]) -> list[str]:
    """Everything that stops ``plan`` from running, one sentence each (empty: it can run).

    ``roles`` are the roles a task may have (the manager's own role is never one).
    """
    problems: list[str] = []
    if not plan.goal.strip():
        problems.append("the plan has no goal")
    if not plan.tasks:
        problems.append("the plan has no tasks")
    if len(plan.tasks) > MAX_TASKS:
        problems.append(f"the plan has {len(plan.tasks)} tasks (at most {MAX_TASKS})")
    if plan.failure_policy not in FAILURE_POLICIES:
        problems.append(
            f"failure policy {plan.failure_policy!r} is not one of {', '.join(FAILURE_POLICIES)}"
        )
    allowed = sorted(role for role in roles if role != MANAGER_ROLE)
    seen: set[str] = set()
    ids = {task.id for task in plan.tasks}
    for task in plan.tasks:
        if not TASK_ID.match(task.id):
            problems.append(
                f"task id {task.id!r} must be letters, digits, '-', '_' or '.' (at most 40)"
            )
        if task.id in seen:
            problems.append(f"two tasks have the id {task.id!r}")
        seen.add(task.id)
        if task.role not in allowed:
            problems.append(
                f"task {task.id} has the unknown role {task.role!r} "
                f"(known: {', '.join(allowed) or 'none'})"
            )
        if not task.brief.strip():
            problems.append(f"task {task.id} has no brief")
        for dependency in task.depends_on:
            if dependency == task.id:
                problems.append(f"task {task.id} depends on itself")
            elif dependency not in ids:
                problems.append(f"task {task.id} depends on {dependency!r}, which is not a task")
    cycle = find_cycle(
        [replace(t, depends_on=tuple(d for d in t.depends_on if d != t.id)) for t in plan.tasks]
    )
    if cycle:
        problems.append("tasks depend on each other in a circle: " + " → ".join(cycle))
    return problems


def check_plan(plan: Plan, roles: Collection[str]) -> Plan:
    """``plan`` when it can run; `PlanInvalid` with every problem otherwise."""
    problems = plan_problems(plan, roles)
    if problems:
        raise PlanInvalid(problems)
    return plan


def dependents_of(plan: Plan) -> dict[str, list[str]]:
    """For each task id, the ids of the tasks that wait for it (in plan order)."""
    waiting: dict[str, list[str]] = {task.id: [] for task in plan.tasks}
    for task in plan.tasks:
        for dependency in task.depends_on:
            if dependency in waiting:
                waiting[dependency].append(task.id)
    return waiting


def _short(text: str, limit: int) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def task_brief(plan: Plan, task: PlanTask, reports: Mapping[str, TaskReport]) -> str:
    """The prompt of one task's agent: its place in the plan, its brief, its files, and the
    reports of the tasks it waited for (as data: another agent's words are not orders)."""
    from codeface.agents.tools import as_data  # the tools load with the first task, not here

    parts = [
        f"Plan task {task.id}: {task.title}",
        f"The whole plan's goal: {plan.goal.strip()}",
        f"Your task:\n{task.brief.strip()}",
    ]
    if task.files:
        parts.append("Files you are expected to change: " + ", ".join(task.files))
    done = [(dep, reports[dep]) for dep in task.depends_on if dep in reports]
    if done:
        blocks = []
        for dep, report in done:
            changed = ", ".join(report.changed_paths) or "nothing"
            body = f"changed: {changed}\n{_short(report.summary, SUMMARY_LIMIT)}"
            blocks.append(as_data(f"report of task {dep} ({_short(report.title, 60)})", body))
        parts.append("Tasks finished before yours reported:\n" + "\n".join(blocks))
    parts.append(
        "Work only on your task: other agents carry out the rest of the plan, some at the "
        "same time. When you are done, answer with a short summary of what you changed and "
        "how you checked it."
    )
    return "\n\n".join(parts)
