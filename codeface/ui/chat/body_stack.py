"""`BodyStack`: a message body's parts (text runs, code blocks) stacked top to bottom.

A streaming answer grows at its end many times a second. In a `QVBoxLayout` every change
re-lays out the whole body (and the answer may hold a hundred parts); here each part's
height is measured once per width and kept, parts are placed by hand, and a change to
the last part (the open tail) measures and moves only that part. ``measured`` counts
the parts measured, so tests can prove a flush does not re-measure the whole answer.
Parts are measured at a few widths (layouts ask a pixel or two apart); each is kept.
"""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

SPACING_PX = 8
WIDTHS_KEPT = 4


class BodyStack(QWidget):
    """Child widgets stacked vertically with a fixed gap, each measured once per width."""

    def __init__(self, parent: QWidget | None = None, spacing: int = SPACING_PX) -> None:
        super().__init__(parent)
        self.spacing = spacing
        self._parts: list[QWidget] = []
        self._heights: dict[int, dict[int, int]] = {}
        self._placed_width = -1
        self._totals: dict[int, int] = {}
        self.measured = 0
        """How many times a part's height was computed (for tests and benchmarks)."""
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)

    # parts -----------------------------------------------------------------------
    def parts(self) -> list[QWidget]:
        """The widgets, top to bottom."""
        return list(self._parts)

    def count(self) -> int:
        """How many parts there are."""
        return len(self._parts)

    def insert(self, index: int, widget: QWidget) -> None:
        """Add ``widget`` (a child of this stack) before position ``index``, and show it."""
        self._parts.insert(index, widget)
        widget.show()
        self._changed_from(index)

    def append(self, widget: QWidget) -> None:
        """Add ``widget`` (a child of this stack) at the end, and show it."""
        self.insert(len(self._parts), widget)

    def remove(self, widget: QWidget) -> None:
        """Take ``widget`` out (hidden, not deleted)."""
        if widget not in self._parts:
            return
        index = self._parts.index(widget)
        del self._parts[index]
        self._heights.pop(id(widget), None)
        widget.hide()
        self._changed_from(index)

    def take_all(self) -> list[QWidget]:
        """Take every part out (hidden, not deleted) and return them."""
        parts, self._parts = self._parts, []
        self._heights.clear()
        self._totals.clear()
        for widget in parts:
            widget.hide()
        self.updateGeometry()
        return parts

    def reset(self, widgets: list[QWidget]) -> None:
        """Make ``widgets`` the parts, all measured afresh (a reused part may show new
        content): parts not among them are hidden (not deleted), new ones shown."""
        keep = {id(widget) for widget in widgets}
        for widget in self._parts:
            if id(widget) not in keep:
                widget.hide()
        self._parts = list(widgets)
        self._heights.clear()
        for widget in self._parts:
            if widget.isHidden():
                widget.show()
        self._changed_from(0)

    def set_parts(self, widgets: list[QWidget]) -> None:
        """Make ``widgets`` the parts, in order: parts not among them are hidden (not
        deleted), new ones shown; only what follows the first difference is moved."""
        first = 0
        for old, new in zip(self._parts, widgets, strict=False):
            if old is not new:
                break
            first += 1
        keep = {id(widget) for widget in widgets}
        for widget in self._parts[first:]:
            if id(widget) not in keep:
                self._heights.pop(id(widget), None)
                widget.hide()
        self._parts = list(widgets)
        for widget in self._parts[first:]:
            if widget.isHidden():
                widget.show()
        self._changed_from(first)

    def part_changed(self, widget: QWidget) -> None:
        """``widget``'s content changed: measure it again and move what follows."""
        if widget in self._parts:
            self._heights.pop(id(widget), None)
            self._changed_from(self._parts.index(widget))

    # measuring -------------------------------------------------------------------
    def part_height(self, widget: QWidget, width: int) -> int:
        """The height of one part at ``width`` (cached until the part changes)."""
        cached = self._heights.setdefault(id(widget), {})
        height = cached.get(width)
        if height is not None:
            return height
        self.measured += 1
        widget.ensurePolished()
        inner = widget.layout()
        if inner is not None:
            # Qt tells a hidden widget's layout about its children's new sizes late.
            inner.invalidate()
        if widget.hasHeightForWidth():
            height = widget.heightForWidth(width)
        else:
            height = widget.sizeHint().height()
        height = max(widget.minimumHeight(), min(widget.maximumHeight(), height))
        if len(cached) >= WIDTHS_KEPT:  # layouts ask at a few widths a pixel or two apart
            del cached[next(iter(cached))]
        cached[width] = height
        return height

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        total = self._totals.get(width)
        if total is None:
            parts = self._parts
            total = sum(self.part_height(part, width) for part in parts)
            total += self.spacing * max(0, len(parts) - 1)
            self._totals[width] = total
        return total

    def sizeHint(self) -> QSize:
        width = self.width() if self.width() > 0 else 400
        return QSize(width, self.heightForWidth(width))

    def minimumSizeHint(self) -> QSize:
        return QSize(0, 0)

    # placing ---------------------------------------------------------------------
    def _changed_from(self, index: int) -> None:
        self._totals.clear()
        self.updateGeometry()
        if self._placed_width == self.width():
            self._place(index)

    def _place(self, start: int) -> None:
        width = self.width()
        self._placed_width = width
        top = 0
        for index, part in enumerate(self._parts):
            height = self.part_height(part, width)
            if index >= start:
                part.setGeometry(0, top, width, height)
            top += height + self.spacing

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.size().width() != self._placed_width:
            self._place(0)
