"""The terminal engine stays Qt-free (the widgets live in codeface.ui)."""

from __future__ import annotations

import ast
from pathlib import Path

import codeface.terminal


def test_no_module_under_codeface_terminal_imports_qt_or_the_ui() -> None:
    folder = Path(codeface.terminal.__file__).parent
    offenders = []
    for path in folder.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [
                f"{path.name}: {name}"
                for name in names
                if name.startswith(("PySide6", "qasync", "codeface.ui"))
            ]
    assert offenders == []
