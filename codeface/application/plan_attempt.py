"""One attempt of one plan task: an agent turn in the task's own session, stored step by step.

The first attempt creates the session and sends the task's brief (with the reports of the
tasks it waited for); any later attempt, in this process or after a crash, continues that
turn from its last stored step (`Conversation.continue_turn`): a step whose answer was
cut off is asked again, a call without a result runs again, and a turn that had already
ended is read back without asking the model anything. The outcome comes from the store,
not from the events: the final answer is the task's summary, its tool runs say what it
changed.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Awaitable, Callable, Mapping
from contextlib import aclosing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, assert_never

from codeface.agents.approvals import ApprovalGate
from codeface.agents.events import (
    AgentTurnDone,
    ApprovalGiven,
    ApprovalRequested,
    CheckpointSaved,
    CommandOutput,
    QuestionAsked,
    StepStarted,
    ToolCallFinished,
    ToolCallStarted,
)
from codeface.agents.plan import PlanTask, TaskReport, task_brief
from codeface.agents.plan_events import (
    PlanEvent,
    StepChange,
    TaskActivity,
    TaskStep,
    TaskWaiting,
    WaitReason,
)
from codeface.agents.roles import Role
from codeface.agents.task_attempt import AttemptContext, TaskFailure
from codeface.application.agent_turn import AgentSetup
from codeface.application.contract import ConversationEvent, MessageSaved
from codeface.application.conversation import Conversation
from codeface.core.errors import (
    AuthenticationFailed,
    CodefaceError,
    ConfigError,
    ContextTooLong,
    InvalidRequest,
    ModelMissing,
    StoreError,
)
from codeface.core.events import (
    Finished,
    Notice,
    Progress,
    ProviderSwitched,
    Retrying,
    TextDelta,
    ThinkingDelta,
    ToolCallRequested,
    TurnDone,
    TurnFailed,
    TurnStarted,
    Usage,
)
from codeface.core.settings import Policy
from codeface.store.models import Message
from codeface.workspace import Workspace

Emit = Callable[[PlanEvent], Awaitable[None]]
PERMANENT = (AuthenticationFailed, ModelMissing, ContextTooLong, InvalidRequest, ConfigError)
"""Failures another attempt cannot fix: the task fails at once."""


def final_answer(path: list[Message]) -> str | None:
    """The turn's final answer when it ended normally (None while it is unfinished)."""
    if not path or path[-1].role != "assistant":
        return None
    last = path[-1]
    if last.status != "complete" or last.tool_calls:
        return None
    return last.content


def _retryable(error: CodefaceError) -> bool:
    return not isinstance(error, PERMANENT)


@dataclass
class _Ending:
    """How a followed turn ended: its failure, its last answer without tool calls, its end."""

    failure: CodefaceError | None = None
    answer: str | None = None
    done: AgentTurnDone | None = None


class TaskAttempts:
    """Runs attempts of one plan's tasks (the scheduler's `AttemptFn`)."""

    def __init__(
        self,
        conversation: Conversation,
        workspace: Workspace,
        roles: Mapping[str, Role],
        gate: ApprovalGate,
        emit: Emit,
        *,
        plan_id: str,
        model: str | None,
        policy: Policy,
        private_folders: tuple[Path, ...] = (),
    ) -> None:
        self.conversation = conversation
        self.workspace = workspace
        self.roles = roles
        self.gate = gate
        self.emit = emit
        self.plan_id = plan_id
        self.model = model
        self.policy = policy
        self.private_folders = private_folders
        self.fresh: set[str] = set()
        """Sessions created for a first attempt and not yet used (known to be empty)."""

    async def __call__(self, context: AttemptContext) -> TaskReport:
        """Run (or continue) the task's turn; its report, or `TaskFailure`."""
        task = context.state.task
        role = self.roles.get(task.role)
        if role is None:
            raise TaskFailure(f"there is no role {task.role!r} any more", retryable=False)
        setup = AgentSetup(
            self.workspace,
            role,
            self.gate,
            self.private_folders,
            claim_path=lambda path: self._claim(context, path),
        )
        try:
            events, fresh = await self._turn(context, setup)
            ending = await self._follow(context, events)
            return await self._outcome(context, ending, fresh)
        except StoreError as error:
            raise TaskFailure(error.one_line(), retryable=False) from error
        except CodefaceError as error:
            raise TaskFailure(error.one_line(), retryable=_retryable(error)) from error

    def session_fields(self, task: PlanTask) -> dict[str, Any]:
        """How a task's session is created (when its first attempt starts)."""
        return {
            "title": f"plan {self.plan_id[:8]} · {task.id}: {task.title}"[:60],
            "project": self.workspace.key,
            "role": task.role,
            "model": self.model,
            "policy": self.policy,
        }

    async def _turn(
        self, context: AttemptContext, setup: AgentSetup
    ) -> tuple[AsyncGenerator[ConversationEvent, None], bool]:
        """The turn to follow, and whether it starts afresh (not continuing a stored one)."""
        state, store = context.state, self.conversation.store
        if not state.session_id:  # the start transition normally creates it
            session = await store.create_session(**self.session_fields(state.task))
            state.session_id = session.id
            await store.update_plan_task(self.plan_id, state.task.id, session_id=session.id)
            self.fresh.add(session.id)
        started = False
        if state.session_id in self.fresh:
            self.fresh.discard(state.session_id)  # known to be empty: no need to read it
        else:
            path = await store.path_to_leaf(state.session_id)
            started = any(message.role == "user" for message in path)
        if started:
            return self.conversation.continue_turn(state.session_id, setup), False
        brief = task_brief(context.plan, state.task, context.reports)
        return self.conversation.send(state.session_id, brief, agent=setup), True

    async def _follow(
        self, context: AttemptContext, events: AsyncGenerator[ConversationEvent, None]
    ) -> _Ending:
        ending = _Ending()
        waiting: set[str] = set()
        async with aclosing(events) as stream:
            async for event in stream:
                context.pulse.beat()
                match event:
                    case MessageSaved():
                        continue
                    case TurnFailed():
                        ending.failure = event.error
                    case TurnDone():
                        ending.answer = None if event.tool_calls else event.text
                    case AgentTurnDone():
                        ending.done = event
                    case _:
                        pass
                await self._observe(context, event, waiting)
                await self.emit(TaskActivity(self.plan_id, context.state.task.id, event))
        return ending

    async def _outcome(self, context: AttemptContext, ending: _Ending, fresh: bool) -> TaskReport:
        state, done = context.state, ending.done
        if fresh and done is not None and not done.stopped_at_step_limit and ending.answer:
            # a turn started and finished in this attempt: its events say it all
            return TaskReport(state.task.title, ending.answer, done.changed_paths)
        answer, changed = await self.conversation.store.session_outcome(state.session_id)
        if answer is not None:
            return TaskReport(state.task.title, answer, changed)
        if ending.failure is not None:
            raise TaskFailure(ending.failure.one_line(), retryable=_retryable(ending.failure))
        raise TaskFailure("the agent stopped before it finished (its step limit)")

    # ------------------------------------------------------------------ live state
    async def _step(self, context: AttemptContext, change: StepChange) -> None:
        await self.emit(TaskStep(context.progress(), change))

    async def _wait(self, context: AttemptContext, reason: WaitReason, detail: str) -> None:
        context.pulse.hold()
        context.state.status, context.state.detail = "waiting", detail
        await self.emit(TaskWaiting(context.progress(), reason, detail))

    async def _go_on(self, context: AttemptContext) -> None:
        context.pulse.release()
        context.state.status, context.state.detail = "running", ""
        await self._step(context, "resumed")

    async def _observe(
        self, context: AttemptContext, event: ConversationEvent, waiting: set[str]
    ) -> None:
        state = context.state
        match event:
            case StepStarted():
                state.step = event.step
                await self._step(context, "step")
            case TurnStarted():
                if event.model != state.model:
                    state.model = event.model
                    await self._step(context, "model")
            case ToolCallStarted():
                state.current_tool = event.description
                await self._step(context, "tool")
            case ApprovalRequested():
                waiting.add(event.request.call.id)
                await self._wait(context, "approval", event.request.description)
            case QuestionAsked():
                waiting.add(event.call_id)
                await self._wait(context, "question", event.question)
            case ApprovalGiven():
                if event.call_id in waiting:
                    waiting.discard(event.call_id)
                    await self._go_on(context)
            case ToolCallFinished():
                if event.call.id in waiting:
                    waiting.discard(event.call.id)
                    await self._go_on(context)
                state.current_tool = ""
                await self._step(context, "tool_finished")
            case TurnDone() | TurnFailed():
                stats = event.stats
                if stats is not None:
                    state.add_usage(stats.input_tokens, stats.output_tokens, stats.cost_usd)
                    await self._step(context, "usage")
            case (
                TextDelta()
                | ThinkingDelta()
                | ToolCallRequested()
                | Usage()
                | Finished()
                | Retrying()
                | ProviderSwitched()
                | Progress()
                | Notice()
                | CommandOutput()
                | CheckpointSaved()
                | AgentTurnDone()
                | MessageSaved()
            ):
                pass
            case _:
                assert_never(event)

    async def _claim(self, context: AttemptContext, path: str) -> str | None:
        leases, task_id = context.leases, context.state.task.id
        if leases is None:
            return None
        holder = leases.blocking(task_id, [path]).get(path)
        if holder is None:
            leases.take(task_id, [path])
            return None
        await self._wait(context, "file", f"{path} is being changed by task {holder}")
        refused = await leases.claim(task_id, path)
        await self._go_on(context)
        return refused
