"""A centred empty state: a title, a sentence and optional action buttons."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget


class EmptyState(QWidget):
    """What a panel shows when it has nothing yet (never a blank area)."""

    def __init__(
        self,
        title: str,
        text: str,
        actions: list[tuple[str, Callable[[], None]]] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("emptyState")
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        self.title_label = QLabel(title)
        font = self.title_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.2)
        font.setBold(True)
        self.title_label.setFont(font)
        self.title_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.text_label = QLabel(text)
        self.text_label.setWordWrap(True)
        self.text_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.text_label.setEnabled(False)
        layout.addWidget(self.title_label)
        layout.addWidget(self.text_label)
        self.buttons: list[QPushButton] = []
        if actions:
            row = QHBoxLayout()
            row.addStretch(1)
            for label, callback in actions:
                button = QPushButton(label)
                button.setAccessibleName(label)
                button.clicked.connect(callback)
                row.addWidget(button)
                self.buttons.append(button)
            row.addStretch(1)
            layout.addLayout(row)
        layout.addStretch(2)
