"""The terminal widget with a real shell on a real pty, offscreen."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QGuiApplication, QWheelEvent

from codeface.application import terminal_service
from codeface.ui.widgets import terminal_view as terminal_view_module
from codeface.ui.widgets.terminal_colors import TerminalColors
from codeface.ui.widgets.terminal_view import TerminalView
from tests.ui.terminal_fixtures import BASH, close_later, project, shell_env, terminals

_ = (close_later, project, shell_env, terminals)


def make_view(qtbot, terminals, env, cwd, close_later, argv=BASH, **kwargs) -> TerminalView:
    view = TerminalView(
        terminals=terminals, argv=argv, cwd=cwd, env=env, colors=TerminalColors(), **kwargs
    )
    qtbot.addWidget(view)
    close_later.append(view)
    view.resize(640, 320)
    view.show()
    qtbot.waitUntil(lambda: any(line.startswith("$") for line in view.screen_lines()), timeout=5000)
    return view


def type_line(qtbot, view: TerminalView, text: str) -> None:
    qtbot.keyClicks(view, text)
    qtbot.keyClick(view, Qt.Key.Key_Return)


def has_line(view: TerminalView, text: str) -> bool:
    return any(line == text for line in view.screen_lines())


def test_typing_runs_commands_in_the_project_folder(
    qtbot, terminals, shell_env, project, close_later
):
    view = make_view(qtbot, terminals, shell_env, project, close_later)
    type_line(qtbot, view, "pwd")
    qtbot.waitUntil(lambda: has_line(view, str(project)), timeout=5000)
    assert view.working_directory == str(project)


def test_arrow_keys_and_tab_reach_the_shell(qtbot, terminals, shell_env, project, close_later):
    view = make_view(qtbot, terminals, shell_env, project, close_later)
    type_line(qtbot, view, "echo first")
    qtbot.waitUntil(lambda: has_line(view, "first"), timeout=5000)
    qtbot.keyClick(view, Qt.Key.Key_Up)
    qtbot.keyClick(view, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: view.screen_lines().count("first") == 2, timeout=5000)
    (project / "uniquefile.txt").write_text("x")
    qtbot.keyClicks(view, "cat uniq")
    qtbot.keyClick(view, Qt.Key.Key_Tab)
    qtbot.waitUntil(
        lambda: any("cat uniquefile.txt" in line for line in view.screen_lines()), timeout=5000
    )


def test_colours_are_painted(qtbot, terminals, shell_env, project, close_later):
    view = make_view(qtbot, terminals, shell_env, project, close_later)
    type_line(qtbot, view, r"clear; printf '\e[41m    \e[0m\e[48;2;0;128;255m    \e[0m\n'")
    qtbot.waitUntil(lambda: view.model.screen.buffer[0][0].bg == "red", timeout=5000)
    qtbot.waitUntil(lambda: not view.model.screen.dirty and not view.model.pending, timeout=5000)
    image = view.grab().toImage()
    width, height = view.cell_size
    red = QColor(image.pixel(width * 1 + width // 2, height // 2))
    blue = QColor(image.pixel(width * 5 + width // 2, height // 2))
    assert red.name() == TerminalColors().ansi[1]
    assert blue.name() == "#0080ff"


def test_resize_reaches_the_child(qtbot, terminals, shell_env, project, close_later):
    view = make_view(qtbot, terminals, shell_env, project, close_later)
    view.resize(900, 500)
    rows, columns = view.grid_size()
    type_line(qtbot, view, "stty size")
    qtbot.waitUntil(lambda: has_line(view, f"{rows} {columns}"), timeout=5000)


def test_exit_shows_status_and_enter_restarts(qtbot, terminals, shell_env, project, close_later):
    view = make_view(qtbot, terminals, shell_env, project, close_later)
    with qtbot.waitSignal(view.sig_exited, timeout=5000) as exited:
        type_line(qtbot, view, "exit 3")
    assert exited.args == [3]
    assert "[process exited 3] — press Enter to restart" in view.screen_lines()
    with qtbot.waitSignal(view.sig_restarted, timeout=5000):
        qtbot.keyClick(view, Qt.Key.Key_Return)
    type_line(qtbot, view, "echo again")
    qtbot.waitUntil(lambda: has_line(view, "again"), timeout=5000)


def test_selection_copy_and_bracketed_paste(qtbot, terminals, shell_env, project, close_later):
    view = make_view(qtbot, terminals, shell_env, project, close_later)
    type_line(qtbot, view, "clear; echo hello world")
    qtbot.waitUntil(lambda: view.screen_lines()[0] == "hello world", timeout=5000)
    top = len(view.model.screen.scrollback)
    view.select((top, 0), (top, 5))
    qtbot.keyClick(
        view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    assert QGuiApplication.clipboard().text() == "hello"
    # bash's readline toggles bracketed paste around its prompt; wait for cat's turn.
    type_line(qtbot, view, r"printf '\e[?2004h'; echo ready; cat -v")
    qtbot.waitUntil(lambda: has_line(view, "ready"), timeout=5000)
    assert view.model.screen.bracketed_paste
    QGuiApplication.clipboard().setText("pasted")
    qtbot.keyClick(
        view, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    qtbot.keyClick(view, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: has_line(view, "^[[200~pasted^[[201~"), timeout=5000)
    qtbot.keyClick(view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)


def _wheel(view: TerminalView, up: bool) -> None:
    delta = 120 if up else -120
    event = QWheelEvent(
        QPointF(10, 10),
        QPointF(10, 10),
        QPoint(0, 0),
        QPoint(0, delta),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    view.wheelEvent(event)


def test_wheel_scrolls_history_or_goes_to_full_screen_programs(
    qtbot,
    terminals,
    shell_env,
    project,
    close_later,
):
    view = make_view(qtbot, terminals, shell_env, project, close_later)
    type_line(qtbot, view, "seq 1 100")
    qtbot.waitUntil(lambda: has_line(view, "100"), timeout=5000)
    _wheel(view, up=True)
    assert view.scroll_offset == 3
    _wheel(view, up=False)
    assert view.scroll_offset == 0
    type_line(qtbot, view, "seq 1 100 | less")
    qtbot.waitUntil(
        lambda: view.model.screen.in_alternate_screen and view.screen_lines()[0] == "1",
        timeout=5000,
    )
    _wheel(view, up=False)
    qtbot.waitUntil(lambda: view.screen_lines()[0] == "4", timeout=5000)
    assert view.scroll_offset == 0
    qtbot.keyClicks(view, "q")


def test_big_output_keeps_a_bounded_backlog(
    qtbot,
    terminals,
    shell_env,
    project,
    close_later,
    tmp_path: Path,
):
    big = tmp_path / "big.txt"
    big.write_bytes(b"".join(b"row %07d of a large file\n" % n for n in range(200_000)))
    view = make_view(qtbot, terminals, shell_env, project, close_later)
    largest = 0
    pump = view.model.pump

    def watched_pump(*args, **kwargs):
        nonlocal largest
        largest = max(largest, view.model.pending)
        return pump(*args, **kwargs)

    view.model.pump = watched_pump  # type: ignore[method-assign]
    type_line(qtbot, view, f"cat {big}; echo done-cat")
    qtbot.waitUntil(lambda: has_line(view, "done-cat"), timeout=60000)
    # The view stops taking output past BACKLOG_PAUSE; one item of the service's output
    # iterator is at most READ_PER_WAKE bytes.
    limit = terminal_view_module.BACKLOG_PAUSE + terminal_service.READ_PER_WAKE
    assert 0 < largest <= limit
    assert "row 0199999 of a large file" in view.screen_lines()


def test_history_being_read_stays_put_while_output_continues(
    qtbot, terminals, shell_env, project, close_later
):
    view = make_view(qtbot, terminals, shell_env, project, close_later)
    type_line(qtbot, view, "seq 1 200")
    qtbot.waitUntil(lambda: has_line(view, "200"), timeout=5000)
    view.scroll_lines(50)
    first_visible = len(view.model.screen.scrollback) - view.scroll_offset
    top_text = view.model.screen.line_text(view.model.screen.scrollback[first_visible])
    view.send_bytes(b"seq 1000 1100\r")  # typing would jump back to the bottom
    qtbot.waitUntil(lambda: "1100" in view.model.screen.screen_text(), timeout=5000)
    assert view.scroll_offset > 50
    first_visible = len(view.model.screen.scrollback) - view.scroll_offset
    assert view.model.screen.line_text(view.model.screen.scrollback[first_visible]) == top_text


def test_a_shell_that_cannot_start_is_explained(qtbot, terminals, shell_env, project, close_later):
    view = TerminalView(
        terminals=terminals, argv=[str(project / "no-such-shell")], cwd=project, env=shell_env
    )
    qtbot.addWidget(view)
    close_later.append(view)
    qtbot.waitUntil(lambda: view.exit_status == 127, timeout=5000)
    text = "".join(view.screen_lines())
    assert "could not start" in text
    assert "press Enter to retry" in text


def test_a_large_paste_arrives_whole(qtbot, terminals, shell_env, project, close_later):
    view = make_view(qtbot, terminals, shell_env, project, close_later)
    type_line(qtbot, view, "stty -echo; cat > pasted.txt; stty echo; echo saved")
    qtbot.waitUntil(
        lambda: (
            view.foreground_command() == "cat" and not view.model.screen.bracketed_paste
        ),  # readline switched it off for cat
        timeout=5000,
    )
    body = "".join(f"{n:06d} " + "p" * 90 + "\n" for n in range(3000))  # ~290 KB
    view.send_text(body, enter=True)
    view.send_bytes(b"\x04")
    qtbot.waitUntil(lambda: has_line(view, "saved"), timeout=20000)
    assert (project / "pasted.txt").read_text() == body


def test_clicks_go_to_programs_that_track_the_mouse(
    qtbot, terminals, shell_env, project, close_later
):
    view = make_view(qtbot, terminals, shell_env, project, close_later)
    type_line(qtbot, view, r"clear; printf '\e[?1000h\e[?1006h'; echo ready; cat -v")
    qtbot.waitUntil(lambda: has_line(view, "ready"), timeout=5000)
    assert view.model.screen.mouse_tracking
    width, height = view.cell_size
    point = QPoint(width * 4 + 1, height * 2 + 1)
    qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=point)
    qtbot.keyClick(view, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: has_line(view, "^[[<0;5;3M^[[<0;5;3m"), timeout=5000)
    assert view.selected_text() == ""
    qtbot.keyClick(view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
