"""Checks an edit must pass before it reaches the disk: valid syntax, no placeholder text.

The syntax check parses the new text (Python with ``ast``; JavaScript, TypeScript, Go
and Rust with their tree-sitter grammar when installed) and names the first error.
Models that were asked for a whole file sometimes answer "... existing code ..." in
place of the code they did not repeat; writing that would destroy the file, so such a
line is refused unless it was already there.
"""

from __future__ import annotations

import ast
import re
import warnings
from typing import TYPE_CHECKING

from codeface.workspace.languages import language_of, parser_for

if TYPE_CHECKING:
    from tree_sitter import Node

_COMMENT = r"(?:#|//+|/\*+|<!--|--|;+|\*|\{/\*)?"
_WORDS = (
    r"(?:existing|rest|remaining|previous|unchanged|same|other|omitted|more|original|"
    r"keep|kept|your|leave|left)"
)
_NOUNS = (
    r"(?:code|file|class|classes|function|functions|method|methods|module|content|contents|"
    r"implementation|lines|imports|logic|body|tests|jsx|html|css|config|fields|properties)"
)
PLACEHOLDER = re.compile(
    rf"^[ \t]*{_COMMENT}[ \t]*(?:"
    rf"(?:\.\.\.|…)[ \t]*\(?[ \t]*{_WORDS}\b[^\n]*"  # ... existing code ...
    rf"|{_WORDS}[ \t]+(?:\w+[ \t]+)?{_NOUNS}\b[^\n]*"  # existing code here / rest of the code
    rf"|(?:rest|remainder)[ \t]+of[ \t]+(?:the[ \t]+)?{_NOUNS}\b[^\n]*"
    rf"|<(?:rest|remaining|existing)[^>\n]*>[^\n]*"  # <rest of file unchanged>
    rf")$"
    # a comment that is only an ellipsis: // ...
    r"|^[ \t]*(?:#|//+|/\*+|<!--|--)[ \t]*(?:\.\.\.|…)[ \t]*(?:\*/|-->)?[ \t]*$",
    re.IGNORECASE | re.MULTILINE,
)


def placeholder_lines(text: str) -> list[str]:
    """Lines of ``text`` that stand for code left out ("// ... existing code ...")."""
    return [match.group(0).strip() for match in PLACEHOLDER.finditer(text)]


def new_placeholders(before: str, after: str) -> list[str]:
    """Placeholder lines in ``after`` that ``before`` did not already contain."""
    already = set(placeholder_lines(before))
    return [line for line in placeholder_lines(after) if line not in already]


def syntax_error(relative: str, text: str) -> str | None:
    """The first syntax error in ``text`` ("line 3, column 9: invalid syntax"), else None.

    None also when the language is unknown or its grammar is not installed.
    """
    language = language_of(relative)
    if language is None:
        return None
    if language == "python":
        return _python_error(relative, text)
    parser = parser_for(language)
    if parser is None:
        return None
    tree = parser.parse(text.encode("utf-8"))
    if not tree.root_node.has_error:
        return None
    bad = _first_error(tree.root_node)
    if bad is None:
        return "the file does not parse"
    row, column = bad.start_point[0] + 1, bad.start_point[1] + 1
    if bad.is_missing:
        return f"line {row}, column {column}: missing {bad.type!r}"
    snippet = (bad.text or b"").decode("utf-8", "replace").strip().split("\n", 1)[0][:40]
    return (
        f"line {row}, column {column}: unexpected {snippet!r}"
        if snippet
        else (f"line {row}, column {column}: syntax error")
    )


def _python_error(relative: str, text: str) -> str | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SyntaxWarning)
            ast.parse(text, filename=relative)
    except SyntaxError as error:
        where = f"line {error.lineno}" + (f", column {error.offset}" if error.offset else "")
        return f"{where}: {error.msg}"
    except ValueError as error:  # source with NUL bytes
        return str(error)
    return None


def _first_error(node: Node) -> Node | None:
    """The first ERROR or MISSING node in document order."""
    if node.is_error or node.is_missing:
        return node
    for child in node.children:
        if child.has_error or child.is_missing or child.is_error:
            found = _first_error(child)
            if found is not None:
                return found
    return None
