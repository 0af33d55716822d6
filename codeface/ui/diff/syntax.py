"""Syntax colours for the lines of a diff: pygments tokens per line. Pure Python, no Qt.

Each side's lines are lexed together (so a string or comment spanning lines keeps its
colour), then cut back into lines. Positions are in UTF-16 code units, as Qt counts
them. Above `LEX_LIMIT` characters a side is left plain: colouring is a nicety and must
never stall the window.
"""

from __future__ import annotations

from functools import lru_cache

from pygments.lexer import Lexer
from pygments.lexers import get_lexer_for_filename
from pygments.lexers.special import TextLexer
from pygments.token import _TokenType
from pygments.util import ClassNotFound

LEX_LIMIT = 200_000
"""Characters per side above which no syntax colours are computed."""

Span = tuple[int, int, _TokenType]
"""(start, length, token type) within one line, in UTF-16 code units."""


@lru_cache(maxsize=64)
def lexer_for_path(path: str) -> Lexer:
    """The lexer for a file name (plain text when pygments does not know it)."""
    name = path.rsplit("/", 1)[-1]
    if not name:
        return TextLexer()
    try:
        lexer: Lexer = get_lexer_for_filename(name, stripnl=False, ensurenl=False)
        return lexer
    except ClassNotFound:
        return TextLexer()


def _utf16_length(text: str) -> int:
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le")) // 2


def line_spans(lines: list[str], path: str) -> list[list[Span]]:
    """Token spans for each of ``lines`` (no line endings in them), lexed as one text."""
    spans: list[list[Span]] = [[] for _ in lines]
    if not lines or sum(map(len, lines)) > LEX_LIMIT:
        return spans
    lexer = lexer_for_path(path)
    if isinstance(lexer, TextLexer):
        return spans
    row = 0
    column = 0
    for token, value in lexer.get_tokens("\n".join(lines) + "\n"):
        pieces = value.split("\n")
        for number, piece in enumerate(pieces):
            if number:
                row += 1
                column = 0
            if row >= len(spans):
                return spans
            if piece:
                length = _utf16_length(piece)
                spans[row].append((column, length, token))
                column += length
    return spans
