"""Syntax colouring of whole files: pygments tokens turned into coloured runs per line.

No Qt here: the lexer thread finds and imports lexers with it (`prepare`), and the code
view turns tokens into runs with `LineBuilder` a slice at a time (lexing a 20,000-line
Python file takes about a second). A line's runs are an ``array("I")`` of (start, length,
token id) triples whose offsets count UTF-16 units, as Qt's positions do; plain text and
whitespace are left out (they take the view's default colour). Token ids index
`token_type`; `token_style` gives a style's colours for one.

Lexers are found from the file name through pygments' own table of file patterns, read
once (pygments' `get_lexer_for_filename` also scans installed plugins: ~100 ms).
"""

from __future__ import annotations

import fnmatch
import importlib
import threading
from array import array
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pygments.lexer import Lexer
    from pygments.token import _TokenType

Runs = array[int]
"""(start, length, token id) triples of one line, in UTF-16 units."""

MAX_RUNS_PER_LINE = 2_000
"""Runs kept for one line (a minified line has tens of thousands; the rest shows plain)."""

PREFERRED = {
    "*.h": "CLexer",
    "*.m": "ObjectiveCLexer",
    "*.pl": "PerlLexer",
    "*.inc": "PhpLexer",
    "*.sql": "SqlLexer",
    "*.v": "VerilogLexer",
    "*.s": "GasLexer",
}
"""Which lexer wins where several claim a pattern (pygments would guess from the text)."""

_lock = threading.Lock()
_token_types: list[_TokenType] = []
_token_ids: dict[_TokenType, int] = {}


@dataclass(frozen=True)
class TokenStyle:
    """How a style shows one token type (colours as "#rrggbb", or None for the default)."""

    color: str | None = None
    background: str | None = None
    bold: bool = False
    italic: bool = False
    underline: bool = False


def token_id(token: _TokenType) -> int:
    """A small stable number for a token type (the same in every thread)."""
    found = _token_ids.get(token)
    if found is not None:
        return found
    with _lock:
        found = _token_ids.get(token)
        if found is None:
            found = len(_token_types)
            _token_types.append(token)
            _token_ids[token] = found
        return found


def token_type(identifier: int) -> _TokenType:
    """The token type of an id from `token_id`."""
    return _token_types[identifier]


@lru_cache(maxsize=1)
def _patterns() -> tuple[dict[str, str], dict[str, str], tuple[tuple[str, str], ...]]:
    """(suffix → lexer, exact name → lexer, other glob → lexer) from pygments' table."""
    from pygments.lexers._mapping import LEXERS

    suffixes: dict[str, str] = {}
    names: dict[str, str] = {}
    globs: list[tuple[str, str]] = []
    for key, (_module, _name, _aliases, patterns, _mimes) in LEXERS.items():
        for pattern in patterns:
            chosen = PREFERRED.get(pattern, key)
            if pattern.startswith("*.") and not any(c in pattern[2:] for c in "*?["):
                suffixes.setdefault(pattern[1:], chosen)
            elif not any(c in pattern for c in "*?["):
                names.setdefault(pattern, chosen)
            else:
                globs.append((pattern, chosen))
    return suffixes, names, tuple(globs)


def lexer_name_for(path: str) -> str | None:
    """The pygments lexer class name for a file name, or None (plain text)."""
    name = path.rsplit("/", 1)[-1]
    suffixes, names, globs = _patterns()
    if name in names:
        return names[name]
    dot = name.find(".", 1)
    while dot != -1:
        found = suffixes.get(name[dot:].lower()) or suffixes.get(name[dot:])
        if found:
            return found
        dot = name.find(".", dot + 1)
    for pattern, key in globs:
        if fnmatch.fnmatchcase(name, pattern):
            return key
    return None


@lru_cache(maxsize=64)
def _lexer_class(key: str) -> type[Lexer] | None:
    from pygments.lexers._mapping import LEXERS

    entry = LEXERS.get(key)
    if entry is None:
        return None
    module = importlib.import_module(entry[0])
    found: type[Lexer] = getattr(module, key)
    return found


def lexer_for_path(path: str) -> Lexer | None:
    """A lexer for the file (offsets kept exact: no newline stripping), or None."""
    key = lexer_name_for(path)
    if key is None or key == "TextLexer":
        return None
    cls = _lexer_class(key)
    if cls is None:
        return None
    return cls(stripnl=False, ensurenl=False, tabsize=0)


def prepare(path: str, style_name: str) -> Lexer | None:
    """Everything colouring ``path`` in ``style_name`` needs, loaded (for the worker);
    with no path, pygments' tables and the style alone."""
    from pygments.token import Text

    _patterns()
    _style(style_name)
    token_id(Text)
    return lexer_for_path(path) if path else None


def utf16_length(text: str) -> int:
    """How many UTF-16 units ``text`` takes (characters beyond U+FFFF take two)."""
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le")) // 2


class LineBuilder:
    """Turns tokens, fed in order, into the runs of each line (so lexing can stop and
    resume between slices of work)."""

    def __init__(self) -> None:
        from pygments.token import Text, Whitespace

        self.lines: list[Runs] = []
        self._plain = {token_id(Text), token_id(Whitespace)}
        self._current: list[int] = []
        self._column = 0

    def feed(self, token: _TokenType, value: str) -> None:
        """Add one token's text."""
        identifier = _token_ids.get(token)
        if identifier is None:
            identifier = token_id(token)
        pieces = value.split("\n") if "\n" in value else (value,)
        last = len(pieces) - 1
        current = self._current
        for number, piece in enumerate(pieces):
            if piece:
                length = utf16_length(piece)
                column = self._column
                if identifier not in self._plain and len(current) < 3 * MAX_RUNS_PER_LINE:
                    if (
                        current
                        and current[-1] == identifier
                        and current[-3] + current[-2] == column
                    ):
                        current[-2] += length
                    else:
                        current += (column, length, identifier)
                self._column = column + length
            if number < last:
                self.lines.append(array("I", current))
                current = self._current = []
                self._column = 0

    def finish(self, line_count: int) -> list[Runs]:
        """The runs of ``line_count`` lines (lines a lexer dropped show plain)."""
        lines = [*self.lines, array("I", self._current)]
        if len(lines) < line_count:
            lines.extend(array("I") for _ in range(line_count - len(lines)))
        return lines[:line_count]


def lex_lines(lexer: Lexer, text: str) -> list[Runs]:
    """The runs of every line of ``text`` (lines split at "\\n", as Qt splits blocks)."""
    builder = LineBuilder()
    for _index, token, value in lexer.get_tokens_unprocessed(text):
        builder.feed(token, value)
    return builder.finish(text.count("\n") + 1)


def lex_window(lexer: Lexer, text: str, first: int, count: int) -> list[Runs]:
    """The runs of lines ``first`` .. ``first + count - 1`` of ``text``, lexed as if the file
    started there (exact at the top of a file; close enough elsewhere until the whole file
    is lexed)."""
    start = 0
    for _ in range(first):
        start = text.find("\n", start) + 1
        if start == 0:
            return []
    end = start
    for _ in range(count):
        end = text.find("\n", end) + 1
        if end == 0:
            end = len(text)
            break
    return lex_lines(lexer, text[start:end].removesuffix("\n"))


@lru_cache(maxsize=16)
def _style(style_name: str) -> object:
    from pygments.styles import get_style_by_name
    from pygments.util import ClassNotFound

    try:
        return get_style_by_name(style_name)
    except ClassNotFound:
        return get_style_by_name("default")


def token_style(style_name: str, identifier: int) -> TokenStyle:
    """How ``style_name`` shows the token type numbered ``identifier``."""
    style = _style(style_name)
    found = style.style_for_token(token_type(identifier))  # type: ignore[attr-defined]
    color, background = found.get("color"), found.get("bgcolor")
    return TokenStyle(
        color=f"#{color}" if color else None,
        background=f"#{background}" if background else None,
        bold=bool(found.get("bold")),
        italic=bool(found.get("italic")),
        underline=bool(found.get("underline")),
    )
