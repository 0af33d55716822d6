"""The diff view's style sheet rules (toolbar and buttons), from a `Theme`."""

from __future__ import annotations

from PySide6.QtGui import QColor

from codeface.ui.theme import Theme


def _mix(color: str, other: str, amount: float) -> str:
    first, second = QColor(color), QColor(other)
    return QColor(
        int(first.red() * (1 - amount) + second.red() * amount),
        int(first.green() * (1 - amount) + second.green() * amount),
        int(first.blue() * (1 - amount) + second.blue() * amount),
    ).name()


def diff_stylesheet(theme: Theme, point_size: int) -> str:
    """Rules for `DiffView`'s toolbar in ``theme``."""
    code = theme.code
    small = max(7, point_size - 2)
    return f"""
QFrame#diffToolbar {{
    background: {code.header_background}; border: 1px solid {code.border};
    border-bottom: none; border-top-left-radius: 6px; border-top-right-radius: 6px;
}}
QFrame#diffToolbar QLabel {{ color: {code.header_text}; font-size: {small}pt; }}
QToolButton#diffAction {{
    color: {code.header_text}; border: none; border-radius: 5px; padding: 1px 6px;
    font-size: {small}pt; background: transparent;
}}
QToolButton#diffAction:hover, QToolButton#diffAction:focus, QToolButton#diffAction:checked {{
    background: {_mix(code.header_background, code.header_text, 0.15)};
}}
QToolButton#diffAction:disabled {{ color: {_mix(code.header_text, code.header_background, 0.6)}; }}
"""
