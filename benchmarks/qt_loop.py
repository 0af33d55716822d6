"""Run a benchmark's coroutine on the qasync loop the window uses (for the dock benchmarks)."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from PySide6.QtWidgets import QApplication

from codeface.ui.event_loop import QtEventLoop


def run_on_qt_loop[T](measure: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """``measure()`` run to completion on a qasync loop bound to the QApplication."""
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    app.setQuitOnLastWindowClosed(False)  # closing the first panel must not stop the loop
    loop = QtEventLoop(app)
    try:
        return loop.run_until_complete(measure())
    finally:
        loop.close()
