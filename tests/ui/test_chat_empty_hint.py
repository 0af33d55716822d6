"""An empty conversation is never a blank area: it says what to ask and, in a project, how
to put an agent to work; the first message replaces the hint."""

from __future__ import annotations

from PySide6.QtGui import QImage

from codeface.ui.chat.empty_hint import hint_for
from codeface.ui.chat.pane import ChatPane
from tests.ui.chat_fixtures import (  # noqa: F401 - fixtures
    chat_pane_fixture,
    chat_services_fixture,
    user_message,
)


def viewport_image(pane: ChatPane) -> QImage:
    return pane.transcript.viewport().grab().toImage()


def test_the_hint_names_the_project_and_how_to_let_an_agent_work() -> None:
    assert hint_for(None).title == "Ask anything"
    assert "Open project" in hint_for(None).text
    in_project = hint_for("shop")
    assert in_project.title == "Ask about shop"
    assert "@coder" in in_project.text
    assert "approval" in in_project.text


def test_an_empty_transcript_paints_the_hint_until_the_first_message(
    chat_pane: ChatPane,
) -> None:
    chat_pane.show_project("shop")
    assert chat_pane.transcript.empty_hint == hint_for("shop")
    with_hint = viewport_image(chat_pane)
    chat_pane.transcript.set_empty_hint(None)
    blank = viewport_image(chat_pane)
    assert with_hint != blank  # the hint is drawn
    chat_pane.show_project(None)
    assert viewport_image(chat_pane) not in (with_hint, blank)  # the other hint
    chat_pane.set_messages([])
    chat_pane.add_message(user_message("m1", "hello"))
    chat_pane.transcript.relayout()
    with_message = viewport_image(chat_pane)
    chat_pane.transcript.set_empty_hint(hint_for("shop"))
    assert viewport_image(chat_pane) == with_message  # a conversation shows no hint
