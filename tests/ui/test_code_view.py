"""The code view on the fake backend: colours where the user looks, line numbers, find, go
to line, read-only until Edit, saving through the backend, conflicts that keep the edits,
notices for files that cannot be shown, tabs."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from codeface.ui.code import lexing
from codeface.ui.code.code_view import CodeView
from codeface.ui.code.panel import CodePanel
from tests.ui.code_fixtures import code_panel_on_screen, open_project
from tests.ui.conftest import wait_until
from tests.ui.fake_backend import FakeBackend
from tests.ui.fake_project import FAKE_ROOT

LONG_FILE_LINES = 20_000


@pytest.fixture
def backend() -> FakeBackend:
    fake = FakeBackend()
    fake.files["src/long.py"] = 'DOC = """first\nsecond\n"""\n' + "".join(
        f"def function_{n}(value):\n    return value + {n}  # line\n"
        for n in range(LONG_FILE_LINES // 2)
    )
    fake.files["src/emoji.py"] = "x = '😀😀'; y = 1\n"
    fake.files["windows.txt"] = "one\r\ntwo\r\n"
    return fake


@pytest_asyncio.fixture
async def panel(backend: FakeBackend) -> AsyncIterator[CodePanel]:
    async with code_panel_on_screen(backend, 1000, 700) as widget:
        yield widget


async def opened(
    panel: CodePanel, backend: FakeBackend, path: str, line: int | None = None
) -> CodeView:
    if panel.project is None:
        await wait_until(panel.isActiveWindow)
        await open_project(panel, backend)
    view = panel.open_file(path, line)
    assert view is not None
    await wait_until(lambda: view.read_done)
    return view


def formats_of(view: CodeView, line: int) -> list[tuple[int, int, str]]:
    """(start, length, colour) of the colours set on a line (1-based)."""
    block = view.editor.document().findBlockByNumber(line - 1)
    return [
        (r.start, r.length, r.format.foreground().color().name()) for r in block.layout().formats()
    ]


def keyword_colour() -> str:
    from pygments.token import Keyword

    colour = lexing.token_style("default", lexing.token_id(Keyword)).color
    assert colour is not None
    return colour


@pytest.mark.asyncio
async def test_a_file_opens_read_only_coloured_with_line_numbers(
    panel: CodePanel, backend: FakeBackend
) -> None:
    view = await opened(panel, backend, "src/app.py")
    await wait_until(lambda: view.highlighter.fully_lexed)
    assert view.editor.toPlainText() == backend.files["src/app.py"]
    assert view.editor.isReadOnly()
    assert (0, 3, keyword_colour()) in formats_of(view, 1)  # "def"
    assert view.editor.gutter.isVisible()
    assert view.editor.viewportMargins().left() == view.editor.gutter_width() > 0
    assert "Read-only" in view.position_label.text()
    assert panel.tabs.tabs.tabText(0) == "app.py"


@pytest.mark.asyncio
async def test_colours_land_on_the_right_characters_after_non_ascii_text(
    panel: CodePanel, backend: FakeBackend
) -> None:
    view = await opened(panel, backend, "src/emoji.py")
    await wait_until(lambda: view.highlighter.fully_lexed)
    # '😀😀' is 4 Python characters of text plus quotes, but 6 UTF-16 units: "y" must be
    # coloured where Qt has it, after the string.
    line = view.editor.document().firstBlock().text()
    y_position = len(line[: line.index("y")].encode("utf-16-le")) // 2
    starts = [start for start, _length, _colour in formats_of(view, 1)]
    assert 4 in starts  # the string
    string_run = next(r for r in formats_of(view, 1) if r[0] == 4)
    assert string_run[1] == 6
    assert y_position not in starts or y_position == 12  # a plain name has no run of its own
    assert all(
        start + length <= len(line.encode("utf-16-le")) // 2
        for start, length, _ in formats_of(view, 1)
    )


@pytest.mark.asyncio
async def test_a_20000_line_file_colours_the_screen_first_and_the_rest_when_shown(
    panel: CodePanel, backend: FakeBackend
) -> None:
    view = await opened(panel, backend, "src/long.py")
    await wait_until(lambda: view.highlighter.fully_lexed, timeout=30)
    highlighter = view.highlighter
    document = view.editor.document()
    assert document.blockCount() == backend.files["src/long.py"].count("\n") + 1
    assert highlighter.slices > 1  # lexed a slice at a time, the window painting between
    assert formats_of(view, 2)  # inside the docstring: coloured as a string
    far = document.findBlockByNumber(15_000)
    assert far.userState() != document.firstBlock().userState()  # never shown: not coloured
    assert not far.layout().formats()
    view.go_to_line(15_001)
    await wait_until(lambda: bool(formats_of(view, 15_001)))
    assert view.editor.current_line() == 15_001
    assert (0, 3, keyword_colour()) in formats_of(view, 15_001) or formats_of(view, 15_002)


@pytest.mark.asyncio
async def test_a_search_hit_opens_a_long_file_at_its_line(
    panel: CodePanel, backend: FakeBackend
) -> None:
    view = await opened(panel, backend, "src/long.py", line=18_000)
    await wait_until(lambda: not view.highlighter.loading and view.editor.current_line() == 18_000)
    first = view.editor.firstVisibleBlock().blockNumber()
    assert first < 18_000 < first + 60  # the line is on screen
    await wait_until(lambda: bool(formats_of(view, 18_000)) or bool(formats_of(view, 18_001)))


@pytest.mark.asyncio
async def test_binary_too_large_and_undecodable_files_show_the_notice(
    panel: CodePanel, backend: FakeBackend
) -> None:
    backend.files["big.log"] = "x"
    backend.file_notices["big.log"] = "big.log is too large to show (50.0 MB, over 20.0 MB)"
    backend.files["latin1.txt"] = "x"
    backend.file_notices["latin1.txt"] = (
        "latin1.txt is not UTF-8 text (10 B, byte 0xe9 at offset 3)"
    )
    for path, words in (
        ("logo.png", "binary"),
        ("big.log", "too large"),
        ("latin1.txt", "not UTF-8"),
    ):
        view = await opened(panel, backend, path)
        assert view.body.currentWidget() is view.notice
        assert words in view.notice.text_label.text()
        assert not view.edit_button.isEnabled()


@pytest.mark.asyncio
async def test_find_goes_from_match_to_match_counts_them_and_escape_closes(
    panel: CodePanel, backend: FakeBackend, qtbot: QtBot
) -> None:
    backend.files["src/many.py"] = "value = 1\nother = value\nvalue += other\n"
    view = await opened(panel, backend, "src/many.py")
    view.editor.setFocus()
    qtbot.keyClick(view.editor, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    bar = view.find_bar
    assert bar.isVisible()
    assert bar.edit.hasFocus()
    qtbot.keyClicks(bar.edit, "value")
    assert bar.count_label.text() == "1 of 3"
    assert view.editor.textCursor().selectedText() == "value"
    assert view.editor.current_line() == 1
    qtbot.keyClick(bar.edit, Qt.Key.Key_Return)
    assert bar.count_label.text() == "2 of 3"
    assert view.editor.current_line() == 2
    qtbot.keyClick(bar.edit, Qt.Key.Key_Return)
    qtbot.keyClick(bar.edit, Qt.Key.Key_Return)  # wraps to the top
    assert bar.count_label.text() == "1 of 3"
    qtbot.keyClick(bar.edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    assert bar.count_label.text() == "3 of 3"
    assert len(view.editor.extra_marks) == 3  # every match on screen is marked
    bar.edit.setText("nowhere")
    assert bar.count_label.text() == "No matches"
    qtbot.keyClick(bar.edit, Qt.Key.Key_Escape)
    assert not bar.isVisible()
    assert view.editor.hasFocus()
    assert view.editor.extra_marks == []


@pytest.mark.asyncio
async def test_go_to_line_with_ctrl_l_even_though_the_window_binds_it(
    panel: CodePanel, backend: FakeBackend, qtbot: QtBot
) -> None:
    # The window's "focus the message box" action owns Ctrl+L everywhere else.
    window_action = QAction("Focus the message box", panel)
    window_action.setShortcut(QKeySequence("Ctrl+L"))
    taken: list[bool] = []
    window_action.triggered.connect(lambda: taken.append(True))
    panel.addAction(window_action)
    view = await opened(panel, backend, "src/long.py")
    await wait_until(lambda: not view.highlighter.loading)
    view.editor.setFocus()
    qtbot.keyClick(view.editor, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    bar = view.go_to_line_bar
    assert bar.isVisible()
    assert taken == []
    bar.edit.setText("12345")
    qtbot.keyClick(bar.edit, Qt.Key.Key_Return)
    assert view.editor.current_line() == 12_345
    assert not bar.isVisible()
    qtbot.keyClick(view.editor, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)
    assert bar.isVisible()
    bar.edit.setText("seven")
    qtbot.keyClick(bar.edit, Qt.Key.Key_Return)
    assert bar.problem.text() == "Type a line number"
    qtbot.keyClick(bar.edit, Qt.Key.Key_Escape)
    assert not bar.isVisible()
    view.editor.clearFocus()
    panel.setFocus()
    qtbot.keyClick(panel, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert taken == [True]  # outside the code, Ctrl+L is the window's again


@pytest.mark.asyncio
async def test_edit_then_save_writes_through_the_backend(
    panel: CodePanel, backend: FakeBackend, qtbot: QtBot
) -> None:
    view = await opened(panel, backend, "src/util.py")
    view.editor.setFocus()
    qtbot.keyClicks(view.editor, "# typed while read-only")
    assert view.editor.toPlainText() == backend.files["src/util.py"]
    qtbot.keyClick(view.editor, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert view.editing
    view.editor.moveCursor(view.editor.textCursor().MoveOperation.End)
    qtbot.keyClicks(view.editor, "# added")
    assert view.modified
    assert panel.tabs.tabs.tabText(0) == "● util.py"
    assert view.save_button.isEnabled()
    qtbot.keyClick(view.editor, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    await wait_until(lambda: not view.modified)
    assert backend.files["src/util.py"].endswith("return a + b\n# added")
    assert backend.saved[-1][0] == "src/util.py"
    assert panel.tabs.tabs.tabText(0) == "util.py"
    assert not view.save_button.isEnabled()


@pytest.mark.asyncio
async def test_a_new_line_keeps_the_indentation(
    panel: CodePanel, backend: FakeBackend, qtbot: QtBot
) -> None:
    view = await opened(panel, backend, "src/util.py")
    view.set_editing(True)
    view.editor.go_to_line(2, 100)
    qtbot.keyClick(view.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClicks(view.editor, "pass")
    assert view.text.splitlines()[2] == "    pass"
    assert "\u2028" not in view.text


@pytest.mark.asyncio
async def test_windows_line_endings_are_kept_when_saving(
    panel: CodePanel, backend: FakeBackend
) -> None:
    view = await opened(panel, backend, "windows.txt")
    assert view.editor.document().blockCount() == 3
    view.set_editing(True)
    view.editor.go_to_line(1, 4)
    view.editor.insertPlainText("!")
    assert await view.save_now()
    assert backend.files["windows.txt"] == "one!\r\ntwo\r\n"


@pytest.mark.asyncio
async def test_a_save_refused_because_the_file_changed_keeps_the_edits(
    panel: CodePanel, backend: FakeBackend
) -> None:
    view = await opened(panel, backend, "src/util.py")
    view.set_editing(True)
    view.editor.insertPlainText("# mine\n")
    backend.change_on_disk("src/util.py", "# theirs\n", announce=False)
    assert not await view.save_now()
    assert backend.files["src/util.py"] == "# theirs\n"
    assert view.message.isVisible()
    assert view.message.kind == "conflict"
    assert "changed on disk" in view.message.label.text()
    assert view.text.startswith("# mine\n")  # nothing lost
    assert view.modified
    labels = [button.text() for button in view.message.buttons]
    assert labels == ["Reload from disk (drop my edits)", "Keep editing", "Overwrite the file"]
    view.message.buttons[1].click()  # keep editing
    assert not view.message.isVisible()
    assert view.text.startswith("# mine\n")
    assert not await view.save_now()  # still refused: the disk is still newer
    view.message.buttons[2].click()  # overwrite, knowingly
    await wait_until(lambda: backend.files["src/util.py"].startswith("# mine\n"))
    assert not view.modified


@pytest.mark.asyncio
async def test_reload_after_a_conflict_shows_the_disk(
    panel: CodePanel, backend: FakeBackend
) -> None:
    view = await opened(panel, backend, "src/util.py")
    view.set_editing(True)
    view.editor.insertPlainText("# mine\n")
    backend.change_on_disk("src/util.py", "# theirs\n", announce=False)
    assert not await view.save_now()
    view.message.buttons[0].click()
    await wait_until(lambda: view.editor.toPlainText() == "# theirs\n")
    assert not view.modified


@pytest.mark.asyncio
async def test_files_changed_on_disk_reload_unedited_views_and_warn_edited_ones(
    panel: CodePanel, backend: FakeBackend
) -> None:
    clean = await opened(panel, backend, "src/app.py")
    edited = await opened(panel, backend, "src/util.py")
    await wait_until(lambda: panel.watching and FAKE_ROOT in backend.watching)
    edited.set_editing(True)
    edited.editor.insertPlainText("# mine\n")
    backend.change_on_disk("src/app.py", "print('changed')\n")
    await wait_until(lambda: clean.editor.toPlainText() == "print('changed')\n")
    assert not clean.modified
    backend.change_on_disk("src/util.py", "# theirs\n")
    await wait_until(lambda: edited.message.isVisible())
    assert edited.message.kind == "changed"
    assert edited.text.startswith("# mine\n")


@pytest.mark.asyncio
async def test_tabs_reuse_open_files_and_ask_before_dropping_edits(
    panel: CodePanel, backend: FakeBackend, qtbot: QtBot
) -> None:
    first = await opened(panel, backend, "src/app.py")
    second = await opened(panel, backend, "src/util.py")
    again = panel.open_file("src/app.py", 2)
    assert again is first
    assert panel.tabs.tabs.count() == 2
    assert panel.tabs.current() is first
    assert first.editor.current_line() == 2
    second.set_editing(True)
    second.editor.insertPlainText("x")
    asked: list[list[str]] = []

    def refuse(_parent: QWidget, names: list[str]) -> bool:
        asked.append(names)
        return False

    panel.tabs.confirm_discard = refuse  # type: ignore[method-assign]
    assert not panel.tabs.close_view(second)
    assert asked == [["src/util.py"]]
    assert panel.tabs.tabs.count() == 2
    first.setFocus()
    qtbot.keyClick(first.editor, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)
    assert panel.tabs.tabs.count() == 1
    panel.tabs.confirm_discard = lambda _parent, _names: True  # type: ignore[method-assign]
    assert panel.tabs.close_view(second)
    assert panel.tabs.stack.currentWidget() is panel.tabs.hint


@pytest.mark.asyncio
async def test_the_theme_recolours_open_views(panel: CodePanel, backend: FakeBackend) -> None:
    from codeface.ui.theme import ThemeManager

    view = await opened(panel, backend, "src/app.py")
    await wait_until(lambda: view.highlighter.fully_lexed)
    dark = ThemeManager().find("dark")
    assert dark is not None
    panel.set_theme(dark)
    await wait_until(
        lambda: (0, 3, keyword_colour()) not in formats_of(view, 1) and bool(formats_of(view, 1))
    )
    assert view.editor.palette().base().color().name() == dark.code.background


@pytest.mark.asyncio
async def test_edited_lines_are_coloured_again(panel: CodePanel, backend: FakeBackend) -> None:
    view = await opened(panel, backend, "src/app.py")
    await wait_until(lambda: view.highlighter.fully_lexed)
    view.set_editing(True)
    view.editor.go_to_line(2, 100)
    view.editor.insertPlainText("\n\ndef added():\n    return 'text'")
    document = view.editor.document()
    assert document.blockCount() == 6
    await wait_until(lambda: (0, 3, keyword_colour()) in formats_of(view, 4))  # at once
    await wait_until(lambda: view.highlighter.fully_lexed)  # then the whole text again
    assert (0, 3, keyword_colour()) in formats_of(view, 4)
    assert (0, 3, keyword_colour()) in formats_of(view, 1)
    view.editor.undo()
    await wait_until(lambda: document.blockCount() == 3 and view.highlighter.fully_lexed)
    assert (0, 3, keyword_colour()) in formats_of(view, 1)
    assert len(view.highlighter._runs) == document.blockCount()


@pytest.mark.asyncio
async def test_the_code_font_applies_to_open_and_new_views(
    panel: CodePanel, backend: FakeBackend
) -> None:
    from codeface.ui.code.panel import code_font

    view = await opened(panel, backend, "src/app.py")
    font = code_font("DejaVu Sans Mono", 15)
    panel.set_code_font(font)
    assert view.editor.font().pointSize() == 15
    assert view.editor.viewportMargins().left() == view.editor.gutter_width()  # gutter follows
    other = await opened(panel, backend, "src/util.py")
    assert other.editor.font().pointSize() == 15
