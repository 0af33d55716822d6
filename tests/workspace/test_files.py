"""Reading files: line ranges, the character cap, versions, and kinds that are never shown."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from codeface.core.errors import WorkspaceError
from codeface.workspace import Workspace, WorkspaceOptions
from codeface.workspace.files import HUGE_BYTES, count_lines, human_size, split_lines
from tests.workspace.conftest import write

TEN_LINES = "".join(f"line {number}\n" for number in range(1, 11))


@pytest.mark.asyncio
async def test_whole_file_and_line_ranges(project: Path) -> None:
    write(project, {"ten.txt": TEN_LINES})
    workspace = Workspace.open(project)
    whole = await workspace.read_file("ten.txt")
    assert (whole.text, whole.start_line, whole.end_line, whole.total_lines) == (
        TEN_LINES,
        1,
        10,
        10,
    )
    assert not whole.truncated
    middle = await workspace.read_file("ten.txt", 3, 5)
    assert middle.text == "line 3\nline 4\nline 5\n"
    assert (middle.start_line, middle.end_line, middle.total_lines) == (3, 5, 10)
    tail = await workspace.read_file("ten.txt", start_line=9)
    assert tail.text == "line 9\nline 10\n"
    assert tail.end_line == 10
    past_end = await workspace.read_file("ten.txt", 8, 500)
    assert past_end.end_line == 10
    assert past_end.text.startswith("line 8")


@pytest.mark.asyncio
async def test_impossible_ranges_say_what_exists(project: Path) -> None:
    write(project, {"ten.txt": TEN_LINES, "empty.txt": ""})
    workspace = Workspace.open(project)
    with pytest.raises(WorkspaceError, match="has 10 lines; line 11 does not exist"):
        await workspace.read_file("ten.txt", 11)
    with pytest.raises(WorkspaceError, match="before start_line"):
        await workspace.read_file("ten.txt", 5, 4)
    with pytest.raises(WorkspaceError, match="1 or more"):
        await workspace.read_file("ten.txt", 0)
    empty = await workspace.read_file("empty.txt")
    assert (empty.text, empty.total_lines, empty.end_line) == ("", 0, 0)


@pytest.mark.asyncio
async def test_character_cap_cuts_at_a_line_and_says_so(project: Path) -> None:
    write(project, {"long.txt": "".join(f"{n:04d} " + "x" * 95 + "\n" for n in range(100))})
    workspace = Workspace.open(project, options=WorkspaceOptions(read_char_limit=1000))
    result = await workspace.read_file("long.txt")
    assert result.truncated
    assert result.end_line == 9
    assert result.text.count("\n") == 9
    assert len(result.text) <= 1000
    following = await workspace.read_file("long.txt", result.end_line + 1)
    assert following.text.startswith("0009 ")


@pytest.mark.asyncio
async def test_one_enormous_line_is_cut_inside_the_line(project: Path) -> None:
    write(project, {"min.js": "var a=1;" * 10_000})
    workspace = Workspace.open(project, options=WorkspaceOptions(read_char_limit=500))
    result = await workspace.read_file("min.js")
    assert result.truncated
    assert len(result.text) == 500
    assert (result.start_line, result.end_line, result.total_lines) == (1, 1, 1)


@pytest.mark.asyncio
async def test_crlf_and_lone_carriage_returns_count_like_an_editor(project: Path) -> None:
    write(project, {"win.txt": b"one\r\ntwo\r\nthree", "cr.txt": b"a\rb\nc\n"})
    workspace = Workspace.open(project)
    windows = await workspace.read_file("win.txt", 2, 2)
    assert windows.text == "two\r\n"
    assert windows.total_lines == 3
    assert (await workspace.read_file("cr.txt")).total_lines == 2


@pytest.mark.asyncio
async def test_binary_huge_and_non_utf8_files_are_described_not_shown(project: Path) -> None:
    write(
        project,
        {
            "logo.png": b"\x89PNG\r\n\x1a\n\x00\x00" + b"\x01" * 1_300_000,
            "late_nul.txt": b"a" * 20_000 + b"\x00",
            "legacy.txt": "naïve".encode("latin-1"),
        },
    )
    (project / "dump.sql").write_bytes(b"INSERT;\n" * (HUGE_BYTES // 8 + 1))
    workspace = Workspace.open(project)
    messages = {}
    for name in ("logo.png", "late_nul.txt", "legacy.txt", "dump.sql"):
        with pytest.raises(WorkspaceError) as caught:
            await workspace.read_file(name)
        messages[name] = caught.value.user_message
    assert messages["logo.png"] == "logo.png is a binary file (1.2 MB): not shown"
    assert "binary" in messages["late_nul.txt"]  # a NUL past the 8 KiB sample still counts
    assert messages["legacy.txt"].startswith("legacy.txt is not UTF-8 text (5 bytes, byte 0xef")
    assert messages["dump.sql"].startswith("dump.sql is too large to show (2.0 MB, over 2.0 MB)")
    for message in messages.values():
        assert "INSERT" not in message
        assert "PNG" not in message


@pytest.mark.asyncio
async def test_folders_missing_files_and_pipes_are_explained(project: Path) -> None:
    write(project, {"src/a.py": "a\n"})
    os.mkfifo(project / "fifo")
    workspace = Workspace.open(project)
    with pytest.raises(WorkspaceError, match="is a folder"):
        await workspace.read_file("src")
    with pytest.raises(WorkspaceError, match="does not exist"):
        await workspace.read_file("src/b.py")
    with pytest.raises(WorkspaceError, match="not a regular file"):
        await workspace.read_file("fifo")  # would block forever if it were opened


@pytest.mark.asyncio
async def test_version_changes_with_content_not_with_a_touch(project: Path) -> None:
    write(project, {"a.txt": "one\n"})
    workspace = Workspace.open(project)
    first = (await workspace.read_file("a.txt")).version
    os.utime(project / "a.txt", ns=(1, 1))
    touched = (await workspace.read_file("a.txt")).version
    assert touched.mtime_ns != first.mtime_ns
    assert touched.same_content(first)
    (project / "a.txt").write_text("two\n")
    assert not (await workspace.read_file("a.txt")).version.same_content(first)


def test_line_helpers_and_sizes() -> None:
    assert count_lines("") == 0
    assert count_lines("a") == count_lines("a\n") == 1
    assert count_lines("a\n\n") == 2
    assert split_lines("a\nb") == ["a\n", "b"]
    assert split_lines("a\x0bb\u2028c\n") == ["a\x0bb\u2028c\n"]  # only \n ends a line
    assert [human_size(n) for n in (0, 1023, 1024, 1_300_000, 3 * 1024**3)] == [
        "0 bytes",
        "1023 bytes",
        "1.0 KB",
        "1.2 MB",
        "3.0 GB",
    ]
