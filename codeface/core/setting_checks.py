"""Checking one settings value against the type and range its dataclass field declares.

`check` returns a TOML value converted to the declared type, or raises `InvalidSetting`
whose ``reason`` finishes the sentence "key = value must be …". Ranges and formats ride
on the fields' metadata: ``field(default=0.7, metadata=within(0, 2))``. Floats must be
finite (no ``nan`` or ``inf``) whatever their range.
"""

from __future__ import annotations

import json
import math
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, get_args, get_origin


class InvalidSetting(Exception):
    """A value that does not fit its setting; ``reason`` says what would."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Bounds:
    """An inclusive range; ``zero_means`` also allows 0, meaning that (e.g. "automatic")."""

    low: float
    high: float
    zero_means: str | None = None

    def describe(self, noun: str) -> str:
        """'a whole number from 6 to 48', or '0 (automatic) or a whole number from 1 to 512'."""
        text = f"{noun} from {_number(self.low)} to {_number(self.high)}"
        return f"0 ({self.zero_means}) or {text}" if self.zero_means else text

    def allows(self, value: float) -> bool:
        """Whether ``value`` is inside the range (or is an allowed 0)."""
        if self.zero_means is not None and value == 0:
            return True
        return self.low <= value <= self.high


@dataclass(frozen=True)
class TextFormat:
    """What a text setting must look like: a test and the words for it."""

    accepts: Callable[[str], bool]
    description: str


def within(low: float, high: float, *, zero_means: str | None = None) -> dict[str, Any]:
    """Field metadata: the value must lie in ``[low, high]`` (or be 0 when ``zero_means``)."""
    return {"bounds": Bounds(low, high, zero_means)}


def shaped(accepts: Callable[[str], bool], description: str) -> dict[str, Any]:
    """Field metadata: text (or each text in a list) must pass ``accepts``."""
    return {"format": TextFormat(accepts, description)}


def show(value: Any, limit: int = 60) -> str:
    """A value as it looks in TOML ('"12"', 'true', 'nan'), shortened for a message."""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, str):
        text = json.dumps(value, ensure_ascii=False)
    elif isinstance(value, dict):
        text = "{…}" if value else "{}"
    else:
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _kind_of(expected: Any) -> str:
    if get_origin(expected) is Literal:
        return "one of " + ", ".join(show(choice) for choice in get_args(expected))
    if expected is bool:
        return "true or false"
    if expected is int:
        return "a whole number"
    if expected is float:
        return "a number"
    if expected is str:
        return "text"
    if get_origin(expected) is list:
        return "a list"
    return "a table"


def describe(expected: Any, metadata: Mapping[str, Any]) -> str:
    """What a value of this type and metadata must be, in words."""
    bounds: Bounds | None = metadata.get("bounds")
    text_format: TextFormat | None = metadata.get("format")
    if bounds is not None:
        return bounds.describe(_kind_of(expected))
    if text_format is not None:
        return text_format.description
    return _kind_of(expected)


def check(value: Any, expected: Any, metadata: Mapping[str, Any]) -> Any:
    """``value`` converted to ``expected`` (a scalar or Literal type), or `InvalidSetting`."""
    wanted = describe(expected, metadata)
    origin = get_origin(expected)
    if origin is Literal:
        if not any(
            type(value) is type(choice) and value == choice for choice in get_args(expected)
        ):
            raise InvalidSetting(f"must be {wanted}")
        return value
    if expected is bool:
        if not isinstance(value, bool):
            raise InvalidSetting(f"must be {wanted}")
        return value
    if expected in (int, float):
        number = _number_of(value, expected, wanted)
        bounds: Bounds | None = metadata.get("bounds")
        if bounds is not None and not bounds.allows(number):
            raise InvalidSetting(f"is out of range: it must be {wanted}")
        return number
    if expected is str:
        if not isinstance(value, str):
            raise InvalidSetting(f"must be {wanted}")
        text_format: TextFormat | None = metadata.get("format")
        if text_format is not None and not text_format.accepts(value):
            raise InvalidSetting(f"must be {wanted}")
        return value
    raise InvalidSetting("has a type CodeFace cannot check")  # pragma: no cover


def _number_of(value: Any, expected: Any, wanted: str) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidSetting(f"must be {wanted}")
    if expected is int:
        if not isinstance(value, int):
            raise InvalidSetting(f"must be {wanted}")
        return value
    if not math.isfinite(value):
        raise InvalidSetting(f"is not a finite number: it must be {wanted}")
    return float(value)


# ---------------------------------------------------------------- text formats


def is_web_address(text: str, *, allow_empty: bool = True) -> bool:
    """An ``http://`` or ``https://`` URL with a host (or "" when ``allow_empty``)."""
    if not text:
        return allow_empty
    try:
        split = urllib.parse.urlsplit(text)
        split.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        return False
    return split.scheme in ("http", "https") and bool(split.hostname)


def is_ollama_host(text: str) -> bool:
    """``host``, ``host:port``, ``:port`` or an http(s) URL, as ``OLLAMA_HOST`` takes them."""
    stripped = text.strip()
    if not stripped:
        return False
    scheme, separator, rest = stripped.partition("://")
    if separator and scheme not in ("http", "https"):
        return False
    if separator and not rest:
        return False
    address = stripped if separator else f"http://{stripped}"
    try:
        split = urllib.parse.urlsplit(address)
        split.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        return False
    return not any(character.isspace() for character in stripped)
