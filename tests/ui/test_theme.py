"""Themes: bundled files load, user themes appear, the OS scheme is followed, apply is live."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QLabel, QWidget
from pytestqt.qtbot import QtBot

from codeface.core.errors import ConfigError
from codeface.ui.chat import ChatPane
from codeface.ui.chat.code_block import CodeBlockWidget
from codeface.ui.theme import (
    ThemeManager,
    load_theme,
    pygments_style_installed,
    user_themes_dir,
)
from tests.ui.chat_fixtures import answer, theme_named


def test_bundled_themes_include_light_dark_and_high_contrast() -> None:
    themes = {theme.id: theme for theme in ThemeManager().available()}
    assert {"light", "dark", "high-contrast"} <= set(themes)
    assert themes["dark"].is_dark
    assert not themes["light"].is_dark
    assert themes["high-contrast"].name == "High Contrast"
    for theme in themes.values():
        assert theme.palette["window"]
        assert theme.chat.user_bubble
        assert theme.code.background
        assert not theme.user
        # Loading skips the pygments lookup for bundled themes, so check their styles here.
        assert pygments_style_installed(theme.pygments_style), theme.id


def test_a_user_theme_in_the_config_dir_appears_with_defaults_filled_in(
    codeface_home: Path,
) -> None:
    folder = user_themes_dir()
    assert folder.is_relative_to(codeface_home)
    folder.mkdir(parents=True)
    (folder / "solarized.toml").write_text(
        'name = "Solarized"\nkind = "dark"\npygments_style = "solarized-dark"\n'
        '[chat]\nuser_bubble = "#073642"\n'
    )
    (folder / "broken.toml").write_text('name = "Broken"\n[chat]\nuser_bubble = "nope"\n')
    manager = ThemeManager()
    solarized = manager.find("Solarized")
    assert solarized is not None
    assert solarized.user
    assert solarized.chat.user_bubble == "#073642"
    # Keys the file leaves out come from the bundled theme of the same kind.
    assert solarized.palette["window"] == theme_named("dark").palette["window"]
    assert manager.find("broken") is None
    assert any("broken.toml" in error and "nope" in error for error in manager.errors)


def test_a_theme_with_an_unknown_pygments_style_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "odd.toml"
    path.write_text('pygments_style = "no-such-style"\n')
    with pytest.raises(ConfigError, match="no-such-style"):
        load_theme(path)


def test_choosing_the_start_up_theme_does_not_import_pygments() -> None:
    probe = (
        "import sys\n"
        "from PySide6.QtWidgets import QApplication\n"
        "from codeface.ui.theme import ThemeManager\n"
        "app = QApplication([])\n"
        "manager = ThemeManager()\n"
        "ids = [manager.resolve(key).id for key in ('system', 'dark', 'High Contrast')]\n"
        "print(ids, 'pygments' in sys.modules)"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("]")[1].strip() == "False"
    assert "'dark', 'high-contrast']" in result.stdout


def test_system_default_follows_the_os_colour_scheme(qapp: QApplication) -> None:
    # The offscreen platform cannot change its scheme, so the OS answer is injected.
    scheme = [Qt.ColorScheme.Dark]
    manager = ThemeManager(color_scheme=lambda: scheme[0])
    assert manager.system_default().id == "dark"
    assert manager.resolve("system").id == "dark"
    scheme[0] = Qt.ColorScheme.Light
    assert manager.system_default().id == "light"
    scheme[0] = Qt.ColorScheme.Unknown
    assert manager.system_default().id == "light"
    assert manager.resolve("High Contrast").id == "high-contrast"
    assert manager.resolve("missing-theme").id == "light"


def test_the_default_scheme_source_is_qt(qapp: QApplication) -> None:
    expected = (
        "dark" if QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark else "light"
    )
    assert ThemeManager().system_default().id == expected


def test_apply_sets_the_palette_emits_and_cross_fades(qapp: QApplication, qtbot: QtBot) -> None:
    window = QWidget()
    qtbot.addWidget(window)
    window.resize(300, 200)
    window.show()
    qtbot.waitExposed(window)
    manager = ThemeManager()
    dark = theme_named("dark")
    with qtbot.waitSignal(manager.sig_theme_changed) as blocker:
        manager.apply(qapp, dark, animate=True)
    assert blocker.args == [dark]
    assert qapp.palette().color(QPalette.ColorRole.Window).name() == dark.palette["window"]
    overlay = window.findChild(QLabel, "themeCrossFade")
    assert overlay is not None
    assert overlay.geometry() == window.rect()
    qtbot.waitUntil(lambda: window.findChild(QLabel, "themeCrossFade") is None, timeout=2000)
    manager.apply(qapp, theme_named("light"), animate=False)
    assert window.findChild(QLabel, "themeCrossFade") is None


def test_switching_the_chat_theme_recolours_code_live(qtbot: QtBot) -> None:
    pane = ChatPane(theme_named("light"))
    qtbot.addWidget(pane)
    pane.resize(700, 500)
    pane.show()
    pane.set_messages([answer("a", "```python\ndef f():\n    return 1\n```")])
    (block,) = pane.message_widget("a").findChildren(CodeBlockWidget)
    light_html = block.view.toHtml()
    pane.set_theme(theme_named("dark"))
    (block,) = [
        b for b in pane.message_widget("a").findChildren(CodeBlockWidget) if b.isVisibleTo(pane)
    ]
    assert block.view.toHtml() != light_html
    assert "#ff7b72" in block.view.toHtml().lower()  # github-dark keyword colour
    assert "#1b1d21" in pane.styleSheet()


def test_the_scheme_seen_last_time_spares_asking_the_os_until_rechecked(
    qapp: QApplication,
) -> None:
    asked: list[str] = []
    scheme = [Qt.ColorScheme.Light]

    def os_scheme() -> Qt.ColorScheme:
        asked.append("asked")
        return scheme[0]

    manager = ThemeManager(color_scheme=os_scheme)
    manager.follow_system(qapp, assume_dark=True)
    assert manager.current is not None
    assert manager.current.id == "dark"
    assert asked == []  # the first paint did not ask the OS
    manager.recheck_system(qapp)
    assert manager.current.id == "light"  # the OS changed since: switched right after
    assert manager.os_scheme == "light"
    assert asked == ["asked"]
    manager.follow_system(qapp, False)
    scheme[0] = Qt.ColorScheme.Dark
    manager.recheck_system(qapp)  # not following the OS: nothing changes
    assert manager.current.id == "light"
