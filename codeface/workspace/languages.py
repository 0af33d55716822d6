"""Which language a file is in, and its tree-sitter parser when one is installed.

Python is parsed with the standard library's ``ast``. JavaScript, TypeScript (and
TSX), Go and Rust use the individual tree-sitter grammar wheels (``tree-sitter-
javascript`` and friends): each bundles its compiled grammar, so nothing is downloaded
at run time. A grammar that is not installed simply means no symbols and no syntax
check for that language. Grammars load on first use, never at import.
"""

from __future__ import annotations

import importlib
from functools import cache
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from tree_sitter import Parser

Language = Literal["python", "javascript", "typescript", "tsx", "go", "rust"]

_BY_SUFFIX: dict[str, Language] = {
    ".py": "python",
    ".pyi": "python",
    ".js": "javascript",
    ".mjs": "javascript",
    ".cjs": "javascript",
    ".jsx": "javascript",
    ".ts": "typescript",
    ".mts": "typescript",
    ".cts": "typescript",
    ".tsx": "tsx",
    ".go": "go",
    ".rs": "rust",
}

# module, function returning the grammar's language pointer
_GRAMMARS: dict[Language, tuple[str, str]] = {
    "javascript": ("tree_sitter_javascript", "language"),
    "typescript": ("tree_sitter_typescript", "language_typescript"),
    "tsx": ("tree_sitter_typescript", "language_tsx"),
    "go": ("tree_sitter_go", "language"),
    "rust": ("tree_sitter_rust", "language"),
}


def language_of(relative: str) -> Language | None:
    """The language of a file by its suffix, or None for anything else."""
    return _BY_SUFFIX.get(PurePosixPath(relative).suffix.lower())


@cache
def parser_for(language: Language) -> Parser | None:
    """A tree-sitter parser for ``language``; None for Python or a grammar not installed."""
    grammar = _GRAMMARS.get(language)
    if grammar is None:
        return None
    try:
        import tree_sitter

        module = importlib.import_module(grammar[0])
        pointer = getattr(module, grammar[1])()
        return tree_sitter.Parser(tree_sitter.Language(pointer))
    except (ImportError, AttributeError, ValueError, TypeError):
        return None


def available_grammars() -> list[Language]:
    """The tree-sitter languages that can be parsed on this machine."""
    return [language for language in _GRAMMARS if parser_for(language) is not None]
