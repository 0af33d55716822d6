"""`codeface plan list` and `codeface plan show ID`: stored plans as text.

A plan stored as running whose process is gone (its lock is free) is shown as
interrupted: ``codeface plan resume`` goes on with it.
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

from codeface.application.plan_records import PlanLock, progress_from_record
from codeface.commands.common import terminal_safe
from codeface.commands.plan_render import duration, usage
from codeface.store.models import PlanLogEntry, PlanRecord


def shown_status(record: PlanRecord, locks: Path) -> str:
    """The plan's status, ``interrupted`` when it says running but no process runs it."""
    if record.status == "running" and not PlanLock(locks, record.id).held_elsewhere():
        return "interrupted"
    return record.status


def _ago(seconds: float) -> str:
    return "just now" if seconds < 60 else f"{duration(seconds)} ago"


def list_lines(plans: list[PlanRecord], locks: Path, now: float) -> list[str]:
    """One line per plan: id, status, tasks done, age, goal."""
    if not plans:
        return ['No plans yet. Make one: codeface plan "your goal"']
    lines = []
    for record in plans:
        done = sum(1 for task in record.tasks if task.status == "done")
        goal = " ".join(record.goal.split())
        goal = goal if len(goal) <= 60 else goal[:59] + "…"
        lines.append(
            f"{record.id[:8]}  {shown_status(record, locks):<11} {done}/{len(record.tasks)} done  "
            f"{_ago(max(0.0, now - record.updated_at)):<14} {goal}"
        )
    return [terminal_safe(line) for line in lines]


def show_lines(record: PlanRecord, log: list[PlanLogEntry], locks: Path) -> list[str]:
    """The plan, each task with its state, and the history of transitions."""
    counts = Counter(task.status for task in record.tasks)
    summary = ", ".join(f"{count} {status}" for status, count in sorted(counts.items()))
    lines = [
        f"plan {record.id}  {shown_status(record, locks)}  ({summary})",
        f"goal: {record.goal}",
        f"project: {record.project or '—'} · if a task fails for good: {record.failure_policy}",
        "",
    ]
    rows = {row.task_id: row for row in record.tasks}
    for task in progress_from_record(record):
        row = rows[task.task_id]
        facts = [task.status, f"attempt {task.attempt}" if task.attempt else "not started"]
        if task.model:
            facts.append(task.model)
        if task.elapsed:
            facts.append(duration(task.elapsed))
        spent = usage(task.input_tokens, task.output_tokens, task.cost_usd)
        if spent:
            facts.append(spent)
        lines.append(f"{task.task_id}  {task.role}  {task.title}")
        lines.append("    " + " · ".join(facts))
        if task.depends_on:
            lines.append(f"    after: {', '.join(task.depends_on)}")
        if task.files:
            lines.append(f"    files: {', '.join(task.files)}")
        if row.changed_paths:
            lines.append(f"    changed: {', '.join(row.changed_paths)}")
        if row.session_id:
            lines.append(f"    transcript: codeface sessions show {row.session_id[:8]}")
        if row.error and task.status != "done":
            lines.append(f"    why: {row.error}")
        if row.summary:
            first = row.summary.strip().splitlines()[0] if row.summary.strip() else ""
            lines.append(f"    summary: {first}")
    if log:
        lines += ["", "history:"]
        for entry in log:
            when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(entry.at))
            who = f"{entry.task_id} " if entry.task_id else ""
            attempt = f" (attempt {entry.attempt})" if entry.attempt else ""
            detail = f": {entry.detail}" if entry.detail else ""
            lines.append(f"  {when}  {who}{entry.kind}{attempt}{detail}")
    return [terminal_safe(line) for line in lines]
