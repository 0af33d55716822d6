"""Themes: TOML files of colours (Qt palette, chat, code) and a pygments style, applied live.

A theme carries its pygments style by name; pygments itself is imported only to check the
name of a user theme's style (bundled themes are checked by the tests) and, by the chat
pane, when code is highlighted, so choosing the start-up theme costs no pygments import.

Bundled themes live in ``themes/`` (`codeface.core.paths.themes_dir`); a user drops more
into ``app_paths().config / "themes"``. A theme file names its ``kind`` ("light" or "dark");
keys it leaves out are taken from the bundled theme of that kind, so a user theme can be
a handful of lines. ``ThemeManager.apply`` sets the application palette and cross-fades
from a snapshot of each window so the switch is not a hard flash.
"""

from __future__ import annotations

import logging
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Literal

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from codeface.core.errors import ConfigError
from codeface.core.paths import app_paths, themes_dir
from codeface.ui.palette import FUSION_SET, PALETTE_ROLES, make_palette

log = logging.getLogger(__name__)

FADE_MS = 150


@dataclass(frozen=True)
class ChatColors:
    """Colours of the conversation (bubbles, notices, marks)."""

    background: str = "#f5f6f8"
    user_bubble: str = "#dde8fb"
    user_text: str = "#1f2328"
    assistant_bubble: str = "#ffffff"
    assistant_text: str = "#1f2328"
    border: str = "#dfe3e8"
    muted: str = "#6e7781"
    accent: str = "#2f6feb"
    error: str = "#cf222e"
    warning: str = "#9a6700"
    info: str = "#0969da"
    success: str = "#1a7f37"
    inline_code: str = "#eff1f3"
    mark: str = "#fff2a8"
    mark_text: str = "#1f2328"


@dataclass(frozen=True)
class CodeColors:
    """Colours of code blocks around the pygments-highlighted text."""

    background: str = "#f6f8fa"
    header_background: str = "#eaeef2"
    header_text: str = "#57606a"
    border: str = "#d0d7de"


@dataclass(frozen=True)
class Theme:
    """One theme: ``id`` is the file stem ("dark"), ``name`` what the user sees."""

    id: str
    name: str
    kind: Literal["light", "dark"] = "light"
    pygments_style: str = "default"
    palette: dict[str, str] = field(default_factory=dict)
    chat: ChatColors = field(default_factory=ChatColors)
    code: CodeColors = field(default_factory=CodeColors)
    path: Path | None = None
    user: bool = False

    @property
    def is_dark(self) -> bool:
        """True for dark themes (used to pick icons and the OS default)."""
        return self.kind == "dark"

    @property
    def muted(self) -> str:
        """The colour of disabled text."""
        return self.palette.get("placeholder_text", self.chat.muted)

    def qpalette(self) -> QPalette:
        """The Qt palette for this theme (disabled text greyed with the placeholder colour)."""
        return make_palette(self.palette, self.muted)


def _color(path: Path, key: str, value: Any) -> str:
    if not isinstance(value, str) or not QColor.isValidColorName(value):
        raise ConfigError(f"Theme {path.name}: {key} = {value!r} is not a colour like '#1e1e1e'")
    return value


def _colors(path: Path, section: str, table: Any, base: Any) -> Any:
    if not isinstance(table, dict):
        raise ConfigError(f"Theme {path.name}: [{section}] must be a table")
    known = {item.name for item in fields(base)}
    values = {
        key: _color(path, f"{section}.{key}", value) for key, value in table.items() if key in known
    }
    return replace(base, **values)


def pygments_style_installed(name: str) -> bool:
    """Whether pygments has a style of this name (built in, or from a plugin package)."""
    from pygments.styles import STYLES, get_all_styles

    if any(style_name == name for _module, style_name, _aliases in STYLES.values()):
        return True
    return name in set(get_all_styles())  # scans the installed plugins: only when needed


def load_theme(
    path: Path, *, base: Theme | None = None, user: bool = False, check_style: bool = True
) -> Theme:
    """Read one theme file; missing keys come from ``base``. Raises ConfigError if broken.

    ``check_style=False`` skips looking the pygments style up (for the bundled themes)."""
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"Cannot read theme {path}: {error}") from error
    kind = document.get("kind", base.kind if base else "light")
    if kind not in ("light", "dark"):
        raise ConfigError(f"Theme {path.name}: kind = {kind!r} must be 'light' or 'dark'")
    name = document.get("name", path.stem.replace("-", " ").title())
    style = document.get("pygments_style", base.pygments_style if base else "default")
    if not isinstance(style, str) or (check_style and not pygments_style_installed(style)):
        raise ConfigError(f"Theme {path.name}: pygments_style = {style!r} is not installed")
    palette_table = document.get("palette", {})
    if not isinstance(palette_table, dict):
        raise ConfigError(f"Theme {path.name}: [palette] must be a table")
    palette = dict(base.palette) if base else {}
    for key, value in palette_table.items():
        if key in PALETTE_ROLES:
            palette[key] = _color(path, f"palette.{key}", value)
    return Theme(
        id=path.stem,
        name=str(name),
        kind=kind,
        pygments_style=style,
        palette=palette,
        chat=_colors(path, "chat", document.get("chat", {}), base.chat if base else ChatColors()),
        code=_colors(path, "code", document.get("code", {}), base.code if base else CodeColors()),
        path=path,
        user=user,
    )


def user_themes_dir() -> Path:
    """Where the user drops extra theme files."""
    return app_paths().config / "themes"


class ThemeManager(QObject):
    """Lists bundled and user themes, follows the OS scheme and applies a theme live."""

    sig_theme_changed = Signal(object)
    """Emitted after a theme is applied; argument: the `Theme`."""

    def __init__(
        self,
        bundled_dir: Path | None = None,
        user_dir: Path | None = None,
        parent: QObject | None = None,
        color_scheme: Callable[[], Any] | None = None,
    ) -> None:
        """``color_scheme`` reports the OS scheme as a ``Qt.ColorScheme`` (default:
        ``QStyleHints.colorScheme``)."""
        super().__init__(parent)
        self._color_scheme = color_scheme or _os_color_scheme
        self._bundled_dir = bundled_dir or themes_dir()
        self._user_dir = user_dir
        self.current: Theme | None = None
        self.errors: list[str] = []
        """Why user theme files were skipped, from the last `available()` call."""
        self._follow_system = False
        self.os_scheme = ""
        """The OS scheme as last asked ("dark"/"light"; "" until asked)."""

    def available(self) -> list[Theme]:
        """Bundled themes, then valid user themes (a user theme may shadow a bundled id)."""
        self.errors = []
        bundled: dict[str, Theme] = {}
        for path in sorted(self._bundled_dir.glob("*.toml")):
            try:
                bundled[path.stem] = load_theme(path, check_style=False)
            except ConfigError as error:
                log.error("Bundled theme skipped: %s", error.user_message)
        themes = dict(bundled)
        for path in self._user_files():
            try:
                themes[path.stem] = self._load_user(path, bundled.get)
            except ConfigError as error:
                self.errors.append(error.user_message)
                log.warning("User theme skipped: %s", error.user_message)
        return list(themes.values())

    def _user_files(self) -> list[Path]:
        user_dir = self._user_dir or user_themes_dir()
        return sorted(user_dir.glob("*.toml")) if user_dir.is_dir() else []

    def _load_user(self, path: Path, bundled: Callable[[str], Theme | None]) -> Theme:
        kind = _peek_kind(path)
        base = bundled(kind) or bundled("light")
        return load_theme(path, base=base, user=True)

    def _bundled(self, theme_id: str) -> Theme | None:
        path = self._bundled_dir / f"{theme_id}.toml"
        try:
            return load_theme(path, check_style=False) if path.is_file() else None
        except ConfigError as error:
            log.error("Bundled theme skipped: %s", error.user_message)
            return None

    def _find_by_id(self, wanted: str) -> Theme | None:
        """The theme whose file stem is ``wanted``, reading only the files it needs (None:
        not found that way, or a broken user file; `find` then looks at every theme)."""
        for path in self._user_files():
            if path.stem.casefold() == wanted:
                try:
                    return self._load_user(path, self._bundled)
                except ConfigError:
                    return None
        for path in self._bundled_dir.glob("*.toml"):
            if path.stem.casefold() == wanted:
                return self._bundled(path.stem)
        return None

    def find(self, key: str) -> Theme | None:
        """The theme whose id or name is ``key`` (case-insensitive), or None."""
        wanted = key.casefold()
        theme = self._find_by_id(wanted)  # the usual case, and the one at start-up
        if theme is not None:
            return theme
        for theme in self.available():
            if theme.id.casefold() == wanted or theme.name.casefold() == wanted:
                return theme
        return None

    def os_is_dark(self) -> bool:
        """Whether the OS asks for dark colours (the first call builds PySide6's ``Qt``
        enums: 15-25 ms)."""
        from PySide6.QtCore import Qt

        dark = bool(self._color_scheme() == Qt.ColorScheme.Dark)
        self.os_scheme = "dark" if dark else "light"
        return dark

    def system_default(self, dark: bool | None = None) -> Theme:
        """Dark or Light, following the OS colour scheme (or ``dark`` when given)."""
        if dark is None:
            dark = self.os_is_dark()
        theme = self.find("dark" if dark else "light")
        if theme is None:
            raise ConfigError(f"The bundled themes are missing from {self._bundled_dir}")
        return theme

    def resolve(self, setting: str) -> Theme:
        """The theme for a ``ui.theme`` setting: "system" or an id/name (unknown → system)."""
        if setting and setting != "system":
            theme = self.find(setting)
            if theme is not None:
                return theme
        return self.system_default()

    def follow_system(
        self, app: QApplication, enabled: bool = True, *, assume_dark: bool | None = None
    ) -> None:
        """Apply the OS scheme now and whenever it changes (until disabled).

        With ``assume_dark`` (the scheme seen last time) the OS is not asked now: call
        `recheck_system` once the window is up."""
        hints = QGuiApplication.styleHints()
        if enabled and not self._follow_system and hints is not None:
            hints.colorSchemeChanged.connect(self._on_scheme_changed)
        elif not enabled and self._follow_system and hints is not None:
            hints.colorSchemeChanged.disconnect(self._on_scheme_changed)
        self._follow_system = enabled
        if enabled:
            self.apply(app, self.system_default(assume_dark), animate=False)

    def recheck_system(self, app: QApplication) -> None:
        """Ask the OS for its scheme and switch theme if it differs from the one shown."""
        if not self._follow_system:
            return
        dark = self.os_is_dark()
        if self.current is None or self.current.is_dark != dark:
            self.apply(app, self.system_default(dark), animate=False)

    def _on_scheme_changed(self, _scheme: object) -> None:
        app = QApplication.instance()
        if isinstance(app, QApplication):
            self.apply(app, self.system_default())

    def apply(self, app: QApplication, theme: Theme, animate: bool = True) -> None:
        """Set the palette (Fusion style, so palettes work on every OS), fading if asked."""
        if animate:
            for window in app.topLevelWidgets():
                if window.isVisible() and window.width() > 0:
                    cross_fade(window)
        if not app.property(FUSION_SET) and app.style().name().casefold() != "fusion":
            app.setStyle("Fusion")
        palette = theme.qpalette()
        if palette != app.palette():  # e.g. already shown from the look remembered at start
            app.setPalette(palette)
        self.current = theme
        self.sig_theme_changed.emit(theme)


def _os_color_scheme() -> Any:
    from PySide6.QtCore import Qt

    hints = QGuiApplication.styleHints()
    return hints.colorScheme() if hints is not None else Qt.ColorScheme.Unknown


def _peek_kind(path: Path) -> str:
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"Cannot read theme {path}: {error}") from error
    kind = document.get("kind", "light")
    return kind if isinstance(kind, str) else "light"


def cross_fade(window: QWidget, duration_ms: int = FADE_MS) -> QLabel:
    """Cover ``window`` with a snapshot of itself and fade that out; returns the overlay."""
    from PySide6.QtCore import QEasingCurve, QPropertyAnimation, Qt
    from PySide6.QtWidgets import QGraphicsOpacityEffect

    overlay = QLabel(window)
    overlay.setObjectName("themeCrossFade")
    overlay.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
    overlay.setPixmap(window.grab())
    overlay.setGeometry(window.rect())
    effect = QGraphicsOpacityEffect(overlay)
    effect.setOpacity(1.0)
    overlay.setGraphicsEffect(effect)
    overlay.show()
    overlay.raise_()
    animation = QPropertyAnimation(effect, b"opacity", overlay)
    animation.setDuration(duration_ms)
    animation.setStartValue(1.0)
    animation.setEndValue(0.0)
    animation.setEasingCurve(QEasingCurve.Type.OutCubic)
    animation.finished.connect(overlay.deleteLater)
    animation.start()
    return overlay
