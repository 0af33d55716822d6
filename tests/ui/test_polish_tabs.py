"""Tab close buttons are a neutral glyph with a hover state, not a red error-like box."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QFont, QImage, QPalette
from PySide6.QtWidgets import QApplication, QLabel, QTabBar, QTabWidget, QWidget
from pytestqt.qtbot import QtBot

from codeface.application.terminal_service import TerminalService
from codeface.terminal.tmux import TmuxController
from codeface.ui.bridge import Bridge
from codeface.ui.code.tabs import CodeTabs
from codeface.ui.theme import Theme, ThemeManager
from codeface.ui.widgets.terminal_panel import TerminalPanel
from tests.ui.fake_backend import FakeBackend


@pytest.fixture
def dark(qapp: QApplication) -> Iterator[Theme]:
    """The dark theme applied to the application (the palette is restored after)."""
    before = QPalette(qapp.palette())
    manager = ThemeManager()
    theme = manager.find("dark")
    assert theme is not None
    manager.apply(qapp, theme, animate=False)
    yield theme
    qapp.setPalette(before)


def close_button(tabs: QTabWidget) -> QWidget:
    button = tabs.tabBar().tabButton(0, QTabBar.ButtonPosition.RightSide)
    assert button is not None
    return button


def reddish_pixels(image: QImage) -> int:
    """Pixels clearly red (as Fusion's dark close box is), not grey."""
    count = 0
    for y in range(image.height()):
        for x in range(image.width()):
            colour = image.pixelColor(x, y)
            if colour.red() - max(colour.green(), colour.blue()) > 60:
                count += 1
    return count


def check_close_button(tabs: QTabWidget, qtbot: QtBot) -> None:
    tabs.addTab(QLabel("one"), "cart.py")
    tabs.addTab(QLabel("two"), "test_cart.py")
    tabs.setCurrentIndex(0)
    button = close_button(tabs)
    qtbot.waitUntil(button.isVisible)
    resting = button.grab().toImage()
    assert reddish_pixels(resting) == 0
    grey = {resting.pixelColor(x, y).name() for x in range(resting.width()) for y in range(8, 12)}
    assert len(grey) > 1  # a glyph is drawn, not an empty square

    qtbot.mouseMove(button)
    qtbot.waitUntil(lambda: button.grab().toImage() != resting)  # hover shows
    assert reddish_pixels(button.grab().toImage()) == 0


def test_code_tabs_close_with_a_neutral_glyph(qtbot: QtBot, dark: Theme) -> None:
    code = CodeTabs(Bridge(FakeBackend()), dark, QFont("monospace"))
    qtbot.addWidget(code)
    code.resize(500, 200)
    code.stack.setCurrentWidget(code.tabs)
    code.show()
    check_close_button(code.tabs, qtbot)


def test_terminal_tabs_close_with_a_neutral_glyph(
    qtbot: QtBot, dark: Theme, tmp_path: Path
) -> None:
    panel = TerminalPanel(
        terminals=TerminalService(TmuxController("codeface-test-unused")),
        project_dir=tmp_path,
    )
    qtbot.addWidget(panel)
    panel.resize(600, 300)
    panel.show()
    while panel.tabs.count():  # only the plain tabs are looked at, no shell is started
        panel.tabs.removeTab(0)
    check_close_button(panel.tabs, qtbot)
