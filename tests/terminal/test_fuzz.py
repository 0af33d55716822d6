"""Random bytes, invalid UTF-8 and huge lines never break the screen model."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from codeface.terminal.model import TerminalModel

_SEQUENCES = st.sampled_from(
    [
        b"\x1b[",
        b"\x1b]",
        b"\x1bP",
        b"\x1b[?",
        b"\x1b[>",
        b";",
        b"m",
        b"H",
        b"J",
        b"r",
        b"h",
        b"l",
        b"\x07",
        b"\x1b\\",
        b"\r\n",
        b"\x9b",
        b"\xc2\x9b",
        b"\xff",
        b"\xe4\xb8",
        b"9999",
        b"\x1b[?1049h",
        b"\x1b[?1049l",
        b"\x1b(0",
        b"\x1b#8",
        b"\x1b[2 q",
        b"\x1b[38:2::1:2:3m",
    ]
)


def _check(m: TerminalModel) -> None:
    screen = m.screen
    lines = screen.screen_text()
    assert len(lines) == screen.lines
    # A cell may hold a base character plus combining marks, so count cells, not text.
    assert all(len(screen.cells(screen.buffer[y])) == screen.columns for y in range(screen.lines))
    assert 0 <= screen.cursor.y < screen.lines
    assert 0 <= screen.cursor.x <= screen.columns


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=4000))
def test_random_bytes(data: bytes) -> None:
    m = TerminalModel(30, 8, reply=lambda _reply: None)
    m.feed(data)
    _check(m)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.one_of(_SEQUENCES, st.binary(max_size=12)), max_size=200),
    st.integers(1, 60),
    st.integers(1, 30),
)
def test_escape_soup_and_resizes(parts: list[bytes], columns: int, lines: int) -> None:
    m = TerminalModel(20, 6, reply=lambda _reply: None)
    for index, part in enumerate(parts):
        m.feed(part)
        if index % 37 == 0:
            m.resize(lines, columns)
    _check(m)


def test_a_one_megabyte_line_and_invalid_utf8() -> None:
    m = TerminalModel(80, 24, scrollback=100)
    m.feed(b"\xfa" * 1000 + b"y" * 1_000_000 + b"\x80\xbf\r\nafter\r\n")
    _check(m)
    assert "after" in m.screen.screen_text()
    assert m.screen.screen_text()[0].startswith("y")


def test_an_endless_escape_sequence_is_bounded() -> None:
    m = TerminalModel(40, 5)
    m.feed(b"\x1b]0;" + b"t" * 300_000 + b"\x07shown")
    m.feed(b"\x1b[" + b"1" * 100_000 + b"mok")
    _check(m)
    assert m.screen.screen_text()[0] == "shownok"
