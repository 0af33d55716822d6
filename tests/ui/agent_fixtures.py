"""A real chat pane and conversation on the fake backend, for agent-turn widget tests.

``agent_chat`` (a fixture, imported as ``agent_chat_fixture``) gives an `AgentChat`: the pane shown at 900×800 in the Light
theme, a `Conversation` on a `Bridge` over a `FakeBackend`, an agent session of the fake
project open, and scripted dialogs. Import the fixture explicitly in a test module.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import pytest_asyncio
from PySide6.QtWidgets import QApplication

from codeface.ui.bridge import Bridge
from codeface.ui.chat import ChatPane
from codeface.ui.chat.agent_items import ApprovalItem, QuestionItem, ToolStep
from codeface.ui.chat.approval_card import ApprovalCardRow, QuestionCardRow
from codeface.ui.chat.notices import Notice
from codeface.ui.chat.rows import Row
from codeface.ui.chat.tool_card import ToolCardRow
from codeface.ui.conversation import Conversation
from tests.ui.chat_fixtures import ScriptedServices, theme_named
from tests.ui.conftest import wait_until
from tests.ui.fake_backend import FakeBackend


@dataclass
class AgentChat:
    """Everything an agent-turn widget test drives."""

    backend: FakeBackend
    bridge: Bridge
    pane: ChatPane
    conversation: Conversation
    services: ScriptedServices
    session_id: str

    def items(self, kind: type) -> list:  # type: ignore[type-arg]
        """The transcript items of one type, in order."""
        return [item for item in self.pane.transcript.items if isinstance(item, kind)]

    def steps(self) -> list[ToolStep]:
        return self.items(ToolStep)

    def approvals(self) -> list[ApprovalItem]:
        return self.items(ApprovalItem)

    def questions(self) -> list[QuestionItem]:
        return self.items(QuestionItem)

    def notices(self) -> list[Notice]:
        return self.items(Notice)

    def row(self, item_id: str) -> Row | None:
        return self.pane.transcript.widget_for(item_id)

    def tool_card(self, item_id: str) -> ToolCardRow:
        row = self.row(item_id)
        assert isinstance(row, ToolCardRow)
        return row

    def approval_card(self, item_id: str) -> ApprovalCardRow:
        row = self.row(item_id)
        assert isinstance(row, ApprovalCardRow)
        return row

    def question_card(self, item_id: str) -> QuestionCardRow:
        row = self.row(item_id)
        assert isinstance(row, QuestionCardRow)
        return row

    async def until(self, predicate: Callable[[], object], timeout: float = 5.0) -> None:  # noqa: ASYNC109
        await wait_until(predicate, timeout)

    async def waiting_card(self) -> ApprovalCardRow:
        """Wait for an approval card and return its row."""
        await self.until(lambda: any(a.state == "pending" for a in self.approvals()))
        pending = [a for a in self.approvals() if a.state == "pending"][-1]
        await self.until(self.pane.transcript.settled)
        return self.approval_card(pending.id)

    async def turn_done(self) -> None:
        await self.bridge.wait_turn()
        await asyncio.sleep(0)
        await self.until(self.pane.transcript.settled)


@pytest_asyncio.fixture(name="agent_chat")
async def agent_chat_fixture(qapp: QApplication) -> AsyncIterator[AgentChat]:
    """A shown pane with an agent session (role coder) of the fake project open."""
    backend = FakeBackend()
    project = backend.project()
    session_id = backend.add_session("Agent work", role="coder", project=project.key)
    bridge = Bridge(backend)
    services = ScriptedServices()
    pane = ChatPane(theme_named("light"), services)
    pane.resize(900, 800)
    pane.show()
    conversation = Conversation(bridge, pane)
    conversation.set_project(project)
    conversation.show_branch(session_id, await backend.load_branch(session_id))
    await wait_until(lambda: pane.composer.roles != [])
    yield AgentChat(backend, bridge, pane, conversation, services, session_id)
    await bridge.aclose()
    pane.close()
    pane.deleteLater()
