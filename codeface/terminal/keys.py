"""Keys, pastes and mouse wheel turned into the bytes an xterm would send.

Qt-free: the widget passes plain key names ("Up", "F5", "Enter"), the typed text and
modifier flags. Arrow keys follow DECCKM (application cursor mode), modified keys use
xterm's ``CSI 1;<mod>`` form, Alt prefixes ESC, Ctrl+letter gives the control code.
"""

from __future__ import annotations

_CURSOR = {"Up": "A", "Down": "B", "Right": "C", "Left": "D", "Home": "H", "End": "F"}
_TILDE = {
    "Insert": 2,
    "Delete": 3,
    "PageUp": 5,
    "PageDown": 6,
    "F5": 15,
    "F6": 17,
    "F7": 18,
    "F8": 19,
    "F9": 20,
    "F10": 21,
    "F11": 23,
    "F12": 24,
}
_SS3_F = {"F1": "P", "F2": "Q", "F3": "R", "F4": "S"}
_CTRL_SYMBOLS = {
    " ": 0,
    "@": 0,
    "[": 27,
    "\\": 28,
    "]": 29,
    "^": 30,
    "_": 31,
    "?": 127,
    "2": 0,
    "3": 27,
    "4": 28,
    "5": 29,
    "6": 30,
    "7": 31,
    "8": 127,
}

PASTE_START = b"\x1b[200~"
PASTE_END = b"\x1b[201~"


def _modifier_code(shift: bool, alt: bool, ctrl: bool) -> int:
    return 1 + (1 if shift else 0) + (2 if alt else 0) + (4 if ctrl else 0)


def encode_key(
    key: str,
    text: str = "",
    *,
    ctrl: bool = False,
    alt: bool = False,
    shift: bool = False,
    application_cursor: bool = False,
) -> bytes:
    """The bytes for one key press; ``b""`` when the key sends nothing.

    ``key`` is a name such as "Up", "Enter", "Backspace", "F1", or a single character;
    ``text`` is what the keyboard layout produced (used for ordinary characters).
    """
    modifier = _modifier_code(shift, alt, ctrl)
    if key in _CURSOR:
        final = _CURSOR[key]
        if modifier > 1:
            return f"\x1b[1;{modifier}{final}".encode()
        return (f"\x1bO{final}" if application_cursor else f"\x1b[{final}").encode()
    if key in _TILDE:
        number = _TILDE[key]
        suffix = f";{modifier}" if modifier > 1 else ""
        return f"\x1b[{number}{suffix}~".encode()
    if key in _SS3_F:
        final = _SS3_F[key]
        return (f"\x1b[1;{modifier}{final}" if modifier > 1 else f"\x1bO{final}").encode()
    prefix = b"\x1b" if alt else b""
    if key in ("Enter", "Return"):
        return prefix + b"\r"
    if key == "Tab":
        return b"\x1b[Z" if shift else prefix + b"\t"
    if key == "Backtab":
        return b"\x1b[Z"
    if key == "Backspace":
        return prefix + (b"\x08" if ctrl else b"\x7f")
    if key == "Escape":
        return b"\x1b"
    if ctrl:
        letter = key if len(key) == 1 else text[:1]
        if letter.isascii() and letter.isalpha():
            return prefix + bytes([ord(letter.upper()) & 0x1F])
        if letter in _CTRL_SYMBOLS:
            return prefix + bytes([_CTRL_SYMBOLS[letter]])
    return prefix + text.encode("utf-8") if text else b""


def encode_paste(text: str, bracketed: bool) -> bytes:
    """A paste: newlines become CR, and with bracketed paste the text is wrapped in
    ESC[200~ … ESC[201~ (an end marker inside the text is removed so it cannot escape)."""
    body = text.replace("\r\n", "\r").replace("\n", "\r").encode("utf-8")
    if not bracketed:
        return body
    body = body.replace(PASTE_END, b"").replace(PASTE_START, b"")
    return PASTE_START + body + PASTE_END


def encode_wheel(up: bool, column: int, row: int, *, sgr: bool) -> bytes:
    """A mouse-wheel report at 0-based (column, row) for programs tracking the mouse."""
    button = 64 if up else 65
    if sgr:
        return f"\x1b[<{button};{column + 1};{row + 1}M".encode()
    return bytes([0x1B, 0x5B, 0x4D, 32 + button, min(255, 33 + column), min(255, 33 + row)])


def encode_mouse_button(button: int, pressed: bool, column: int, row: int, *, sgr: bool) -> bytes:
    """A click report (button 0 left, 1 middle, 2 right) at 0-based (column, row)."""
    if sgr:
        return f"\x1b[<{button};{column + 1};{row + 1}{'M' if pressed else 'm'}".encode()
    code = button if pressed else 3  # X10 reports every release as button 3
    return bytes([0x1B, 0x5B, 0x4D, 32 + code, min(255, 33 + column), min(255, 33 + row)])


def wheel_as_arrows(up: bool, lines: int, *, application_cursor: bool) -> bytes:
    """Wheel on the alternate screen without mouse tracking: arrow keys, as xterm does."""
    key = encode_key("Up" if up else "Down", application_cursor=application_cursor)
    return key * max(1, lines)
