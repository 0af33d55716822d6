"""Syntax highlighting of chat code blocks: pygments → HTML spans for Qt rich text.

Formatted blocks are cached by (code, language, style). Above `PLAIN_THRESHOLD` characters
the code is shown escaped but unhighlighted: pygments needs ~1.4 s for a 10,000-line file
here (lexing + HTML), which would freeze the window. Lexers come from the fence's
language; an unlabelled short block is guessed; anything else is plain text.
No Qt in this module, so it is cheap to test and to call from a worker.
"""

from __future__ import annotations

import html
from functools import lru_cache

from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name, guess_lexer
from pygments.lexers.special import TextLexer
from pygments.style import StyleMeta
from pygments.styles import get_style_by_name
from pygments.token import Text
from pygments.util import ClassNotFound

PLAIN_THRESHOLD = 20_000
"""Characters above which a block is not highlighted (about 500 lines; pygments needs
roughly 70 ms for that here, which a render can afford, and a second more for 10×)."""

GUESS_LIMIT = 2_000
"""Only blocks shorter than this are guessed when the fence names no language."""

SHELL_LANGUAGES = frozenset({"bash", "sh", "shell", "zsh", "console", "shell-session", "fish"})

_ALIASES = {"py3": "python", "ts": "typescript", "js": "javascript", "yml": "yaml"}


def normalise_language(info: str) -> str:
    """The language word of a fence info string ("python title=x" → "python")."""
    word = info.strip().split(maxsplit=1)[0] if info.strip() else ""
    word = word.strip("{}.").lower()
    return _ALIASES.get(word, word)


def is_shell(language: str) -> bool:
    """True for fences whose code is meant to be run in a shell."""
    return normalise_language(language) in SHELL_LANGUAGES


@lru_cache(maxsize=128)
def _lexer_by_name(language: str) -> Lexer | None:
    try:
        return get_lexer_by_name(language, stripnl=False, ensurenl=False)
    except ClassNotFound:
        return None


def lexer_for(code: str, language: str) -> Lexer:
    """The lexer for a fence's language; guess short unlabelled code; else plain text."""
    language = normalise_language(language)
    if language:
        lexer = _lexer_by_name(language)
        if lexer is not None:
            return lexer
        return TextLexer()
    if len(code) <= GUESS_LIMIT and code.strip():
        try:
            guessed: Lexer = guess_lexer(code)
            return guessed
        except ClassNotFound:
            return TextLexer()
    return TextLexer()


def language_label(code: str, language: str) -> str:
    """What the code block header shows: the fence language, or the guessed one."""
    language = normalise_language(language)
    if language:
        return language
    lexer = lexer_for(code, language)
    return "text" if isinstance(lexer, TextLexer) else str(lexer.name).lower()


@lru_cache(maxsize=32)
def _style(style_name: str) -> StyleMeta:
    try:
        return get_style_by_name(style_name)
    except ClassNotFound:
        return get_style_by_name("default")


@lru_cache(maxsize=32)
def _formatter(style_name: str) -> HtmlFormatter[str]:
    return HtmlFormatter(style=_style(style_name), noclasses=True, nowrap=True)


def style_colors(style_name: str) -> tuple[str, str]:
    """(background, default text colour) of a pygments style, as "#rrggbb"."""
    style = _style(style_name)
    background = style.background_color or "#ffffff"
    text_style = style.style_for_token(Text)
    color = text_style.get("color")
    return background, f"#{color}" if color else "#000000"


def plain_html(code: str) -> str:
    """Escaped code without colours."""
    return html.escape(code, quote=False)


@lru_cache(maxsize=256)
def highlight_html(code: str, language: str, style_name: str) -> str:
    """Inline-styled HTML spans (no wrapper element) for ``code`` in ``style_name``.

    Cached; plain escaped text above `PLAIN_THRESHOLD` characters.
    """
    if len(code) > PLAIN_THRESHOLD:
        return plain_html(code)
    lexer = lexer_for(code, language)
    if isinstance(lexer, TextLexer):
        return plain_html(code)
    rendered: str = highlight(code, lexer, _formatter(style_name))
    # The formatter adds a final newline when the code lacks one; keep line counts exact.
    if not code.endswith("\n") and rendered.endswith("\n"):
        rendered = rendered[:-1]
    return rendered


def is_highlighted(code: str) -> bool:
    """Whether a block of this size gets colours at all."""
    return len(code) <= PLAIN_THRESHOLD
