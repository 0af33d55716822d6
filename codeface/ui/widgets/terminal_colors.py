"""Terminal colours: the 16 ANSI colours plus foreground, background, cursor, selection.

pyte names colours ``"red"``, ``"brightblue"``, ``"default"`` or gives 256-colour and
true-colour values as hex without ``#`` (``"ff8700"``). `TerminalColors.resolve` turns
any of them into a cached `QColor`. `TerminalColors.for_palette` derives a set from the
application's palette (the theme), with ANSI colours tuned for a light or dark base.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtGui import QColor, QPalette

_NAMES = ("black", "red", "green", "brown", "blue", "magenta", "cyan", "white")

DARK_ANSI = (
    "#1e1e1e",
    "#cd3131",
    "#0dbc79",
    "#e5e510",
    "#2472c8",
    "#bc3fbc",
    "#11a8cd",
    "#e5e5e5",
    "#666666",
    "#f14c4c",
    "#23d18b",
    "#f5f543",
    "#3b8eea",
    "#d670d6",
    "#29b8db",
    "#ffffff",
)
LIGHT_ANSI = (
    "#000000",
    "#cd3131",
    "#00bc00",
    "#949800",
    "#0451a5",
    "#bc05bc",
    "#0598bc",
    "#555555",
    "#666666",
    "#cd3131",
    "#14ce14",
    "#b5ba00",
    "#0451a5",
    "#bc05bc",
    "#0598bc",
    "#a5a5a5",
)


@dataclass
class TerminalColors:
    """The colours a `TerminalView` paints with."""

    foreground: str = "#d4d4d4"
    background: str = "#1e1e1e"
    cursor: str = "#aeafad"
    selection: str = "#264f78"
    ansi: tuple[str, ...] = DARK_ANSI
    _cache: dict[str, QColor] = field(default_factory=dict, repr=False)

    @classmethod
    def for_palette(cls, palette: QPalette) -> TerminalColors:
        """Colours matching the application palette (so the terminal follows the theme)."""
        base = palette.color(QPalette.ColorRole.Base)
        text = palette.color(QPalette.ColorRole.Text)
        dark = base.lightness() < 128
        return cls(
            foreground=text.name(),
            background=base.name(),
            cursor=text.name(),
            selection=palette.color(QPalette.ColorRole.Highlight).name(),
            ansi=DARK_ANSI if dark else LIGHT_ANSI,
        )

    def resolve(self, name: str, *, foreground: bool) -> QColor:
        """The QColor for a pyte colour name or hex value."""
        key = ("f" if foreground else "b") + name
        color = self._cache.get(key)
        if color is None:
            color = QColor(self._lookup(name, foreground))
            if not color.isValid():
                color = QColor(self.foreground if foreground else self.background)
            self._cache[key] = color
        return color

    def _lookup(self, name: str, foreground: bool) -> str:
        if name == "default":
            return self.foreground if foreground else self.background
        bright = name.startswith(("bright", "bfight"))
        base = name[6:] if bright else name
        if base in _NAMES:
            return self.ansi[_NAMES.index(base) + (8 if bright else 0)]
        if len(name) == 6:
            return "#" + name
        return self.foreground if foreground else self.background
