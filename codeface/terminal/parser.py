"""A byte stream for pyte that survives what real programs and random bytes send.

pyte 0.8.2's parser treats ``CSI > 4 ; 2 m`` (vim's modifyOtherKeys) as SGR underline,
draws DCS payloads (``ESC P … ESC \\``) as text, cannot read ``CSI 2 SP q`` (cursor
shape), ignores colon sub-parameters (``38:2::r:g:b``) and calls handlers with
``private=True`` that do not accept it. This subclass replaces the state machine with
one that parses every sequence fully (prefix, parameters, intermediates, final byte)
and dispatches only the ones it understands; a handler error never stops the stream.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Generator
from typing import Any

from pyte import control as ctrl
from pyte.streams import ByteStream

log = logging.getLogger(__name__)

_MAX_PARAM_DIGITS = 6
_MAX_PARAMS = 32
_MAX_OSC = 65536
_PRIVATE_FINALS = "hlJKn"


def _sgr_params(raw: list[str]) -> list[int]:
    """Flatten SGR parameters with colon sub-parameters into the classic ``;`` form."""
    flat: list[int] = []
    for item in raw:
        if ":" not in item:
            flat.append(_number(item))
            continue
        parts = item.split(":")
        head = _number(parts[0])
        if head in (38, 48, 58) and len(parts) >= 2:
            kind = _number(parts[1])
            values = [_number(part) for part in parts[2:] if part != ""]
            if kind == 2 and len(parts) >= 6:
                values = [_number(part) for part in parts[-3:]]
            flat.extend([head, kind, *values])
        elif head == 4 and len(parts) >= 2:
            flat.append(4 if _number(parts[1]) else 24)
        else:
            flat.append(head)
    return flat


def _number(text: str) -> int:
    digits = text[:_MAX_PARAM_DIGITS]
    return min(int(digits), 9999) if digits.isdigit() else 0


class TerminalStream(ByteStream):
    """`pyte.ByteStream` with a complete ECMA-48 state machine (see module docstring).

    The listener may define these optional hooks beyond pyte's `Screen` events:
    ``set_cursor_shape(n)``, ``report_secondary_device_attributes()``,
    ``scroll_up(n)``, ``scroll_down(n)``, ``repeat_last(n)``, ``set_keypad(bool)``,
    ``soft_reset()`` and ``osc(code: str, payload: str)``.
    """

    def __init__(self, screen: Any = None) -> None:
        super().__init__(screen, strict=False)

    def _call(self, name: str, *args: Any, **kwargs: Any) -> None:
        handler: Callable[..., Any] | None = getattr(self.listener, name, None)
        if handler is None:
            return
        try:
            handler(*args, **kwargs)
        except Exception:  # a malformed sequence must never stop the terminal
            log.debug("terminal handler %s%r failed", name, args, exc_info=True)

    def _parser_fsm(self) -> Generator[bool | None, str, None]:
        basic = self.basic
        listener = self.listener
        assert listener is not None
        draw = listener.draw
        call = self._call
        esc_names = self.escape
        csi_names = self.csi
        ESC, CSI_C1, OSC_C1 = ctrl.ESC, ctrl.CSI_C1, ctrl.OSC_C1
        NUL_OR_DEL = ctrl.NUL + ctrl.DEL
        CAN_OR_SUB = ctrl.CAN + ctrl.SUB
        ALLOWED_IN_CSI = ctrl.BEL + ctrl.BS + ctrl.HT + ctrl.LF + ctrl.VT + ctrl.FF + ctrl.CR

        while True:
            char = yield True
            if char == ESC:
                char = yield None
                if char == "[":
                    char = CSI_C1
                elif char == "]":
                    char = OSC_C1
                elif char in "P_^X":
                    # DCS / APC / PM / SOS: swallow the payload up to ST.
                    previous = ""
                    while True:
                        char = yield None
                        if (previous == ESC and char == "\\") or char == ctrl.ST_C1:
                            break
                        previous = char
                    continue
                else:
                    if char == "#":
                        code = yield None
                        if code == "8":
                            call("alignment_display")
                    elif char == "%":
                        self.select_other_charset((yield None))
                    elif char in "()*+":
                        code = yield None
                        if char in "()":
                            # xterm honours DEC line drawing even in UTF-8 mode.
                            call("define_charset", code, mode=char)
                    elif char == "=":
                        call("set_keypad", True)
                    elif char == ">":
                        call("set_keypad", False)
                    elif char in esc_names:
                        call(esc_names[char])
                    continue

            if char in basic:
                call(basic[char])
            elif char == CSI_C1:
                prefix = ""
                intermediates = ""
                params: list[str] = []
                current = ""
                while True:
                    char = yield None
                    if char in "0123456789:":
                        if len(current) < 64:
                            current += char
                    elif char == ";":
                        if len(params) < _MAX_PARAMS:
                            params.append(current)
                        current = ""
                    elif char in "?><=" and not params and not current and not prefix:
                        prefix = char
                    elif char in ALLOWED_IN_CSI:
                        call(basic[char])
                    elif char in CAN_OR_SUB:
                        draw(char)
                        break
                    elif char == ESC:
                        break  # a broken sequence; the next one starts fresh
                    elif " " <= char <= "/":
                        intermediates += char
                    elif "@" <= char <= "~":
                        params.append(current)
                        self._dispatch_csi(prefix, params, intermediates, char, csi_names)
                        break
                    # anything else inside a CSI is ignored, as xterm does
            elif char == OSC_C1:
                payload: list[str] = []
                size = 0
                while True:
                    char = yield None
                    if char == ESC:
                        char = yield None
                        break  # ESC \ (or a broken OSC)
                    if char == ctrl.BEL or char == ctrl.ST_C1:
                        break
                    if size < _MAX_OSC:
                        payload.append(char)
                        size += 1
                code, _, rest = "".join(payload).partition(";")
                if code in ("0", "1", "2"):
                    if code in "01":
                        call("set_icon_name", rest)
                    if code in "02":
                        call("set_title", rest)
                else:
                    call("osc", code, rest)
            elif char not in NUL_OR_DEL:
                draw(char)

    def _dispatch_csi(
        self,
        prefix: str,
        raw: list[str],
        intermediates: str,
        final: str,
        names: dict[str, str],
    ) -> None:
        call = self._call
        if intermediates:
            if intermediates == " " and final == "q":
                call("set_cursor_shape", _number(raw[0]))
            elif intermediates == "!" and final == "p":
                call("soft_reset")
            return
        if prefix == ">":
            if final == "c":
                call("report_secondary_device_attributes")
            return
        if prefix in ("<", "="):
            return
        if final == "m":
            call("select_graphic_rendition", *_sgr_params(raw))
            return
        params = [_number(item.split(":")[0]) for item in raw]
        if params == [0] and raw == [""]:
            params = []
        if prefix == "?":
            if final in _PRIVATE_FINALS and final in names:
                if final == "n":
                    call("report_private_status", *params)
                else:
                    call(names[final], *params, private=True)
            return
        if final == "S":
            call("scroll_up", *params)
        elif final == "T":
            call("scroll_down", *params)
        elif final == "b":
            call("repeat_last", *params)
        elif final == "s" and not params:
            call("save_cursor")
        elif final == "u" and not params:
            call("restore_cursor")
        elif final in names:
            call(names[final], *params)
