"""The screen model on byte sequences real programs send."""

from __future__ import annotations

from codeface.terminal.model import TerminalModel
from codeface.terminal.screen import CommandMark


def model(columns: int = 40, lines: int = 6, **kwargs: object) -> TerminalModel:
    return TerminalModel(columns, lines, **kwargs)  # type: ignore[arg-type]


def test_colours_16_256_and_truecolor_and_text_attributes() -> None:
    m = model()
    m.feed(
        b"\x1b[31ma\x1b[0m\x1b[91mb\x1b[38;5;208mc\x1b[38;2;1;2;3md\x1b[48;5;21me"
        b"\x1b[0m\x1b[1;3;4;7;9mf\x1b[0m\x1b[38:2::10:20:30mg"
    )
    row = m.screen.buffer[0]
    assert [row[x].data for x in range(7)] == list("abcdefg")
    assert row[0].fg == "red"
    assert row[1].fg == "brightred"
    assert row[2].fg == "ff8700"
    assert row[3].fg == "010203"
    assert row[4].bg == "0000ff"
    assert (
        row[5].bold,
        row[5].italics,
        row[5].underscore,
        row[5].reverse,
        row[5].strikethrough,
    ) == (True, True, True, True, True)
    assert row[6].fg == "0a141e"


def test_sequences_pyte_misreads_are_not_drawn_or_misapplied() -> None:
    m = model()
    # vim's modifyOtherKeys, an XTGETTCAP DCS query, a kitty keyboard query, a title.
    m.feed(b"\x1b[>4;2m\x1bP+q544e\x1b\\\x1b[?u\x1b]2;my title\x07plain")
    assert m.screen.screen_text()[0] == "plain"
    assert not m.screen.buffer[0][0].underscore
    assert m.screen.title == "my title"


def test_cursor_shapes_follow_decscusr() -> None:
    m = model()
    m.feed(b"\x1b[6 q")
    assert (m.screen.cursor_shape, m.screen.cursor_blink) == ("bar", False)
    m.feed(b"\x1b[3 q")
    assert (m.screen.cursor_shape, m.screen.cursor_blink) == ("underline", True)
    m.feed(b"\x1b[0 q")
    assert m.screen.cursor_shape == "block"


def test_alternate_screen_keeps_the_shell_screen_and_cursor() -> None:
    m = model()
    m.feed(b"$ ls\r\nfile\r\n$ ")
    m.feed(b"\x1b[?1049h\x1b[H\x1b[2Jfull screen app")
    assert m.screen.in_alternate_screen
    assert m.screen.screen_text()[0] == "full screen app"
    m.feed(b"\x1b[?1049l")
    assert not m.screen.in_alternate_screen
    assert m.screen.screen_text()[:3] == ["$ ls", "file", "$"]
    assert (m.screen.cursor.x, m.screen.cursor.y) == (2, 2)


def test_scroll_region_scrolls_only_inside_its_margins() -> None:
    m = model(lines=5)
    m.feed(b"top\r\n1\r\n2\r\n3\r\nbottom")
    m.feed(b"\x1b[2;4r\x1b[4;1H\n\x1b[4;1Hnew")
    assert m.screen.screen_text() == ["top", "2", "3", "new", "bottom"]
    m.feed(b"\x1b[r\x1b[H\x1b[2T")  # scroll down two lines (SD)
    assert m.screen.screen_text()[:3] == ["", "", "top"]


def test_modes_for_paste_mouse_and_cursor_keys() -> None:
    m = model()
    assert (m.screen.bracketed_paste, m.screen.mouse_tracking) == (False, False)
    m.feed(b"\x1b[?2004h\x1b[?1000h\x1b[?1006h\x1b[?1h")
    assert (m.screen.bracketed_paste, m.screen.mouse_tracking, m.screen.mouse_sgr) == (True,) * 3
    assert m.screen.application_cursor
    m.feed(b"\x1b[?2004l\x1b[?1000l\x1b[?1l")
    flags = (m.screen.bracketed_paste, m.screen.mouse_tracking, m.screen.application_cursor)
    assert flags == (False, False, False)


def test_device_queries_are_answered_through_the_reply_callback() -> None:
    replies: list[bytes] = []
    m = model(reply=replies.append)
    m.feed(b"abc\x1b[6n\x1b[c\x1b[>c\x1b[5n")
    assert replies == [b"\x1b[1;4R", b"\x1b[?62;22c", b"\x1b[>0;0;0c", b"\x1b[0n"]


def test_scrollback_keeps_lines_and_is_bounded() -> None:
    m = model(lines=3, scrollback=100)
    m.feed(b"".join(b"line %d\r\n" % n for n in range(150)))
    assert len(m.screen.scrollback) == 100
    assert m.screen.history_text()[-1] == "line 147"
    assert m.screen.screen_text() == ["line 148", "line 149", ""]
    m.feed(b"\x1b[3J")
    assert m.screen.history_text() == []


def test_default_scrollback_is_ten_thousand_lines() -> None:
    assert TerminalModel().screen.scrollback.maxlen == 10000


def test_shrinking_keeps_the_prompt_and_pushes_old_lines_to_scrollback() -> None:
    m = model(lines=6)
    m.feed(b"a\r\nb\r\nc\r\nd\r\ne\r\n$ ")
    m.resize(3, 40)
    assert m.screen.screen_text() == ["d", "e", "$"]
    assert m.screen.history_text() == ["a", "b", "c"]
    assert m.screen.cursor.y == 2


def test_rep_and_line_drawing_used_by_ncurses() -> None:
    m = model()
    m.feed(b"=\x1b[4b|\x1b(0lqk\x1b(B")
    assert m.screen.screen_text()[0] == "=====|┌─┐"


def test_wide_and_invalid_utf8_characters() -> None:
    m = model()
    m.feed("中文".encode() + b"\xff\xfe" + "é".encode()[:1])
    m.feed("é".encode()[1:] + b"!")
    assert m.screen.screen_text()[0] == "中文\ufffd\ufffdé!"


def test_osc7_working_directory_and_osc133_command_marks() -> None:
    marks: list[CommandMark] = []
    m = model(on_mark=marks.append)
    m.feed(b"\x1b]7;file://host/home/ada/my%20project\x07")
    m.feed(b"\x1b]133;D;2;make test\x07")
    assert m.screen.working_directory == "/home/ada/my project"
    assert marks == [CommandMark(2, "make test")]


def test_pump_respects_the_byte_budget_and_keeps_a_backlog() -> None:
    m = model()
    m.push(b"x" * 100_000)
    assert m.pump(max_bytes=10_000) == 10_000
    assert m.pending == 90_000
    while m.pending:
        m.pump(max_bytes=50_000)
    assert m.bytes_fed == 100_000


def test_dirty_lines_are_reported_once() -> None:
    m = model()
    m.take_dirty()
    m.feed(b"\x1b[3;1Hhello")
    assert m.take_dirty() == {2}
    assert m.take_dirty() == set()
