"""Search in the project on the fake backend: hits grouped by file, Enter on a hit opens
the file at its line, a bad pattern is said in one line."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from codeface.ui.code.panel import CodePanel
from tests.ui.code_fixtures import code_panel_on_screen, open_project
from tests.ui.conftest import wait_until
from tests.ui.fake_backend import FakeBackend


@pytest_asyncio.fixture
async def panel(fake_backend: FakeBackend) -> AsyncIterator[CodePanel]:
    fake_backend.files["src/more.py"] = "x = 1\n\n\ndef add_more():\n    return add(1, 2)\n"
    async with code_panel_on_screen(fake_backend) as widget:
        yield widget


@pytest.mark.asyncio
async def test_hits_are_grouped_by_file_and_open_at_their_line(
    panel: CodePanel, fake_backend: FakeBackend, qtbot: QtBot
) -> None:
    await open_project(panel, fake_backend)
    panel.focus_search()
    search = panel.search
    assert panel.side.currentWidget() is search
    assert search.box.hasFocus()
    searched: list[tuple[str, int]] = []
    search.sig_searched.connect(lambda pattern, count: searched.append((pattern, count)))
    qtbot.keyClicks(search.box, "add")
    qtbot.keyClick(search.box, Qt.Key.Key_Return)
    await wait_until(lambda: searched == [("add", 3)])
    assert search.status.text() == "3 matches in 2 files"
    files = [
        search.results.topLevelItem(n).text(0) for n in range(search.results.topLevelItemCount())
    ]
    assert files == ["src/more.py  (2)", "src/util.py  (1)"]
    first_file = search.results.topLevelItem(0)
    assert first_file is not None
    assert [first_file.child(n).text(0) for n in range(2)] == [
        "4: def add_more():",
        "5: return add(1, 2)",
    ]
    search.results.setFocus()
    search.results.setCurrentItem(first_file.child(1))
    opened: list[tuple[str, int]] = []
    search.sig_open_file.connect(lambda path, line: opened.append((path, line)))
    qtbot.keyClick(search.results, Qt.Key.Key_Return)
    assert opened == [("src/more.py", 5)]
    view = panel.tabs.current()
    assert view is not None
    await wait_until(lambda: view.loaded and view.editor.current_line() == 5)


@pytest.mark.asyncio
async def test_a_bad_pattern_and_no_hits_are_said(
    panel: CodePanel, fake_backend: FakeBackend
) -> None:
    await open_project(panel, fake_backend)
    search = panel.search
    searched: list[tuple[str, int]] = []
    search.sig_searched.connect(lambda pattern, count: searched.append((pattern, count)))
    search.box.setText("add(")
    search.search()
    await wait_until(lambda: searched == [("add(", -1)])
    assert "regular expression" in search.status.text()
    search.box.setText("nothing like this")
    search.search()
    await wait_until(lambda: len(searched) == 2)
    assert search.status.text() == "No matches"
    assert search.results.topLevelItemCount() == 0
