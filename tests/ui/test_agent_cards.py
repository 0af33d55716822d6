"""An agent turn's steps as compact cards in the conversation (fake backend, real pane).

Each tool call is a card saying what it does in words, its status and duration; the
stored "tool" message is folded into the card; a command's output streams into its card
without re-laying out the conversation; a session loaded later shows the same cards
built from the stored messages; rows are reused for hundreds of steps; "Open" reaches
the window's Code panel.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication

from codeface.application.contract import MessageView, ProjectView
from codeface.core.messages import ToolCall
from codeface.ui.bridge import Bridge
from codeface.ui.chat import ChatPane
from codeface.ui.chat.agent_items import ApprovalItem, ToolStep, items_for_branch
from codeface.ui.chat.step_words import describe_step
from codeface.ui.chat.tool_card import ToolCardRow, format_duration
from codeface.ui.conversation import Conversation
from tests.ui.agent_fixtures import AgentChat, agent_chat_fixture  # noqa: F401 - fixture
from tests.ui.chat_fixtures import theme_named
from tests.ui.conftest import wait_until
from tests.ui.fake_agents import AgentScript, ScriptedCall
from tests.ui.fake_backend import FakeBackend

READ = ScriptedCall(
    "read_file",
    {"path": "src/app.py", "start_line": 1, "end_line": 80},
    description="read src/app.py lines 1–80",
    summary="lines 1-2 of 2",
    result='<data source="file src/app.py, lines 1-2 of 2">\ndef main() -> None:\n</data>',
)


@pytest.mark.asyncio
async def test_each_step_is_a_card_with_words_status_and_duration(agent_chat: AgentChat) -> None:
    chat = agent_chat
    chat.backend.script(
        AgentScript(
            steps=[[READ], [ScriptedCall("search", {"pattern": "main"}, summary="2 matches")]],
            answer="main() prints hello.",
        )
    )
    chat.pane.sig_send.emit("What does main do?", [])
    await chat.turn_done()

    steps = chat.steps()
    assert [(s.description, s.status, s.summary) for s in steps] == [
        ("read src/app.py lines 1–80", "ok", "lines 1-2 of 2"),
        ("search", "ok", "2 matches"),
    ]
    card = chat.tool_card(steps[0].id)
    line = card.line
    assert (line.description, line.status_words, line.summary, line.duration) == (
        "read src/app.py lines 1–80",
        "done",
        "lines 1-2 of 2",
        "0.2 s",
    )
    assert card.accessibleName() == "Tool step: read src/app.py lines 1–80"
    # The "tool" messages are in the branch, but shown only inside their cards.
    roles = [m.role for m in chat.conversation.branch]
    assert roles.count("tool") == 2
    shown = [i for i in chat.pane.transcript.items if isinstance(i, MessageView)]
    assert "tool" not in [m.role for m in shown]
    # An answer that only called tools takes no room; the final answer is a card.
    quiet = [m for m in shown if m.role == "assistant" and m.tool_calls]
    assert quiet
    assert all(chat.row(m.id).measure(800) == 0 for m in quiet)  # type: ignore[union-attr]
    assert chat.notices()[-1].text == "Agent turn done: 3 steps"


@pytest.mark.asyncio
async def test_command_output_streams_into_its_card_without_relayout(
    agent_chat: AgentChat,
) -> None:
    chat = agent_chat
    hold = asyncio.Event()
    pieces = [f"test_{n} PASSED\n" for n in range(40)]
    chat.backend.script(
        AgentScript(
            steps=[
                [
                    ScriptedCall(
                        "run_command", {"command": "pytest -q"}, ask=False, output=pieces, hold=hold
                    )
                ]
            ],
        )
    )
    chat.pane.sig_send.emit("Run the tests", [])
    await chat.until(lambda: chat.steps() and len(chat.steps()[0].output) == len("".join(pieces)))
    await chat.until(chat.pane.transcript.settled)
    step = chat.steps()[0]
    assert step.status == "running"
    assert step.expanded
    card = chat.tool_card(step.id)
    assert card._text_view is not None
    assert card._text_view.toPlainText() == "".join(pieces)
    height, passes = card.height(), chat.pane.transcript.layout_passes
    chat.pane.agent_steps.command_output("call_0", "one more line\n")
    assert card._text_view.toPlainText().endswith("test_39 PASSED\none more line\n")
    assert card.height() == height
    assert chat.pane.transcript.layout_passes == passes  # nothing was laid out again
    hold.set()
    await chat.turn_done()
    finished = chat.steps()[0]
    assert (finished.status, finished.detail) == ("ok", "".join(pieces))


@pytest.mark.asyncio
async def test_a_loaded_session_shows_the_same_cards_from_stored_messages(
    agent_chat: AgentChat,
) -> None:
    chat = agent_chat
    chat.backend.script(
        AgentScript(
            steps=[
                [READ],
                [
                    ScriptedCall(
                        "edit_file",
                        {"path": "src/app.py", "old_text": "hello", "new_text": "bye"},
                        description="edit src/app.py (replace 1 line with 1)",
                    )
                ],
            ]
        )
    )
    chat.pane.sig_send.emit("Say bye", [])
    card = await chat.waiting_card()
    chat.pane.agent_steps.on_approval_answer(card.item.request_id, "deny", "not now")
    await chat.turn_done()
    live_summaries = [s.summary for s in chat.steps()]
    (live_approval,) = chat.approvals()
    live_title = chat.approval_card(live_approval.id).title.text()

    branch = await chat.backend.load_branch(chat.session_id)
    chat.conversation.show_branch(chat.session_id, branch)
    await chat.until(chat.pane.transcript.settled)
    steps = chat.steps()
    assert [(s.description, s.status) for s in steps] == [
        ("read src/app.py lines 1–80", "ok"),
        ("edit src/app.py (replace 1 line with 1)", "denied"),
    ]
    assert [s.summary for s in steps] == live_summaries
    assert live_summaries == ["lines 1-2 of 2", "denied by the user (not now)"]
    assert steps[0].detail == "def main() -> None:"
    # The decision comes back as the row the live turn showed, right after its step.
    (approval,) = chat.approvals()
    assert (approval.state, approval.decision, approval.reason) == ("decided", "deny", "not now")
    assert chat.approval_card(approval.id).title.text() == live_title
    assert live_title == "✗ Denied: edit src/app.py (replace 1 line with 1) (not now)"
    shown = chat.pane.transcript.items
    assert shown.index(approval) == shown.index(steps[1]) + 1
    # A session stored before the audit kept summaries: the old words, no approval rows.
    old = [replace(m, tool_summary="", approval="", approval_reason="") for m in branch]
    old_items = items_for_branch(old)
    old_steps = [i for i in old_items if isinstance(i, ToolStep)]
    assert old_steps[0].summary == "file src/app.py, lines 1-2 of 2"
    assert not [i for i in old_items if isinstance(i, ApprovalItem)]


def test_stored_calls_are_said_in_words() -> None:
    def words(name: str, **arguments: object) -> str:
        return describe_step(ToolCall("c", name, dict(arguments)))

    assert words("read_file", path="a.py", start_line=1, end_line=80) == "read a.py lines 1–80"
    assert words("read_file", path="a.py") == "read a.py"
    assert words("list_dir") == "list the project root"
    assert words("search", pattern="TODO", path="src") == "search for `TODO` in src"
    assert words("edit_file", path="a.py", old_text="x\ny", new_text="z") == (
        "edit a.py (replace 2 lines with 1)"
    )
    assert words("write_file", path="n.py", content="a\nb\nc") == "write n.py (3 lines)"
    assert words("run_command", command="pytest   -q") == "run `pytest -q`"
    assert words("ask_user", question="Which file?") == "ask: Which file?"
    assert words("frobnicate", level=3) == "frobnicate(level=3)"


def test_a_call_that_never_ran_is_shown_as_not_run() -> None:
    call = ToolCall("call_0", "run_command", {"command": "make"})
    items = items_for_branch(
        [MessageView("u", "user", "build"), MessageView("a", "assistant", "", tool_calls=(call,))]
    )
    (step,) = [item for item in items if isinstance(item, ToolStep)]
    assert (step.status, step.description) == ("stopped", "run `make`")
    assert format_duration(None) == ""
    assert format_duration(75) == "1 min 15 s"


@pytest.mark.asyncio
async def test_hundreds_of_cards_reuse_rows_and_show_their_own_step(qapp: QApplication) -> None:
    pane = ChatPane(theme_named("light"))
    pane.resize(800, 700)
    pane.show()
    messages: list[MessageView] = [MessageView("u", "user", "Read everything")]
    for number in range(300):
        call = ToolCall(f"call_{number}", "read_file", {"path": f"src/m{number}.py"})
        messages.append(MessageView(f"a{number}", "assistant", "", tool_calls=(call,)))
        messages.append(MessageView(f"t{number}", "tool", f"body {number}", tool_call_id=call.id))
    pane.set_messages(messages)
    transcript = pane.transcript
    bar = transcript.verticalScrollBar()
    for fraction in (0.0, 0.5, 0.25, 1.0):
        bar.setValue(int(bar.maximum() * fraction))
        await asyncio.sleep(0)
        await wait_until(transcript.settled)
        for item_id in transcript.visible_ids():
            row = transcript.widget_for(item_id, create=False)
            item = transcript.item(item_id)
            if isinstance(item, ToolStep):
                assert isinstance(row, ToolCardRow)
                assert row.step == item
                assert row.line.description == item.description
    assert transcript.rows.reused > 0
    # 600 items (300 cards, 300 answers that only called tools): rows for a few screens.
    assert transcript.rows.built < len(transcript.items) // 4
    pane.close()
    pane.deleteLater()


class _Window(QObject):
    """What the conversation needs of a window: its project and a Code panel opener."""

    sig_project_changed = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self.project = ProjectView("/work/demo", "demo", "/work/demo")
        self.opened: list[tuple[str, int]] = []

    def open_file(self, path: str, line: int) -> None:
        self.opened.append((path, line))


@pytest.mark.asyncio
async def test_open_shows_the_touched_file_in_the_window(qapp: QApplication) -> None:
    backend = FakeBackend()
    session = backend.add_session("Agent", role="coder", project="/work/demo")
    window = _Window()
    pane = ChatPane(theme_named("light"))
    pane.resize(800, 600)
    pane.show()
    conversation = Conversation(Bridge(backend), pane, window)
    assert conversation.project == window.project
    backend.script(AgentScript(steps=[[READ]]))
    conversation.show_branch(session, [])
    conversation.on_send("Look", [])
    await conversation.bridge.wait_turn()
    step = next(i for i in pane.transcript.items if isinstance(i, ToolStep))
    row = pane.transcript.widget_for(step.id)
    assert isinstance(row, ToolCardRow)
    assert row.open_button.isVisibleTo(row)
    row.open_button.click()
    assert window.opened == [("src/app.py", 1)]
    other = ProjectView("/work/other", "other", "/work/other")
    window.sig_project_changed.emit(other)
    assert conversation.project == other
    await conversation.bridge.aclose()
    pane.close()
    pane.deleteLater()
