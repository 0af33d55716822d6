"""Qt input events to terminal bytes, via the Qt-free `codeface.terminal.keys`."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent

from codeface.terminal.keys import encode_key, encode_wheel, wheel_as_arrows
from codeface.terminal.screen import TerminalScreen

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


def key_bytes(event: QKeyEvent, *, application_cursor: bool) -> bytes:
    """The bytes a key press sends to the program ("" for bare modifiers)."""
    mods = event.modifiers()
    return encode_key(
        key_name(event.key()) or "",
        event.text(),
        ctrl=bool(mods & Qt.KeyboardModifier.ControlModifier),
        alt=bool(mods & Qt.KeyboardModifier.AltModifier),
        shift=bool(mods & Qt.KeyboardModifier.ShiftModifier),
        application_cursor=application_cursor,
    )


def wheel_bytes(screen: TerminalScreen, steps: int, column: int, row: int) -> bytes:
    """Wheel ``steps`` (positive: up) for a program: mouse reports when it tracks the
    mouse, otherwise arrow keys (on the alternate screen, as xterm does)."""
    up = steps > 0
    if screen.mouse_tracking:
        report = encode_wheel(up, column, row, sgr=screen.mouse_sgr)
        return report * abs(steps)
    return wheel_as_arrows(up, abs(steps), application_cursor=screen.application_cursor)
