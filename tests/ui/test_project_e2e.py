"""End to end: the real window and `AppBackend` on a real git repository in a temporary
folder. Open the project, the tree shows git status from real git, open a file, edit,
save (the file on disk changes), change files on disk (the tree and the view notice),
and a save over a file changed meanwhile is refused with the edits kept."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from codeface.app import build_backend
from codeface.core.paths import app_paths
from codeface.core.settings import Settings, save_settings
from codeface.ui.bridge import Bridge
from codeface.ui.main_window import MainWindow
from tests.fakes.ollama_server import OllamaServer
from tests.ui.conftest import wait_until

pytest_plugins = ["tests.fakes.fixtures"]
DISK_TIMEOUT = 15.0
"""Seconds to wait for a change on disk to reach the window (the watcher batches ~300 ms)."""


def git(folder: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=test@example.com", *args],
        cwd=folder,
        check=True,
        capture_output=True,
    )


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    """A repository with a committed file changed since, an untracked file and an ignored
    folder."""
    folder = tmp_path / "shop"
    (folder / "src").mkdir(parents=True)
    (folder / "build").mkdir()
    (folder / ".gitignore").write_text("build/\n", encoding="utf-8")
    (folder / "src" / "cart.py").write_text(
        "def total(items):\n    return sum(items)\n", encoding="utf-8"
    )
    (folder / "README.md").write_text("# Shop\n", encoding="utf-8")
    git(folder, "init", "-q")
    git(folder, "add", ".")
    git(folder, "commit", "-q", "-m", "start")
    (folder / "README.md").write_text("# Shop\n\nChanged.\n", encoding="utf-8")
    (folder / "notes.txt").write_text("todo\n", encoding="utf-8")
    (folder / "build" / "out.o").write_bytes(b"\x00\x01")
    return folder


@pytest.fixture
def configured(ollama_server: OllamaServer) -> None:
    settings = Settings()
    settings.ollama.hosts = [ollama_server.url]
    settings.general.model = "qwen2.5-coder:7b"
    save_settings(settings, app_paths().settings_file)


def tree_rows(window: MainWindow, path: str = "") -> dict[str, str]:
    panel = window.code_panel
    assert panel is not None
    model = panel.tree.tree_model
    if path not in model.loaded:
        return {}
    parent = model.folder_index(path)
    return {
        model.index(row, 0, parent).data(): model.index(row, 1, parent).data() or ""
        for row in range(model.rowCount(parent))
    }


@pytest.mark.usefixtures("close_windows", "configured")
@pytest.mark.asyncio
async def test_open_edit_save_and_follow_the_disk_on_a_real_repository(repository: Path) -> None:
    window = MainWindow(Bridge(build_backend()), project=str(repository))
    window.show()
    await window.start()
    assert window.project is not None
    assert window.project.name == "shop"
    panel = window.code_panel
    assert panel is not None
    window.show_code()
    await wait_until(lambda: "" in panel.tree.tree_model.loaded, timeout=10)
    rows = tree_rows(window)
    assert rows == {
        "build": "",
        "src": "",
        ".gitignore": "",
        "notes.txt": "U",
        "README.md": "M",
    }
    build = panel.tree.tree_model.find("build")
    assert build is not None
    ignored = panel.tree.tree_model.colors["ignored"]
    assert build.data(Qt.ItemDataRole.ForegroundRole).color() == ignored

    view = window.open_file("src/cart.py", 2)
    assert view is not None
    await wait_until(lambda: view.loaded and view.highlighter.fully_lexed, timeout=10)
    assert view.editor.current_line() == 2
    assert view.editor.document().firstBlock().layout().formats()  # coloured
    view.set_editing(True)
    view.editor.moveCursor(view.editor.textCursor().MoveOperation.End)
    view.editor.insertPlainText("\n\ndef count(items):\n    return len(items)\n")
    assert await view.save_now()
    on_disk = (repository / "src" / "cart.py").read_text(encoding="utf-8")
    assert on_disk.endswith("def count(items):\n    return len(items)\n")
    assert not view.modified

    # The tree notices the save (git now says modified) and a file made by someone else.
    (repository / "src" / "tax.py").write_text("RATE = 0.2\n", encoding="utf-8")
    source = panel.tree.tree_model.find("src")
    assert source is not None
    panel.tree.expand(source)
    await wait_until(lambda: tree_rows(window).get("src") == "M", timeout=DISK_TIMEOUT)
    await wait_until(
        lambda: tree_rows(window, "src") == {"cart.py": "M", "tax.py": "U"}, timeout=DISK_TIMEOUT
    )

    # An unedited view follows a change on disk by itself.
    (repository / "src" / "cart.py").write_text(
        "def total(items):\n    return 0\n", encoding="utf-8"
    )
    await wait_until(
        lambda: view.editor.toPlainText() == "def total(items):\n    return 0\n",
        timeout=DISK_TIMEOUT,
    )

    # An edited one keeps the edits; saving over the newer file is refused.
    view.editor.moveCursor(view.editor.textCursor().MoveOperation.End)
    view.editor.insertPlainText("# mine\n")
    (repository / "src" / "cart.py").write_text("# theirs\n", encoding="utf-8")
    await wait_until(lambda: view.message.isVisible(), timeout=DISK_TIMEOUT)
    assert view.message.kind == "changed"
    assert not await view.save_now()
    assert view.message.kind == "conflict"
    assert (repository / "src" / "cart.py").read_text(encoding="utf-8") == "# theirs\n"
    assert view.text.endswith("# mine\n")
    await window.shutdown()


@pytest.mark.usefixtures("close_windows", "configured")
@pytest.mark.asyncio
async def test_binary_and_huge_files_show_a_notice_not_a_hang(repository: Path) -> None:
    with (repository / "huge.log").open("wb") as stream:
        stream.truncate(21 * 1024 * 1024)  # sparse: over the 20 MB the view opens
    (repository / "latin1.txt").write_bytes("caf\xe9\n".encode("latin-1"))
    window = MainWindow(Bridge(build_backend()), project=str(repository))
    window.show()
    await window.start()
    for path, words in (
        ("build/out.o", "binary"),
        ("huge.log", "too large"),
        ("latin1.txt", "not UTF-8"),
    ):
        view = window.open_file(path)
        assert view is not None
        await wait_until(lambda view=view: view.read_done, timeout=10)  # type: ignore[misc]
        assert words in view.notice.text_label.text()
        assert not view.loaded
    await window.shutdown()


@pytest.mark.usefixtures("close_windows", "configured")
@pytest.mark.asyncio
async def test_quick_open_offers_source_files_not_caches_or_binaries(repository: Path) -> None:
    # A project that forgot to ignore its caches: the tree shows them, quick open does not.
    (repository / "src" / "__pycache__").mkdir()
    (repository / "src" / "__pycache__" / "cart.cpython-312.pyc").write_bytes(b"\x00" * 64)
    (repository / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    window = MainWindow(Bridge(build_backend()), project=str(repository))
    window.show()
    await window.start()
    panel = window.code_panel
    assert panel is not None
    window.quick_open()
    await wait_until(lambda: panel.quick_open_box.files is not None, timeout=10)
    assert sorted(panel.quick_open_box.files or []) == [
        ".gitignore",
        "README.md",
        "notes.txt",
        "src/cart.py",
    ]
    panel.quick_open_box.close_popup()
    await window.shutdown()
