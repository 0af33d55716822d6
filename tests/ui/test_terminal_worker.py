"""The terminal's background runner after its panel closed: late work is dropped quietly."""

from __future__ import annotations

import threading

from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from codeface.ui.widgets.terminal_worker import BackgroundRunner


def test_work_finishing_after_shutdown_is_not_delivered(qtbot: QtBot, qapp: QApplication) -> None:
    runner = BackgroundRunner()
    release = threading.Event()
    delivered: list[object] = []

    runner.submit(lambda: release.wait(5), delivered.append)
    runner.shutdown()
    release.set()
    qtbot.waitUntil(lambda: runner.busy == 0, timeout=5000)

    assert delivered == []
    assert runner.submit(lambda: 1, delivered.append) is None  # no "cannot schedule" error
