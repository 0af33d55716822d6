"""The window's shortcuts work where the user's hands are: typed while the composer has
the keyboard (the real chat pane on the fake backend), not only as triggered actions."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from codeface.ui.bridge import Bridge
from codeface.ui.main_window import MainWindow
from tests.ui.conftest import wait_until
from tests.ui.fake_backend import FakeBackend
from tests.ui.fake_project import FAKE_ROOT


@pytest.mark.usefixtures("close_windows")
@pytest.mark.asyncio
async def test_ctrl_p_in_the_composer_opens_quick_open(
    fake_backend: FakeBackend, state_path: Path
) -> None:
    window = MainWindow(Bridge(fake_backend), state_path=state_path, project=FAKE_ROOT)
    window.resize(1200, 800)
    window.show()
    window.activateWindow()
    await window.start()
    composer = window.chat.composer.edit
    await wait_until(composer.hasFocus)
    QTest.keyClick(composer, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    panel = window.code_panel
    assert panel is not None
    await wait_until(panel.quick_open_box.isVisible)
    assert composer.toPlainText() == ""
    await window.shutdown()
