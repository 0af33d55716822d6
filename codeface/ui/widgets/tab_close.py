"""A neutral close glyph for closable tabs (code views, terminals).

Fusion draws a tab's close button as a filled red box in dark palettes, which reads as
an error badge. `neutral_close_buttons` gives the tab bar a grey "×" (bundled with the
themes, readable on light and dark backgrounds) with a soft grey square behind it while
the pointer is over it, darker while pressed. The colours are not palette roles, so a
theme switch needs nothing redone.
"""

from __future__ import annotations

from PySide6.QtWidgets import QTabWidget

from codeface.core.paths import themes_dir


def close_button_style() -> str:
    """The tab bar's style sheet: only the close button is styled."""
    glyph = (themes_dir() / "icons" / "tab-close.svg").as_posix()
    return f"""
QTabBar::close-button {{ image: url("{glyph}"); subcontrol-position: right;
    border-radius: 3px; padding: 1px; background: transparent; }}
QTabBar::close-button:hover {{ background: rgba(128, 128, 128, 80); }}
QTabBar::close-button:pressed {{ background: rgba(128, 128, 128, 140); }}
"""


def neutral_close_buttons(tabs: QTabWidget) -> None:
    """Give ``tabs``' close buttons the neutral glyph and a visible hover state."""
    tabs.tabBar().setStyleSheet(close_button_style())
