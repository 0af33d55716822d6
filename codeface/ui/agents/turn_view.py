"""The live progress of the open session's agent turn: timeline, totals, progress, Cancel.

While a turn runs, the bridge's agent signals update a `TurnState` and one row of the
`TurnTimeline` per event; a one-second timer refreshes the elapsed time. The status line
says the step, elapsed time, tokens, cost and model, or what the agent waits for. When no
turn runs, the last turn of the session (rebuilt from the stored branch and the audit
trail) stays on screen with its summary; a session without a role says how to start an
agent instead.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from codeface.core.errors import CodefaceError
from codeface.ui.agents.labels import elastic_label
from codeface.ui.agents.output_view import OutputView
from codeface.ui.agents.timeline import TurnTimeline, duration_text
from codeface.ui.agents.turn_state import CallRecord, StepRecord, TurnState, turn_from_branch
from codeface.ui.bridge import Bridge, bridge_task

if TYPE_CHECKING:
    from codeface.application.contract import MessageView, SessionView
    from codeface.core.events import TurnDone, TurnFailed, TurnStarted

log = logging.getLogger("codeface.ui.agents")

NO_ROLE_HINT = (
    "This session is a plain chat. To let an agent work on the project, pick a role "
    "above — coder changes files and runs the tests, architect and reviewer only read — "
    "or start a message with @coder. Each change it wants to make asks you first, unless "
    "you allow it above."
)
NO_PROJECT_HINT = "Agents work on a project: open one first (File ▸ Open Project)."


REDRAW_MS = 33
"""Events only mark rows changed; the rows are redrawn at most this often (30 a second),
so a burst of tool calls costs one redraw, not one per event."""


def tokens_text(count: int) -> str:
    """``950 tokens``, ``12.3k tokens``."""
    return f"{count} tokens" if count < 10_000 else f"{count / 1000:.1f}k tokens"


class TurnView(QWidget):
    """The Turn tab of the Agents dock.

    Signals:
        sig_checkpoint(): files were saved for undo (the Undo tab refreshes).
        sig_turn_ended(object): the live `TurnState` after its turn ended.
        sig_agent_command(object): the `CallRecord` of a command the agent starts.
        sig_agent_command_output(object): the `CallRecord` of a command whose first output
            arrived (it runs now, so its tmux window exists).
        sig_memory_changed(): an agent saved a note to the project's memory.
    """

    sig_checkpoint = Signal()
    sig_turn_ended = Signal(object)
    sig_agent_command = Signal(object)
    sig_agent_command_output = Signal(object)
    sig_memory_changed = Signal()

    def __init__(self, bridge: Bridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.session: SessionView | None = None
        self.has_project = False
        self.turn: TurnState | None = None
        self.step_limit: int | None = None
        self.views: dict[int, OutputView] = {}
        self._generation = 0
        self._build()
        self._clock = QTimer(self)
        self._clock.setInterval(1000)
        self._clock.timeout.connect(self._refresh_status)
        self._dirty_steps: dict[int, StepRecord] = {}
        self._dirty_calls: dict[int, CallRecord] = {}
        self._repaint = QTimer(self)
        self._repaint.setSingleShot(True)
        self._repaint.setInterval(REDRAW_MS)
        self._repaint.timeout.connect(self.redraw)
        self._connect()
        self._show_page()
        QTimer.singleShot(0, self.timeline.rehearse)

    # --- construction ----------------------------------------------------------------
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.pages = QStackedWidget()
        layout.addWidget(self.pages)
        self.hint = elastic_label(name="agentHint")
        self.hint.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.hint.setContentsMargins(8, 12, 8, 8)
        self.pages.addWidget(self.hint)
        page = QWidget()
        column = QVBoxLayout(page)
        column.setContentsMargins(4, 4, 4, 4)
        self.status_label = elastic_label(name="agentStatus")
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        column.addWidget(self.status_label)
        row = QHBoxLayout()
        self.progress = QProgressBar()
        self.progress.setAccessibleName("Agent progress")
        self.progress.setTextVisible(True)
        self.progress.setMinimumWidth(60)  # the dock can be narrow; the bar gives way
        row.addWidget(self.progress, 1)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setAccessibleName("Cancel the agent turn")
        self.cancel_button.setToolTip("Stop the agent (Esc in the chat does the same)")
        self.cancel_button.clicked.connect(self.cancel)
        self.cancel_button.setMinimumWidth(60)
        row.addWidget(self.cancel_button)
        column.addLayout(row)
        self.timeline = TurnTimeline()
        self.timeline.sig_open.connect(self.open_record)
        column.addWidget(self.timeline, 1)
        bottom = QHBoxLayout()
        self.summary_label = elastic_label(name="agentSummary")
        bottom.addWidget(self.summary_label, 1)
        self.open_button = QPushButton("Open")
        self.open_button.setAccessibleName("Open the selected step's full output")
        self.open_button.setToolTip("The full output of the selected step or call (Enter)")
        self.open_button.clicked.connect(self.timeline.open_selected)
        self.open_button.setMinimumWidth(60)
        bottom.addWidget(self.open_button)
        column.addLayout(bottom)
        self.pages.addWidget(page)
        self.turn_page = page

    def _connect(self) -> None:
        bridge = self.bridge
        bridge.sig_streaming.connect(self.on_streaming)
        bridge.sig_step_started.connect(self.on_step_started)
        bridge.sig_turn_started.connect(self.on_answer_started)
        bridge.sig_text_delta.connect(self.on_text)
        bridge.sig_turn_done.connect(self.on_answer_done)
        bridge.sig_tool_started.connect(self.on_tool_started)
        bridge.sig_approval_requested.connect(self.on_approval_requested)
        bridge.sig_approval_given.connect(self.on_approval_given)
        bridge.sig_question.connect(self.on_question)
        bridge.sig_command_output.connect(self.on_command_output)
        bridge.sig_checkpoint.connect(lambda _event: self.sig_checkpoint.emit())
        bridge.sig_tool_finished.connect(self.on_tool_finished)
        bridge.sig_agent_done.connect(self.on_agent_done)
        bridge.sig_turn_stopped.connect(self.on_stopped)
        bridge.sig_turn_failed.connect(self.on_failed)

    # --- session and role ------------------------------------------------------------
    def set_session(
        self, session: SessionView | None, branch: list[MessageView], *, has_project: bool
    ) -> None:
        """Show a session: its live turn, else its last stored turn, else how to start."""
        self.session = session
        self.has_project = has_project
        self._generation += 1
        turn = self.turn
        if (
            turn is not None
            and turn.running
            and session is not None
            and turn.session_id == session.id
        ):
            self._show_page()
            return
        self.turn = None
        self.timeline.show_turn(None)
        if session is not None and any(m.tool_calls or m.role == "tool" for m in branch):
            self._load_stored(session.id, list(branch), self._generation)
        self._show_page()

    @bridge_task
    async def _load_stored(
        self, session_id: str, branch: list[MessageView], generation: int
    ) -> None:
        try:
            runs = await self.bridge.backend.tool_runs(session_id)
        except CodefaceError as error:
            log.info("no audit trail for %s: %s", session_id, error.one_line())
            runs = []
        if generation != self._generation or (self.turn is not None and self.turn.running):
            return
        self.turn = turn_from_branch(session_id, branch, runs)
        self.timeline.show_turn(self.turn)
        self._show_page()

    def set_step_limit(self, limit: int | None) -> None:
        """The role's step limit (None when unknown: the progress bar shows busy)."""
        self.step_limit = limit
        self._refresh_status()

    def set_has_role(self, session: SessionView | None) -> None:
        """The session's role changed (the hint or the turn page is shown)."""
        self.session = session
        self._show_page()

    def _show_page(self) -> None:
        agent = self.session is not None and bool(self.session.role)
        if self.turn is not None or agent:
            self.pages.setCurrentWidget(self.turn_page)
        else:
            text = NO_ROLE_HINT if self.has_project else f"{NO_PROJECT_HINT}\n\n{NO_ROLE_HINT}"
            self.hint.setText(text)
            self.pages.setCurrentWidget(self.hint)
        self._refresh_status()

    # --- live turn ---------------------------------------------------------------------
    def _live(self) -> TurnState | None:
        return self.turn if self.turn is not None and self.turn.running else None

    def on_streaming(self, streaming: bool) -> None:
        """A turn ended however it ended: a live agent turn that got no totals stopped."""
        if not streaming and self._live() is not None:
            self._end("stopped")

    def on_step_started(self, event: Any) -> None:
        """StepStarted: the first one starts a new live turn."""
        turn = self._live()
        if turn is None:
            turn = self.turn = TurnState(self.session.id if self.session else None)
            self._generation += 1
            self.timeline.show_turn(turn)
            self._clock.start()
            self._show_page()
        step = turn.step_started(event)
        if len(turn.steps) > 1:
            self._changed(turn.steps[-2])
        self._changed(step)

    def on_answer_started(self, event: TurnStarted) -> None:
        """TurnStarted: the model answering this step."""
        turn = self._live()
        if turn is not None:
            self._changed(turn.answer_started(event))

    def on_text(self, _answer_id: str, text: str) -> None:
        """Answer text of the current step (kept for "open")."""
        turn = self._live()
        if turn is not None:
            turn.answer_text(text)

    def on_answer_done(self, event: TurnDone) -> None:
        """TurnDone: the step's answer is complete; its tokens and cost count."""
        turn = self._live()
        if turn is not None:
            self._changed(turn.answer_done(event))

    def _call_changed(self, call: CallRecord | None) -> None:
        turn = self.turn
        if call is None or turn is None:
            return
        step = turn.step_of(call)
        if step is not None:
            self._changed(step, call)
        view = self.views.get(id(call))
        if view is not None:
            view.refresh()

    def _changed(self, step: StepRecord, call: CallRecord | None = None) -> None:
        """Mark rows to redraw at the next `redraw` (at most every `REDRAW_MS`)."""
        self._dirty_steps[id(step)] = step
        if call is not None:
            self._dirty_calls[id(call)] = call
        if not self._repaint.isActive():
            self._repaint.start()

    def redraw(self) -> None:
        """Bring the changed rows, the current step and the status line up to date."""
        self._repaint.stop()
        turn = self.turn
        steps, self._dirty_steps = self._dirty_steps, {}
        calls, self._dirty_calls = self._dirty_calls, {}
        if turn is None:
            return
        for step in sorted(steps.values(), key=lambda s: s.number):
            self.timeline.update_step(step, turn)
        for call in calls.values():
            owner = turn.step_of(call)
            if owner is not None:
                self.timeline.update_call(call, owner)
        self.timeline.mark_current(turn)
        self._refresh_status()

    def on_tool_started(self, event: Any) -> None:
        """ToolCallStarted."""
        turn = self._live()
        if turn is not None:
            call = turn.tool_started(event)
            self._call_changed(call)
            if call.kind == "command":
                self.sig_agent_command.emit(call)

    def on_approval_requested(self, request: Any) -> None:
        """ApprovalRequest: highlighted until it is answered."""
        turn = self._live()
        if turn is not None:
            self._call_changed(turn.approval_requested(request))

    def on_approval_given(self, event: Any) -> None:
        """ApprovalGiven."""
        turn = self._live()
        if turn is not None:
            self._call_changed(turn.approval_given(event))

    def on_question(self, event: Any) -> None:
        """QuestionAsked: highlighted until it is answered."""
        turn = self._live()
        if turn is not None:
            self._call_changed(turn.question(event))

    def on_command_output(self, call_id: str, text: str) -> None:
        """Live output of a command: kept, and shown if its output window is open."""
        turn = self.turn
        if turn is None:
            return
        call = turn.command_output(call_id, text)
        if call is not None:
            if call.output_size == len(text):
                self.sig_agent_command_output.emit(call)
            view = self.views.get(id(call))
            if view is not None:
                view.append_output(text)

    def on_tool_finished(self, event: Any) -> None:
        """ToolCallFinished."""
        turn = self._live()
        if turn is not None:
            call = turn.tool_finished(event)
            self._call_changed(call)
            if call.kind == "memory" and call.status == "ok":
                self.sig_memory_changed.emit()

    def on_agent_done(self, event: Any) -> None:
        """AgentTurnDone: the totals, and the turn is over."""
        turn = self._live()
        if turn is not None:
            turn.agent_done(event)
            self._ended(turn)

    def on_stopped(self, _answer_id: str, _partial: str) -> None:
        """The user stopped the turn."""
        self._end("stopped")

    def on_failed(self, failure: TurnFailed) -> None:
        """An expected failure ended the turn."""
        self._end("failed", failure.error.one_line())

    def _end(self, status: str, error: str = "") -> None:
        turn = self._live()
        if turn is not None:
            turn.finish(status, error)  # type: ignore[arg-type]
            self._ended(turn)

    def _ended(self, turn: TurnState) -> None:
        self._clock.stop()
        self.redraw()
        for step in turn.steps:
            self.timeline.update_step(step, turn)
            for call in step.calls:
                if call.status == "stopped":
                    self.timeline.update_call(call, step, follow=False)
        self.timeline.mark_current(turn)
        for view in self.views.values():
            view.refresh()
        self._refresh_status()
        self.sig_turn_ended.emit(turn)

    def cancel(self) -> None:
        """Stop the running turn."""
        if self._live() is not None or self.bridge.streaming:
            self.bridge.stop()

    # --- output windows ----------------------------------------------------------------
    def open_record(self, record: StepRecord | CallRecord) -> OutputView:
        """Open (or raise) the full output of a step or call."""
        view = self.views.get(id(record))
        if view is None:
            view = OutputView(record, self)
            self.views[id(record)] = view
            key = id(record)
            view.finished.connect(lambda _code: self.views.pop(key, None))
        view.show()
        view.raise_()
        view.activateWindow()
        return view

    # --- status line -------------------------------------------------------------------
    def _refresh_status(self) -> None:
        turn = self.turn
        running = turn is not None and turn.running
        # The button stays in place (greyed) so the layout does not move when a turn ends.
        self.cancel_button.setEnabled(running)
        self.open_button.setEnabled(turn is not None and bool(turn.steps))
        if turn is None:
            _set_text(self.status_label, "No agent turn yet in this session.")
            _set_text(
                self.summary_label, "Send a message: the agent's steps appear here as it works."
            )
            self._show_progress(0, 1, 0, "idle")
            return
        if running:
            _set_text(self.status_label, self._running_line(turn))
            _set_text(self.summary_label, "")
            self._set_progress(turn)
        else:
            _set_text(self.status_label, _ended_line(turn))
            _set_text(self.summary_label, summary_text(turn))
            word = {"done": "done", "stopped": "stopped", "failed": "failed"}[turn.status]
            self._show_progress(0, 1, 1, word)

    def _show_progress(self, low: int, high: int, value: int, text: str) -> None:
        """Change the bar only when something changed. `QProgressBar.setValue` repaints
        at once (synchronously, a few milliseconds); with updates off it only schedules
        the repaint, which then joins the next paint of the panel."""
        bar = self.progress
        bar.setUpdatesEnabled(False)
        try:
            if (bar.minimum(), bar.maximum()) != (low, high):
                bar.setRange(low, high)
            if bar.value() != value:
                bar.setValue(value)
            if bar.format() != text:
                bar.setFormat(text)
        finally:
            bar.setUpdatesEnabled(True)

    def _running_line(self, turn: TurnState) -> str:
        waiting = turn.waiting_calls()
        if waiting:
            call = waiting[0]
            what = "your approval" if call.status == "waiting" else "your answer"
            return f"Waiting for {what}: {call.description or call.name}"
        step = len(turn.steps)
        limit = f" of {self.step_limit}" if self.step_limit else ""
        parts = [f"Running · step {step}{limit}", duration_text(turn.elapsed())]
        parts += _usage_parts(turn)
        return " · ".join(part for part in parts if part)

    def _set_progress(self, turn: TurnState) -> None:
        if self.step_limit:
            done = turn.steps_done()
            self._show_progress(
                0, self.step_limit, min(self.step_limit, done), f"{done} of {self.step_limit} steps"
            )
        else:
            self._show_progress(0, 0, -1, "")  # busy: the limit is not known


def _set_text(label: QLabel, text: str) -> None:
    """Set a label's text only when it changed (each change may relayout the panel)."""
    if label.text() != text:
        label.setText(text)


def _usage_parts(turn: TurnState) -> list[str]:
    parts = []
    tokens = turn.input_tokens + turn.output_tokens
    if tokens:
        parts.append(tokens_text(tokens))
    if turn.cost_usd is not None:
        parts.append(f"${turn.cost_usd:.4f}" if turn.cost_usd > 0 else "free")
    if turn.models:
        parts.append(", ".join(turn.models))
    return parts


def _ended_line(turn: TurnState) -> str:
    word = {"done": "Last turn", "stopped": "Stopped", "failed": "Failed"}.get(turn.status, "")
    if turn.status == "failed" and turn.error:
        return f"{word}: {turn.error}"
    if turn.stopped_at_step_limit:
        return f"{word}: stopped at the role's step limit"
    return word


def summary_text(turn: TurnState) -> str:
    """One line about a finished turn: steps, calls, outcome, time, tokens, cost, files."""
    calls = turn.all_calls()
    failed = sum(1 for call in calls if call.status == "error")
    denied = sum(1 for call in calls if call.status == "denied")
    parts = [f"{len(turn.steps)} step{'s' if len(turn.steps) != 1 else ''}"]
    parts.append(f"{len(calls)} tool call{'s' if len(calls) != 1 else ''}")
    if failed:
        parts.append(f"{failed} failed")
    if denied:
        parts.append(f"{denied} denied")
    took = duration_text(turn.elapsed())
    if took:
        parts.append(took)
    parts += _usage_parts(turn)
    if turn.changed_paths:
        shown = ", ".join(turn.changed_paths[:3])
        more = f" and {len(turn.changed_paths) - 3} more" if len(turn.changed_paths) > 3 else ""
        parts.append(f"changed {shown}{more}")
    return " · ".join(parts)
