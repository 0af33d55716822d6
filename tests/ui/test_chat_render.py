"""Messages render Markdown and code blocks; code actions copy, save and apply safely."""

from __future__ import annotations

from pathlib import Path

import pytest
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


def test_save_writes_the_code_where_the_user_chose(
    chat_pane: ChatPane, chat_services: ScriptedServices, tmp_path: Path
) -> None:
    chat_pane.set_messages([answer("a", CODE_ANSWER)])
    chat_services.save_to = tmp_path / "add.py"
    _code_block(chat_pane, "a").save_button.click()
    assert chat_services.save_to.read_text() == "def add(a, b):\n    return a + b\n"


def test_apply_shows_a_diff_and_writes_nothing_when_declined(
    chat_pane: ChatPane, chat_services: ScriptedServices, tmp_path: Path
) -> None:
    target = tmp_path / "calc.py"
    target.write_text("def add(a, b):\n    return a - b\n")
    chat_pane.set_messages([answer("a", CODE_ANSWER)])
    chat_services.apply_to = target
    chat_services.confirm_answer = False
    _code_block(chat_pane, "a").apply_button.click()
    ((path, diff),) = chat_services.diffs_shown
    assert path == target
    assert "-    return a - b" in diff
    assert "+    return a + b" in diff
    assert target.read_text() == "def add(a, b):\n    return a - b\n"


def test_apply_writes_atomically_after_confirmation(
    chat_pane: ChatPane,
    chat_services: ScriptedServices,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import os

    folder = tmp_path / "project"
    folder.mkdir()
    target = folder / "calc.py"
    target.write_text("old\n")
    target.chmod(0o640)
    replaced: list[tuple[str, str]] = []
    real_replace = os.replace

    def spy_replace(source: str, destination: str) -> None:
        # At the moment of the swap, the old file is still whole.
        assert Path(destination).read_text() == "old\n"
        replaced.append((str(source), str(destination)))
        real_replace(source, destination)

    monkeypatch.setattr(os, "replace", spy_replace)
    chat_pane.set_messages([answer("a", CODE_ANSWER)])
    chat_services.apply_to = target
    chat_services.confirm_answer = True
    _code_block(chat_pane, "a").apply_button.click()
    assert target.read_text() == "def add(a, b):\n    return a + b\n"
    assert [Path(destination) for _, destination in replaced] == [target]
    assert Path(replaced[0][0]).parent == folder
    assert target.stat().st_mode & 0o777 == 0o640
    assert sorted(path.name for path in folder.iterdir()) == ["calc.py"]


def test_apply_failure_shows_an_inline_error_not_a_traceback(
    chat_pane: ChatPane, chat_services: ScriptedServices, tmp_path: Path
) -> None:
    chat_pane.set_messages([answer("a", CODE_ANSWER)])
    chat_services.apply_to = tmp_path / "a-directory"
    chat_services.apply_to.mkdir()
    chat_services.confirm_answer = True
    _code_block(chat_pane, "a").apply_button.click()
    notice = chat_pane.transcript.items[-1]
    assert getattr(notice, "kind", None) == "error"
    assert "a-directory" in notice.text


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
