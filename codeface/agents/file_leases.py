"""Which task is changing which file: a task holds a file from the moment it starts (the
files its plan names) or first edits it, until the task ends. Another task that wants to
change a held file waits for it; a wait that would close a circle (A waits for B's file
while B waits for A's) is refused with a message the model can act on instead.

Together with the workspace's own write lock and version checks (an edit made on a stale
read is refused), this is how parallel tasks share one working tree without ever editing
the same file at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable


class FileLeases:
    """Per-path leases for the tasks of one plan."""

    def __init__(self) -> None:
        self._holder: dict[str, str] = {}
        self._held_by: dict[str, set[str]] = {}
        self._waiting_for: dict[str, str] = {}
        self._released = asyncio.Event()

    def holder(self, path: str) -> str | None:
        """The task holding ``path`` (None when it is free)."""
        return self._holder.get(path)

    def held_by(self, task_id: str) -> tuple[str, ...]:
        """The paths a task holds, sorted."""
        return tuple(sorted(self._held_by.get(task_id, ())))

    def blocking(self, task_id: str, paths: Iterable[str]) -> dict[str, str]:
        """The paths among ``paths`` that another task holds, with their holders."""
        found = {}
        for path in paths:
            holder = self._holder.get(path)
            if holder is not None and holder != task_id:
                found[path] = holder
        return found

    def take(self, task_id: str, paths: Iterable[str]) -> None:
        """Hold ``paths`` now (the caller checked `blocking` is empty)."""
        for path in paths:
            self._holder[path] = task_id
            self._held_by.setdefault(task_id, set()).add(path)

    def _closes_circle(self, task_id: str, holder: str) -> bool:
        seen: set[str] = set()
        current: str | None = holder
        while current is not None and current not in seen:
            if current == task_id:
                return True
            seen.add(current)
            path = self._waiting_for.get(current)
            current = self._holder.get(path) if path is not None else None
        return False

    async def claim(self, task_id: str, path: str) -> str | None:
        """Hold ``path`` for ``task_id``, waiting while another task holds it.

        Returns None once held, or the reason it is refused (a wait that would never end).
        """
        while True:
            holder = self._holder.get(path)
            if holder is None or holder == task_id:
                self.take(task_id, [path])
                return None
            if self._closes_circle(task_id, holder):
                return (
                    f"{path} is being changed by task {holder}, which is waiting for a file "
                    "this task changed. Leave that file to the other task and finish without it."
                )
            self._waiting_for[task_id] = path
            released = self._released
            try:
                await released.wait()
            finally:
                self._waiting_for.pop(task_id, None)

    def release_all(self, task_id: str) -> tuple[str, ...]:
        """Give up every path the task holds (it ended); wakes the tasks waiting for one."""
        paths = self._held_by.pop(task_id, set())
        for path in paths:
            if self._holder.get(path) == task_id:
                del self._holder[path]
        if paths:
            self._released.set()
            self._released = asyncio.Event()
        return tuple(sorted(paths))
