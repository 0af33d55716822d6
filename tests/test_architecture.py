"""The rules that keep the architecture simple, checked on every run.

Nothing below `codeface/ui` imports Qt; the core imports no vendor SDK; widgets talk to
the bridge, not to providers or the store; heavy SDKs stay off the start-up path.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "codeface"
QT_MODULES = ("PySide6", "qasync", "shiboken6", "PyQt5", "PyQt6", "codeface.ui")
SDK_MODULES = ("anthropic", "openai", "ollama", "httpx", "httpx2")


def imported_modules(path: Path) -> list[str]:
    """Every module a file imports, at any depth (lazy imports included)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def offenders(folders: list[str], forbidden: tuple[str, ...]) -> list[str]:
    found = []
    for folder in folders:
        for path in sorted((PACKAGE / folder).rglob("*.py")):
            for name in imported_modules(path):
                if (
                    name == forbidden
                    or name.startswith(tuple(f"{f}." for f in forbidden))
                    or (name in forbidden)
                ):
                    found.append(f"{path.relative_to(PACKAGE.parent)} imports {name}")
    return found


def test_nothing_below_the_ui_imports_qt() -> None:
    layers = ["core", "providers", "store", "agents", "terminal", "commands"]
    assert offenders([layer for layer in layers if (PACKAGE / layer).is_dir()], QT_MODULES) == []


def test_top_level_engine_modules_do_not_import_qt() -> None:
    for name in ("app.py", "api.py", "conversation.py", "cli.py"):
        path = PACKAGE / name
        bad = [m for m in imported_modules(path) if m.startswith(QT_MODULES)]
        # cli.py may hand over to the window lazily, and only to codeface.ui.launch
        assert [m for m in bad if m != "codeface.ui.launch"] == [], name


def test_core_imports_no_vendor_sdk() -> None:
    assert offenders(["core"], SDK_MODULES) == []


def test_widgets_do_not_reach_providers_or_store() -> None:
    forbidden = ("codeface.providers", "codeface.store", "codeface.app", "codeface.conversation")
    folders = [
        f"ui/{name}" for name in ("widgets", "chat", "dialogs") if (PACKAGE / "ui" / name).is_dir()
    ]
    assert offenders(folders, forbidden) == []


@pytest.mark.parametrize(
    "code",
    [
        "import codeface.core.router, codeface.core.chat",
        "import codeface.app, codeface.conversation, codeface.cli",
        "from codeface.cli import build_parser; build_parser()",
    ],
)
def test_start_up_path_does_not_import_heavy_sdks(code: str) -> None:
    probe = (
        f"{code}\nimport sys\n"
        "heavy = [m for m in ('anthropic', 'openai', 'PySide6.QtWidgets') if m in sys.modules]\n"
        "print(','.join(heavy))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == ""


def test_version_command_is_light() -> None:
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "codeface", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0
    assert result.stdout.startswith("codeface ")
    imported = result.stderr
    for heavy in ("anthropic", "openai", "PySide6", "sqlite3"):
        assert f" {heavy}\n" not in imported, heavy
        assert f" {heavy}." not in imported, heavy
