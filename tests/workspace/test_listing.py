"""Listing follows git's ignore rules (in a repository and without one) and describes each file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from codeface.core.errors import WorkspaceError
from codeface.workspace import Workspace
from codeface.workspace.files import HUGE_BYTES
from tests.workspace.conftest import git, write

IGNORE_TREE: dict[str, str | bytes] = {
    ".gitignore": "*.log\nbuild/\n!keep.log\n/top_only.txt\nnode_modules\n",
    "app.py": "print('hi')\n",
    "debug.log": "noise\n",
    "keep.log": "kept by negation\n",
    "top_only.txt": "ignored at the top\n",
    "sub/top_only.txt": "not ignored below the top\n",
    "sub/.gitignore": "*.tmp\n!important.tmp\n",
    "sub/scratch.tmp": "ignored by the nested file\n",
    "sub/important.tmp": "re-included by the nested file\n",
    "sub/code.py": "x = 1\n",
    "build/out.txt": "artefact\n",
    "build/keep.log": "inside an ignored folder: stays ignored\n",
    "node_modules/pkg/index.js": "module.exports = 1\n",
    ".hidden/config": "hidden files count\n",
}
EXPECTED = [
    ".gitignore",
    ".hidden/config",
    "app.py",
    "keep.log",
    "sub/.gitignore",
    "sub/code.py",
    "sub/important.tmp",
    "sub/top_only.txt",
]


@pytest.mark.asyncio
async def test_plain_folder_applies_gitignore_files_like_git(project: Path) -> None:
    write(project, IGNORE_TREE)
    paths = [entry.path for entry in await Workspace.open(project).list_files()]
    assert paths == EXPECTED


@pytest.mark.asyncio
async def test_git_repository_lists_what_git_lists(git_project: Path) -> None:
    write(git_project, IGNORE_TREE)
    paths = [entry.path for entry in await Workspace.open(git_project).list_files()]
    assert paths == EXPECTED
    # the two ways agree with git itself
    listed = git(git_project, "ls-files", "--others", "--exclude-standard").split()
    assert sorted(listed) == EXPECTED


@pytest.mark.asyncio
async def test_tracked_files_count_even_when_ignored_and_deleted_ones_do_not(
    git_project: Path,
) -> None:
    write(
        git_project,
        {"forced.log": "tracked on purpose\n", "gone.py": "x\n", ".gitignore": "*.log\n"},
    )
    git(git_project, "add", "-f", "forced.log", "gone.py", ".gitignore")
    git(git_project, "commit", "-q", "-m", "init")
    (git_project / "gone.py").unlink()
    paths = [entry.path for entry in await Workspace.open(git_project).list_files()]
    assert paths == [".gitignore", "forced.log"]


@pytest.mark.asyncio
async def test_project_in_a_subfolder_of_a_repository(git_project: Path) -> None:
    write(
        git_project,
        {".gitignore": "*.log\n", "sub/a.py": "a\n", "sub/b.log": "b\n", "top.py": "t\n"},
    )
    git(git_project, "add", "sub/a.py")
    git(git_project, "commit", "-q", "-m", "init")
    (git_project / "sub" / "a.py").write_text("changed\n")
    workspace = Workspace.open(git_project / "sub")
    assert [entry.path for entry in await workspace.list_files()] == ["a.py"]
    assert await workspace.git_status() == {"a.py": "modified", "b.log": "ignored"}


@pytest.mark.asyncio
async def test_each_file_says_what_kind_it_is(project: Path) -> None:
    write(
        project,
        {
            "text.md": "# Title\nżółw 🐢\n",
            "empty.txt": "",
            "image.png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)),
            "latin1.txt": "café crème\n".encode("latin-1"),
            "cut_multibyte.txt": ("a" * 8191 + "é" + "b" * 100).encode("utf-8"),
        },
    )
    (project / "huge.csv").write_bytes(b"a,b\n" * (HUGE_BYTES // 4 + 1))
    entries = {entry.path: entry for entry in await Workspace.open(project).list_files()}
    assert {path: entry.kind for path, entry in entries.items()} == {
        "text.md": "text",
        "empty.txt": "text",
        "image.png": "binary",
        "latin1.txt": "not_utf8",
        "cut_multibyte.txt": "text",  # a character cut by the 8 KiB sample is still UTF-8
        "huge.csv": "huge",
    }
    assert entries["huge.csv"].size > HUGE_BYTES
    assert entries["text.md"].size == len("# Title\nżółw 🐢\n".encode())


@pytest.mark.asyncio
async def test_list_dir_shows_ignored_entries_greyed_with_git_status(git_project: Path) -> None:
    write(
        git_project,
        {".gitignore": "*.log\nbuild/\n", "src/a.py": "a\n", "src/b.py": "b\n", "notes.txt": "n\n"},
    )
    git(git_project, "add", ".")
    git(git_project, "commit", "-q", "-m", "init")
    write(
        git_project, {"src/a.py": "changed\n", "new.py": "new\n", "x.log": "log\n", "build/o": "o"}
    )
    workspace = Workspace.open(git_project)
    entries = await workspace.list_dir()
    summary = [(e.name, e.is_dir, e.ignored, e.git_status) for e in entries]
    assert summary == [
        ("build", True, True, "ignored"),
        ("src", True, False, "modified"),
        (".gitignore", False, False, None),
        ("new.py", False, False, "new"),
        ("notes.txt", False, False, None),
        ("x.log", False, True, "ignored"),
    ]
    inner = {e.name: e for e in await workspace.list_dir("src")}
    assert inner["a.py"].git_status == "modified"
    assert inner["b.py"].git_status is None
    assert inner["a.py"].kind == "text"
    assert inner["a.py"].size == len("changed\n")
    assert (await workspace.list_dir("build"))[0].ignored


@pytest.mark.asyncio
async def test_list_dir_outside_git_marks_ignored_entries(project: Path) -> None:
    write(
        project, {".gitignore": "dist/\n*.pyc\n", "dist/x.js": "x", "m.pyc": b"\x00", "m.py": "m\n"}
    )
    entries = {e.name: e for e in await Workspace.open(project).list_dir()}
    assert entries["dist"].ignored
    assert entries["m.pyc"].ignored
    assert not entries["m.py"].ignored
    assert entries["m.py"].git_status is None
    assert entries["m.pyc"].kind == "binary"


@pytest.mark.asyncio
async def test_list_dir_explains_a_file_or_missing_folder(project: Path) -> None:
    write(project, {"a.txt": "a"})
    workspace = Workspace.open(project)
    with pytest.raises(WorkspaceError, match="is a file"):
        await workspace.list_dir("a.txt")
    with pytest.raises(WorkspaceError, match="cannot be listed"):
        await workspace.list_dir("missing")


@pytest.mark.asyncio
async def test_nested_repositories_and_git_folders_are_skipped(git_project: Path) -> None:
    write(git_project, {"a.py": "a\n", "vendor/lib/b.py": "b\n"})
    git(git_project / "vendor" / "lib", "init", "-q")
    plain = git_project.parent / "plain"
    write(plain, {"c.py": "c\n", "inner/.git/config": "[core]\n", "inner/d.py": "d\n"})
    assert [e.path for e in await Workspace.open(git_project).list_files()] == ["a.py"]
    assert [e.path for e in await Workspace.open(plain).list_files()] == ["c.py", "inner/d.py"]


@pytest.mark.asyncio
async def test_inner_symlink_to_a_file_is_listed_and_special_files_are_not(project: Path) -> None:
    write(project, {"real.py": "r\n"})
    os.symlink("real.py", project / "alias.py")
    os.mkfifo(project / "pipe")
    paths = [e.path for e in await Workspace.open(project).list_files()]
    assert paths == ["alias.py", "real.py"]


@pytest.mark.asyncio
async def test_entries_describe_themselves_for_the_model(project: Path) -> None:
    write(
        project,
        {"a.txt": "x" * 2048, "b.bin": b"\x00" * 10, "c.txt": "é".encode("latin-1"), "d/e": ""},
    )
    described = {e.name: e.description for e in await Workspace.open(project).list_dir()}
    assert described == {
        "d": "folder",
        "a.txt": "text, 2.0 KB",
        "b.bin": "binary, 10 bytes",
        "c.txt": "not UTF-8, 1 byte",
    }
