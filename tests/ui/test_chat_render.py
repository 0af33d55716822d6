"""Messages render Markdown and code blocks; code actions copy, save and apply safely."""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from codeface.ui.chat import ChatPane
from codeface.ui.chat.code_block import CodeBlockWidget
from tests.ui.chat_fixtures import (  # noqa: F401 - fixtures
    ScriptedServices,
    answer,
    chat_pane_fixture,
    chat_services_fixture,
    user_message,
)

CODE_ANSWER = "Here:\n\n```python\ndef add(a, b):\n    return a + b\n```\n\nDone **now**."


def _code_block(pane: ChatPane, message_id: str) -> CodeBlockWidget:
    widget = pane.message_widget(message_id)
    assert widget is not None
    (block,) = widget.findChildren(CodeBlockWidget)
    return block


def test_markdown_and_a_highlighted_code_block_render(chat_pane: ChatPane) -> None:
    chat_pane.set_messages([user_message("u", "Add two numbers"), answer("a", CODE_ANSWER)])
    widget = chat_pane.message_widget("a")
    assert widget is not None
    texts = [label.text() for label in widget.body.findChildren(QLabel)]
    assert any("<strong>now</strong>" in text for text in texts)
    block = _code_block(chat_pane, "a")
    assert block.language_label.text() == "python"
    assert block.highlighted
    assert "def add(a, b):" in block.view.toPlainText()
    assert "<span" in block.view.toHtml() or block.view.document().blockCount() == 2
    assert block.apply_button.isVisibleTo(block)
    assert not block.run_button.isVisibleTo(block)


def test_badge_and_stats_show_on_an_answer(chat_pane: ChatPane) -> None:
    chat_pane.set_messages(
        [
            answer(
                "a",
                "Hi",
                input_tokens=10,
                output_tokens=20,
                tokens_per_second=12.5,
                cost_usd=0.0012,
            )
        ]
    )
    widget = chat_pane.message_widget("a")
    assert widget is not None
    assert widget.header.badge.text() == "qwen2.5-coder:7b · ollama · local"
    stats = widget.footer.stats_label.text()
    assert "10 in · 20 out" in stats
    assert "12.5 tok/s" in stats
    assert "$0.0012" in stats


def test_copy_puts_the_code_on_the_clipboard(chat_pane: ChatPane) -> None:
    chat_pane.set_messages([answer("a", CODE_ANSWER)])
    block = _code_block(chat_pane, "a")
    block.copy_button.click()
    clipboard = QGuiApplication.clipboard()
    assert clipboard.text() == "def add(a, b):\n    return a + b"
    assert block.copy_button.text() == "Copied"


def test_save_and_apply_ask_the_conversation_and_write_nothing_themselves(
    chat_pane: ChatPane, qtbot: QtBot
) -> None:
    # Writing goes through the backend (tests/ui/test_diff_apply.py); the block only asks.
    chat_pane.set_messages([answer("a", CODE_ANSWER)])
    block = _code_block(chat_pane, "a")
    with qtbot.waitSignal(chat_pane.sig_apply_code) as applied:
        block.apply_button.click()
    with qtbot.waitSignal(chat_pane.sig_save_code) as saved:
        block.save_button.click()
    assert applied.args == saved.args == ["def add(a, b):\n    return a + b", "python"]


def test_shell_blocks_offer_run_in_terminal(chat_pane: ChatPane, qtbot: QtBot) -> None:
    chat_pane.set_messages([answer("a", "```bash\nls -la\n```")])
    block = _code_block(chat_pane, "a")
    assert block.run_button.isVisibleTo(block)
    with qtbot.waitSignal(chat_pane.sig_send_to_terminal) as blocker:
        block.run_button.click()
    assert blocker.args == ["ls -la"]


def test_tool_and_system_messages_render_without_actions(chat_pane: ChatPane) -> None:
    from codeface.application.contract import MessageView

    chat_pane.set_messages(
        [MessageView("s", "system", "Be brief."), MessageView("t", "tool", "exit code 0")]
    )
    tool = chat_pane.message_widget("t")
    assert tool is not None
    (block,) = tool.findChildren(CodeBlockWidget)
    assert block.code == "exit code 0"
    assert tool.footer.regenerate_button is None


def test_vertical_wheel_over_a_code_block_is_left_to_the_conversation(
    chat_pane: ChatPane,
) -> None:
    from PySide6.QtCore import QPoint, QPointF, Qt
    from PySide6.QtGui import QWheelEvent

    long_code = "\n".join(f"line_{index} = {index}" for index in range(60))
    chat_pane.set_messages([answer("a", f"```python\n{long_code}\n```")])
    block = _code_block(chat_pane, "a")

    def wheel(x: int, y: int) -> QWheelEvent:
        return QWheelEvent(
            QPointF(20, 20),
            QPointF(20, 20),
            QPoint(0, 0),
            QPoint(x, y),
            Qt.MouseButton.NoButton,
            Qt.KeyboardModifier.NoModifier,
            Qt.ScrollPhase.NoScrollPhase,
            False,
        )

    vertical = wheel(0, -120)
    vertical.accept()
    block.view.wheelEvent(vertical)
    # Ignored, so Qt hands it to the parents and the transcript scrolls.
    assert not vertical.isAccepted()
    # The block is exactly as tall as its code: it never scrolls vertically itself.
    assert block.view.verticalScrollBar().maximum() == 0
