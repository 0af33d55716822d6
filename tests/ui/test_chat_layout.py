"""An answer's card is as tall as its text, however fast the answer arrived.

A whole answer can arrive within one event-loop tick (a fast local model, a short
answer): `begin_answer`, `append_answer_text` and `end_answer` back to back. The card
must then show its body, exactly as tall as the same message shown by `set_messages`,
also when the card was off screen or the pane hidden while the text arrived.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from codeface.application.contract import MessageView
from codeface.ui.chat import ChatPane
from codeface.ui.chat.code_block import CodeBlockWidget
from tests.ui.chat_fixtures import (  # noqa: F401 - fixtures
    ScriptedServices,
    answer,
    chat_pane_fixture,
    chat_services_fixture,
    conversation,
    theme_named,
    user_message,
)

FAST_ANSWER = (
    "Sure. Reverse it with slicing, which works for any sequence and is the idiomatic "
    "way in Python.\n\n```python\ndef reverse(text: str) -> str:\n    return text[::-1]\n```"
    "\n\nThen `reverse('abc')` gives `'cba'`."
)


def _placeholder() -> MessageView:
    return MessageView("live", "assistant", "", status="streaming", model="m", provider="p")


def _reference_height(qtbot: QtBot, pane: ChatPane, final: MessageView) -> int:
    """The card height of ``final`` shown at once by `set_messages` in an equal pane."""
    other = ChatPane(theme_named("light"), ScriptedServices())
    qtbot.addWidget(other)
    other.resize(pane.size())
    other.show()
    qtbot.waitExposed(other)
    other.set_messages([user_message("u", "How do I reverse a string?"), final])
    qtbot.waitUntil(other.transcript.settled)
    widget = other.message_widget(final.id)
    assert widget is not None
    assert widget.body.height() > 40
    return widget.height()


def _in_one_tick(pane: ChatPane, qtbot: QtBot) -> None:
    pane.begin_answer(_placeholder())
    pane.append_answer_text("live", FAST_ANSWER)
    pane.end_answer(answer("live", FAST_ANSWER))


def _after_the_placeholder_was_shown(pane: ChatPane, qtbot: QtBot) -> None:
    _show_placeholder(pane, qtbot)
    pane.append_answer_text("live", FAST_ANSWER)
    pane.end_answer(answer("live", FAST_ANSWER))


def _while_scrolled_up(pane: ChatPane, qtbot: QtBot) -> None:
    _show_placeholder(pane, qtbot)
    pane.transcript.verticalScrollBar().setValue(0)  # the user reads something earlier
    pane.append_answer_text("live", FAST_ANSWER)
    pane.end_answer(answer("live", FAST_ANSWER))
    pane.transcript.jump_button.click()


def _while_hidden(pane: ChatPane, qtbot: QtBot) -> None:
    _show_placeholder(pane, qtbot)
    pane.hide()  # e.g. the window was minimised
    pane.append_answer_text("live", FAST_ANSWER)
    pane.end_answer(answer("live", FAST_ANSWER))
    pane.show()


def _show_placeholder(pane: ChatPane, qtbot: QtBot) -> None:
    """The empty "Generating…" card is shown and laid out before any text arrives."""
    pane.begin_answer(_placeholder())
    widget = pane.message_widget("live")
    assert widget is not None
    qtbot.waitUntil(
        lambda: pane.transcript.settled() and widget.footer.isVisible() and widget.body.width() > 0
    )


@pytest.mark.parametrize(
    "arrive",
    [_in_one_tick, _after_the_placeholder_was_shown, _while_scrolled_up, _while_hidden],
    ids=["one-tick", "after-placeholder", "scrolled-up", "hidden"],
)
def test_an_answer_that_arrives_in_one_tick_shows_its_whole_body(
    chat_pane: ChatPane, qtbot: QtBot, arrive: Callable[[ChatPane, QtBot], None]
) -> None:
    final = answer("live", FAST_ANSWER)
    chat_pane.set_messages([*conversation(30), user_message("u", "How do I reverse a string?")])
    qtbot.waitUntil(chat_pane.transcript.settled)
    expected = _reference_height(qtbot, chat_pane, final)

    arrive(chat_pane, qtbot)

    transcript = chat_pane.transcript
    widget = chat_pane.message_widget("live")
    assert widget is not None

    def fits() -> bool:
        return (
            transcript.settled()
            and widget.isVisible()
            and widget.body.isVisible()
            and widget.height() == expected
        )

    qtbot.waitUntil(fits, timeout=3000)
    labels = [label for label in widget.body.findChildren(QLabel) if label.isVisibleTo(widget)]
    assert any("idiomatic" in label.text() for label in labels)
    (block,) = [b for b in widget.findChildren(CodeBlockWidget) if b.isVisibleTo(widget)]
    # Every part of the body is laid out at its full height, nothing squeezed.
    for part in [*labels, block]:
        assert part.height() >= part.heightForWidth(part.width()) > 0
    assert transcript.verticalScrollBar().value() == transcript.verticalScrollBar().maximum()
