"""build.spec and the entry script, read without running PyInstaller."""

import ast

import versioning

SPEC = versioning.ROOT / "build.spec"


def _string_list(tree: ast.Module, name: str) -> set[str]:
    """The string literals in the list assigned to ``name`` at module level."""
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == name for target in node.targets
        ):
            return {
                item.value
                for item in ast.walk(node.value)
                if isinstance(item, ast.Constant) and isinstance(item.value, str)
            }
    raise AssertionError(f"{name} not found in build.spec")


def test_spec_is_valid_python_with_the_expected_lists() -> None:
    tree = ast.parse(SPEC.read_text(encoding="utf-8"), filename=str(SPEC))
    hidden = _string_list(tree, "HIDDEN_IMPORTS")
    assert {"anthropic", "openai", "ollama", "keyring.backends"} <= hidden
    excludes = _string_list(tree, "EXCLUDES")
    assert {"keyrings.alt", "tkinter", "pytest", "hypothesis", "mypy", "ruff"} <= excludes
    assert {"PyQt5", "PyQt6", "PySide2"} <= excludes


def test_lazily_imported_sdks_of_every_provider_are_hidden_imports() -> None:
    tree = ast.parse(SPEC.read_text(encoding="utf-8"))
    hidden = _string_list(tree, "HIDDEN_IMPORTS")
    providers = versioning.ROOT / "codeface" / "providers"
    sdks = set()
    for module in providers.glob("*_provider.py"):
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                sdks.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                sdks.add(node.module.split(".")[0])
    third_party = {name for name in sdks if name in {"anthropic", "openai", "ollama", "httpx"}}
    assert third_party
    assert third_party <= hidden


def test_entry_script_runs_the_cli_main() -> None:
    entry = (versioning.ROOT / "packaging" / "entry.py").read_text(encoding="utf-8")
    tree = ast.parse(entry)
    imports = [n for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    assert any(n.module == "codeface.cli" and n.names[0].name == "main" for n in imports)


def test_packaging_folder_does_not_shadow_pypi_packaging() -> None:
    assert not (versioning.ROOT / "packaging" / "__init__.py").exists()
    import packaging.version

    assert packaging.version.Version("1.2.3") > packaging.version.Version("1.2")
