"""Key presses, pastes and the wheel as bytes."""

from __future__ import annotations

from codeface.terminal.keys import (
    encode_key,
    encode_mouse_button,
    encode_paste,
    encode_wheel,
    wheel_as_arrows,
)


def test_arrows_follow_application_cursor_mode_and_modifiers() -> None:
    assert encode_key("Up") == b"\x1b[A"
    assert encode_key("Up", application_cursor=True) == b"\x1bOA"
    assert encode_key("Left", ctrl=True) == b"\x1b[1;5D"
    assert encode_key("Right", shift=True, alt=True) == b"\x1b[1;4C"


def test_editing_and_function_keys() -> None:
    assert encode_key("Enter") == b"\r"
    assert encode_key("Backspace") == b"\x7f"
    assert encode_key("Tab", shift=True) == b"\x1b[Z"
    assert encode_key("Delete") == b"\x1b[3~"
    assert encode_key("PageDown", ctrl=True) == b"\x1b[6;5~"
    assert encode_key("F1") == b"\x1bOP"
    assert encode_key("F12") == b"\x1b[24~"
    assert encode_key("Escape") == b"\x1b"


def test_control_and_alt_combinations() -> None:
    assert encode_key("c", "c", ctrl=True) == b"\x03"
    assert encode_key("d", "D", ctrl=True, shift=True) == b"\x04"
    assert encode_key("[", "[", ctrl=True) == b"\x1b"
    assert encode_key(" ", " ", ctrl=True) == b"\x00"
    assert encode_key("b", "b", alt=True) == b"\x1bb"
    assert encode_key("é", "é") == "é".encode()
    assert encode_key("Shift") == b""


def test_paste_is_bracketed_only_when_asked_and_cannot_break_out() -> None:
    assert encode_paste("a\nb", bracketed=False) == b"a\rb"
    evil = "ls\x1b[201~rm -rf /\n"
    pasted = encode_paste(evil, bracketed=True)
    assert pasted.startswith(b"\x1b[200~")
    assert pasted.endswith(b"\x1b[201~")
    assert pasted.count(b"\x1b[201~") == 1


def test_wheel_reports() -> None:
    assert encode_wheel(True, 4, 2, sgr=True) == b"\x1b[<64;5;3M"
    assert encode_wheel(False, 0, 0, sgr=False) == b"\x1b[M" + bytes([32 + 65, 33, 33])
    assert wheel_as_arrows(False, 3, application_cursor=True) == b"\x1bOB" * 3


def test_click_reports() -> None:
    assert encode_mouse_button(0, True, 9, 4, sgr=True) == b"\x1b[<0;10;5M"
    assert encode_mouse_button(0, False, 9, 4, sgr=True) == b"\x1b[<0;10;5m"
    assert encode_mouse_button(2, True, 0, 0, sgr=False) == b"\x1b[M" + bytes([34, 33, 33])
    assert encode_mouse_button(2, False, 0, 0, sgr=False) == b"\x1b[M" + bytes([35, 33, 33])
