"""The checks an edit passes before writing: placeholders and syntax errors."""

from __future__ import annotations

import pytest

from codeface.workspace.syntax import new_placeholders, placeholder_lines, syntax_error

PLACEHOLDERS = [
    "# ... existing code ...",
    "    // ... rest of the code ...",
    "// rest of the file unchanged",
    "# Rest of the function remains the same",
    "…existing code…",
    "<rest of file unchanged>",
    "    # ... (previous code)",
    "// ...existing methods...",
    "# existing code here",
    "{/* ... existing JSX ... */}",
    "-- ... remaining queries ...",
    "// ...",
    "/* ... */",
    "<!-- ... -->",
]
CODE = [
    "x = ...",
    "def f(): ...",
    "    ...",
    "foo(...args)",
    'print("more...")',
    "# see the rest of the docs at https://example.org",
    "return rest",
    "// keep going",
    "const rest = [...items]",
    "# TODO: more tests",
    "# other options...",
    "rest_of_code = 1",
]


@pytest.mark.parametrize("line", PLACEHOLDERS)
def test_placeholder_lines_are_found(line: str) -> None:
    assert placeholder_lines(f"a = 1\n{line}\nb = 2\n") == [line.strip()]


@pytest.mark.parametrize("line", CODE)
def test_ordinary_code_is_not_a_placeholder(line: str) -> None:
    assert placeholder_lines(line) == []


def test_only_new_placeholders_count() -> None:
    before = "intro\n# ... existing code ...\n"
    assert new_placeholders(before, before + "more\n") == []
    assert new_placeholders(before, before + "// ...\n") == ["// ..."]


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("a.py", "def f(:\n", "line 1, column 7: invalid syntax"),
        ("a.pyi", "x: int\n", None),
        ("a.js", "function f( {\n", "line 1"),
        ("a.jsx", "const a = <div>{x}</div>;\n", None),
        ("a.ts", "let x: number = 1;\n", None),
        ("a.tsx", "const a = <b>{x</b>;\n", "line 1"),
        ("a.go", "package x\nfunc f() {\n", "line 2"),
        ("a.rs", "fn f() { let x = ; }", "line 1, column 16: unexpected '='"),
        ("a.rs", "fn f() { let x = 1 }", "missing ';'"),
        ("notes.md", "# ( unbalanced", None),
        ("a.py", "x = 1\n", None),
    ],
)
def test_syntax_errors_name_the_first_problem(name: str, text: str, expected: str | None) -> None:
    error = syntax_error(name, text)
    if expected is None:
        assert error is None
    else:
        assert error is not None
        assert expected in error
