"""The only object between the engine and the widgets: event iterators in, Qt signals out.

A turn (send, regenerate, edit, continue) is an asyncio task on the qasync loop that
consumes the backend's event iterator and emits one `sig_*` signal per event kind. Stop
cancels that task; nothing polls a busy flag. Text deltas are coalesced and flushed at
most every ~16 ms, so a 1,000-chunk/s stream repaints about 60 times a second.

Everything else the window needs from the engine (sessions, search, models, settings,
keys) is a plain coroutine of the `Backend` contract, awaited as ``bridge.backend.<call>``
inside a `bridge_task`; the contract is written once, in `codeface.application.contract`. Expected failures inside a turn become `sig_turn_failed`; unexpected ones go to
the central handler (`errors_dialog.report_unexpected`).
"""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import QObject, QTimer, Signal

from codeface.core.errors import Cancelled, CodefaceError

# The bridge is built before the window's first paint; asyncio, the engine's event types,
# the settings and the error dialog are imported by the methods that use them, after that
# paint.
if TYPE_CHECKING:
    import asyncio

    from codeface.application.contract import (
        Backend,
        ConversationEvent,
        MessageView,
    )
    from codeface.core.settings import Settings

log = logging.getLogger("codeface.ui.bridge")

FLUSH_INTERVAL_MS = 16
T = TypeVar("T")


def bridge_task(method: Callable[..., Awaitable[object]]) -> Callable[..., asyncio.Task[object]]:
    """Make an ``async def`` method a Qt slot whose coroutine runs as a task of
    ``self.bridge``: closing the window cancels it, a bug in it reaches the central handler.
    Extra signal arguments that do not fit the signature are dropped (as Qt does)."""
    signatures: list[inspect.Signature] = []  # read at the first call, not at start-up

    @functools.wraps(method)
    def slot(self: Any, *args: Any) -> asyncio.Task[object]:
        if not signatures:
            signatures.append(inspect.signature(method))
        while args:
            try:
                signatures[0].bind(self, *args)
                break
            except TypeError:
                args = args[:-1]
        return self.bridge.spawn(method(self, *args))  # type: ignore[no-any-return]

    return slot


class Bridge(QObject):
    """Runs backend work as asyncio tasks and reports it as signals."""

    sig_turn_started = Signal(object)
    """TurnStarted: a provider and model were chosen; the request is on its way."""
    sig_retrying = Signal(object)
    """Retrying: the same provider is tried again after a delay."""
    sig_provider_switched = Signal(object)
    """ProviderSwitched: the answer moved to another provider (shown inline)."""
    sig_message_saved = Signal(object)
    """MessageView: a user message (or another non-answer message) now exists in the store."""
    sig_answer_started = Signal(object)
    """MessageView: the answer placeholder (status "streaming") of the running turn."""
    sig_text_delta = Signal(str, str)
    """(answer_id, text): coalesced answer text, at most one emission per ~16 ms."""
    sig_thinking_delta = Signal(str, str)
    """(answer_id, text): coalesced visible reasoning text."""
    sig_tool_call = Signal(object)
    """ToolCall: the model asked for a tool call."""
    sig_usage = Signal(object)
    """Usage: token totals so far."""
    sig_notice = Signal(object)
    """Notice: something to know about this answer (e.g. the model asked for was not used)."""
    sig_progress = Signal(object)
    """Progress: progress of a long step inside a turn (e.g. loading a model)."""
    sig_turn_done = Signal(object)
    """TurnDone: the answer is complete; carries its AnswerStats."""
    sig_turn_failed = Signal(object)
    """TurnFailed: an expected failure (CodefaceError) ended the turn."""
    sig_answer_finished = Signal(object)
    """MessageView: the final state of the answer as saved (complete, error, cancelled)."""
    sig_turn_stopped = Signal(str, str)
    """(answer_id or "", partial_text): the user stopped the turn."""
    sig_streaming = Signal(bool)
    """True when a turn starts, False when it ends however it ended."""
    sig_pull_progress = Signal(str, object)
    """(model name, Progress) while a model is pulled."""
    sig_pull_finished = Signal(str, object)
    """(model name, CodefaceError or None): the pull ended; Cancelled when stopped."""
    sig_attached = Signal()
    """The backend is attached (the engine is built): calls through it may start."""
    sig_step_started = Signal(object)
    """StepStarted: an agent turn asks the model again (step 1 is its first answer)."""
    sig_tool_started = Signal(object)
    """ToolCallStarted: a tool call is checked and run; carries its description in words."""
    sig_approval_requested = Signal(object)
    """ApprovalRequest: the agent waits until `answer_approval` is called for it."""
    sig_approval_given = Signal(object)
    """ApprovalGiven: how a side effect was decided, and by whom."""
    sig_question = Signal(object)
    """QuestionAsked: the agent waits until `answer_question` is called for it."""
    sig_command_output = Signal(str, str)
    """(tool call id, text): coalesced live output of a command the agent runs."""
    sig_checkpoint = Signal(object)
    """CheckpointSaved: files saved before the turn first changed them (undo restores them)."""
    sig_tool_finished = Signal(object)
    """ToolCallFinished: a tool call ended (ok, error or denied) with its summary."""
    sig_agent_done = Signal(object)
    """AgentTurnDone: the agent turn ended: steps, tokens, cost, changed files."""

    def __init__(self, backend: Backend | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._backend = backend
        self._turn: asyncio.Task[None] | None = None
        self._pulls: dict[str, asyncio.Task[None]] = {}
        self._tasks: set[asyncio.Task[object]] = set()
        self._answer_id = ""
        self._answer_parts: list[str] = []
        self._pending_text: list[str] = []
        self._pending_thinking: list[str] = []
        self._pending_output: dict[str, list[str]] = {}
        self._flush_timer = QTimer(self)
        self._flush_timer.setSingleShot(True)
        self._flush_timer.setInterval(FLUSH_INTERVAL_MS)
        self._flush_timer.timeout.connect(self._flush)

    # ------------------------------------------------------------------ backend
    def attach(self, backend: Backend) -> None:
        """Give the bridge its backend (built after the window is on screen)."""
        self._backend = backend
        self.sig_attached.emit()

    @property
    def attached(self) -> bool:
        """Whether a backend is attached yet."""
        return self._backend is not None

    @property
    def backend(self) -> Backend:
        """The backend; only launch code and the bridge itself should need it."""
        if self._backend is None:
            raise RuntimeError("The backend is not attached yet")
        return self._backend

    @property
    def settings(self) -> Settings:
        """The settings in force (a default `Settings` before the backend is attached)."""
        if self._backend is not None:
            return self._backend.settings
        from codeface.core.settings import Settings

        return Settings()

    # ------------------------------------------------------------------ turns
    @property
    def streaming(self) -> bool:
        """Whether a turn is running now."""
        return self._turn is not None and not self._turn.done()

    def send(self, session_id: str, text: str, attachments: tuple[object, ...] = ()) -> bool:
        """Start answering ``text`` in a session; False if a turn is already running."""
        return self._start(lambda: self.backend.send(session_id, text, attachments))  # type: ignore[arg-type]

    def regenerate(self, answer_id: str) -> bool:
        """Answer the same prompt again as a sibling of ``answer_id``."""
        return self._start(lambda: self.backend.regenerate(answer_id))

    def edit(self, message_id: str, text: str) -> bool:
        """Add an edited sibling of a user message and answer it."""
        return self._start(lambda: self.backend.edit(message_id, text))

    def continue_answer(self, answer_id: str) -> bool:
        """Continue an interrupted answer."""
        return self._start(lambda: self.backend.continue_answer(answer_id))

    def continue_turn(self, session_id: str) -> bool:
        """Go on with an agent turn that stopped (at its step limit, or interrupted)."""
        return self._start(lambda: self.backend.continue_turn(session_id))

    def stop(self) -> None:
        """Stop the running turn (cancels its task; the pane keeps the partial answer)."""
        if self._turn is not None and not self._turn.done():
            self._turn.cancel()

    async def wait_turn(self) -> None:
        """Wait until the running turn (if any) has ended."""
        import asyncio

        if self._turn is not None:
            await asyncio.gather(self._turn, return_exceptions=True)

    def _start(self, make: Callable[[], AsyncIterator[ConversationEvent]]) -> bool:
        import asyncio

        if self.streaming:
            return False
        self._turn = asyncio.get_running_loop().create_task(self._consume(make))
        return True

    async def _consume(self, make: Callable[[], AsyncIterator[ConversationEvent]]) -> None:
        import asyncio

        from codeface.core.events import TextDelta, ThinkingDelta, TurnFailed
        from codeface.ui.errors_dialog import report_unexpected

        self._answer_id = ""
        self._answer_parts = []
        self._pending_text = []
        self._pending_thinking = []
        self._pending_output = {}
        self.sig_streaming.emit(True)
        events: AsyncIterator[ConversationEvent] | None = None
        try:
            events = make()
            async for event in events:
                self._dispatch(event)
                if not isinstance(event, TextDelta | ThinkingDelta):
                    # Messages, notices and status changes each rebuild some widgets: let
                    # Qt paint between them rather than doing them all in one turn.
                    await asyncio.sleep(0)
        except asyncio.CancelledError:
            self._flush()
            self.sig_turn_stopped.emit(self._answer_id, "".join(self._answer_parts))
        except CodefaceError as error:
            self._flush()
            self.sig_turn_failed.emit(TurnFailed(error, "".join(self._answer_parts)))
        except Exception as error:
            self._flush()
            report_unexpected(error)
        finally:
            self._flush()
            self._flush_timer.stop()
            closer = getattr(events, "aclose", None)
            if closer is not None:
                try:
                    await closer()
                except Exception as error:  # a broken generator must not wedge the composer
                    log.warning("closing the event stream failed: %s", error)
            self.sig_streaming.emit(False)

    def _dispatch(self, event: ConversationEvent) -> None:
        from typing import assert_never

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
        from codeface.application.contract import MessageSaved
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

        match event:
            case TextDelta():
                self._answer_parts.append(event.text)
                self._pending_text.append(event.text)
                if not self._flush_timer.isActive():
                    self._flush_timer.start()
                return
            case ThinkingDelta():
                self._pending_thinking.append(event.text)
                if not self._flush_timer.isActive():
                    self._flush_timer.start()
                return
            case CommandOutput():
                self._pending_output.setdefault(event.call_id, []).append(event.text)
                if not self._flush_timer.isActive():
                    self._flush_timer.start()
                return
            case _:
                self._flush()
        match event:
            case TextDelta() | ThinkingDelta() | CommandOutput() | Finished():
                pass  # text is coalesced above; Finished is folded into TurnDone
            case MessageSaved():
                self._on_saved(event.message)
            case TurnStarted():
                self.sig_turn_started.emit(event)
            case Retrying():
                self.sig_retrying.emit(event)
            case ProviderSwitched():
                if not event.partial_kept:
                    self._answer_parts = []
                self.sig_provider_switched.emit(event)
            case ToolCallRequested():
                self.sig_tool_call.emit(event.call)
            case Usage():
                self.sig_usage.emit(event)
            case Progress():
                self.sig_progress.emit(event)
            case Notice():
                self.sig_notice.emit(event)
            case TurnDone():
                self.sig_turn_done.emit(event)
            case TurnFailed():
                self.sig_turn_failed.emit(event)
            case StepStarted():
                self.sig_step_started.emit(event)
            case ToolCallStarted():
                self.sig_tool_started.emit(event)
            case ApprovalRequested():
                self.sig_approval_requested.emit(event.request)
            case ApprovalGiven():
                self.sig_approval_given.emit(event)
            case QuestionAsked():
                self.sig_question.emit(event)
            case CheckpointSaved():
                self.sig_checkpoint.emit(event)
            case ToolCallFinished():
                self.sig_tool_finished.emit(event)
            case AgentTurnDone():
                self.sig_agent_done.emit(event)
            case _:
                assert_never(event)

    def _on_saved(self, message: MessageView) -> None:
        if message.role != "assistant":
            self.sig_message_saved.emit(message)
        elif message.status == "streaming" and message.id != self._answer_id:
            self._answer_id = message.id
            self.sig_answer_started.emit(message)
        elif message.status == "streaming":
            return
        else:
            if not self._answer_id:
                self._answer_id = message.id
                self.sig_answer_started.emit(message)
            self.sig_answer_finished.emit(message)

    def _flush(self) -> None:
        """Emit the text gathered since the last flush (answer text needs a known answer id)."""
        if self._pending_output:
            pending, self._pending_output = self._pending_output, {}
            for call_id, parts in pending.items():
                self.sig_command_output.emit(call_id, "".join(parts))
        if not self._answer_id:
            return
        if self._pending_thinking:
            text, self._pending_thinking = "".join(self._pending_thinking), []
            self.sig_thinking_delta.emit(self._answer_id, text)
        if self._pending_text:
            text, self._pending_text = "".join(self._pending_text), []
            self.sig_text_delta.emit(self._answer_id, text)

    # ------------------------------------------------------------------ pulls
    def pull_model(self, name: str) -> bool:
        """Start pulling a model; progress comes as `sig_pull_progress`. False if running."""
        import asyncio

        if name in self._pulls and not self._pulls[name].done():
            return False
        self._pulls[name] = asyncio.get_running_loop().create_task(self._pull(name))
        return True

    def cancel_pull(self, name: str) -> None:
        """Stop a running pull."""
        task = self._pulls.get(name)
        if task is not None and not task.done():
            task.cancel()

    async def _pull(self, name: str) -> None:
        import asyncio

        from codeface.ui.errors_dialog import report_unexpected

        outcome: CodefaceError | None = None
        try:
            async for progress in self.backend.pull_model(name):
                self.sig_pull_progress.emit(name, progress)
        except asyncio.CancelledError:
            outcome = Cancelled(f"Stopped pulling {name}")
        except CodefaceError as error:
            outcome = error
        except Exception as error:
            outcome = CodefaceError(f"Pulling {name} failed unexpectedly")
            report_unexpected(error)
        finally:
            self._pulls.pop(name, None)
            self.sig_pull_finished.emit(name, outcome)

    # ------------------------------------------------------------------ other work
    def spawn(self, work: Awaitable[T]) -> asyncio.Task[T]:
        """Run a coroutine as a task the bridge keeps alive and cancels on close.

        An exception escaping it (a bug: handlers catch `CodefaceError` themselves) goes
        to the central handler.
        """
        import asyncio

        task: asyncio.Task[T] = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task[object]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            from codeface.ui.errors_dialog import report_unexpected

            report_unexpected(task.exception())  # type: ignore[arg-type]

    async def aclose(self) -> None:
        """Cancel every running task and close the backend."""
        import asyncio

        current = asyncio.current_task()
        running = [
            t for t in (self._turn, *self._pulls.values(), *self._tasks) if t and t is not current
        ]
        for task in running:
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)
        if self._backend is not None:
            await self._backend.aclose()

    def prepare_to_send(self) -> None:
        """The user is writing: let the backend connect while they do (in the background)."""
        if self._backend is not None:
            self.spawn(self._backend.prepare_to_send())
