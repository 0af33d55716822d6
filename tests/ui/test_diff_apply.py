""" "Apply…" and "Save…" on a code block: preview, per-hunk review, written by the backend.

The review sees the file's text and the code's; what it accepts is what the backend
saves, with the preview's version, so a file changed on disk meanwhile is refused with a
message and keeps the other change. Nothing is written without review, outside the
project, or without a project. The real dialog is driven with the keyboard.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from codeface.ui.chat.code_block import CodeBlockWidget
from codeface.ui.chat.notices import Notice
from codeface.ui.chat.services import ChatServices
from codeface.ui.diff.apply_dialog import ApplyDialog
from codeface.ui.diff.hunks import Hunk, diff_hunks, merge
from tests.ui.agent_fixtures import AgentChat, agent_chat_fixture  # noqa: F401 - fixture
from tests.ui.chat_fixtures import answer, theme_named
from tests.ui.conftest import wait_until
from tests.ui.fake_project import FAKE_ROOT

UTIL = "def add(a: int, b: int) -> int:\n    return a + b\n"
PADDING = "".join(f"# line {n}\n" for n in range(12))
NEW_UTIL = (
    "def add(a: int, b: int) -> int:\n"
    '    """Add."""\n'
    "    return a + b\n" + PADDING + "def sub(a: int, b: int) -> int:\n    return a - b\n"
)


def code_block(chat: AgentChat, code: str) -> CodeBlockWidget:
    chat.pane.set_messages([answer("a", f"```python\n{code}```")])
    widget = chat.pane.message_widget("a")
    assert widget is not None
    (block,) = widget.findChildren(CodeBlockWidget)
    return block


def last_notice(chat: AgentChat) -> Notice:
    notices = chat.notices()
    assert notices, "no notice shown"
    return notices[-1]


async def notice_appears(chat: AgentChat) -> Notice:
    before = len(chat.notices())
    await chat.until(lambda: len(chat.notices()) > before)
    return last_notice(chat)


@pytest.mark.asyncio
async def test_apply_writes_only_the_accepted_hunks(agent_chat: AgentChat) -> None:
    chat = agent_chat
    chat.backend.files["src/util.py"] = UTIL + PADDING
    chat.services.apply_to = Path(FAKE_ROOT, "src/util.py")

    def keep_first(path: str, old: str, new: str, hunks: list[Hunk]) -> str:
        assert (path, old, new) == ("src/util.py", UTIL + PADDING, NEW_UTIL)
        assert len(hunks) == 2
        return merge(old, new, hunks, {0})

    chat.services.review = keep_first
    code_block(chat, NEW_UTIL).apply_button.click()
    notice = await notice_appears(chat)
    assert notice.kind == "info"
    assert "accepted changes to src/util.py" in notice.text
    assert chat.services.folders == [FAKE_ROOT]
    assert (
        chat.backend.files["src/util.py"]
        == UTIL.replace("    return", '    """Add."""\n    return') + PADDING
    )


@pytest.mark.asyncio
async def test_cancelling_the_review_writes_nothing(agent_chat: AgentChat) -> None:
    chat = agent_chat
    chat.services.apply_to = Path(FAKE_ROOT, "src/util.py")
    code_block(chat, NEW_UTIL).apply_button.click()
    await chat.until(lambda: chat.services.reviews != [])
    await asyncio.sleep(0.05)
    assert chat.backend.files["src/util.py"] == UTIL
    assert chat.notices() == []


@pytest.mark.asyncio
async def test_a_file_changed_on_disk_since_the_diff_is_not_overwritten(
    agent_chat: AgentChat,
) -> None:
    chat = agent_chat
    chat.services.apply_to = Path(FAKE_ROOT, "src/util.py")

    def someone_edits_meanwhile(path: str, old: str, new: str, hunks: list[Hunk]) -> str:
        chat.backend.files[path] = old + "# edited in another editor\n"
        chat.backend.versions[path] = chat.backend.versions.get(path, 0) + 1
        return new

    chat.services.review = someone_edits_meanwhile
    code_block(chat, NEW_UTIL).apply_button.click()
    notice = await notice_appears(chat)
    assert notice.kind == "error"
    assert "src/util.py changed on disk" in notice.text
    assert chat.backend.files["src/util.py"] == UTIL + "# edited in another editor\n"


@pytest.mark.asyncio
async def test_paths_outside_the_project_or_no_project_are_refused(
    agent_chat: AgentChat,
) -> None:
    chat = agent_chat
    chat.services.apply_to = Path("/etc/passwd")
    code_block(chat, NEW_UTIL).apply_button.click()
    notice = await notice_appears(chat)
    assert (notice.kind, "outside the project demo" in notice.text) == ("error", True)
    assert chat.services.reviews == []

    chat.conversation.set_project(None)
    code_block(chat, NEW_UTIL).save_button.click()
    notice = await notice_appears(chat)
    assert notice.text == "Open a project to save code into its files."
    assert notice.actions == (("Open a project", "open_project"),)


@pytest.mark.asyncio
async def test_save_writes_a_new_project_file(agent_chat: AgentChat) -> None:
    chat = agent_chat
    chat.services.save_to = Path(FAKE_ROOT, "src/snippet.py")
    code_block(chat, "x = 1\n").save_button.click()
    notice = await notice_appears(chat)
    assert notice.text == "Saved src/snippet.py"
    assert chat.backend.files["src/snippet.py"] == "x = 1\n"


@pytest.mark.asyncio
async def test_the_review_dialog_is_driven_with_the_keyboard(qapp: QApplication) -> None:
    old = UTIL + PADDING
    hunks = diff_hunks(old, NEW_UTIL)
    window = QWidget()
    window.show()
    services = ChatServices(window)

    async def open_dialog() -> ApplyDialog:
        def shown() -> list[ApplyDialog]:
            return [w for w in window.findChildren(ApplyDialog) if w.isVisible()]

        await wait_until(lambda: len(shown()) == 1)
        return shown()[0]

    review = asyncio.ensure_future(
        services.review_change("src/util.py", old, NEW_UTIL, hunks, theme=theme_named("dark"))
    )
    dialog = await open_dialog()
    assert dialog.isModal() or dialog.windowModality() != Qt.WindowModality.NonModal
    text = dialog.view.unified
    text.setFocus()
    QTest.keyClick(text, Qt.Key.Key_R)  # reject the docstring, move to the new function
    assert dialog.view.accepted == {1}
    QTest.keyClick(text, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    merged = await asyncio.wait_for(review, 5)
    assert merged == merge(old, NEW_UTIL, hunks, {1})
    assert "def sub" in merged
    assert '"""Add."""' not in merged

    again = asyncio.ensure_future(services.review_change("src/util.py", old, NEW_UTIL, hunks))
    dialog = await open_dialog()
    dialog.view.reject_all()
    assert not dialog.apply_button.isEnabled()
    QTest.keyClick(dialog, Qt.Key.Key_Escape)
    assert await asyncio.wait_for(again, 5) is None
    window.close()
    window.deleteLater()
