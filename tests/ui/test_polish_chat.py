"""A narrow chat column (a dock open beside it) keeps every line readable and in its place."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from codeface.ui.chat import ChatPane
from tests.ui.chat_fixtures import (  # noqa: F401 - fixtures
    ScriptedServices,
    answer,
    chat_pane_fixture,
    chat_services_fixture,
    user_message,
)

NARROW = 380


def rect_in(widget: QWidget, ancestor: QWidget) -> QRect:
    """``widget``'s rectangle in ``ancestor``'s coordinates."""
    return QRect(widget.mapTo(ancestor, QPoint(0, 0)), widget.size())


def test_the_placeholder_fits_on_one_line_in_a_narrow_column(
    chat_pane: ChatPane, qtbot: QtBot
) -> None:
    edit = chat_pane.composer.edit
    assert "Enter to send" in edit.placeholderText()  # wide: the keys are said too

    chat_pane.resize(NARROW, 700)

    def fits() -> bool:
        return edit.fontMetrics().horizontalAdvance(edit.placeholderText()) <= (
            edit.viewport().width()
        )

    qtbot.waitUntil(fits)
    assert edit.placeholderText().startswith("Ask anything")
    assert "Enter to send" in chat_pane.composer.hint.text()  # said below the box instead
    chat_pane.resize(800, 700)
    qtbot.waitUntil(lambda: "Enter to send" in edit.placeholderText())


def test_a_waiting_placeholder_ends_in_an_ellipsis_when_too_long(
    chat_pane: ChatPane, qtbot: QtBot
) -> None:
    chat_pane.resize(NARROW, 700)
    chat_pane.composer.set_waiting(
        "The coder agent waits for you to allow or deny its edit of a file"
    )
    edit = chat_pane.composer.edit
    qtbot.waitUntil(
        lambda: (
            edit.fontMetrics().horizontalAdvance(edit.placeholderText()) <= edit.viewport().width()
        )
    )
    assert edit.placeholderText().endswith("…")


def test_a_narrow_answer_elides_its_badge_and_stats_and_nothing_overlaps(
    chat_pane: ChatPane, qtbot: QtBot
) -> None:
    long_model = answer(
        "a1",
        "Use slicing.",
        model="qwen2.5-coder:32b-instruct-q4_K_M",
        provider="openai-compatible",
        input_tokens=12_345,
        output_tokens=6_789,
        time_to_first_token=1.25,
        cost_usd=0.0123,
    )
    chat_pane.resize(NARROW, 700)
    chat_pane.set_messages([user_message("u1", "Reverse a string?"), long_model])
    qtbot.waitUntil(chat_pane.transcript.settled)
    card = chat_pane.message_widget("a1")
    assert card is not None
    qtbot.waitUntil(lambda: card.footer.copy_button.isVisible())
    bubble = card.bubble
    inside = bubble.contentsRect()
    badge = card.header.badge
    assert rect_in(badge, bubble).right() <= inside.right()
    assert badge.text().endswith("…")
    assert "qwen2.5-coder:32b-instruct-q4_K_M" in badge.toolTip()
    stats = card.footer.stats_label
    first_button = min(
        (b for b in (card.footer.copy_button, card.footer.regenerate_button) if b is not None),
        key=lambda b: b.x(),
    )
    assert rect_in(stats, bubble).right() < rect_in(first_button, bubble).left()
    assert stats.text().endswith("…")
    assert "$0.0123" in stats.toolTip()
    for button in (card.footer.copy_button, card.footer.down_button):
        assert button is not None
        assert rect_in(button, bubble).right() <= inside.right()
