"""Quick open (Ctrl+P) on the fake backend, keyboard only: type, move, Enter opens the file
(at a line with ``name:line``), Esc closes; long lists match in a worker, and Enter
pressed before the matches arrive opens the best one when they do."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from codeface.ui.code.panel import CodePanel
from codeface.ui.widgets import quick_open
from codeface.ui.widgets.quick_open import split_line
from tests.ui.code_fixtures import code_panel_on_screen, open_project
from tests.ui.conftest import wait_until
from tests.ui.fake_backend import FakeBackend
from tests.ui.fake_project import FAKE_ROOT


@pytest.fixture
def backend() -> FakeBackend:
    fake = FakeBackend()
    fake.files["src/widgets/main_window.py"] = "\n".join(f"line {n}" for n in range(1, 200))
    fake.files["docs/window-guide.md"] = "# Windows\n"
    return fake


@pytest_asyncio.fixture
async def panel(backend: FakeBackend) -> AsyncIterator[CodePanel]:
    async with code_panel_on_screen(backend) as widget:
        yield widget


async def popped_up(panel: CodePanel, backend: FakeBackend) -> quick_open.QuickOpen:
    await open_project(panel, backend)
    panel.quick_open()
    box = panel.quick_open_box
    await wait_until(lambda: box.files is not None)
    assert box.isVisible()
    assert box.edit.hasFocus()
    return box


def test_a_line_number_after_a_colon_is_split_off() -> None:
    assert split_line("src/app.py:42") == ("src/app.py", 42)
    assert split_line("app") == ("app", None)
    assert split_line("c:notanumber") == ("c:notanumber", None)
    assert split_line(":12") == (":12", None)


@pytest.mark.asyncio
async def test_type_move_and_enter_open_a_file_without_the_mouse(
    panel: CodePanel, backend: FakeBackend, qtbot: QtBot
) -> None:
    box = await popped_up(panel, backend)
    assert box.list.count() == len(backend.files)  # every file, before typing
    qtbot.keyClicks(box.edit, "win")
    labels = [box.list.item(row).data(quick_open.ROLE_PATH) for row in range(box.list.count())]
    assert labels[:2] == ["docs/window-guide.md", "src/widgets/main_window.py"]
    qtbot.keyClick(box.edit, Qt.Key.Key_Down)
    assert box.list.currentRow() == 1
    picked: list[tuple[str, int]] = []
    box.sig_open_file.connect(lambda path, line: picked.append((path, line)))
    qtbot.keyClick(box.edit, Qt.Key.Key_Return)
    assert picked == [("src/widgets/main_window.py", 0)]
    assert not box.isVisible()
    view = panel.tabs.current()
    assert view is not None
    assert view.path == "src/widgets/main_window.py"


@pytest.mark.asyncio
async def test_a_line_after_a_colon_opens_the_file_there(
    panel: CodePanel, backend: FakeBackend, qtbot: QtBot
) -> None:
    box = await popped_up(panel, backend)
    qtbot.keyClicks(box.edit, "mainwin:120")
    qtbot.keyClick(box.edit, Qt.Key.Key_Return)
    view = panel.tabs.current()
    assert view is not None
    await wait_until(lambda: view.loaded)
    assert view.editor.current_line() == 120


@pytest.mark.asyncio
async def test_escape_closes_and_no_match_says_so(
    panel: CodePanel, backend: FakeBackend, qtbot: QtBot
) -> None:
    box = await popped_up(panel, backend)
    qtbot.keyClicks(box.edit, "zzzz")
    assert box.status.text() == "No file matches"
    assert box.list.count() == 0
    qtbot.keyClick(box.edit, Qt.Key.Key_Return)  # nothing to open: stays
    assert box.isVisible()
    qtbot.keyClick(box.edit, Qt.Key.Key_Escape)
    assert not box.isVisible()
    assert panel.tabs.current() is None


@pytest.mark.asyncio
async def test_a_long_list_is_matched_in_a_worker_and_enter_waits_for_it(
    panel: CodePanel, backend: FakeBackend, qtbot: QtBot
) -> None:
    for number in range(quick_open.THREAD_THRESHOLD + 500):
        backend.files[f"pkg/module_{number:05}.py"] = ""
    box = await popped_up(panel, backend)
    box.edit.setText("module_03210")
    assert box._pending is not None  # matching in the worker thread
    qtbot.keyClick(box.edit, Qt.Key.Key_Return)  # before the matches are in
    await wait_until(lambda: panel.tabs.current() is not None)
    view = panel.tabs.current()
    assert view is not None
    assert view.path == "pkg/module_03210.py"


@pytest.mark.asyncio
async def test_files_changed_on_disk_are_listed_again(
    panel: CodePanel, backend: FakeBackend
) -> None:
    box = await popped_up(panel, backend)
    await wait_until(lambda: FAKE_ROOT in backend.watching)
    backend.change_on_disk("src/brand_new.py", "")
    await wait_until(lambda: box.files is not None and "src/brand_new.py" in box.files)
