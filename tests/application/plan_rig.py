"""Scripting a fake model server per plan task: tasks run in parallel, so replies are chosen
by the task a request belongs to (the ``Plan task t2:`` line of its brief), not by arrival
order. Requests of the manager (no task line) take the ``manager`` script.

    scripts = TaskScripts(server)
    scripts.add("t1", call("read_file", {"path": "calc.py"}), text("Read it."))
    scripts.add("t2", error(500), text("Done on the second attempt."))
    scripts.add("t3", silent())            # accepted, never answered (a hung model)
    scripts.add("t4", text("slow", held=True))   # nothing until server.release()

A task without a script (or past its last one) answers ``Task <id> finished.``.
"""

from __future__ import annotations

import re
import threading
from collections import Counter, deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from codeface.agents.plan import Plan, PlanTask
from codeface.agents.plan_events import PlanEvent
from codeface.application.agents_setup import load_project_roles, private_folders
from codeface.application.plan_options import PlanOptions
from codeface.application.plan_records import lock_folder
from codeface.application.plans import PlanRun, PlanService
from tests.application.conftest import AgentRig
from tests.fakes.loopback import Plan as WirePlan
from tests.fakes.loopback import RecordedRequest
from tests.fakes.scripted import Script, ScriptedServer, ToolCallScript, split_text

TASK_LINE = re.compile(r"Plan task ([A-Za-z0-9][A-Za-z0-9_.-]*):")
MANAGER = "manager"


@dataclass
class Reply:
    """One scripted answer: a `Script`, an HTTP error, silence, or held until released."""

    script: Script | None = None
    status: int | None = None
    silent: bool = False
    held: bool = False


def text(words: str, *, held: bool = False, output_tokens: int | None = None) -> Reply:
    """A final answer."""
    return Reply(Script(text=split_text(words, 3), output_tokens=output_tokens), held=held)


def call(name: str, arguments: dict[str, Any], *, held: bool = False) -> Reply:
    """A tool call."""
    return Reply(Script(tool_calls=[ToolCallScript(name, arguments)]), held=held)


def error(status: int) -> Reply:
    """An HTTP error in the protocol's format."""
    return Reply(status=status)


def silent() -> Reply:
    """A request accepted and never answered."""
    return Reply(silent=True)


def task_of(request: RecordedRequest) -> str:
    """The plan task a chat request belongs to (``manager`` for the planner's)."""
    found = TASK_LINE.search(str(request.json))
    return found.group(1) if found else MANAGER


class TaskScripts:
    """Answers the chat route of ``server`` by task; counts what each task asked."""

    def __init__(self, server: ScriptedServer) -> None:
        self.server = server
        self._scripts: dict[str, deque[Reply]] = {}
        self._lock = threading.Condition()
        self.counts: Counter[str] = Counter()
        self.order: list[str] = []
        server.queue(server.chat_path, self._scenario, times=None)

    def add(self, task_id: str, *replies: Reply) -> None:
        """Queue replies for one task's next requests."""
        with self._lock:
            self._scripts.setdefault(task_id, deque()).extend(replies)

    def wait_for(self, task_id: str, count: int, timeout: float = 30.0) -> bool:
        """Block until ``task_id`` has sent ``count`` requests (False on timeout)."""
        with self._lock:
            return self._lock.wait_for(lambda: self.counts[task_id] >= count, timeout)

    def _scenario(self, request: RecordedRequest) -> WirePlan:
        task_id = task_of(request)
        with self._lock:
            self.counts[task_id] += 1
            self.order.append(task_id)
            queue = self._scripts.get(task_id)
            reply = queue.popleft() if queue else text(f"Task {task_id} finished.")
            self._lock.notify_all()
        server = self.server
        if reply.silent:
            return WirePlan(silent=True)
        if reply.status is not None:
            body = server.error_body(reply.status, "scripted failure", None)
            return WirePlan(status=reply.status, body=body)
        assert reply.script is not None
        frames, preamble = server.stream_frames(reply.script, request)
        return WirePlan(
            frames=frames,
            content_type=server.stream_content_type,
            preamble=preamble,
            held=reply.held,
        )


def tasks(*specs: tuple[str, str, str, tuple[str, ...], tuple[str, ...]]) -> tuple[PlanTask, ...]:
    """``(id, role, brief, files, depends_on)`` → tasks titled by their brief."""
    return tuple(
        PlanTask(task_id, brief[:40], role, brief, files, deps)
        for task_id, role, brief, files, deps in specs
    )


@dataclass
class PlanRig:
    """A plan service over an agent rig, and the per-task scripts of its server."""

    rig: AgentRig
    service: PlanService
    scripts: TaskScripts
    events: list[PlanEvent] = field(default_factory=list)

    def options(self, **changes: Any) -> PlanOptions:
        """Options for tests: edits allowed, nobody asked, no back-off, quick polling."""
        values: dict[str, Any] = {
            "allow_edits": True,
            "interactive": False,
            "backoff_base": 0.0,
            "cancel_poll": 0.05,
        }
        values.update(changes)
        return PlanOptions(**values)

    async def start(self, plan: Plan, **changes: Any) -> PlanRun:
        """Store ``plan`` as a draft and return a run of it."""
        options = self.options(**changes)
        plan_id = await self.service.save_draft(plan, options)
        return self.service.run(plan_id, options)


def plan_service(rig: AgentRig, roles: Mapping[str, Any] | None = None) -> PlanService:
    """The plans of the rig's project."""
    loaded, problems = load_project_roles(rig.workspace)
    assert problems == []
    return PlanService(
        rig.conversation,
        rig.workspace,
        dict(roles or loaded),
        lock_folder=lock_folder(rig.engine.paths.data),
        private_folders=private_folders(rig.engine.paths),
    )
