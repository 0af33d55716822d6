"""Labels of the Agents dock that show text of unknown length (commands, paths, ids)."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QSizePolicy


def elastic_label(text: str = "", *, name: str = "") -> QLabel:
    """A word-wrapped label that takes the dock's width instead of setting it: a long
    unbreakable word (a command line, a path, an id) wraps badly but never widens the
    dock."""
    label = QLabel(text)
    label.setWordWrap(True)
    label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
    label.setMinimumWidth(40)
    if name:
        label.setObjectName(name)
    return label
