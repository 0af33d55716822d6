"""A layout that places widgets left to right and wraps to a new row when the next one
does not fit, so a toolbar in a narrow dock stays whole instead of being cut off.

A widget wider than the whole row gets a row of its own, as wide as the row; a word-wrapped
label then wraps inside it (heights come from ``heightForWidth`` where items have one).
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QLayout, QLayoutItem, QWidget, QWidgetItem


class FlowLayout(QLayout):
    """Rows of items that wrap at the layout's width."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 4) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._gap = spacing
        self.setContentsMargins(0, 0, 0, 0)

    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def add(self, widget: QWidget) -> None:
        """Append ``widget`` (the widget becomes a child of the layout's widget)."""
        self.addChildWidget(widget)
        self.addItem(QWidgetItem(widget))

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._arrange(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._arrange(rect, move=True)

    def sizeHint(self) -> QSize:
        width = sum(item.sizeHint().width() for item in self._visible())
        width += self._gap * max(0, len(self._visible()) - 1)
        return QSize(width, self.heightForWidth(width))

    def minimumSize(self) -> QSize:
        size = QSize()
        for item in self._visible():
            size = size.expandedTo(item.minimumSize())
        margins = self.contentsMargins()
        return size + QSize(margins.left() + margins.right(), margins.top() + margins.bottom())

    def _visible(self) -> list[QLayoutItem]:
        return [item for item in self._items if not item.isEmpty()]

    def _arrange(self, rect: QRect, *, move: bool) -> int:
        """Place (or, without ``move``, only measure) the items, each row's items centred
        on the row; returns the height used."""
        margins = self.contentsMargins()
        area = rect.adjusted(margins.left(), margins.top(), -margins.right(), -margins.bottom())
        rows: list[list[tuple[QLayoutItem, int, int]]] = [[]]
        used = 0
        for item in self._visible():
            width = min(item.sizeHint().width(), max(area.width(), 1))
            if rows[-1] and used + width > area.width():
                rows.append([])
                used = 0
            height = item.heightForWidth(width) if item.hasHeightForWidth() else -1
            rows[-1].append((item, width, height if height > 0 else item.sizeHint().height()))
            used += width + self._gap
        y = area.y()
        for row in rows:
            row_height = max((height for _item, _width, height in row), default=0)
            x = area.x()
            for item, width, height in row:
                if move:
                    top = y + (row_height - height) // 2
                    item.setGeometry(QRect(QPoint(x, top), QSize(width, height)))
                x += width + self._gap
            y += row_height + self._gap
        return max(0, y - self._gap - rect.y()) + margins.bottom()
