"""Glue between the bridge's turn signals and the chat pane, for the open session.

Keeps the active branch as the window shows it (a list of `MessageView`), forwards the
pane's requests (send, stop, regenerate, edit, sibling switch, rate, continue) to the
bridge and renders the bridge's signals in the pane. Expected failures become inline
notices with actions; the status bar hears about models, speed and cost.

Agent turns: the pane's cards get the bridge's agent events and their answers go to the
backend (`codeface.ui.chat.agent_session`); a message starting with ``@role`` makes the
session an agent session of that role first. Code blocks' Save… and Apply… write into
the window's project through the backend (`codeface.ui.chat.code_writer`); a tool card's
"Open" goes to the window's ``open_file``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QObject, Signal

from codeface.application.contract import Attachment, MessageView, ProjectView
from codeface.core.errors import CodefaceError
from codeface.core.events import ProviderSwitched, Retrying, TurnDone, TurnFailed, TurnStarted
from codeface.ui.bridge import Bridge, bridge_task
from codeface.ui.chat.agent_session import AgentGlue, parse_mention
from codeface.ui.chat.code_writer import CodeWriter
from codeface.ui.errors_dialog import report_unexpected

log = logging.getLogger("codeface.ui.conversation")

ACTION_RETRY = "retry"
ACTION_SWITCH_MODEL = "switch_model"
ACTION_OPEN_SETTINGS = "open_settings"
ACTION_START_OLLAMA = "start_ollama"
ACTION_PULL_MODEL = "pull_model"
ACTION_OPEN_PROJECT = "open_project"


def notice_actions(error: CodefaceError) -> list[tuple[str, str]]:
    """The buttons an inline failure notice offers, by kind of failure."""
    kind = error.kind
    if kind in ("bad_key",):
        return [("Open settings", ACTION_OPEN_SETTINGS), ("Switch model", ACTION_SWITCH_MODEL)]
    if kind == "no_provider":
        return [("Start Ollama", ACTION_START_OLLAMA), ("Add a key", ACTION_OPEN_SETTINGS)]
    if kind == "model_missing":
        return [("Pull model", ACTION_PULL_MODEL), ("Switch model", ACTION_SWITCH_MODEL)]
    if kind == "provider_unavailable":
        return [("Retry", ACTION_RETRY), ("Switch model", ACTION_SWITCH_MODEL)]
    return [("Retry", ACTION_RETRY), ("Switch model", ACTION_SWITCH_MODEL)]


class Conversation(QObject):
    """Drives one chat pane from the bridge for the session that is open."""

    sig_model_in_use = Signal(str, str, object)
    """(model, provider, tier) of the answer being written."""
    sig_answer_stats = Signal(object)
    """AnswerStats of the last finished answer (speed, cost)."""
    sig_session_cost = Signal(object)
    """float | None: the cost of the open branch so far."""
    sig_status_message = Signal(str)
    """A transient line for the status bar (e.g. retrying)."""
    sig_turn_ended = Signal()
    """A turn ended (sessions may have new titles, models new residency)."""
    sig_need_session = Signal(str, object)
    """(text, attachments): the user wrote something but no session is open."""
    sig_role_changed = Signal(str, str)
    """(session_id, role): ``@role`` in the composer made the session an agent session."""
    sig_open_file = Signal(str, int)
    """(path, line): a tool card asked to show a project file in the Code panel."""

    def __init__(self, bridge: Bridge, pane: Any, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.pane = pane
        self.session_id: str | None = None
        self._switches_shown: set[tuple[str | None, str, str, str]] = set()
        self.branch: list[MessageView] = []
        self.last_prompt: tuple[str, tuple[Attachment, ...]] | None = None
        self.action_handler: Callable[[str], None] | None = None
        self.project: ProjectView | None = getattr(parent, "project", None)
        """The window's project: where Apply… and Save… write, whose roles ``@`` offers."""
        project_changed = getattr(parent, "sig_project_changed", None)
        if project_changed is not None:
            project_changed.connect(self.set_project)
        pane.show_project(self.project.name if self.project else None)
        self.agents = AgentGlue(bridge, pane, self) if hasattr(pane, "agent_steps") else None
        self.writer = CodeWriter(
            bridge,
            pane,
            lambda: self.project,
            pane.show_notice,
            ("Open a project", ACTION_OPEN_PROJECT),
        )
        for name, slot in (
            ("sig_apply_code", self.on_apply_code),
            ("sig_save_code", self.on_save_code),
            ("sig_open_file", self.on_open_file),
        ):
            signal = getattr(pane, name, None)
            if signal is not None:
                signal.connect(slot)
        pane.sig_send.connect(self.on_send)
        pane.sig_stop.connect(bridge.stop)
        pane.sig_regenerate.connect(self.on_regenerate)
        pane.sig_edit.connect(self.on_edit)
        pane.sig_switch_sibling.connect(self.on_switch_sibling)
        pane.sig_rate.connect(self.on_rate)
        pane.sig_continue.connect(self.on_continue)
        pane.sig_action.connect(self.on_action)
        bridge.sig_message_saved.connect(self.on_message_saved)
        bridge.sig_answer_started.connect(self.on_answer_started)
        bridge.sig_text_delta.connect(pane.append_answer_text)
        bridge.sig_answer_finished.connect(self.on_answer_finished)
        bridge.sig_turn_started.connect(self.on_turn_started)
        bridge.sig_retrying.connect(self.on_retrying)
        bridge.sig_provider_switched.connect(self.on_provider_switched)
        bridge.sig_turn_done.connect(self.on_turn_done)
        bridge.sig_turn_failed.connect(self.on_turn_failed)
        bridge.sig_turn_stopped.connect(self.on_turn_stopped)
        bridge.sig_streaming.connect(self.on_streaming)

    # ------------------------------------------------------------------ session
    def show_branch(
        self,
        session_id: str | None,
        branch: list[MessageView],
        *,
        scroll_to: str = "",
        highlight: str = "",
    ) -> None:
        """Show a session's active branch (optionally scrolled to a message, match marked)."""
        self.session_id = session_id
        self.branch = list(branch)
        self.pane.set_messages(self.branch)
        self.sig_session_cost.emit(self.session_cost())
        if scroll_to:
            self.pane.scroll_to_message(scroll_to, highlight)
        if self.agents is not None and self.bridge.attached:
            self.load_roles()

    def set_project(self, project: ProjectView | None) -> None:
        """The window works on another project (Apply… writes there, ``@`` offers its roles)."""
        self.project = project
        self.pane.show_project(project.name if project else None)
        if self.agents is not None:
            self.agents.forget_roles()
            if self.bridge.attached:
                self.load_roles()

    @bridge_task
    async def load_roles(self) -> None:
        """Fetch the project's agent roles for ``@`` completion (once per project)."""
        if self.agents is not None:
            await self.agents.role_names(self.project.key if self.project else None)

    def session_cost(self) -> float | None:
        """Sum of the known costs of the answers on the branch (None when none is known)."""
        costs = [m.cost_usd for m in self.branch if m.cost_usd is not None]
        return sum(costs) if costs else None

    def _index(self, message_id: str) -> int:
        for index, message in enumerate(self.branch):
            if message.id == message_id:
                return index
        return -1

    def _truncate_before(self, message_id: str) -> None:
        index = self._index(message_id)
        if index >= 0:
            self.branch = self.branch[:index]
            self.pane.set_messages(self.branch)

    # ------------------------------------------------------------------ pane -> bridge
    def on_send(self, text: str, attachments: list[Attachment] | None = None) -> None:
        """Send the composer's text in the open session."""
        if self.session_id is None:
            self.sig_need_session.emit(text, list(attachments or ()))
            return
        attached = tuple(attachments or ())
        mention = parse_mention(text) if self.agents is not None else None
        if mention is not None:
            self.send_as_role(self.session_id, mention[0], mention[1], text, attached)
            return
        self.last_prompt = (text, attached)
        self.bridge.send(self.session_id, text, attached)

    @bridge_task
    async def send_as_role(
        self,
        session_id: str,
        role: str,
        text: str,
        typed: str,
        attachments: tuple[Attachment, ...],
    ) -> None:
        """``@role text``: make the session an agent session of ``role``, then send ``text``
        (a role that does not exist gives the message back with the roles there are)."""
        if self.agents is None:
            return
        roles = await self.agents.role_names(self.project.key if self.project else None)
        if role not in roles:
            known = ", ".join(roles) or "none found"
            self.pane.show_notice(
                "error",
                f"There is no agent role “{role}” (roles: {known}). Pick one after @, "
                "or remove the @ to send a plain message.",
                [],
            )
            self.pane.insert_into_composer(typed)
            return
        try:
            await self.bridge.backend.set_session_role(session_id, role)
        except CodefaceError as error:
            self.pane.show_notice("error", error.one_line(), [])
            self.pane.insert_into_composer(typed)
            return
        self.sig_role_changed.emit(session_id, role)
        if not text and not attachments:
            self.pane.show_notice("info", f"The {role} agent answers this session now.", [])
            return
        self.last_prompt = (text, attachments)
        self.bridge.send(session_id, text, attachments)

    # ------------------------------------------------------------------ code and files
    @bridge_task
    async def on_apply_code(self, code: str, language: str) -> None:
        """ "Apply…": review the diff against a project file, then write what was accepted."""
        await self.writer.apply(code, language)

    @bridge_task
    async def on_save_code(self, code: str, language: str) -> None:
        """ "Save…": write a code block as a file of the project."""
        await self.writer.save(code, language)

    def on_open_file(self, path: str, line: int) -> None:
        """A tool card's "Open": the window shows the file in its Code panel."""
        self.sig_open_file.emit(path, line)
        opener = getattr(self.parent(), "open_file", None)
        if callable(opener):
            opener(path, line)

    def on_regenerate(self, answer_id: str) -> None:
        """Answer the prompt again as a new sibling of ``answer_id``."""
        if not self.bridge.streaming:
            self._truncate_before(answer_id)
            self.bridge.regenerate(answer_id)

    def on_edit(self, message_id: str, text: str) -> None:
        """Add an edited sibling of a user message and answer it."""
        if not self.bridge.streaming:
            self._truncate_before(message_id)
            self.bridge.edit(message_id, text)

    def on_continue(self, answer_id: str) -> None:
        """Continue an interrupted answer."""
        if not self.bridge.streaming:
            self.bridge.continue_answer(answer_id)

    @bridge_task
    async def on_switch_sibling(self, message_id: str, step: int) -> None:
        """Show the previous/next sibling of a message."""
        try:
            branch = await self.bridge.backend.switch_sibling(message_id, step)
            self.show_branch(self.session_id, branch)
        except CodefaceError as error:
            self.pane.show_notice("error", error.one_line(), [])
        except Exception as error:
            report_unexpected(error)

    @bridge_task
    async def on_rate(self, message_id: str, rating: object) -> None:
        """Save a thumbs up/down."""
        try:
            await self.bridge.backend.rate(message_id, rating if isinstance(rating, int) else None)
        except CodefaceError as error:
            self.pane.show_notice("error", error.one_line(), [])
        except Exception as error:
            report_unexpected(error)

    def on_action(self, action_id: str) -> None:
        """A notice button: retry here; the window handles the rest."""
        if action_id == ACTION_RETRY:
            self.retry()
        elif self.action_handler is not None:
            self.action_handler(action_id)

    def retry(self) -> None:
        """Regenerate the last answer, or send the last prompt again if none was saved."""
        if self.bridge.streaming:
            return
        answers = [m for m in self.branch if m.role == "assistant"]
        if self.branch and self.branch[-1].role == "assistant":
            self.on_regenerate(answers[-1].id)
        elif self.branch and self.branch[-1].role == "user":
            self.on_edit(self.branch[-1].id, self.branch[-1].content)
        elif self.last_prompt is not None and self.session_id is not None:
            self.bridge.send(self.session_id, *self.last_prompt)

    # ------------------------------------------------------------------ bridge -> pane
    def on_message_saved(self, message: MessageView) -> None:
        """A user message now has its real id."""
        index = self._index(message.id)
        if index >= 0:
            self.branch[index] = message
            self.pane.update_message(message)
        else:
            self.branch.append(message)
            self.pane.add_message(message)

    def on_answer_started(self, message: MessageView) -> None:
        """The answer placeholder exists: start streaming into it."""
        index = self._index(message.id)
        if index >= 0:
            self.branch[index] = message
        else:
            self.branch.append(message)
        self.pane.begin_answer(message)

    def on_answer_finished(self, message: MessageView) -> None:
        """The answer is saved in its final state."""
        index = self._index(message.id)
        if index >= 0:
            self.branch[index] = message
        else:
            self.branch.append(message)
        self.pane.end_answer(message)
        self.sig_session_cost.emit(self.session_cost())

    def on_turn_started(self, event: TurnStarted) -> None:
        """Tell the status bar which model answers."""
        self.sig_model_in_use.emit(event.model, event.provider, event.tier)

    def on_retrying(self, event: Retrying) -> None:
        """A transient retry line."""
        self.sig_status_message.emit(
            f"{event.reason} — retrying {event.provider} in {event.delay:.0f} s "
            f"(attempt {event.attempt})"
        )

    def on_provider_switched(self, event: ProviderSwitched) -> None:
        """Say inline that the answer moved to another provider, and why: once per session
        for the same switch (a provider that is simply not there is not news every answer),
        then only on the status bar."""
        text = (
            f"Switched from {event.from_provider} to {event.to_provider} "
            f"({event.model}): {event.reason}"
        )
        key = (self.session_id, event.from_provider, event.to_provider, event.reason)
        if key in self._switches_shown and not event.partial_kept:
            self.sig_status_message.emit(text)
            return
        self._switches_shown.add(key)
        self.pane.show_notice("fallback", text, [("Switch model", ACTION_SWITCH_MODEL)])

    def on_turn_done(self, event: TurnDone) -> None:
        """Speed and cost for the status bar."""
        self.sig_answer_stats.emit(event.stats)

    def on_turn_failed(self, event: TurnFailed) -> None:
        """An expected failure: an inline notice with what to do."""
        self.pane.show_notice("error", event.error.one_line(), notice_actions(event.error))

    def on_turn_stopped(self, answer_id: str, partial: str) -> None:
        """The user pressed Stop: keep what arrived, marked as stopped."""
        index = self._index(answer_id)
        if index < 0:
            return
        stopped = replace(self.branch[index], content=partial, status="cancelled")
        self.branch[index] = stopped
        self.pane.end_answer(stopped)

    def on_streaming(self, streaming: bool) -> None:
        """Composer state follows the turn, whatever ended it."""
        self.pane.set_streaming(streaming)
        if not streaming:
            self.sig_turn_ended.emit()
