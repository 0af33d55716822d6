"""Agent turns between the bridge and the chat pane: events in, answers out, ``@role``.

`AgentGlue` hands the bridge's agent signals to the pane's `AgentSteps` (cards), sends
the user's approval and question answers to the backend (`answer_approval`,
`answer_question`) and tells the cards how that went. It also knows the project's agent
roles, for the composer's ``@`` completion and for `parse_mention`.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject

from codeface.core.errors import CodefaceError
from codeface.ui.bridge import bridge_task

if TYPE_CHECKING:
    from codeface.ui.bridge import Bridge
    from codeface.ui.chat.agent_steps import AgentSteps

log = logging.getLogger(__name__)
_MENTION = re.compile(r"\A\s*@(\w[\w.-]*)(?=\s|\Z)\s*(.*)\Z", re.DOTALL)
DECISIONS = ("once", "session", "deny")


def parse_mention(text: str) -> tuple[str, str] | None:
    """("reviewer", "look at this") from "@reviewer look at this"; None without a mention."""
    found = _MENTION.match(text)
    return (found.group(1), found.group(2).strip()) if found else None


def turn_summary(event: Any) -> tuple[str, str]:
    """(kind, text) of the notice that ends an agent turn."""
    steps = int(getattr(event, "steps", 0))
    changed = tuple(getattr(event, "changed_paths", ()))
    parts = [f"{steps} step{'s' * (steps != 1)}"]
    if changed:
        shown = ", ".join(changed[:3]) + (
            f" and {len(changed) - 3} more" if len(changed) > 3 else ""
        )
        parts.append(f"changed {shown}")
    cost = getattr(event, "cost_usd", None)
    if isinstance(cost, float) and cost > 0:
        parts.append(f"${cost:.4f}")
    if getattr(event, "stopped_at_step_limit", False):
        return "warning", "The agent stopped at its step limit: " + ", ".join(parts)
    return "info", "Agent turn done: " + ", ".join(parts)


class AgentGlue(QObject):
    """The agent side of one conversation."""

    def __init__(self, bridge: Bridge, pane: Any, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.pane = pane
        self.steps: AgentSteps = pane.agent_steps
        self._roles: dict[str, list[str]] = {}
        steps = self.steps
        bridge.sig_tool_started.connect(steps.tool_started)
        bridge.sig_approval_requested.connect(steps.approval_requested)
        bridge.sig_approval_given.connect(steps.approval_given)
        bridge.sig_question.connect(steps.question_asked)
        bridge.sig_command_output.connect(steps.command_output)
        bridge.sig_tool_finished.connect(steps.tool_finished)
        bridge.sig_agent_done.connect(self.on_agent_done)
        pane.sig_approval_answer.connect(self.on_approval_answer)
        pane.sig_question_answer.connect(self.on_question_answer)

    # answers -----------------------------------------------------------------------
    @bridge_task
    async def on_approval_answer(self, request_id: str, decision: str, reason: str) -> None:
        """Send the user's decision; the card collapses, or says nothing waits any more."""
        if decision not in DECISIONS:
            return
        try:
            taken = await self.bridge.backend.answer_approval(
                request_id,
                decision,  # type: ignore[arg-type]
                reason,
            )
        except CodefaceError as error:
            log.warning("answering approval %s failed: %s", request_id, error)
            taken = False
        if taken:
            self.steps.approval_sent(request_id)
        else:
            self.steps.approval_refused(request_id)

    @bridge_task
    async def on_question_answer(self, question_id: str, text: str) -> None:
        """Send the user's reply to the agent's question."""
        try:
            taken = await self.bridge.backend.answer_question(question_id, text)
        except CodefaceError as error:
            log.warning("answering question %s failed: %s", question_id, error)
            taken = False
        self.steps.question_sent(question_id, taken)

    def on_agent_done(self, event: object) -> None:
        """One line at the end of an agent turn: steps, changed files, cost."""
        kind, text = turn_summary(event)
        self.pane.show_notice(kind, text, [])

    # roles -------------------------------------------------------------------------
    async def role_names(self, project: str | None) -> list[str]:
        """The agent roles of ``project`` (cached; built-in and the user's without one)."""
        key = project or ""
        if key not in self._roles:
            try:
                roles = await self.bridge.backend.list_roles(project)
            except CodefaceError as error:
                log.warning("listing agent roles failed: %s", error)
                return []
            self._roles[key] = [role.name for role in roles]
            self.pane.set_roles(self._roles[key])
        return self._roles[key]

    def forget_roles(self) -> None:
        """The project changed: list its roles again when next needed."""
        self._roles.clear()
