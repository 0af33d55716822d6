"""The command palette (Ctrl+K): every window action with its shortcut, filtered as you type."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)


def action_label(action: QAction) -> str:
    """The action's text without mnemonics ('&Settings…' -> 'Settings…')."""
    return action.text().replace("&&", "\0").replace("&", "").replace("\0", "&")


def matches(query: str, text: str) -> bool:
    """True when every word of ``query`` occurs in ``text`` (case-insensitive)."""
    haystack = text.casefold()
    return all(word in haystack for word in query.casefold().split())


class CommandPalette(QDialog):
    """A filter box over the window's actions; Enter runs the selected one."""

    def __init__(self, actions: list[QAction], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Command palette")
        self.setObjectName("commandPalette")
        self.setMinimumWidth(460)
        self._actions = [a for a in actions if a.text()]
        layout = QVBoxLayout(self)
        self.filter_box = QLineEdit()
        self.filter_box.setPlaceholderText("Type a command…")
        self.filter_box.setAccessibleName("Command filter")
        self.list = QListWidget()
        self.list.setAccessibleName("Commands")
        layout.addWidget(self.filter_box)
        layout.addWidget(self.list)
        self.filter_box.textChanged.connect(self.refilter)
        self.filter_box.returnPressed.connect(self.run_selected)
        self.list.itemActivated.connect(lambda _item: self.run_selected())
        self.filter_box.installEventFilter(self)
        self.refilter("")

    def refilter(self, query: str) -> None:
        """Show the actions whose name (or shortcut) matches ``query``."""
        self.list.clear()
        for action in self._actions:
            shortcut = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            label = action_label(action)
            if not matches(query, f"{label} {shortcut}"):
                continue
            item = QListWidgetItem(f"{label}\t{shortcut}" if shortcut else label)
            item.setData(Qt.ItemDataRole.UserRole, action)
            item.setToolTip(action.toolTip())
            if not action.isEnabled():
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)
            self.list.addItem(item)
        for row in range(self.list.count()):
            if self.list.item(row).flags() & Qt.ItemFlag.ItemIsEnabled:
                self.list.setCurrentRow(row)
                break

    @property
    def visible_labels(self) -> list[str]:
        """The labels listed now (with shortcuts after a tab)."""
        return [self.list.item(row).text() for row in range(self.list.count())]

    def run_selected(self) -> None:
        """Close and trigger the selected action."""
        item = self.list.currentItem()
        if item is None or not item.flags() & Qt.ItemFlag.ItemIsEnabled:
            return
        action: QAction = item.data(Qt.ItemDataRole.UserRole)
        self.accept()
        action.trigger()

    def eventFilter(self, watched: object, event: object) -> bool:
        """Up/Down in the filter box move the selection in the list."""
        if (
            isinstance(event, QKeyEvent)
            and event.type() == QKeyEvent.Type.KeyPress
            and event.key() in (Qt.Key.Key_Down, Qt.Key.Key_Up)
        ):
            step = 1 if event.key() == Qt.Key.Key_Down else -1
            row = max(0, min(self.list.count() - 1, self.list.currentRow() + step))
            self.list.setCurrentRow(row)
            return True
        return super().eventFilter(watched, event)  # type: ignore[arg-type]
