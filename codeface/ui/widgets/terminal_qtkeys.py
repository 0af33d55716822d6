"""Qt key codes to the plain key names `codeface.terminal.keys.encode_key` understands."""

from __future__ import annotations

from PySide6.QtCore import Qt

_K = Qt.Key
_NAMES: dict[int, str] = {
    _K.Key_Up: "Up",
    _K.Key_Down: "Down",
    _K.Key_Left: "Left",
    _K.Key_Right: "Right",
    _K.Key_Home: "Home",
    _K.Key_End: "End",
    _K.Key_PageUp: "PageUp",
    _K.Key_PageDown: "PageDown",
    _K.Key_Insert: "Insert",
    _K.Key_Delete: "Delete",
    _K.Key_Backspace: "Backspace",
    _K.Key_Tab: "Tab",
    _K.Key_Backtab: "Backtab",
    _K.Key_Return: "Enter",
    _K.Key_Enter: "Enter",
    _K.Key_Escape: "Escape",
    **{getattr(_K, f"Key_F{n}"): f"F{n}" for n in range(1, 13)},
}


def key_name(key: int) -> str | None:
    """The name for a special key ("Up", "F5"), a letter/symbol as itself, else None."""
    name = _NAMES.get(key)
    if name is not None:
        return name
    if 0x20 <= key <= 0x7E:
        return chr(key).lower() if chr(key).isalpha() else chr(key)
    return None
