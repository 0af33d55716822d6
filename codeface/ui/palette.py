"""Theme colours as a Qt palette, and the "look" remembered for the next start's first paint.

A theme's palette is a few named colours (`PALETTE_ROLES`). The look is those colours plus
the font, kept in the window-state file, so that the next start paints its first frame in
the right colours without reading settings or theme files (the real theme is applied right
after, and only changes anything if the files changed meanwhile).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QColor, QPalette

FUSION_SET = "codeface-fusion"
"""Application property: the app was created with the Fusion style (palettes apply fully
only in Fusion), so nobody needs to ask for the style, which builds QStyle's enums."""

PALETTE_ROLES: dict[str, QPalette.ColorRole] = {
    "window": QPalette.ColorRole.Window,
    "window_text": QPalette.ColorRole.WindowText,
    "base": QPalette.ColorRole.Base,
    "alternate_base": QPalette.ColorRole.AlternateBase,
    "text": QPalette.ColorRole.Text,
    "button": QPalette.ColorRole.Button,
    "button_text": QPalette.ColorRole.ButtonText,
    "bright_text": QPalette.ColorRole.BrightText,
    "highlight": QPalette.ColorRole.Highlight,
    "highlighted_text": QPalette.ColorRole.HighlightedText,
    "link": QPalette.ColorRole.Link,
    "tooltip_base": QPalette.ColorRole.ToolTipBase,
    "tooltip_text": QPalette.ColorRole.ToolTipText,
    "placeholder_text": QPalette.ColorRole.PlaceholderText,
    "mid": QPalette.ColorRole.Mid,
    "dark": QPalette.ColorRole.Dark,
    "light": QPalette.ColorRole.Light,
}


def make_palette(colors: dict[str, str], muted: str) -> QPalette:
    """The palette for these named colours; disabled text greyed with ``muted``."""
    palette = QPalette()
    for key, role in PALETTE_ROLES.items():
        if key in colors:
            palette.setColor(role, QColor(colors[key]))
    for role in (
        QPalette.ColorRole.Text,
        QPalette.ColorRole.WindowText,
        QPalette.ColorRole.ButtonText,
    ):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(muted))
    return palette


def remembered_look(colors: dict[str, str], muted: str, family: str, size: int) -> dict[str, Any]:
    """What `apply_look` needs, as plain JSON data."""
    return {"palette": dict(colors), "muted": muted, "font_family": family, "font_size": size}


def apply_look(app: Any, look: dict[str, Any]) -> bool:
    """Apply a remembered look to the application; False (nothing done) if it is unusable."""
    colors, muted = look.get("palette"), look.get("muted")
    family, size = look.get("font_family"), look.get("font_size")
    if not (
        isinstance(colors, dict)
        and colors
        and all(isinstance(k, str) and isinstance(v, str) for k, v in colors.items())
        and isinstance(muted, str)
        and isinstance(family, str)
        and isinstance(size, int)
    ):
        return False
    font = app.font()
    if family:
        font.setFamily(family)
    if size > 0:
        font.setPointSize(size)
    app.setFont(font)
    app.setPalette(make_palette(colors, muted))
    return True
