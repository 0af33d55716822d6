"""Edits: exact search/replace and whole-file writes, refused with a reason the model can use."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from codeface.core.errors import EditConflict, WorkspaceError
from codeface.workspace import Workspace
from tests.workspace.conftest import write

SOURCE = "def add(a, b):\n    return a + b\n\n\ndef sub(a, b):\n    return a - b\n"


@pytest.fixture
def workspace(project: Path) -> Workspace:
    write(project, {"calc.py": SOURCE})
    return Workspace.open(project)


@pytest.mark.asyncio
async def test_exact_replacement_writes_and_returns_the_diff(workspace: Workspace) -> None:
    before = await workspace.read_file("calc.py")
    result = await workspace.edit_file(
        "calc.py",
        "    return a - b\n",
        "    return a - b  # minus\n",
        expected_version=before.version,
    )
    assert (workspace.root / "calc.py").read_text() == SOURCE.replace("a - b\n", "a - b  # minus\n")
    assert "-    return a - b\n+    return a - b  # minus\n" in result.diff
    assert result.diff.startswith("--- a/calc.py\n+++ b/calc.py\n")
    assert (result.lines_added, result.lines_removed, result.created) == (1, 1, False)
    assert result.version == (await workspace.read_file("calc.py")).version


@pytest.mark.asyncio
async def test_preview_shows_the_same_diff_without_writing(workspace: Workspace) -> None:
    preview = await workspace.preview_edit("calc.py", "a + b", "a + b + 0")
    assert "+    return a + b + 0" in preview.diff
    assert not preview.creates
    assert preview.version == (await workspace.read_file("calc.py")).version
    assert (workspace.root / "calc.py").read_text() == SOURCE
    result = await workspace.edit_file("calc.py", "a + b", "a + b + 0")
    assert result.diff == preview.diff
    new_file = await workspace.preview_write("pkg/new.py", "x = 1\n")
    assert new_file.creates
    assert new_file.version is None
    assert new_file.diff.startswith("--- /dev/null\n+++ b/pkg/new.py\n")
    assert not (workspace.root / "pkg").exists()


@pytest.mark.asyncio
async def test_text_not_found_shows_the_closest_lines_with_whitespace(project: Path) -> None:
    write(project, {"tabs.py": "def f():\n\tif x:\n\t\treturn 1\n\treturn 2\n"})
    workspace = Workspace.open(project)
    with pytest.raises(EditConflict) as caught:
        await workspace.edit_file(
            "tabs.py", "    if x:\n        return 1\n", "    if y:\n        return 1\n"
        )
    message = caught.value.user_message
    assert message.startswith("old_text was not found in tabs.py.")
    assert "lines 2-3" in message
    assert "→if·x:" in message
    assert "→→return·1" in message
    assert "····if·x:" in message  # what the model sent
    assert "differ only in whitespace" in message
    assert (project / "tabs.py").read_text() == "def f():\n\tif x:\n\t\treturn 1\n\treturn 2\n"


@pytest.mark.asyncio
async def test_text_nowhere_near_says_so(workspace: Workspace) -> None:
    with pytest.raises(EditConflict, match="Nothing in the file is close"):
        await workspace.edit_file("calc.py", "class Zebra(Animal):\n", "class Zebra:\n")


@pytest.mark.asyncio
async def test_several_matches_give_the_count_and_lines(workspace: Workspace) -> None:
    with pytest.raises(EditConflict) as caught:
        await workspace.edit_file("calc.py", "(a, b):", "(a: int, b: int):")
    assert "occurs 2 times in calc.py (at lines 1, 5)" in caught.value.user_message
    assert "exactly once" in caught.value.user_message
    with pytest.raises(EditConflict, match="occurs 2 times"):
        await Workspace.open(workspace.root).edit_file("calc.py", "\n\n", "\n")  # overlapping


@pytest.mark.asyncio
async def test_stale_version_is_a_conflict_and_changes_nothing(workspace: Workspace) -> None:
    old = (await workspace.read_file("calc.py")).version
    (workspace.root / "calc.py").write_text(SOURCE + "# the user typed this\n")
    for attempt in (
        workspace.edit_file("calc.py", "a + b", "b + a", expected_version=old),
        workspace.write_file("calc.py", "x = 1\n", expected_version=old),
    ):
        with pytest.raises(EditConflict, match="changed since you read it"):
            await attempt
    assert (workspace.root / "calc.py").read_text().endswith("# the user typed this\n")
    (workspace.root / "calc.py").unlink()
    with pytest.raises(EditConflict, match="was deleted since you read it"):
        await workspace.write_file("calc.py", "x = 1\n", expected_version=old)
    assert not (workspace.root / "calc.py").exists()


@pytest.mark.asyncio
async def test_crlf_files_stay_crlf(project: Path) -> None:
    write(project, {"win.txt": b"alpha\r\nbeta\r\ngamma\r\n"})
    workspace = Workspace.open(project)
    await workspace.edit_file("win.txt", "beta\ngamma\n", "BETA\nGAMMA\nDELTA\n")
    assert (project / "win.txt").read_bytes() == b"alpha\r\nBETA\r\nGAMMA\r\nDELTA\r\n"
    await workspace.edit_file("win.txt", "alpha\r\n", "ALPHA\r\n")  # CRLF in old_text works too
    await workspace.write_file("win.txt", "one\ntwo\n")
    assert (project / "win.txt").read_bytes() == b"one\r\ntwo\r\n"
    await workspace.write_file("unix.txt", "one\ntwo\n")
    assert (project / "unix.txt").read_bytes() == b"one\ntwo\n"


@pytest.mark.asyncio
async def test_mode_and_byte_order_mark_are_kept(project: Path) -> None:
    write(project, {"run.sh": "#!/bin/sh\necho hi\n", "bom.txt": "\ufeffhello\n"})
    os.chmod(project / "run.sh", 0o750)
    workspace = Workspace.open(project)
    await workspace.edit_file("run.sh", "echo hi", "echo hello")
    assert stat.S_IMODE((project / "run.sh").stat().st_mode) == 0o750
    await workspace.write_file("bom.txt", "bye\n")
    assert (project / "bom.txt").read_bytes() == b"\xef\xbb\xbfbye\n"
    created = await workspace.write_file("deep/new/file.txt", "new\n")
    assert created.created
    assert (project / "deep/new/file.txt").read_text() == "new\n"
    mode = stat.S_IMODE((project / "deep/new/file.txt").stat().st_mode)
    assert mode == 0o666 & ~_umask()  # a normal new file, not mkstemp's 0600
    assert not [path.name for path in os.scandir(project) if path.name.endswith(".tmp")]


def _umask() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("name", "old", "new", "error"),
    [
        ("calc.py", "return a + b", "return a +", "line 2"),
        ("app.js", "return 1;", "return (1;", "line 1"),
        ("main.go", "return 1", "return 1 +", "line"),
        ("lib.rs", "1", "1 +", "line 1"),
        ("types.ts", "number", "number = ", "line"),
    ],
)
async def test_edit_that_breaks_the_syntax_is_refused(
    project: Path, name: str, old: str, new: str, error: str
) -> None:
    write(
        project,
        {
            "calc.py": SOURCE,
            "app.js": "function one() { return 1; }\n",
            "main.go": "package main\n\nfunc one() int {\n\treturn 1\n}\n",
            "lib.rs": "fn one() -> i32 { 1 }\n",
            "types.ts": "let count: number;\n",
        },
    )
    before = (project / name).read_bytes()
    with pytest.raises(WorkspaceError) as caught:
        await Workspace.open(project).edit_file(name, old, new)
    assert (
        f"The change to {name} was not applied: the result would not parse"
        in caught.value.user_message
    )
    assert error in caught.value.user_message
    assert (project / name).read_bytes() == before


@pytest.mark.asyncio
async def test_new_file_must_parse_but_a_broken_file_may_be_fixed(project: Path) -> None:
    write(project, {"broken.py": "def f(:\n    pass\n"})
    workspace = Workspace.open(project)
    with pytest.raises(WorkspaceError, match="would not parse"):
        await workspace.write_file("fresh.py", "class :\n")
    assert not (project / "fresh.py").exists()
    await workspace.edit_file("broken.py", "pass", "return 1")  # still broken: not blocked
    await workspace.edit_file("broken.py", "def f(:", "def f():")
    assert (project / "broken.py").read_text() == "def f():\n    return 1\n"


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "placeholder",
    [
        "    # ... existing code ...",
        "    // rest of the file unchanged",
        "    # ... (previous methods)",
    ],
)
async def test_placeholder_output_is_refused_with_the_reason(
    workspace: Workspace, placeholder: str
) -> None:
    content = f"def add(a, b):\n{placeholder}\n    return a + b\n"
    with pytest.raises(WorkspaceError) as caught:
        await workspace.write_file("calc.py", content)
    assert "contains a placeholder instead of code" in caught.value.user_message
    assert placeholder.strip() in caught.value.user_message
    with pytest.raises(WorkspaceError, match="placeholder"):
        await workspace.edit_file("calc.py", "    return a - b\n", f"{placeholder}\n")
    assert (workspace.root / "calc.py").read_text() == SOURCE


@pytest.mark.asyncio
async def test_placeholder_already_in_the_file_does_not_block(project: Path) -> None:
    write(project, {"doc.md": "Intro\n\n... rest of the file omitted ...\n"})
    await Workspace.open(project).edit_file("doc.md", "Intro", "Introduction")
    assert (project / "doc.md").read_text().startswith("Introduction\n")


@pytest.mark.asyncio
async def test_binary_or_non_utf8_files_are_not_overwritten(project: Path) -> None:
    write(project, {"logo.png": b"\x89PNG\x00\x00", "old.txt": "café".encode("latin-1")})
    workspace = Workspace.open(project)
    with pytest.raises(WorkspaceError, match=r"binary file .*write_file replaces text files only"):
        await workspace.write_file("logo.png", "text\n")
    with pytest.raises(WorkspaceError, match="not UTF-8"):
        await workspace.edit_file("old.txt", "caf", "CAF")
    assert (project / "logo.png").read_bytes() == b"\x89PNG\x00\x00"


@pytest.mark.asyncio
async def test_useless_edits_are_refused(workspace: Workspace) -> None:
    with pytest.raises(WorkspaceError, match="old_text is empty"):
        await workspace.edit_file("calc.py", "", "x")
    with pytest.raises(WorkspaceError, match="the same"):
        await workspace.edit_file("calc.py", "a + b", "a + b")
    with pytest.raises(WorkspaceError, match="is a folder"):
        await workspace.write_file("", "x")
