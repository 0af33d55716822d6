"""Markdown → segments for the chat: rich-text HTML runs and fenced code blocks.

markdown-it-py parses (CommonMark + tables + strikethrough; raw HTML is escaped, so a
model cannot inject markup). Top-level code blocks become `CodeSegment`s, rendered by
their own widget with a header bar; everything else becomes `TextSegment` HTML, with
inline styles Qt's rich-text engine understands (it has no stylesheet for QLabel).

`stable_boundary` finds where a streaming answer can be cut: text before it will not
change its rendering when more tokens arrive, so it is rendered once and never again.
`safe_cuts` says which of those cuts also split the *final* document cleanly (the parts,
rendered apart and their text runs joined with `merge_text`, equal the whole rendered at
once), so a finished answer can keep what was rendered while it streamed.
No Qt here.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.token import Token

from codeface.ui.highlight import normalise_language


@dataclass(frozen=True)
class TextSegment:
    """A run of rendered Markdown (paragraphs, lists, tables...) as Qt rich-text HTML."""

    html: str
    raw: str = field(default="", compare=False)
    """The styled HTML before `finish_html` (what `merge_text` joins)."""


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


def style_tags(rendered: str, colors: HtmlColors) -> str:
    """Add inline styles to markdown-it's plain tags (block by block: joins commute)."""
    for tag, styled in _tag_styles(colors):
        rendered = rendered.replace(tag, styled)
    # `<pre><code>` inside lists: the inner code needs no second background or padding.
    return re.sub(r"(<pre[^>]*>)<code[^>]*>&#8202;", r"\1<code>", rendered)


def finish_html(styled: str) -> str:
    """The label HTML of a whole text run: no gap after its last block."""
    # The gap after the last block comes from the body layout, not from the HTML.
    head, found, tail = styled.rpartition("margin-bottom:8px;")
    if found and "margin-bottom" not in tail:
        styled = head + "margin-bottom:0;" + tail
    return styled.rstrip("\n")


def style_html(rendered: str, colors: HtmlColors) -> str:
    """Add inline styles to markdown-it's plain tags."""
    return finish_html(style_tags(rendered, colors))


def merge_text(segments: list[TextSegment]) -> TextSegment:
    """Adjacent text runs as one run (what rendering their joined Markdown gives)."""
    if len(segments) == 1:
        return segments[0]
    raw = "".join(segment.raw for segment in segments)
    return TextSegment(finish_html(raw), raw)


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
                styled = style_tags(rendered, colors)
                segments.append(TextSegment(finish_html(styled), styled))
            pending.clear()

    for token in tokens:
        if token.level == 0 and token.type in ("fence", "code_block"):
            flush()
            segments.append(_code_of(token))
        else:
            pending.append(token)
    flush()
    return segments


_FENCE = re.compile(r"^ {0,3}(`{3,}(?=[^`]*$)|~{3,})(.*)$")
"""A fence line (a backtick fence's info string has no backtick)."""


def open_fence(text: str) -> tuple[str, str] | None:
    """If ``text`` starts with a fence opening line, (language, code after it); else None."""
    first, newline, rest = text.partition("\n")
    match = _FENCE.match(first)
    if not match or not newline:
        return None
    return normalise_language(match.group(2)), rest


_CONTINUES = re.compile(r"(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)|>")
"""After a blank line, a line that may continue the block before it (list, quote)."""

_REFERENCE = re.compile(r"^ {0,3}\[[^\]\n]+\]:", re.MULTILINE)


def _cuts(text: str, start: int = 0) -> Iterator[tuple[int, bool | None]]:
    """Cut points after ``start`` (a cut point itself), each with whether it is safe.

    A cut is after a blank line that ends a block outside a fence, before a fence
    opening line, or after a closing fence; only complete lines count. It is *safe*
    when the block after it cannot belong to the block before it: a fence at column 0,
    or after a blank line, a line at column 0 that does not start a list item or quote
    while one may be open. None: not known yet (the next line has not arrived).
    """
    position = start
    fence: str | None = None
    fence_indent = 0
    trusted = True  # False once the scan may disagree with the parser (see below)
    container = False  # a list item or quote may be open
    previous_blank = True
    blank_cut = -1
    while True:
        end = text.find("\n", position)
        if end < 0:
            break
        line = text[position:end]
        match = _FENCE.match(line)
        if fence is None:
            if not line.strip():
                if not previous_blank:
                    blank_cut = end + 1
                previous_blank = True
            else:
                starts = _CONTINUES.match(line.lstrip())
                new_block = trusted and not line[0].isspace() and not (starts and container)
                if blank_cut >= 0 and (blank_cut != position or not match):
                    yield blank_cut, new_block
                    container = container and not new_block
                blank_cut = -1
                if match:
                    yield position, new_block
                    container = container and not new_block
                    fence = match.group(1)
                    fence_indent = len(line) - len(line.lstrip(" "))
                elif starts:
                    container = True
                previous_blank = False
        else:
            # An indented fence may sit in a list item: a line indented less ends the
            # item, and with it the fence, where this scan cannot follow the parser.
            if fence_indent and line.strip() and _indent(line) < fence_indent:
                trusted = False
            if match and _closes(match, fence):
                fence = None
                yield end + 1, trusted and not fence_indent
                previous_blank = True
        position = end + 1
    if blank_cut >= 0:
        yield blank_cut, None if trusted else False


def _indent(line: str) -> int:
    expanded = line.expandtabs(4)
    return len(expanded) - len(expanded.lstrip())


def stable_boundary(text: str, start: int = 0) -> int:
    """The largest index ≥ ``start`` before which rendering is final for a growing text.

    ``start`` must itself be a boundary (0 or a previous result). Boundaries are: after a
    closing fence line, after a blank line that ends a paragraph outside a fence, and
    before a fence opening line. Only complete lines (ending in a newline) count.
    """
    cuts = [position for position, _safe in _cuts(text, start)]
    return cuts[-1] if cuts else start


def safe_cuts(text: str) -> set[int]:
    """The cut points of the finished ``text`` where its rendering splits cleanly.

    Rendering the parts between safe cuts apart and joining adjacent text runs with
    `merge_text` gives what rendering ``text`` at once gives. Empty when the text has a
    link reference definition: that changes links anywhere in the text.
    """
    if _REFERENCE.search(text):
        return set()
    return {position for position, safe in _cuts(text) if safe is not False}


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
