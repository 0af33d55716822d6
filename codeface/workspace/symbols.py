"""The definitions in a source file: classes, functions, methods, types, with a one-line signature.

Python through ``ast``; the other languages through their tree-sitter grammar (see
`languages`). Only declarations are collected (top level, and members of classes,
impls, traits, interfaces and modules), never locals inside function bodies.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from codeface.workspace.languages import Language, parser_for

if TYPE_CHECKING:
    from tree_sitter import Node

SIGNATURE_LIMIT = 120
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Symbol:
    """A definition: its name, kind, 1-based line, signature and the enclosing definition."""

    name: str
    kind: str
    line: int
    signature: str
    parent: str | None = None


def _short(text: str) -> str:
    text = _SPACES.sub(" ", text).strip()
    return text if len(text) <= SIGNATURE_LIMIT else text[: SIGNATURE_LIMIT - 1] + "…"


def extract_symbols(language: Language, text: str) -> list[Symbol]:
    """The definitions in ``text``; empty when it cannot be parsed or has no grammar."""
    if language == "python":
        return _python_symbols(text)
    parser = parser_for(language)
    if parser is None:
        return []
    source = text.encode("utf-8")
    tree = parser.parse(source)
    found: list[Symbol] = []
    _walk(tree.root_node, source, None, found, in_type=False)
    return found


# --- Python ---------------------------------------------------------------------------
def _python_symbols(text: str) -> list[Symbol]:
    try:
        module = ast.parse(text)
    except (SyntaxError, ValueError):
        return []
    found: list[Symbol] = []
    _python_body(module.body, None, found)
    return found


def _python_body(body: list[ast.stmt], parent: str | None, found: list[Symbol]) -> None:
    for node in body:
        if isinstance(node, ast.ClassDef):
            bases = ", ".join(ast.unparse(base) for base in node.bases)
            signature = f"class {node.name}({bases})" if bases else f"class {node.name}"
            found.append(Symbol(node.name, "class", node.lineno, _short(signature), parent))
            _python_body(node.body, node.name, found)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            prefix = "async def" if isinstance(node, ast.AsyncFunctionDef) else "def"
            returns = f" -> {ast.unparse(node.returns)}" if node.returns else ""
            signature = f"{prefix} {node.name}({ast.unparse(node.args)}){returns}"
            kind = "method" if parent else "function"
            found.append(Symbol(node.name, kind, node.lineno, _short(signature), parent))


# --- tree-sitter ----------------------------------------------------------------------
# node type -> symbol kind, for declarations whose name is the ``name`` field
_NAMED = {
    "function_declaration": "function",
    "generator_function_declaration": "function",
    "class_declaration": "class",
    "abstract_class_declaration": "class",
    "method_definition": "method",
    "interface_declaration": "interface",
    "type_alias_declaration": "type",
    "enum_declaration": "enum",
    "method_declaration": "method",
    "type_spec": "type",
    "function_item": "function",
    "function_signature_item": "function",
    "struct_item": "struct",
    "enum_item": "enum",
    "trait_item": "trait",
    "mod_item": "module",
    "type_item": "type",
    "macro_definition": "macro",
    "union_item": "union",
}
# containers whose members are declarations too
_CONTAINERS = {
    "program",
    "source_file",
    "export_statement",
    "class_body",
    "declaration_list",
    "type_declaration",
    "interface_body",
}
_MEMBER_BODY = {
    "class_declaration",
    "abstract_class_declaration",
    "trait_item",
    "mod_item",
    "impl_item",
}
_FUNCTION_VALUES = {"arrow_function", "function_expression", "function", "generator_function"}


def _text(node: Node, source: bytes) -> str:
    return source[node.start_byte : node.end_byte].decode("utf-8", "replace")


def _signature(node: Node, source: bytes) -> str:
    """The declaration's text up to its body: ``pub fn parse(input: &str) -> Ast``."""
    body = node.child_by_field_name("body")
    end = body.start_byte if body is not None else node.end_byte
    head = source[node.start_byte : end].decode("utf-8", "replace")
    return _short(head.split("\n{", 1)[0].rstrip(" {=;"))


def _walk(
    node: Node, source: bytes, parent: str | None, found: list[Symbol], *, in_type: bool
) -> None:
    """Collect declarations below ``node``; ``in_type``: inside a class, impl or trait."""
    for child in node.named_children:
        kind = child.type
        line = child.start_point[0] + 1
        if kind in _CONTAINERS:
            _walk(child, source, parent, found, in_type=in_type)
        elif kind == "impl_item":
            target = child.child_by_field_name("type")
            owner = _text(target, source) if target is not None else "impl"
            found.append(Symbol(owner, "impl", line, _signature(child, source), parent))
            body = child.child_by_field_name("body")
            if body is not None:
                _walk(body, source, owner, found, in_type=True)
        elif kind in _NAMED:
            name_node = child.child_by_field_name("name")
            if name_node is None:
                continue
            name = _text(name_node, source)
            symbol_kind = "method" if in_type and _NAMED[kind] == "function" else _NAMED[kind]
            signature = _signature(child, source)
            if kind == "type_spec":
                signature = "type " + signature
            found.append(Symbol(name, symbol_kind, line, signature, parent))
            body = child.child_by_field_name("body")
            if kind in _MEMBER_BODY and body is not None:
                _walk(body, source, name, found, in_type=kind != "mod_item")
        elif kind in ("lexical_declaration", "variable_declaration") and parent is None:
            for declarator in child.named_children:
                value = declarator.child_by_field_name("value")
                name_node = declarator.child_by_field_name("name")
                if value is None or name_node is None or value.type not in _FUNCTION_VALUES:
                    continue
                signature = _short(_text(child, source).split("=>", 1)[0].split("{", 1)[0])
                found.append(Symbol(_text(name_node, source), "function", line, signature, None))
