"""Switching theme recolours the widgets whose style sheets name palette roles."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from codeface.ui.bridge import Bridge
from codeface.ui.main_window import MainWindow
from codeface.ui.theme import Theme, ThemeManager
from codeface.ui.widgets.welcome import WelcomeScreen
from tests.ui.conftest import wait_until
from tests.ui.fake_backend import FakeBackend, RecordingChatPane


@pytest.fixture
def themes(qapp: QApplication) -> Iterator[ThemeManager]:
    """A theme manager starting on the light theme; the app palette is restored after."""
    before = QPalette(qapp.palette())
    manager = ThemeManager()
    manager.apply(qapp, theme_named(manager, "light"), animate=False)
    yield manager
    qapp.setPalette(before)


def theme_named(manager: ThemeManager, theme_id: str) -> Theme:
    theme = manager.find(theme_id)
    assert theme is not None
    return theme


def colour_at(widget: QWidget, x: int, y: int) -> str:
    """The colour painted at (x, y) of ``widget`` now."""
    return str(widget.grab().toImage().pixelColor(x, y).name())


@pytest.mark.usefixtures("close_windows")
@pytest.mark.asyncio
async def test_toggling_the_theme_recolours_the_sessions_sidebar(
    fake_backend: FakeBackend,
    recording_pane: RecordingChatPane,
    state_path: Path,
    themes: ThemeManager,
) -> None:
    window = MainWindow(
        Bridge(fake_backend),
        chat_factory=lambda: recording_pane,
        theme_manager=themes,
        state_path=state_path,
    )
    window.show()
    await window.start()
    try:
        sidebar = window.sidebar
        light = theme_named(themes, "light").palette["alternate_base"]
        dark = theme_named(themes, "dark").palette["alternate_base"]
        corner = (3, sidebar.height() - 3)  # below the list, on the sidebar's own background
        assert colour_at(sidebar, *corner) == QColor(light).name()

        window.toggle_theme()

        assert themes.current is not None
        assert themes.current.id == "dark"
        await wait_until(lambda: colour_at(sidebar, *corner) == QColor(dark).name())
        window.toggle_theme()
        await wait_until(lambda: colour_at(sidebar, *corner) == QColor(light).name())
    finally:
        await window.shutdown()


def test_an_os_scheme_change_recolours_the_welcome_card(
    qtbot: QtBot, qapp: QApplication, themes: ThemeManager
) -> None:
    screen = WelcomeScreen()
    qtbot.addWidget(screen)
    screen.resize(900, 700)
    screen.show()
    card = screen.findChild(QWidget, "welcomeCard")
    assert card is not None
    light = QColor(theme_named(themes, "light").palette["base"]).name()
    assert colour_at(card, card.width() // 2, 4) == light

    themes.apply(qapp, theme_named(themes, "dark"), animate=False)  # as the OS switch does

    dark = QColor(theme_named(themes, "dark").palette["base"]).name()
    qtbot.waitUntil(lambda: colour_at(card, card.width() // 2, 4) == dark)
