"""The file tree on the fake backend: folders first, git status letters and colours,
ignored entries greyed, folders listed only when opened (a big one a slice at a time),
changes on disk applied without losing what is expanded, Enter opens a file."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from PySide6.QtCore import QModelIndex, Qt
from pytestqt.qtbot import QtBot

from codeface.ui.code.panel import CodePanel
from codeface.ui.widgets import file_tree
from codeface.ui.widgets.file_tree import FileTree
from tests.ui.code_fixtures import code_panel_on_screen, open_project
from tests.ui.conftest import wait_until
from tests.ui.fake_backend import FakeBackend
from tests.ui.fake_project import FAKE_ROOT


@pytest.fixture
def backend() -> FakeBackend:
    fake = FakeBackend()
    fake.files["build/out.bin"] = None
    fake.files["notes.txt"] = "new notes\n"
    fake.ignored.add("build")
    fake.git["notes.txt"] = "new"
    return fake


@pytest_asyncio.fixture
async def panel(backend: FakeBackend) -> AsyncIterator[CodePanel]:
    async with code_panel_on_screen(backend) as widget:
        yield widget


def rows(tree: FileTree, parent: QModelIndex | None = None) -> list[tuple[str, str]]:
    model = tree.tree_model
    parent = parent or QModelIndex()
    return [
        (model.index(row, 0, parent).data(), model.index(row, 1, parent).data() or "")
        for row in range(model.rowCount(parent))
    ]


def index_of(tree: FileTree, path: str) -> QModelIndex:
    index = tree.tree_model.find(path)
    assert index is not None, path
    return index


async def shown(panel: CodePanel, backend: FakeBackend) -> FileTree:
    await open_project(panel, backend)
    await wait_until(lambda: "" in panel.tree.tree_model.loaded)
    return panel.tree


@pytest.mark.asyncio
async def test_the_top_folder_shows_folders_first_with_git_status(
    panel: CodePanel, backend: FakeBackend
) -> None:
    tree = await shown(panel, backend)
    assert rows(tree) == [
        ("build", ""),
        ("src", "M"),  # something inside changed
        ("logo.png", ""),
        ("notes.txt", "U"),
        ("README.md", ""),
    ]
    model = tree.tree_model
    build = index_of(tree, "build")
    notes = index_of(tree, "notes.txt")
    assert build.data(Qt.ItemDataRole.ForegroundRole).color() == model.colors["ignored"]  # grey
    assert notes.data(Qt.ItemDataRole.ForegroundRole).color() == model.colors["new"]
    assert notes.data(Qt.ItemDataRole.AccessibleTextRole) == "notes.txt, file, new (untracked)"
    assert backend.listed == [""]  # nothing below the top folder was listed yet


@pytest.mark.asyncio
async def test_a_folder_is_listed_when_it_is_opened(panel: CodePanel, backend: FakeBackend) -> None:
    tree = await shown(panel, backend)
    src = index_of(tree, "src")
    assert tree.tree_model.hasChildren(src)  # an arrow, though it was not listed
    assert rows(tree, src) == [("Loading…", "")]
    tree.expand(src)
    await wait_until(lambda: rows(tree, src) == [("app.py", "M"), ("util.py", "")])
    assert backend.listed == ["", "src"]
    assert rows(tree, src) == [("app.py", "M"), ("util.py", "")]


@pytest.mark.asyncio
async def test_enter_on_a_file_opens_it_and_on_a_folder_opens_the_folder(
    panel: CodePanel, backend: FakeBackend, qtbot: QtBot
) -> None:
    tree = await shown(panel, backend)
    tree.setFocus()
    tree.setCurrentIndex(index_of(tree, "src"))
    qtbot.keyClick(tree, Qt.Key.Key_Return)
    await wait_until(lambda: "src" in tree.tree_model.loaded)
    assert tree.isExpanded(index_of(tree, "src"))
    qtbot.keyClick(tree, Qt.Key.Key_Down)
    assert tree.currentIndex().data() == "app.py"
    opened: list[str] = []
    tree.sig_open_file.connect(opened.append)
    qtbot.keyClick(tree, Qt.Key.Key_Return)
    assert opened == ["src/app.py"]
    view = panel.tabs.current()
    assert view is not None
    assert view.path == "src/app.py"


@pytest.mark.asyncio
async def test_changes_on_disk_update_loaded_folders_and_keep_them_open(
    panel: CodePanel, backend: FakeBackend
) -> None:
    tree = await shown(panel, backend)
    await wait_until(lambda: FAKE_ROOT in backend.watching)
    tree.expand(index_of(tree, "src"))
    await wait_until(lambda: "src" in tree.tree_model.loaded)
    backend.git["src/new_module.py"] = "new"
    backend.change_on_disk("src/new_module.py", "x = 1\n")
    await wait_until(lambda: tree.tree_model.rowCount(index_of(tree, "src")) == 3)
    assert rows(tree, index_of(tree, "src"))[1] == ("new_module.py", "U")
    assert tree.isExpanded(index_of(tree, "src"))
    backend.change_on_disk("src/util.py", None)  # deleted
    await wait_until(lambda: tree.tree_model.rowCount(index_of(tree, "src")) == 2)
    assert [name for name, _ in rows(tree, index_of(tree, "src"))] == ["app.py", "new_module.py"]
    backend.git["README.md"] = "modified"
    backend.change_on_disk("README.md", "# Changed\n")
    await wait_until(lambda: ("README.md", "M") in rows(tree))
    assert backend.listed.count("build") == 0  # folders never opened are not listed


@pytest.mark.asyncio
async def test_a_big_folder_fills_a_slice_at_a_time(panel: CodePanel, backend: FakeBackend) -> None:
    for number in range(3 * file_tree.INSERT_SLICE + 7):
        backend.files[f"data/item_{number:05}.json"] = "{}"
    tree = await shown(panel, backend)
    inserts: list[int] = []
    tree.tree_model.rowsInserted.connect(
        lambda _parent, first, last: inserts.append(last - first + 1)
    )
    data = index_of(tree, "data")
    tree.expand(data)
    await wait_until(lambda: tree.tree_model.rowCount(data) == 3 * file_tree.INSERT_SLICE + 7)
    assert inserts == [file_tree.INSERT_SLICE] * 3 + [7]


@pytest.mark.asyncio
async def test_a_new_project_starts_the_tree_over_and_follows_its_disk(
    panel: CodePanel, backend: FakeBackend
) -> None:
    tree = await shown(panel, backend)
    await wait_until(lambda: FAKE_ROOT in backend.watching)
    backend.files = {"only.txt": "hi\n"}
    backend.git = {}
    backend.ignored = set()
    panel.set_project(await backend.open_project("/work/other"))
    await wait_until(lambda: rows(tree) == [("only.txt", "")])
    await wait_until(
        lambda: FAKE_ROOT not in backend.watching and "/work/other" in backend.watching
    )
    panel.set_project(None)
    assert panel.stack.currentWidget() is panel.empty
    await wait_until(lambda: not backend.watching)
    assert tree.tree_model.rowCount() == 0
