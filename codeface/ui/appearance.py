"""The window's settings, font and theme, and when they are read.

On a first start they are read before the first paint. On later starts the first paint
uses the colours and font remembered in the window-state file (`codeface.ui.palette`),
and `Appearance.load` reads the settings and theme files right after it.
"""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger("codeface.ui.appearance")


class Appearance:
    """Settings, font and theme for the window: loaded before the first paint on a first
    start, after it when the look remembered from last time was shown instead."""

    def __init__(self, app: Any, os_scheme: str = "") -> None:
        """``os_scheme`` is the OS scheme seen last time ("dark"/"light"): following it
        spares the first paint the question to the OS (`recheck` asks right after)."""
        self.app = app
        self.os_scheme = os_scheme
        self.settings: Any = None
        self.theme_manager: Any = None

    def load(self) -> None:
        """Read the settings and apply their font and theme (once)."""
        from codeface.core.errors import CodefaceError
        from codeface.core.paths import app_paths
        from codeface.core.settings import Settings, load_settings

        if self.settings is not None:
            return
        try:
            self.settings = load_settings(app_paths().settings_file)
        except CodefaceError:
            self.settings = Settings()  # the engine reports the broken file as a notice
        _apply_font(self.app, self.settings.ui.font_family, self.settings.ui.font_size)
        self.theme_manager = self._theme_manager(self.settings.ui.theme)

    def _theme_manager(self, setting: str) -> Any | None:
        try:
            from codeface.ui.theme import ThemeManager
        except ImportError:
            return None
        manager = ThemeManager()
        try:
            if setting in ("", "system"):
                assume_dark = {"dark": True, "light": False}.get(self.os_scheme)
                manager.follow_system(self.app, assume_dark=assume_dark)
            else:
                manager.apply(self.app, manager.resolve(setting), animate=False)
        except Exception as error:  # a broken theme file must not stop the window opening
            log.warning("theme not applied: %s", error)
        return manager

    def show_remembered(self, look: dict[str, Any]) -> bool:
        """Apply the colours and font remembered from last time; False if there are none."""
        if not look:
            return False
        from codeface.ui.palette import apply_look

        return bool(apply_look(self.app, look))

    def recheck(self) -> None:
        """Follow the OS scheme as it is now (it may have changed since last time)."""
        if self.theme_manager is not None:
            self.theme_manager.recheck_system(self.app)

    def chat_pane(self) -> Any:
        """The real chat pane in these settings and theme."""
        from codeface.ui.chat import ChatPane

        self.load()
        current = self.theme_manager.current if self.theme_manager is not None else None
        return ChatPane(
            theme=current,
            point_size=self.settings.ui.font_size,
            enter_sends=self.settings.ui.enter_sends,
        )


def _apply_font(app: Any, family: str, size: int) -> None:
    font = app.font()
    if family:
        font.setFamily(family)
    if size:
        font.setPointSize(size)
    if font != app.font():  # the same font again would still re-lay out every widget
        app.setFont(font)
