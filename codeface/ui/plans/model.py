"""`PlanTaskModel`: the tasks of a running plan as rows of a table model.

One row per task (task, role, model, status, elapsed, tokens, cost, current tool,
attempts), held as the `TaskProgress` snapshots the plan's events carry. Updates are
collected with `stage` and applied by `flush`, which emits one ``dataChanged`` over the
changed rows, so a burst of events for 1,000 tasks costs one repaint of the visible rows.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

if TYPE_CHECKING:
    from codeface.application.contract.plan_views import TaskProgress

Index = QModelIndex | QPersistentModelIndex
COLUMNS = ("Task", "Status", "Doing", "Elapsed", "Tokens", "Cost", "Role", "Model", "Tries")
"""What a narrow dock must show comes first (task, status, current tool); the rest scrolls."""
ELAPSED = COLUMNS.index("Elapsed")
STATUS_WORDS = {
    "queued": "queued",
    "running": "running",
    "waiting": "waiting",
    "retrying": "retrying",
    "done": "done",
    "failed": "failed",
    "cancelled": "cancelled",
    "skipped": "skipped",
}
STATUS_MARKS = {
    "queued": "○",
    "running": "▶",
    "waiting": "⏸",
    "retrying": "↻",
    "done": "✓",
    "failed": "✗",
    "cancelled": "■",
    "skipped": "–",
}
FINAL = frozenset({"done", "failed", "cancelled", "skipped"})
TASK_ID_ROLE = Qt.ItemDataRole.UserRole
DISPLAY_ROLE = Qt.ItemDataRole.DisplayRole
TOOLTIP_ROLE = Qt.ItemDataRole.ToolTipRole
ANSWERED_ROLES = frozenset(
    int(role)
    for role in (DISPLAY_ROLE, TOOLTIP_ROLE, TASK_ID_ROLE, Qt.ItemDataRole.AccessibleTextRole)
)


def elapsed_text(seconds: float) -> str:
    """``42s``, ``3m05s`` or ``1h02m``."""
    whole = int(seconds)
    if whole < 60:
        return f"{whole}s"
    if whole < 3600:
        return f"{whole // 60}m{whole % 60:02d}s"
    return f"{whole // 3600}h{whole % 3600 // 60:02d}m"


def tokens_text(task: TaskProgress) -> str:
    """Tokens in and out, short (``1.2k``)."""
    total = task.input_tokens + task.output_tokens
    if not total:
        return ""
    return f"{total / 1000:.1f}k" if total >= 1000 else str(total)


def cost_text(cost: float | None) -> str:
    """``$0.004``; empty when unknown (a local model is free)."""
    if cost is None:
        return ""
    return f"${cost:.3f}" if cost < 10 else f"${cost:.2f}"


class PlanTaskModel(QAbstractTableModel):
    """The rows of the live plan view (one per task, in plan order)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.tasks: list[TaskProgress] = []
        self.rows: dict[str, int] = {}
        self.seen_at: dict[str, float] = {}
        self._staged: dict[str, TaskProgress] = {}

    # --- feeding ----------------------------------------------------------------------
    def reset(self, tasks: tuple[TaskProgress, ...] | list[TaskProgress]) -> None:
        """Show these tasks (a plan started or was loaded)."""
        self.beginResetModel()
        self.tasks = list(tasks)
        self.rows = {task.task_id: row for row, task in enumerate(self.tasks)}
        now = time.monotonic()
        self.seen_at = {task.task_id: now for task in self.tasks}
        self._staged.clear()
        self.endResetModel()

    def stage(self, task: TaskProgress) -> None:
        """Remember a task's new snapshot; `flush` shows it."""
        self._staged[task.task_id] = task

    @property
    def pending(self) -> bool:
        """Whether staged snapshots wait for a flush."""
        return bool(self._staged)

    def flush(self) -> None:
        """Apply the staged snapshots with one ``dataChanged``."""
        if not self._staged:
            return
        low, high = len(self.tasks), -1
        now = time.monotonic()
        for task_id, task in self._staged.items():
            row = self.rows.get(task_id)
            if row is None:
                continue
            self.tasks[row] = task
            self.seen_at[task_id] = now
            low, high = min(low, row), max(high, row)
        self._staged.clear()
        if high >= 0:
            last = self.columnCount() - 1
            self.dataChanged.emit(self.index(low, 0), self.index(high, last))

    def tick(self) -> None:
        """Running tasks' elapsed time moved on: repaint that column of their rows."""
        moving = [row for row, t in enumerate(self.tasks) if t.status not in FINAL]
        if moving:
            top, bottom = self.index(moving[0], ELAPSED), self.index(moving[-1], ELAPSED)
            self.dataChanged.emit(top, bottom, [Qt.ItemDataRole.DisplayRole])

    # --- reading ----------------------------------------------------------------------
    def task_at(self, row: int) -> TaskProgress | None:
        """The snapshot shown in ``row``."""
        return self.tasks[row] if 0 <= row < len(self.tasks) else None

    def counts(self) -> tuple[int, int]:
        """(tasks ended, all tasks)."""
        return sum(1 for t in self.tasks if t.status in FINAL), len(self.tasks)

    def elapsed(self, task: TaskProgress) -> float:
        """Elapsed seconds, counting on for a task that runs now."""
        if task.status in ("running", "waiting", "retrying"):
            return task.elapsed + time.monotonic() - self.seen_at.get(task.task_id, 0.0)
        return task.elapsed

    # --- Qt -----------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        """One row per task."""
        return 0 if parent.isValid() else len(self.tasks)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """The columns in `COLUMNS`."""
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        """Column titles."""
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section] if 0 <= section < len(COLUMNS) else None
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """A cell's text, tooltip or task id."""
        # The delegate asks each visible cell for seven roles per paint: answer the ones
        # this model has nothing for before touching the task.
        if role not in ANSWERED_ROLES:
            return None
        row = index.row()
        if not 0 <= row < len(self.tasks):
            return None
        task = self.tasks[row]
        if role == DISPLAY_ROLE:
            return self._cell(task, index.column())
        if role == TOOLTIP_ROLE:
            return self._tooltip(task)
        if role == TASK_ID_ROLE:
            return task.task_id
        return f"Task {task.task_id}, {task.title}: {STATUS_WORDS.get(task.status)}"

    def _cell(self, task: TaskProgress, column: int) -> str:
        match COLUMNS[column] if 0 <= column < len(COLUMNS) else "":
            case "Task":
                return f"{STATUS_MARKS.get(task.status, '')} {task.task_id} {task.title}"
            case "Role":
                return task.role
            case "Model":
                return task.model
            case "Status":
                return STATUS_WORDS.get(task.status, task.status)
            case "Elapsed":
                seconds = self.elapsed(task)
                return elapsed_text(seconds) if seconds or task.status != "queued" else ""
            case "Tokens":
                return tokens_text(task)
            case "Cost":
                return cost_text(task.cost_usd)
            case "Doing":
                return task.current_tool
            case "Tries":
                return f"{task.attempt}/{task.max_attempts}" if task.attempt else ""
        return ""

    @staticmethod
    def _tooltip(task: TaskProgress) -> str:
        lines = [f"{task.task_id}: {task.title}", f"role: {task.role}"]
        if task.depends_on:
            lines.append("waits for: " + ", ".join(task.depends_on))
        if task.files:
            lines.append("files: " + ", ".join(task.files))
        if task.detail:
            lines.append(task.detail)
        return "\n".join(lines)
