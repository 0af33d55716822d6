"""Streaming: incremental appends, coalesced repaints, follow-the-bottom and jump to latest."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from codeface.application.contract import MessageView
from codeface.ui.chat import ChatPane
from codeface.ui.chat.code_block import CodeBlockWidget
from tests.ui.chat_fixtures import (  # noqa: F401 - fixtures
    answer,
    chat_pane_fixture,
    chat_services_fixture,
    conversation,
)


def _placeholder(message_id: str = "live") -> MessageView:
    return MessageView(message_id, "assistant", "", status="streaming", model="m", provider="p")


def test_streaming_never_rerenders_earlier_messages(chat_pane: ChatPane, qtbot: QtBot) -> None:
    chat_pane.set_messages(conversation(6))
    built_before = set(chat_pane.transcript.built_ids())
    before = {item_id: chat_pane.context.render_counts[item_id] for item_id in built_before}
    assert built_before
    assert all(count == 1 for count in before.values())
    chat_pane.begin_answer(_placeholder())
    for index in range(200):
        chat_pane.append_answer_text("live", f"word{index} ")
        if index % 20 == 19:
            chat_pane.flush()
    chat_pane.flush()
    assert {item_id: chat_pane.context.render_counts[item_id] for item_id in built_before} == before
    widget = chat_pane.message_widget("live")
    assert widget is not None
    assert "word199" in widget.message.content
    # One paragraph: no block was committed, the tail label was updated in place.
    assert chat_pane.context.render_counts["live"] == 0
    chat_pane.end_answer(answer("live", widget.message.content + "\n\nDone."))
    assert chat_pane.context.render_counts["live"] == 1
    assert {item_id: chat_pane.context.render_counts[item_id] for item_id in built_before} == before


def test_bursts_of_deltas_are_coalesced_into_one_repaint(chat_pane: ChatPane, qtbot: QtBot) -> None:
    chat_pane.set_messages([])
    chat_pane.begin_answer(_placeholder())
    for index in range(500):
        chat_pane.append_answer_text("live", f"{index} ")
    assert chat_pane.flush_count == 0
    qtbot.waitUntil(lambda: chat_pane.flush_count >= 1, timeout=2000)
    assert chat_pane.flush_count == 1
    widget = chat_pane.message_widget("live")
    assert widget is not None
    assert widget.message.content.endswith("499 ")


def test_a_streamed_code_block_grows_in_place_then_gets_highlighted(chat_pane: ChatPane) -> None:
    chat_pane.set_messages([])
    chat_pane.begin_answer(_placeholder())
    chat_pane.append_answer_text("live", "Code:\n\n```python\nx = 1\n")
    chat_pane.flush()
    widget = chat_pane.message_widget("live")
    assert widget is not None
    (streaming_block,) = widget.findChildren(CodeBlockWidget)
    assert not streaming_block.highlighted
    chat_pane.append_answer_text("live", "y = 2\n")
    chat_pane.flush()
    live_blocks = [b for b in widget.findChildren(CodeBlockWidget) if b.isVisibleTo(widget)]
    assert live_blocks == [streaming_block]
    assert streaming_block.code == "x = 1\ny = 2\n"
    chat_pane.append_answer_text("live", "```\n\nAfter.")
    chat_pane.flush()
    final_blocks = [b for b in widget.findChildren(CodeBlockWidget) if b.isVisibleTo(widget)]
    assert len(final_blocks) == 1
    assert final_blocks[0].highlighted
    assert final_blocks[0].code == "x = 1\ny = 2"


def test_view_follows_the_stream_until_the_user_scrolls_up(
    chat_pane: ChatPane, qtbot: QtBot
) -> None:
    chat_pane.set_messages(conversation(40))
    bar = chat_pane.transcript.verticalScrollBar()
    assert bar.maximum() > 0
    assert bar.value() == bar.maximum()
    chat_pane.begin_answer(_placeholder())
    for index in range(30):
        chat_pane.append_answer_text("live", f"Line {index} of a long answer.\n\n")
        chat_pane.flush()
        assert bar.value() == bar.maximum()
    jump = chat_pane.transcript.jump_button
    assert not jump.isVisible()

    transcript = chat_pane.transcript
    bar.setValue(bar.maximum() // 2)  # the user scrolls up
    assert not transcript.follow
    assert jump.isVisible()
    qtbot.waitUntil(transcript.settled, timeout=3000)
    reading = transcript.visible_ids()[0]
    reading_top = transcript.widget_for(reading).geometry().top()
    for index in range(10):
        chat_pane.append_answer_text("live", f"More {index}.\n\n")
        chat_pane.flush()
    qtbot.waitUntil(transcript.settled, timeout=3000)
    # What the user is reading stays where it was.
    assert transcript.visible_ids()[0] == reading
    assert transcript.widget_for(reading).geometry().top() == reading_top
    assert not transcript.follow
    assert bar.value() < bar.maximum()

    jump.click()
    assert chat_pane.transcript.follow
    assert bar.value() == bar.maximum()
    assert not jump.isVisible()


def test_update_message_with_a_final_status_ends_the_stream(chat_pane: ChatPane) -> None:
    chat_pane.set_messages([])
    chat_pane.begin_answer(_placeholder())
    chat_pane.append_answer_text("live", "Partial")
    chat_pane.update_message(
        answer("live", "Partial", status="interrupted", error_text="Connection lost")
    )
    assert chat_pane.streaming_id is None
    widget = chat_pane.message_widget("live")
    assert widget is not None
    assert widget.status_line.label.text() == "Connection lost"
    assert widget.footer.continue_button.isVisibleTo(widget)


def test_theme_switch_mid_stream_keeps_streaming_without_duplicates(chat_pane: ChatPane) -> None:
    from tests.ui.chat_fixtures import theme_named

    chat_pane.set_messages([])
    chat_pane.begin_answer(_placeholder())
    chat_pane.append_answer_text("live", "First paragraph.\n\n```python\nx = 1\n")
    chat_pane.flush()
    chat_pane.set_theme(theme_named("dark"))
    chat_pane.update_message(_placeholder())  # a stats-only update while streaming
    chat_pane.append_answer_text("live", "```\n\nLast.")
    chat_pane.flush()
    widget = chat_pane.message_widget("live")
    assert widget is not None
    shown = [
        child
        for child in widget.body.children()
        if getattr(child, "isVisibleTo", None) and child.isVisibleTo(widget)
    ]
    blocks = [child for child in shown if isinstance(child, CodeBlockWidget)]
    assert len(blocks) == 1
    assert blocks[0].code == "x = 1"
    texts = [child.text() for child in shown if hasattr(child, "text") and callable(child.text)]
    assert sum("First paragraph." in text for text in texts) == 1
    assert widget.message.content == "First paragraph.\n\n```python\nx = 1\n```\n\nLast."


def test_text_for_an_answer_that_was_never_begun_is_not_duplicated(chat_pane: ChatPane) -> None:
    chat_pane.set_messages([answer("a", "Hello")])
    chat_pane.append_answer_text("a", " world")
    chat_pane.flush()
    widget = chat_pane.message_widget("a")
    assert widget is not None
    texts = [
        label.text() for label in widget.body.findChildren(QLabel) if label.isVisibleTo(widget)
    ]
    assert len(texts) == 1
    assert "Hello world" in texts[0]
