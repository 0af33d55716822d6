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
SDK_MODULES = ("anthropic", "openai", "ollama", "httpx", "httpx2", "llama_cpp", "huggingface_hub")


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


LAYERS: dict[str, int] = {
    "core": 0,
    "providers": 1,
    "store": 1,
    "terminal": 1,
    "workspace": 2,
    "agents": 3,
    "application": 4,
    "app": 5,
    "commands": 6,
    "ui": 7,
    "cli": 8,
    "__main__": 9,
}
"""Imports point down: a module may import its own layer's package or a lower layer.
Packages on one layer do not import each other (providers, store and terminal only
need core)."""


def layer_of(module: str) -> str | None:
    """The top-level part of ``codeface.<part>...`` (None for modules outside codeface)."""
    parts = module.split(".")
    if parts[0] != "codeface" or len(parts) < 2:
        return None
    return parts[1]


def module_name(path: Path) -> str:
    relative = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(relative.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def all_modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_imports_point_down_the_layers() -> None:
    upward = []
    for path in all_modules():
        own = layer_of(module_name(path))
        if own is None or own not in LAYERS:
            continue
        for name in imported_modules(path):
            target = layer_of(name)
            if target is None or target == own:
                continue
            if own in ("cli", "__main__") and name == "codeface.ui.launch":
                continue  # the CLI hands over to the window lazily
            allowed = LAYERS.get(target, 99) < LAYERS[own]
            if not allowed:
                upward.append(f"{module_name(path)} ({own}) imports {name} ({target})")
    assert upward == []


def module_level_imports(path: Path, known: set[str]) -> set[str]:
    """codeface modules imported when ``path`` is imported (not lazily, not for typing);
    ``from package import submodule`` counts as importing the submodule."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            submodules = {f"{node.module}.{alias.name}" for alias in node.names} & known
            names.update(submodules or {node.module})
    return {name for name in names if name in known}


def test_no_import_cycles() -> None:
    known = {module_name(path): path for path in all_modules()}
    graph = {name: module_level_imports(path, set(known)) - {name} for name, path in known.items()}
    cycles: list[list[str]] = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                cycles.append([*stack[stack.index(target) :], target])
            elif target not in state:
                visit(target)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    assert cycles == []


def test_nothing_below_the_ui_imports_qt() -> None:
    layers = [name for name, rank in LAYERS.items() if rank < LAYERS["ui"]]
    folders = [layer for layer in layers if (PACKAGE / layer).is_dir()]
    assert offenders(folders, QT_MODULES) == []


def test_top_level_engine_modules_do_not_import_qt() -> None:
    for name in ("app.py", "cli.py"):
        path = PACKAGE / name
        bad = [m for m in imported_modules(path) if m.startswith(QT_MODULES)]
        # cli.py may hand over to the window lazily, and only to codeface.ui.launch
        assert [m for m in bad if m != "codeface.ui.launch"] == [], name


def test_core_imports_no_vendor_sdk() -> None:
    assert offenders(["core"], SDK_MODULES) == []


def test_widgets_do_not_reach_the_engine_directly() -> None:
    forbidden = (
        "codeface.providers",
        "codeface.store",
        "codeface.app",
        "codeface.application.backend",
        "codeface.application.conversation",
        "codeface.application.engine",
        "codeface.workspace",
        "codeface.agents",
    )
    folders = [
        f"ui/{folder.name}"
        for folder in (PACKAGE / "ui").iterdir()
        if (folder / "__init__.py").is_file()
    ]
    assert "ui/chat" in folders
    assert offenders(folders, forbidden) == []


@pytest.mark.parametrize(
    "code",
    [
        "import codeface.core.router, codeface.core.chat",
        "import codeface.app, codeface.application.backend, codeface.cli",
        "from codeface.cli import build_parser; build_parser()",
    ],
)
def test_start_up_path_does_not_import_heavy_sdks(code: str) -> None:
    probe = (
        f"{code}\nimport sys\n"
        "heavy = [m for m in ('anthropic', 'openai', 'PySide6.QtWidgets', 'llama_cpp', 'huggingface_hub', 'numpy') if m in sys.modules]\n"
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
