"""What one attempt of a plan task is given, and how it reports trouble: the scheduler's
options, `AttemptContext` with the task's `Pulse` (its signs of life, for the heartbeat),
and `TaskFailure`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from codeface.agents.file_leases import FileLeases
from codeface.agents.plan import Plan, TaskReport
from codeface.agents.plan_state import TaskProgress, TaskState


@dataclass
class SchedulerOptions:
    """Retries, heartbeat and back-off (seconds) for one run of a plan."""

    max_attempts: int = 3
    heartbeat: float = 300.0
    backoff_base: float = 2.0
    backoff_cap: float = 60.0


class TaskFailure(Exception):
    """An attempt failed; ``retryable`` False when trying again cannot help."""

    def __init__(self, message: str, *, retryable: bool = True) -> None:
        super().__init__(message)
        self.message = message
        self.retryable = retryable


class Pulse:
    """Signs of life of one attempt: `beat` on every event; `hold` while the user or another
    task is awaited (the heartbeat does not run then), `release` after."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self.last = clock()
        self._holds = 0

    @property
    def held(self) -> bool:
        """Whether something outside the attempt is being waited for."""
        return self._holds > 0

    def beat(self) -> None:
        """The attempt did something."""
        self.last = self._clock()

    def hold(self) -> None:
        """Stop the heartbeat until `release`."""
        self._holds += 1

    def release(self) -> None:
        """Run the heartbeat again, counting from now."""
        self._holds = max(0, self._holds - 1)
        self.beat()


@dataclass
class AttemptContext:
    """What one attempt of one task gets: its state (to update), its pulse, the reports of
    the tasks it depended on, and `progress` for the events it emits itself."""

    plan_id: str
    plan: Plan
    state: TaskState
    pulse: Pulse
    reports: Mapping[str, TaskReport]
    max_attempts: int
    leases: FileLeases | None = None

    def progress(self) -> TaskProgress:
        """The task's snapshot now."""
        return self.state.progress(self.plan_id, self.max_attempts)


AttemptFn = Callable[[AttemptContext], Awaitable[TaskReport]]
