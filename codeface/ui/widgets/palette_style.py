"""Style sheets that name palette roles (``palette(base)``) and follow theme switches.

Qt resolves ``palette(...)`` once, when the sheet is set, and the sheet then fixes the
widget's palette: after the application palette changes (View ▸ theme, or the OS scheme)
such a widget gets no palette event and keeps the old colours. A `PaletteStyleSheet` sets
the sheet and watches the widget's window, which does hear of the new palette, to set the
sheet again so its roles are looked up in the new palette.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QWidget

_PALETTE_EVENTS = (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange)
_REATTACH_EVENTS = (QEvent.Type.Show, QEvent.Type.ParentChange)


class PaletteStyleSheet(QObject):
    """Owns ``widget``'s style sheet (it lives as long as the widget)."""

    def __init__(self, widget: QWidget, sheet: str) -> None:
        super().__init__(widget)
        self._widget = widget
        self._sheet = sheet
        self._window: QWidget | None = None
        self._palette_key = 0
        self._busy = False
        self.apply()
        widget.installEventFilter(self)

    def apply(self) -> None:
        """Set the sheet, resolving its palette roles in the application palette now."""
        # The palette's cache key, not a copy: copying one builds PySide6's ~95 Qt enums,
        # which the first paint (the sidebar is part of it) does without.
        self._palette_key = QApplication.palette().cacheKey()
        self._busy = True  # setting the sheet sends palette changes of its own
        try:
            self._widget.setStyleSheet("")
            self._widget.setStyleSheet(self._sheet)
        finally:
            self._busy = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Re-apply on a palette change of the widget or its window; follow re-parenting."""
        kind = event.type()
        if kind in _PALETTE_EVENTS:
            if not self._busy and QApplication.palette().cacheKey() != self._palette_key:
                self.apply()
        elif kind in _REATTACH_EVENTS and watched is self._widget:
            self._watch_window()
        return False

    def _watch_window(self) -> None:
        window = self._widget.window()
        if window is self._window:
            return
        if self._window is not None:
            self._window.removeEventFilter(self)
        self._window = window if window is not self._widget else None
        if self._window is not None:
            self._window.installEventFilter(self)
        if QApplication.palette().cacheKey() != self._palette_key:  # changed while hidden
            self.apply()
