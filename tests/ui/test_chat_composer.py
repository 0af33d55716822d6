"""The composer: Enter/Shift+Enter, Stop and Esc, attachments, huge pastes, binary files."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData, Qt, QUrl
from pytestqt.qtbot import QtBot

from codeface.application.contract import Attachment
from codeface.ui.chat import ChatPane
from tests.ui.chat_fixtures import (  # noqa: F401 - fixtures
    ScriptedServices,
    chat_pane_fixture,
    chat_services_fixture,
)


def test_enter_sends_and_shift_enter_adds_a_line(chat_pane: ChatPane, qtbot: QtBot) -> None:
    edit = chat_pane.composer.edit
    edit.setFocus()
    qtbot.keyClicks(edit, "first line")
    qtbot.keyClick(edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClicks(edit, "second")
    assert edit.toPlainText() == "first line\nsecond"
    with qtbot.waitSignal(chat_pane.sig_send) as blocker:
        qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert blocker.args == ["first line\nsecond", []]
    assert edit.toPlainText() == ""


def test_starting_to_write_is_announced_once_per_message(chat_pane: ChatPane, qtbot: QtBot) -> None:
    started: list[str] = []
    chat_pane.sig_composing.connect(lambda: started.append(chat_pane.composer.edit.toPlainText()))
    edit = chat_pane.composer.edit
    edit.setFocus()
    qtbot.keyClicks(edit, "hello")
    assert started == ["h"]  # at the first character, not at every one
    qtbot.keyClick(edit, Qt.Key.Key_Return)  # sent: the box is empty again
    qtbot.keyClicks(edit, "again")
    assert started == ["h", "a"]


def test_ctrl_enter_sends_when_enter_is_a_newline(chat_pane: ChatPane, qtbot: QtBot) -> None:
    chat_pane.set_enter_sends(False)
    edit = chat_pane.composer.edit
    qtbot.keyClicks(edit, "a")
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    qtbot.keyClicks(edit, "b")
    assert edit.toPlainText() == "a\nb"
    with qtbot.waitSignal(chat_pane.sig_send) as blocker:
        qtbot.keyClick(edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert blocker.args[0] == "a\nb"


def test_empty_prompt_is_not_sent(chat_pane: ChatPane, qtbot: QtBot) -> None:
    with qtbot.assertNotEmitted(chat_pane.sig_send):
        qtbot.keyClicks(chat_pane.composer.edit, "   ")
        qtbot.keyClick(chat_pane.composer.edit, Qt.Key.Key_Return)


def test_stop_button_and_escape_stop_while_streaming(chat_pane: ChatPane, qtbot: QtBot) -> None:
    chat_pane.set_streaming(True)
    button = chat_pane.composer.send_button
    assert button.accessibleName() == "Stop answer (Esc)"
    with qtbot.waitSignal(chat_pane.sig_stop):
        button.click()
    with qtbot.waitSignal(chat_pane.sig_stop):
        qtbot.keyClick(chat_pane.composer.edit, Qt.Key.Key_Escape)
    # Enter does not send a second prompt while an answer streams.
    with qtbot.assertNotEmitted(chat_pane.sig_send):
        qtbot.keyClicks(chat_pane.composer.edit, "next")
        qtbot.keyClick(chat_pane.composer.edit, Qt.Key.Key_Return)
    chat_pane.set_streaming(False)
    assert button.accessibleName() == "Send message"
    with qtbot.waitSignal(chat_pane.sig_send) as blocker:
        button.click()
    assert blocker.args[0] == "next"


def test_attached_files_become_chips_with_token_counts_and_are_sent(
    chat_pane: ChatPane, chat_services: ScriptedServices, qtbot: QtBot, tmp_path: Path
) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text("x" * 4000)
    chat_services.files_to_pick = [notes]
    chat_pane.composer.attach_button.click()
    qtbot.waitUntil(lambda: len(chat_pane.composer.chip_widgets()) == 1, timeout=3000)
    (chip,) = chat_pane.composer.chip_widgets()
    assert chip.name_label.text() == "notes.md"
    assert chip.tokens_label.text() == "~1.0k tokens"
    qtbot.keyClicks(chat_pane.composer.edit, "Summarise")
    with qtbot.waitSignal(chat_pane.sig_send) as blocker:
        qtbot.keyClick(chat_pane.composer.edit, Qt.Key.Key_Return)
    text, attachments = blocker.args
    assert text == "Summarise"
    assert attachments == [Attachment("notes.md", "x" * 4000, 1000)]
    assert chat_pane.composer.chip_widgets() == []


def test_a_chip_can_be_removed(chat_pane: ChatPane) -> None:
    composer = chat_pane.composer
    composer.add_attachment(Attachment("a.txt", "abcd", 1))
    (chip,) = composer.chip_widgets()
    chip.findChild(type(composer.attach_button), "chipRemove").click()
    assert composer.attachments == []


def test_a_10_mb_paste_returns_at_once_and_offers_a_choice(
    chat_pane: ChatPane, qtbot: QtBot
) -> None:
    composer = chat_pane.composer
    mime = QMimeData()
    mime.setText("0123456789abcdef" * (10 * 1024 * 1024 // 16))
    composer.edit.insertFromMimeData(mime)
    # The text never reached the document, so nothing had to lay out 10 MB.
    assert composer.edit.document().characterCount() == 1
    assert composer.choice_bar.isVisible()
    assert "10.0 MB" in composer.choice_bar.label.text()
    assert set(composer.choice_bar.buttons) == {"attach", "truncate", "cancel"}
    qtbot.keyClicks(composer.edit, "still typing")
    assert composer.edit.toPlainText() == "still typing"
    composer.choice_bar.buttons["attach"].click()
    (chip,) = composer.chip_widgets()
    assert chip.attachment.name == "pasted-text.txt"
    assert chip.tokens_label.text() == "~2.6M tokens"
    assert not composer.choice_bar.isVisible()


def test_truncating_a_huge_paste_inserts_only_its_start(chat_pane: ChatPane) -> None:
    composer = chat_pane.composer
    mime = QMimeData()
    mime.setText("y" * 1_000_000)
    composer.edit.insertFromMimeData(mime)
    composer.choice_bar.buttons["truncate"].click()
    assert composer.edit.toPlainText() == "y" * 20_000
    assert composer.attachments == []


def test_a_binary_file_gets_a_choice_not_garbage(
    chat_pane: ChatPane, qtbot: QtBot, tmp_path: Path
) -> None:
    blob = tmp_path / "image.bin"
    blob.write_bytes(bytes(range(256)) * 64)
    composer = chat_pane.composer
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(blob))])
    composer.edit.insertFromMimeData(mime)  # a drop or a paste of a file
    qtbot.waitUntil(composer.choice_bar.isVisible, timeout=3000)
    assert "binary" in composer.choice_bar.label.text()
    assert composer.attachments == []
    composer.choice_bar.buttons["attach"].click()
    (attachment,) = composer.attachments
    assert attachment.truncated
    assert attachment.text.startswith("[binary file image.bin, 16384 bytes")
    assert "00000000  00 01 02 03" in attachment.text


def test_a_large_text_file_offers_attach_or_truncate(
    chat_pane: ChatPane, chat_services: ScriptedServices, qtbot: QtBot, tmp_path: Path
) -> None:
    big = tmp_path / "big.log"
    big.write_text("line\n" * 100_000)
    chat_services.files_to_pick = [big]
    chat_pane.composer.attach_button.click()
    qtbot.waitUntil(chat_pane.composer.choice_bar.isVisible, timeout=3000)
    chat_pane.composer.choice_bar.buttons["truncate"].click()
    (attachment,) = chat_pane.composer.attachments
    assert attachment.truncated
    assert len(attachment.text) == 100_000


def test_unreadable_file_is_an_inline_notice(
    chat_pane: ChatPane, chat_services: ScriptedServices, qtbot: QtBot, tmp_path: Path
) -> None:
    chat_services.files_to_pick = [tmp_path / "missing.txt"]
    chat_pane.composer.attach_button.click()
    qtbot.waitUntil(lambda: bool(chat_pane.transcript.items), timeout=3000)
    notice = chat_pane.transcript.items[-1]
    assert getattr(notice, "kind", None) == "error"
    assert "missing.txt" in notice.text


def test_insert_into_composer_and_focus(chat_pane: ChatPane) -> None:
    chat_pane.insert_into_composer("$ ls\nfile.txt\n")
    assert chat_pane.composer.edit.toPlainText() == "$ ls\nfile.txt\n"
