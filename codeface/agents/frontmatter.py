"""Front matter of a Markdown file: ``---`` lines around ``key: value`` pairs.

A small, strict subset of YAML, enough for role files: scalars (text, numbers, booleans),
inline lists ``[a, b]`` and block lists (``- item`` lines under a key). Anything else is
an error naming the line, so a typo is reported rather than half understood.
"""

from __future__ import annotations

from dataclasses import dataclass

Value = str | int | float | bool | list[str]


@dataclass(frozen=True)
class FrontMatterError(Exception):
    """A line of the front matter could not be read."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


def _scalar(text: str) -> str | int | float | bool:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return text[1:-1]
    lowered = text.lower()
    if lowered in ("true", "yes"):
        return True
    if lowered in ("false", "no"):
        return False
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            continue
    return text


def _inline_list(text: str, line: int) -> list[str]:
    inner = text.strip()[1:-1].strip()
    if not inner:
        return []
    items = [item.strip() for item in inner.split(",")]
    if any(not item for item in items):
        raise FrontMatterError(line, "a list has an empty item")
    return [str(_scalar(item)) for item in items]


@dataclass(frozen=True)
class FrontMatter:
    """The values, the line each key is on, and the body after the closing ``---``."""

    values: dict[str, Value]
    key_lines: dict[str, int]
    body: str
    body_line: int

    def line(self, key: str) -> int:
        """The line of ``key`` (the opening ``---`` when the key is absent)."""
        return self.key_lines.get(key, 1)


def split_front_matter(text: str) -> FrontMatter:
    """Read the front matter; raises `FrontMatterError` naming the offending line."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        raise FrontMatterError(1, "the file must start with a '---' line")
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        raise FrontMatterError(len(lines), "the front matter has no closing '---' line") from None
    values: dict[str, Value] = {}
    key_lines: dict[str, int] = {}
    current_list: list[str] | None = None
    for index in range(1, end):
        raw, number = lines[index], index + 1
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        if raw.lstrip().startswith("- "):
            if current_list is None:
                raise FrontMatterError(number, "a list item without a key above it")
            current_list.append(str(_scalar(raw.lstrip()[2:])))
            continue
        if ":" not in raw or raw.startswith((" ", "\t")):
            raise FrontMatterError(number, f"expected 'key: value', found {raw.strip()!r}")
        key, _, rest = raw.partition(":")
        key = key.strip()
        if not key.replace("_", "").replace("-", "").isalnum():
            raise FrontMatterError(number, f"{key!r} is not a valid key")
        if key in values:
            raise FrontMatterError(number, f"{key!r} is given twice")
        rest = rest.strip()
        key_lines[key] = number
        current_list = None
        if not rest:
            current_list = []
            values[key] = current_list
        elif rest.startswith("["):
            if not rest.endswith("]"):
                raise FrontMatterError(number, "a list must end with ']' on the same line")
            values[key] = _inline_list(rest, number)
        else:
            values[key] = _scalar(rest)
    return FrontMatter(values, key_lines, "\n".join(lines[end + 1 :]).strip(), end + 2)
