"""Message actions (branches, edit, regenerate, ratings), notices, 10,000 messages, zoom."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from codeface.ui.chat import ChatPane
from tests.ui.chat_fixtures import (  # noqa: F401 - fixtures
    answer,
    chat_pane_fixture,
    chat_services_fixture,
    conversation,
    user_message,
)


def test_sibling_navigator_shows_position_and_emits_steps(
    chat_pane: ChatPane, qtbot: QtBot
) -> None:
    chat_pane.set_messages(
        [user_message("u", "Hi"), answer("a", "Hello", sibling_index=1, sibling_count=3)]
    )
    footer = chat_pane.message_widget("a").footer
    assert footer.sibling_label.text() == "2/3"
    assert footer.previous_button.isEnabled()
    assert footer.next_button.isEnabled()
    with qtbot.waitSignal(chat_pane.sig_switch_sibling) as blocker:
        footer.previous_button.click()
    assert blocker.args == ["a", -1]
    with qtbot.waitSignal(chat_pane.sig_switch_sibling) as blocker:
        footer.next_button.click()
    assert blocker.args == ["a", 1]
    user_footer = chat_pane.message_widget("u").footer
    assert user_footer.sibling_label is None  # no siblings, no navigator


def test_navigator_disables_the_ends(chat_pane: ChatPane) -> None:
    chat_pane.set_messages([answer("a", "x", sibling_index=0, sibling_count=2)])
    footer = chat_pane.message_widget("a").footer
    assert not footer.previous_button.isEnabled()
    assert footer.next_button.isEnabled()


def test_editing_an_earlier_user_message_emits_the_new_text(
    chat_pane: ChatPane, qtbot: QtBot
) -> None:
    chat_pane.set_messages(
        [
            user_message("u1", "Old question"),
            answer("a1", "Old answer"),
            user_message("u2", "Later"),
        ]
    )
    widget = chat_pane.message_widget("u1")
    widget.footer.edit_button.click()
    assert widget.editing
    editor = widget._editor
    editor.setPlainText("New question")
    with qtbot.waitSignal(chat_pane.sig_edit) as blocker:
        qtbot.keyClick(editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert blocker.args == ["u1", "New question"]
    assert not widget.editing


def test_cancelling_an_edit_restores_the_message(chat_pane: ChatPane, qtbot: QtBot) -> None:
    chat_pane.set_messages([user_message("u1", "Keep me")])
    widget = chat_pane.message_widget("u1")
    widget.footer.edit_button.click()
    with qtbot.assertNotEmitted(chat_pane.sig_edit):
        widget.cancel_edit()
    assert any("Keep me" in label.text() for label in widget.body.findChildren(QLabel))


def test_regenerate_rate_and_continue_emit_with_the_answer_id(
    chat_pane: ChatPane, qtbot: QtBot
) -> None:
    chat_pane.set_messages(
        [answer("a", "Answer"), answer("b", "Half", status="interrupted", error_text="Lost")]
    )
    footer = chat_pane.message_widget("a").footer
    with qtbot.waitSignal(chat_pane.sig_regenerate) as blocker:
        footer.regenerate_button.click()
    assert blocker.args == ["a"]
    with qtbot.waitSignal(chat_pane.sig_rate) as blocker:
        footer.up_button.click()
    assert blocker.args == ["a", 1]
    assert footer.up_button.isChecked()
    with qtbot.waitSignal(chat_pane.sig_rate) as blocker:
        footer.up_button.click()  # clicking again clears the rating
    assert blocker.args == ["a", None]
    with qtbot.waitSignal(chat_pane.sig_rate) as blocker:
        footer.down_button.click()
    assert blocker.args == ["a", -1]
    interrupted = chat_pane.message_widget("b").footer
    assert interrupted.continue_button.isVisibleTo(interrupted)
    with qtbot.waitSignal(chat_pane.sig_continue) as blocker:
        interrupted.continue_button.click()
    assert blocker.args == ["b"]


def test_error_answer_shows_the_reason_inline(chat_pane: ChatPane) -> None:
    chat_pane.set_messages(
        [answer("a", "", status="error", error_text="Rate limited by Anthropic — retry in 20 s")]
    )
    widget = chat_pane.message_widget("a")
    assert widget.status_line.isVisibleTo(widget)
    assert "Rate limited" in widget.status_line.label.text()
    assert widget.footer.regenerate_button.isVisibleTo(widget)


def test_notices_show_inline_with_actions_that_emit(chat_pane: ChatPane, qtbot: QtBot) -> None:
    chat_pane.set_messages(conversation(2))
    chat_pane.show_notice(
        "error",
        "Ollama is not running at 127.0.0.1:11434",
        [("Retry", "retry"), ("Switch model", "switch_model"), ("Open settings", "open_settings")],
    )
    notice_widget = chat_pane.transcript.widget_for(chat_pane.transcript.items[-1].id)
    assert "Ollama is not running" in notice_widget.label.text()
    assert [button.text() for button in notice_widget.buttons] == [
        "Retry",
        "Switch model",
        "Open settings",
    ]
    assert chat_pane.transcript.visible_ids()[-1] == notice_widget.notice.id
    with qtbot.waitSignal(chat_pane.sig_action) as blocker:
        notice_widget.buttons[1].click()
    assert blocker.args == ["switch_model"]


def test_ten_thousand_messages_open_lazily_and_scroll_to_the_bottom(
    chat_pane: ChatPane, qtbot: QtBot
) -> None:
    messages = conversation(10_000)
    chat_pane.set_messages(messages)
    transcript = chat_pane.transcript
    qtbot.waitUntil(transcript.settled, timeout=3000)
    built = transcript.built_ids()
    assert 0 < len(built) < 100
    bar = transcript.verticalScrollBar()
    assert bar.value() == bar.maximum()
    assert transcript.visible_ids()[-1] == "m9999"
    bar.setValue(bar.maximum() // 2)
    qtbot.waitUntil(transcript.settled, timeout=3000)
    middle = transcript.visible_ids()
    assert middle
    assert all(4000 < int(item_id[1:]) < 6000 for item_id in middle)
    bar.setValue(0)
    qtbot.waitUntil(transcript.settled, timeout=3000)
    assert transcript.visible_ids()[0] == "m0"
    assert len(transcript.built_ids()) <= 100
    transcript.jump_to_latest()
    qtbot.waitUntil(transcript.settled, timeout=3000)
    assert transcript.visible_ids()[-1] == "m9999"


def test_scroll_to_message_brings_it_into_view_and_marks_the_term(chat_pane: ChatPane) -> None:
    chat_pane.set_messages(conversation(2_000))
    chat_pane.scroll_to_message("m501", highlight="second")
    transcript = chat_pane.transcript
    assert "m501" in transcript.visible_ids()
    assert not transcript.follow
    widget = chat_pane.message_widget("m501")
    assert any(
        "background-color:" in label.text() and ">second<" in label.text()
        for label in widget.body.findChildren(QLabel)
    )


def test_zoom_changes_the_chat_font_and_resets(chat_pane: ChatPane, qtbot: QtBot) -> None:
    chat_pane.set_messages(conversation(4))
    size = chat_pane.context.point_size
    with qtbot.waitSignal(chat_pane.sig_zoom_changed) as blocker:
        chat_pane.zoom(2)
    assert blocker.args == [size + 2]
    widget = chat_pane.message_widget("m1")
    assert widget.body.findChildren(QLabel)[0].font().pointSize() == size + 2
    chat_pane.zoom(0)
    assert chat_pane.context.point_size == size


def test_controls_have_accessible_names(chat_pane: ChatPane) -> None:
    chat_pane.set_messages([answer("a", "```python\nx\n```")])
    widget = chat_pane.message_widget("a")
    from PySide6.QtWidgets import QAbstractButton

    buttons = [
        *widget.findChildren(QAbstractButton),
        *chat_pane.composer.findChildren(QAbstractButton),
    ]
    assert buttons
    assert all(button.accessibleName() for button in buttons)
    assert chat_pane.composer.edit.accessibleName() == "Message"


def test_set_messages_can_keep_the_switched_message_in_view(
    chat_pane: ChatPane, qtbot: QtBot
) -> None:
    messages = conversation(400)
    chat_pane.set_messages(messages, anchor_id="m101")
    qtbot.waitUntil(chat_pane.transcript.settled, timeout=3000)
    assert chat_pane.transcript.visible_ids()[0] == "m101"
    assert not chat_pane.transcript.follow


def test_a_long_jump_paints_placeholders_then_builds_the_real_messages(
    chat_pane: ChatPane, qtbot: QtBot
) -> None:
    chat_pane.set_messages(conversation(10_000))
    transcript = chat_pane.transcript
    qtbot.waitUntil(transcript.settled, timeout=3000)
    transcript.follow = False
    transcript.verticalScrollBar().blockSignals(True)
    transcript.verticalScrollBar().setValue(transcript.verticalScrollBar().maximum() // 3)
    transcript.verticalScrollBar().blockSignals(False)
    transcript.relayout(budget_ms=0)  # a frame with no time to spare: one widget only
    assert not transcript.settled()
    assert not transcript.grab().isNull()  # placeholders paint without building
    qtbot.waitUntil(transcript.settled, timeout=3000)
    visible = transcript.visible_ids()
    assert len(visible) >= 3
    assert all(3000 < int(item_id[1:]) < 3700 for item_id in visible)
