"""The window and its project on the fake backend: File ▸ Open Project and Open Recent,
``codeface PATH``, the Code dock following the project, Ctrl+P, sessions grouped by
project (search, pin and archive still work), closing with unsaved code edits."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QWidget

from codeface.application.contract import ProjectView
from codeface.ui.bridge import Bridge
from codeface.ui.conversation import ACTION_OPEN_PROJECT
from codeface.ui.main_window import MainWindow
from codeface.ui.widgets.sessions_sidebar import group_sessions
from tests.ui.conftest import wait_until
from tests.ui.fake_backend import FakeBackend, RecordingChatPane
from tests.ui.fake_project import FAKE_ROOT

OTHER = "/work/other"


async def open_window(
    backend: FakeBackend, pane: RecordingChatPane, state_path: Path, project: str | None = None
) -> MainWindow:
    window = MainWindow(
        Bridge(backend), chat_factory=lambda: pane, state_path=state_path, project=project
    )
    window.show()
    await window.start()
    return window


def menu_texts(window: MainWindow) -> list[str]:
    assert window.recent_menu is not None
    return [action.text() for action in window.recent_menu.actions()]


def headings_and_titles(window: MainWindow) -> list[str]:
    listing = window.sidebar.session_list
    return [listing.item(row).text() for row in range(listing.count())]


@pytest.mark.usefixtures("close_windows")
@pytest.mark.asyncio
async def test_open_project_from_the_file_menu_fills_the_code_dock_and_recent_menu(
    fake_backend: FakeBackend, recording_pane: RecordingChatPane, state_path: Path
) -> None:
    window = await open_window(fake_backend, recording_pane, state_path)
    assert window.project is None
    assert recording_pane.project_name is None  # an empty chat says how to open one
    assert menu_texts(window) == ["No recent projects"]
    file_menu = window.menuBar().actions()[0].menu()
    assert window.actions_by_id["open_project"] in file_menu.actions()
    asked: list[str] = []

    def choose(_parent: QWidget, start: str) -> str:
        asked.append(start)
        return FAKE_ROOT

    window.choose_project_folder = choose  # type: ignore[method-assign]
    changed: list[object] = []
    window.sig_project_changed.connect(changed.append)
    window.actions_by_id["open_project"].trigger()
    await wait_until(
        lambda: window.project is not None and menu_texts(window) != ["No recent projects"]
    )
    assert asked == [""]
    assert changed == [ProjectView(FAKE_ROOT, "demo", FAKE_ROOT)]
    assert window.windowTitle() == "demo — CodeFace"
    assert recording_pane.project_name == "demo"
    assert menu_texts(window) == [f"&1 demo    {FAKE_ROOT}"]
    docks = window.docks
    assert docks is not None
    assert docks.docks["code"].isVisible()
    panel = window.code_panel
    assert panel is not None
    assert panel.project == window.project
    await wait_until(lambda: "" in panel.tree.tree_model.loaded)
    assert panel.tree.tree_model.rowCount() == 3
    await window.shutdown()


@pytest.mark.usefixtures("close_windows")
@pytest.mark.asyncio
async def test_open_recent_switches_project_and_the_dock_follows(
    fake_backend: FakeBackend, recording_pane: RecordingChatPane, state_path: Path
) -> None:
    await fake_backend.open_project(OTHER)
    window = await open_window(fake_backend, recording_pane, state_path, project=FAKE_ROOT)
    await wait_until(lambda: len(menu_texts(window)) == 2)
    assert menu_texts(window) == [f"&1 demo    {FAKE_ROOT}", f"&2 other    {OTHER}"]
    panel = window.code_panel
    assert panel is not None
    view = window.open_file("src/app.py")
    assert view is not None
    await wait_until(lambda: view.loaded and FAKE_ROOT in fake_backend.watching)
    assert window.recent_menu is not None
    window.recent_menu.actions()[1].trigger()
    await wait_until(lambda: window.project is not None and window.project.key == OTHER)
    assert panel.project == window.project
    assert panel.tabs.views == []  # the other project's unedited files were closed
    await wait_until(
        lambda: OTHER in fake_backend.watching and FAKE_ROOT not in fake_backend.watching
    )
    await window.shutdown()
    assert not fake_backend.watching  # closing the window stops following the disk


@pytest.mark.usefixtures("close_windows")
@pytest.mark.asyncio
async def test_a_project_that_cannot_open_is_a_notice_offering_another(
    fake_backend: FakeBackend, recording_pane: RecordingChatPane, state_path: Path
) -> None:
    from codeface.core.errors import WorkspaceError

    async def refuse(folder: str) -> ProjectView:
        raise WorkspaceError(f"{folder} is not a folder")

    fake_backend.open_project = refuse  # type: ignore[method-assign]
    window = await open_window(fake_backend, recording_pane, state_path, project="/gone")
    assert window.project is None
    level, text, actions = recording_pane.notices[-1]
    assert level == "error"
    assert "/gone is not a folder" in text
    assert actions == [("Open another project", ACTION_OPEN_PROJECT)]
    opened: list[str] = []
    window.choose_project_folder = lambda _parent, _start: opened.append("asked") or ""  # type: ignore[method-assign, func-returns-value]
    window.on_notice_action(ACTION_OPEN_PROJECT)
    assert opened == ["asked"]
    await window.shutdown()


@pytest.mark.usefixtures("close_windows")
@pytest.mark.asyncio
async def test_ctrl_p_and_search_in_project_open_the_code_dock(
    fake_backend: FakeBackend, recording_pane: RecordingChatPane, state_path: Path
) -> None:
    window = await open_window(fake_backend, recording_pane, state_path, project=FAKE_ROOT)
    panel = window.code_panel
    assert panel is not None
    assert window.actions_by_id["quick_open"].shortcut().toString() == "Ctrl+P"
    window.actions_by_id["quick_open"].trigger()
    assert panel.quick_open_box.isVisible()
    await wait_until(lambda: panel.quick_open_box.files is not None)
    assert "src/app.py" in panel.quick_open_box.files
    panel.quick_open_box.close_popup()
    window.actions_by_id["find_in_project"].trigger()
    assert panel.side.currentWidget() is panel.search
    assert window.docks is not None
    assert window.docks.docks["code"].isVisible()
    await window.shutdown()


def test_sessions_are_grouped_by_project_the_open_one_first() -> None:
    from codeface.application.contract import SessionView

    sessions = [
        SessionView("a", "Loose", "2026-01-05", project=None),
        SessionView("b", "Other newest", "2026-01-04", project=OTHER),
        SessionView("c", "Demo old", "2026-01-01", project=FAKE_ROOT),
        SessionView("d", "Demo pinned", "2026-01-02", pinned=True, project=FAKE_ROOT),
        SessionView("e", "Demo new", "2026-01-03", project=FAKE_ROOT),
    ]
    open_demo = ProjectView(FAKE_ROOT, "demo", FAKE_ROOT)
    grouped = [
        (title, [s.id for s in group]) for title, group in group_sessions(sessions, open_demo)
    ]
    assert grouped == [
        ("PINNED", ["d"]),
        ("DEMO", ["e", "c"]),
        ("OTHER", ["b"]),
        ("NO PROJECT", ["a"]),
    ]
    no_project_open = [title for title, _ in group_sessions(sessions)]
    assert no_project_open == ["PINNED", "OTHER", "DEMO", "NO PROJECT"]  # by newest session
    plain = [SessionView("x", "One", "2026-01-01"), SessionView("y", "Two", "2026-01-02")]
    assert [(t, [s.id for s in g]) for t, g in group_sessions(plain)] == [("RECENT", ["y", "x"])]


@pytest.mark.usefixtures("close_windows")
@pytest.mark.asyncio
async def test_the_sidebar_follows_the_project_and_keeps_pin_and_archive(
    fake_backend: FakeBackend, recording_pane: RecordingChatPane, state_path: Path
) -> None:
    fake_backend.add_session("Other work", [("user", "x")], project=OTHER)
    demo = fake_backend.add_session("Demo work", [("user", "y")], project=FAKE_ROOT)
    window = await open_window(fake_backend, recording_pane, state_path)
    assert headings_and_titles(window)[0] in ("OTHER", "DEMO")
    assert await window.open_project(FAKE_ROOT)
    titles = headings_and_titles(window)
    assert titles[:2] == ["DEMO", "Demo work"]
    assert titles.index("OTHER") < titles.index("NO PROJECT")
    window.sidebar.sig_pin.emit(demo, True)
    await wait_until(lambda: headings_and_titles(window)[:2] == ["PINNED", "Demo work"])
    window.sidebar.sig_archive.emit(demo, True)
    await wait_until(lambda: "Demo work" not in headings_and_titles(window))
    assert "DEMO" not in headings_and_titles(window)  # its only session left the list
    await window.on_new_session()
    assert fake_backend.sessions[window.conversation.session_id or ""].project == FAKE_ROOT
    await wait_until(lambda: headings_and_titles(window)[0] == "DEMO")
    await window.shutdown()


@pytest.mark.usefixtures("close_windows")
@pytest.mark.asyncio
async def test_closing_with_unsaved_code_edits_asks_first(
    fake_backend: FakeBackend, recording_pane: RecordingChatPane, state_path: Path
) -> None:
    window = await open_window(fake_backend, recording_pane, state_path, project=FAKE_ROOT)
    view = window.open_file("src/util.py")
    assert view is not None
    await wait_until(lambda: view.loaded)
    view.set_editing(True)
    view.editor.insertPlainText("# unsaved\n")
    panel = window.code_panel
    assert panel is not None
    asked: list[list[str]] = []
    panel.tabs.confirm_discard = lambda _p, names: asked.append(names) or False  # type: ignore[method-assign, func-returns-value]
    window.close()
    assert asked == [["src/util.py"]]
    assert window.isVisible()  # the user kept the edits
    panel.tabs.confirm_discard = lambda _p, _names: True  # type: ignore[method-assign]
    window.close()
    assert not window.isVisible()


@pytest.mark.usefixtures("close_windows")
@pytest.mark.asyncio
async def test_a_code_panel_never_shown_lists_and_watches_nothing(
    fake_backend: FakeBackend, recording_pane: RecordingChatPane, state_path: Path
) -> None:
    first = await open_window(fake_backend, RecordingChatPane(), state_path)
    await first.shutdown()  # a returning user, whose layout has the Code dock closed
    first.close()
    window = await open_window(fake_backend, recording_pane, state_path, project=FAKE_ROOT)
    panel = window.code_panel
    assert panel is not None
    assert panel.project == window.project  # it follows the project all the same
    assert fake_backend.listed == []
    assert not panel.watching
    window.show_code()
    await wait_until(lambda: fake_backend.listed == [""] and FAKE_ROOT in fake_backend.watching)
    await window.shutdown()


@pytest.mark.usefixtures("close_windows")
@pytest.mark.asyncio
async def test_codeface_path_shows_the_project_s_files_unless_the_layout_says_otherwise(
    fake_backend: FakeBackend, recording_pane: RecordingChatPane, state_path: Path
) -> None:
    window = await open_window(fake_backend, recording_pane, state_path, project=FAKE_ROOT)
    assert window.docks is not None
    await wait_until(lambda: window.docks is not None and window.docks.docks["code"].isVisible())
    window.docks.docks["code"].hide()  # the user closes it; the layout remembers
    await window.shutdown()
    window.close()

    again = await open_window(fake_backend, RecordingChatPane(), state_path, project=FAKE_ROOT)
    assert again.project is not None
    assert again.docks is not None
    assert not again.docks.docks["code"].isVisible()
    await again.shutdown()
