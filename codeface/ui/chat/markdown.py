"""Markdown → segments for the chat: rich-text HTML runs and fenced code blocks.

markdown-it-py parses (CommonMark + tables + strikethrough; raw HTML is escaped, so a
model cannot inject markup). Top-level code blocks become `CodeSegment`s, rendered by
their own widget with a header bar; everything else becomes `TextSegment` HTML, with
inline styles Qt's rich-text engine understands (it has no stylesheet for QLabel).

`stable_boundary` finds where a streaming answer can be cut: text before it will not
change its rendering when more tokens arrive, so it is rendered once and never again.
No Qt here.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.token import Token

from codeface.ui.highlight import normalise_language


@dataclass(frozen=True)
class TextSegment:
    """A run of rendered Markdown (paragraphs, lists, tables...) as Qt rich-text HTML."""

    html: str


@dataclass(frozen=True)
class CodeSegment:
    """A fenced or indented code block."""

    code: str
    language: str = ""


Segment = TextSegment | CodeSegment


@dataclass(frozen=True)
class HtmlColors:
    """The few colours the HTML needs inline (from the theme's chat colours)."""

    inline_code: str = "#eff1f3"
    border: str = "#dfe3e8"
    muted: str = "#6e7781"
    link: str = "#0969da"
    mark: str = "#fff2a8"
    mark_text: str = "#1f2328"


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "breaks": False}).enable(
        ["table", "strikethrough"]
    )


def _tag_styles(colors: HtmlColors) -> list[tuple[str, str]]:
    mono = "font-family:'JetBrains Mono','DejaVu Sans Mono',Menlo,Consolas,monospace;"
    return [
        ("<p>", '<p style="margin-top:0; margin-bottom:8px;">'),
        ("<ul>", '<ul style="margin-top:0; margin-bottom:8px; margin-left:-20px;">'),
        ("<ol>", '<ol style="margin-top:0; margin-bottom:8px; margin-left:-20px;">'),
        ("<li>", '<li style="margin-bottom:2px;">'),
        ("<h1>", '<h1 style="font-size:x-large; margin-top:6px; margin-bottom:8px;">'),
        ("<h2>", '<h2 style="font-size:large; margin-top:6px; margin-bottom:6px;">'),
        ("<h3>", '<h3 style="font-size:medium; margin-top:4px; margin-bottom:4px;">'),
        (
            "<blockquote>",
            f'<blockquote style="margin-left:12px; color:{colors.muted};">',
        ),
        (
            "<table>",
            f'<table cellspacing="0" cellpadding="6" border="1" '
            f'style="border-color:{colors.border}; border-style:solid; '
            f'border-collapse:collapse; margin-bottom:8px;">',
        ),
        ("<th>", f'<th align="left" style="background-color:{colors.inline_code};">'),
        ("<code>", f'<code style="background-color:{colors.inline_code}; {mono}">&#8202;'),
        ("</code>", "&#8202;</code>"),
        ("<pre>", f'<pre style="background-color:{colors.inline_code}; {mono}">'),
        ("<a href=", f'<a style="color:{colors.link}; text-decoration:none;" href='),
        ("<hr />", f'<hr style="color:{colors.border};" />'),
    ]


def style_html(rendered: str, colors: HtmlColors) -> str:
    """Add inline styles to markdown-it's plain tags."""
    for tag, styled in _tag_styles(colors):
        rendered = rendered.replace(tag, styled)
    # `<pre><code>` inside lists: the inner code needs no second background or padding.
    rendered = re.sub(r"(<pre[^>]*>)<code[^>]*>&#8202;", r"\1<code>", rendered)
    # The gap after the last block comes from the body layout, not from the HTML.
    head, found, tail = rendered.rpartition("margin-bottom:8px;")
    if found and "margin-bottom" not in tail:
        rendered = head + "margin-bottom:0;" + tail
    return rendered.rstrip("\n")


def _code_of(token: Token) -> CodeSegment:
    code = token.content
    if code.endswith("\n"):
        code = code[:-1]
    language = normalise_language(token.info) if token.type == "fence" else ""
    return CodeSegment(code=code, language=language)


def render_segments(text: str, colors: HtmlColors | None = None) -> list[Segment]:
    """Parse ``text`` and split it into text and code segments, in order."""
    colors = colors or HtmlColors()
    parser = _parser()
    env: dict[str, object] = {}
    tokens = parser.parse(text, env)
    segments: list[Segment] = []
    pending: list[Token] = []

    def flush() -> None:
        if pending:
            rendered = parser.renderer.render(pending, parser.options, env)
            if rendered.strip():
                segments.append(TextSegment(style_html(rendered, colors)))
            pending.clear()

    for token in tokens:
        if token.level == 0 and token.type in ("fence", "code_block"):
            flush()
            segments.append(_code_of(token))
        else:
            pending.append(token)
    flush()
    return segments


_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")


def open_fence(text: str) -> tuple[str, str] | None:
    """If ``text`` starts with a fence opening line, (language, code after it); else None."""
    first, newline, rest = text.partition("\n")
    match = _FENCE.match(first)
    if not match or not newline:
        return None
    return normalise_language(match.group(2)), rest


def stable_boundary(text: str, start: int = 0) -> int:
    """The largest index ≥ ``start`` before which rendering is final for a growing text.

    ``start`` must itself be a boundary (0 or a previous result). Boundaries are: after a
    closing fence line, after a blank line that ends a paragraph outside a fence, and
    before a fence opening line. Only complete lines (ending in a newline) count.
    """
    boundary = start
    position = start
    fence: str | None = None
    previous_blank = True
    while True:
        end = text.find("\n", position)
        if end < 0:
            return boundary
        line = text[position:end]
        match = _FENCE.match(line)
        if fence is None:
            if match:
                boundary = position
                fence = match.group(1)
            elif not line.strip():
                if not previous_blank:
                    boundary = end + 1
                previous_blank = True
            else:
                previous_blank = False
        elif match and _closes(match, fence):
            fence = None
            boundary = end + 1
            previous_blank = True
        position = end + 1


def _closes(match: re.Match[str], fence: str) -> bool:
    """A closing fence: same character, at least as long, nothing after it."""
    marker = match.group(1)
    return marker[0] == fence[0] and len(marker) >= len(fence) and not match.group(2).strip()


_TEXT_RUN = re.compile(r">([^<]+)<")


def mark_terms(rendered: str, term: str, colors: HtmlColors) -> str:
    """Wrap case-insensitive occurrences of ``term`` in text (not in tags) with a mark."""
    if not term.strip():
        return rendered
    needle = re.compile(re.escape(html.escape(term, quote=False)), re.IGNORECASE)
    style = f"background-color:{colors.mark}; color:{colors.mark_text};"

    def mark_run(match: re.Match[str]) -> str:
        marked = needle.sub(lambda hit: f'<span style="{style}">{hit.group(0)}</span>', match[1])
        return f">{marked}<"

    return _TEXT_RUN.sub(mark_run, f"<span>{rendered}</span>")
