"""Transcript rows are reused: a reused card shows exactly what a new one would.

Rows that leave the view show the next items of their kind; nothing of the item they
showed before may remain (text, code, status, navigator, rating, buttons). New kinds of
row plug in through the factory; an open editor keeps its row.
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget
from pytestqt.qtbot import QtBot

from codeface.application.contract import MessageView
from codeface.ui.chat import ChatPane
from codeface.ui.chat.code_block import CodeBlockWidget
from codeface.ui.chat.context import ChatContext
from codeface.ui.chat.message_widget import MessageWidget
from codeface.ui.chat.notices import NoticeWidget
from codeface.ui.chat.placeholders import Item
from codeface.ui.chat.rows import Row, RowKind
from tests.ui.chat_fixtures import (  # noqa: F401 - fixtures
    answer,
    chat_pane_fixture,
    chat_services_fixture,
    user_message,
)


def _varied(count: int) -> list[MessageView]:
    """Messages whose cards differ: code or not, errors, siblings, ratings, lengths."""
    messages: list[MessageView] = []
    for index in range(count):
        if index % 2 == 0:
            messages.append(user_message(f"m{index}", f"Question {index}" + " more" * (index % 9)))
            continue
        body = f"Answer {index}." + "\n\nAnother paragraph." * (index % 4)
        if index % 3 == 0:
            body += f"\n\n```python\nvalue_{index} = {index}\n```\n\nAfter code {index}."
        extra: dict[str, object] = {}
        if index % 7 == 0:
            extra.update(status="error", error_text=f"Failure {index}")
        if index % 5 == 0:
            extra.update(sibling_index=1, sibling_count=3)
        if index % 11 == 0:
            extra.update(rating=1)
        messages.append(answer(f"m{index}", body, **extra))
    return messages


def _looks(widget: MessageWidget) -> list[object]:
    """What a card shows a user, part by part and control by control."""
    shown: list[object] = []
    for part in widget.body.parts():
        if isinstance(part, CodeBlockWidget):
            shown.append(("code", part.code, part.language, part.highlighted))
        elif isinstance(part, QLabel):
            shown.append(("text", part.text()))
        else:
            shown.append(type(part).__name__)
    footer = widget.footer
    buttons = [
        footer.previous_button,
        footer.next_button,
        footer.continue_button,
        footer.regenerate_button,
        footer.up_button,
        footer.down_button,
        footer.copy_button,
    ]
    shown += [
        widget.header.role_label.text(),
        widget.header.badge.full_text,  # the shown text is elided to the width it gets
        widget.status_line.isVisibleTo(widget),
        widget.status_line.label.text(),
        widget.status_line.property("kind"),
        footer.stats_label.full_text,
    ]
    # Controls a card builds on first need stay built, hidden, when it is reused.
    label = footer.sibling_label
    shown.append(label.text() if label is not None and label.isVisibleTo(widget) else None)
    for button in buttons:
        visible = button is not None and button.isVisibleTo(widget)
        shown.append((button.text(), button.isChecked(), button.isEnabled()) if visible else None)
    return shown


def _settle(pane: ChatPane, qtbot: QtBot, value: int) -> None:
    transcript = pane.transcript
    transcript.verticalScrollBar().setValue(value)
    qtbot.waitUntil(transcript.settled, timeout=3000)


def test_reused_cards_show_exactly_what_new_cards_would(chat_pane: ChatPane, qtbot: QtBot) -> None:
    chat_pane.set_messages(_varied(400))
    transcript = chat_pane.transcript
    bar = transcript.verticalScrollBar()
    qtbot.waitUntil(transcript.settled, timeout=3000)
    checked = 0
    for fraction in (0, 0.5, 0.1, 0.9, 0.3, 0.31, 0.7):
        _settle(chat_pane, qtbot, int(bar.maximum() * fraction))
        for item_id in transcript.built_ids():
            row = transcript.widget_for(item_id, create=False)
            item = transcript.item(item_id)
            assert isinstance(row, MessageWidget)
            assert isinstance(item, MessageView)
            assert row.message == item
            fresh = MessageWidget(item, chat_pane.context, transcript.viewport())
            fresh.ensurePolished()
            assert _looks(row) == _looks(fresh), item_id
            fresh.deleteLater()
            checked += 1
    assert transcript.rows.reused > 0
    assert transcript.rows.built < checked
    assert len(transcript.built_ids()) < 40


def test_a_reused_card_reports_actions_for_its_new_message(
    chat_pane: ChatPane, qtbot: QtBot
) -> None:
    chat_pane.set_messages(_varied(400))
    transcript = chat_pane.transcript
    _settle(chat_pane, qtbot, 0)
    _settle(chat_pane, qtbot, transcript.verticalScrollBar().maximum() // 2)
    assert transcript.rows.reused > 0
    answers = [item_id for item_id in transcript.visible_ids() if int(item_id[1:]) % 2]
    row = transcript.widget_for(answers[0], create=False)
    assert isinstance(row, MessageWidget)
    assert row.footer.regenerate_button is not None
    with qtbot.waitSignal(chat_pane.sig_regenerate) as blocker:
        row.footer.regenerate_button.click()
    assert blocker.args == [answers[0]]


def test_notices_are_reused_with_their_own_buttons(chat_pane: ChatPane, qtbot: QtBot) -> None:
    chat_pane.set_messages([])
    chat_pane.show_notice("error", "Ollama is not running", [("Retry", "retry"), ("B", "b")])
    first = chat_pane.transcript.widget_for(chat_pane.transcript.items[-1].id)
    assert isinstance(first, NoticeWidget)
    chat_pane.set_messages([])  # the row goes back to the pool
    chat_pane.show_notice("info", "Model pulled", [("Open settings", "open_settings")])
    notice = chat_pane.transcript.widget_for(chat_pane.transcript.items[-1].id)
    assert notice is first  # reused
    assert isinstance(notice, NoticeWidget)
    assert notice.label.text() == "Model pulled"
    assert notice.card.property("kind") == "info"
    assert [button.text() for button in notice.buttons] == ["Open settings"]
    with qtbot.waitSignal(chat_pane.sig_action) as blocker:
        notice.buttons[0].click()
    assert blocker.args == ["open_settings"]


class ToolCard(Row):
    """A stand-in for a future kind of row (a tool call's card)."""

    def __init__(self, item: Item, context: ChatContext, parent: QWidget) -> None:
        super().__init__(parent)
        self.label = QLabel(self)
        self.bind(item)

    def bind(self, item: Item) -> None:
        assert isinstance(item, MessageView)
        self.label.setText(f"tool {item.tool_name}: {item.content}")

    def measure(self, width: int) -> int:
        return 40


def test_a_new_kind_of_row_plugs_in_through_the_factory(chat_pane: ChatPane, qtbot: QtBot) -> None:
    chat_pane.transcript.rows.factory.register(
        RowKind(
            "tool_card",
            lambda item: isinstance(item, MessageView) and item.role == "tool",
            ToolCard,
        )
    )
    messages = [
        MessageView(f"t{index}", "tool", f"output {index}", tool_name="read_file")
        if index % 2
        else user_message(f"t{index}", f"Question {index}")
        for index in range(300)
    ]
    chat_pane.set_messages(messages)
    transcript = chat_pane.transcript
    qtbot.waitUntil(transcript.settled, timeout=3000)
    card = transcript.widget_for("t299", create=False)
    assert isinstance(card, ToolCard)
    assert card.label.text() == "tool read_file: output 299"
    _settle(chat_pane, qtbot, 0)
    card = transcript.widget_for("t1", create=False)
    assert isinstance(card, ToolCard)
    assert card.label.text() == "tool read_file: output 1"
    assert transcript.rows.reused > 0


def test_an_open_editor_keeps_its_card_while_scrolled_away(
    chat_pane: ChatPane, qtbot: QtBot
) -> None:
    chat_pane.set_messages(_varied(400))
    transcript = chat_pane.transcript
    _settle(chat_pane, qtbot, transcript.verticalScrollBar().maximum())
    (user_id,) = [item_id for item_id in transcript.visible_ids() if item_id == "m398"]
    row = transcript.widget_for(user_id, create=False)
    assert isinstance(row, MessageWidget)
    assert row.footer.edit_button is not None
    row.footer.edit_button.click()
    assert row._editor is not None
    row._editor.setPlainText("A better question")
    _settle(chat_pane, qtbot, 0)
    _settle(chat_pane, qtbot, transcript.verticalScrollBar().maximum() // 2)
    assert transcript.widget_for(user_id, create=False) is row
    assert row.editing
    with qtbot.waitSignal(chat_pane.sig_edit) as blocker:
        row.submit_edit()
    assert blocker.args == [user_id, "A better question"]


def test_switching_sessions_keeps_only_a_few_spare_cards(chat_pane: ChatPane, qtbot: QtBot) -> None:
    chat_pane.set_messages(_varied(400))
    transcript = chat_pane.transcript
    for fraction in (0, 0.25, 0.5, 0.75, 1):
        _settle(chat_pane, qtbot, int(transcript.verticalScrollBar().maximum() * fraction))
    chat_pane.set_messages([])
    qtbot.waitUntil(lambda: transcript.settled())
    cards = [row for row in transcript.viewport().findChildren(Row)]
    assert transcript.built_ids() == []
    assert len(cards) == transcript.rows.spare_count() <= 2 * transcript.rows.spare_per_kind
    assert not any(card.isVisible() for card in cards)


def test_an_answer_that_fails_while_shown_gets_the_error_styling(
    chat_pane: ChatPane, qtbot: QtBot
) -> None:
    failed = answer("a", "Partial text", status="error", error_text="Rate limited")
    chat_pane.set_messages([])
    chat_pane.begin_answer(MessageView("a", "assistant", "", status="streaming"))
    chat_pane.append_answer_text("a", "Partial text")
    chat_pane.flush()
    qtbot.waitUntil(chat_pane.transcript.settled)
    chat_pane.end_answer(failed)
    qtbot.waitUntil(chat_pane.transcript.settled)
    shown = chat_pane.message_widget("a")
    assert shown is not None
    fresh = MessageWidget(failed, chat_pane.context, chat_pane.transcript.viewport())
    fresh.resize(shown.size())
    fresh.show()
    qtbot.waitUntil(lambda: fresh.status_line.width() == shown.status_line.width())

    def stripe(widget: MessageWidget) -> str:
        image = widget.status_line.grab().toImage()
        return image.pixelColor(1, image.height() // 2).name()

    assert shown.status_line.label.text() == "Rate limited"
    assert stripe(shown) == stripe(fresh) != chat_pane.palette().window().color().name()
