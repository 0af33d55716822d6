"""Checkpoints: a turn's files saved in a shadow repository and restored byte for byte."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

import pytest

from codeface.core.errors import PathOutsideProject, WorkspaceError
from codeface.workspace import Workspace, WorkspaceOptions
from tests.workspace.conftest import git, write

BINARY = bytes(range(256)) * 40 + b"\x00\xff\r\n\r"
ORIGINAL: dict[str, str | bytes] = {
    "src/app.py": "def main():\n    return 1\n",
    "assets/icon.bin": BINARY,
    "win.txt": b"one\r\ntwo\r\n",
    "notes.md": "keep me\n",
}


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file below ``folder`` (``.git`` included) with its bytes and mode."""
    found = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink():
            found[path.relative_to(folder).as_posix()] = (path.read_bytes(), path.stat().st_mode)
    return found


@pytest.fixture
def repo(git_project: Path) -> Path:
    write(git_project, ORIGINAL)
    os.chmod(git_project / "src" / "app.py", 0o755)
    git(git_project, "add", ".")
    git(git_project, "commit", "-q", "-m", "start")
    return git_project


@pytest.mark.asyncio
async def test_restore_is_byte_for_byte_with_created_and_deleted_files(
    repo: Path, codeface_home: Path
) -> None:
    workspace = Workspace.open(repo)
    before = snapshot(repo)
    info = await workspace.checkpoints.save(
        "turn-1", ["src/app.py", "assets/icon.bin", "win.txt", "new/dir/created.py", "notes.md"]
    )
    assert set(info.paths) == {
        "src/app.py",
        "assets/icon.bin",
        "win.txt",
        "new/dir/created.py",
        "notes.md",
    }
    # the turn changes, creates and deletes files
    await workspace.edit_file("src/app.py", "return 1", "return 2")
    (repo / "assets" / "icon.bin").write_bytes(b"overwritten")
    os.chmod(repo / "assets" / "icon.bin", 0o600)
    await workspace.write_file("win.txt", "three\n")
    await workspace.write_file("new/dir/created.py", "x = 1\n")
    (repo / "notes.md").unlink()

    report = await workspace.checkpoints.restore("turn-1")

    assert snapshot(repo) == before
    assert sorted(report.restored) == ["assets/icon.bin", "notes.md", "src/app.py", "win.txt"]
    assert report.deleted == ("new/dir/created.py",)
    assert not (repo / "new").exists()  # the folders the turn made are gone too
    assert report.not_restored == ()
    shadow = next((codeface_home / "data" / "checkpoints").glob("project-*/shadow.git"))
    assert (shadow / "HEAD").is_file()


@pytest.mark.asyncio
async def test_restore_can_itself_be_undone(repo: Path) -> None:
    workspace = Workspace.open(repo)
    await workspace.checkpoints.save("t", ["src/app.py", "made.txt"])
    await workspace.write_file("src/app.py", "def main():\n    return 'agent'\n")
    await workspace.write_file("made.txt", "agent's file\n")
    after_turn = snapshot(repo)

    report = await workspace.checkpoints.restore("t")
    assert not (repo / "made.txt").exists()
    undo = await workspace.checkpoints.restore(report.undo_id)

    assert snapshot(repo) == after_turn
    assert undo.deleted == ()
    assert sorted(undo.restored) == ["made.txt", "src/app.py"]
    kinds = [(c.kind, c.undoes) for c in await workspace.checkpoints.list()]
    assert kinds[0] == ("turn", None)
    assert ("undo", "t") in kinds


@pytest.mark.asyncio
async def test_save_is_idempotent_per_path_within_a_turn(repo: Path) -> None:
    workspace = Workspace.open(repo)
    await workspace.checkpoints.save("t", ["src/app.py"])
    await workspace.edit_file("src/app.py", "return 1", "return 2")
    second = await workspace.checkpoints.save("t", ["src/app.py", "notes.md"])  # first copy wins
    await workspace.edit_file("src/app.py", "return 2", "return 3")
    assert second.paths == ("src/app.py", "notes.md")
    await workspace.checkpoints.restore("t")
    assert (repo / "src/app.py").read_text() == ORIGINAL["src/app.py"]


@pytest.mark.asyncio
async def test_edits_with_a_turn_id_save_first_and_report_later_changes(repo: Path) -> None:
    workspace = Workspace.open(repo)
    await workspace.edit_file("src/app.py", "return 1", "return 2", turn_id="t")
    await workspace.write_file("notes.md", "agent notes\n", turn_id="t")
    (repo / "notes.md").write_text("the user edited after the agent\n")
    report = await workspace.checkpoints.restore("t")
    assert report.changed_since == ("notes.md",)
    assert sorted(report.restored) == ["notes.md", "src/app.py"]
    assert (repo / "notes.md").read_text() == "keep me\n"
    await workspace.checkpoints.restore(report.undo_id)  # the user's text is not lost
    assert (repo / "notes.md").read_text() == "the user edited after the agent\n"


@pytest.mark.asyncio
async def test_user_git_repository_is_never_touched(repo: Path) -> None:
    workspace = Workspace.open(repo)
    dot_git = snapshot(repo / ".git")
    status = git(repo, "status", "--porcelain")
    await workspace.checkpoints.save("t", ["src/app.py", "brand_new.py", ""])
    await workspace.write_file("src/app.py", "x = 2\n")
    await workspace.write_file("brand_new.py", "y = 1\n")
    await workspace.checkpoints.diff("t")
    await workspace.checkpoints.restore("t")
    await workspace.git_status()  # reading git state does not refresh the index either
    await workspace.list_dir("src")
    await workspace.list_files()
    assert snapshot(repo / ".git") == dot_git
    assert git(repo, "status", "--porcelain") == status
    assert git(repo, "log", "--format=%s") == "start\n"


@pytest.mark.asyncio
async def test_diff_compares_the_checkpoint_with_now(repo: Path) -> None:
    workspace = Workspace.open(repo)
    await workspace.checkpoints.save(
        "t", ["src/app.py", "assets/icon.bin", "added.txt", "notes.md"]
    )
    await workspace.edit_file("src/app.py", "return 1", "return 2")
    (repo / "assets" / "icon.bin").write_bytes(BINARY + b"more")
    await workspace.write_file("added.txt", "hello\n")
    diff = await workspace.checkpoints.diff("t")
    assert "--- a/src/app.py\n+++ b/src/app.py\n" in diff
    assert "-    return 1\n+    return 2\n" in diff
    assert "Binary files a/assets/icon.bin and b/assets/icon.bin differ\n" in diff
    assert "--- /dev/null\n+++ b/added.txt\n@@ -0,0 +1 @@\n+hello\n" in diff
    assert "notes.md" not in diff  # unchanged


@pytest.mark.asyncio
async def test_folder_save_respects_ignore_rules_and_size_cap(repo: Path, tmp_path: Path) -> None:
    write(
        repo,
        {
            ".gitignore": "node_modules/\n",
            "node_modules/dep/index.js": "x",
            "big.dat": b"b" * 20_000,
        },
    )
    workspace = Workspace.open(
        repo,
        options=WorkspaceOptions(checkpoint_file_limit=12_000, checkpoint_folder=tmp_path / "cp"),
    )
    info = await workspace.checkpoints.save("t", [""])
    assert "node_modules/dep/index.js" not in info.paths
    assert {"src/app.py", "assets/icon.bin", ".gitignore", "big.dat"} <= set(info.paths)
    assert info.too_large == ("big.dat",)
    (repo / "big.dat").write_bytes(b"changed")
    report = await workspace.checkpoints.restore("t")
    assert report.not_restored == (("big.dat", "it was too large to save (19.5 KB)"),)
    assert (tmp_path / "cp").is_dir()


@pytest.mark.asyncio
async def test_shadow_repository_stores_each_content_once(repo: Path, codeface_home: Path) -> None:
    workspace = Workspace.open(repo)
    await workspace.checkpoints.save("a", ["src/app.py", "notes.md"])
    await workspace.checkpoints.save("b", ["src/app.py", "notes.md"])
    shadow = next((codeface_home / "data" / "checkpoints").glob("project-*/shadow.git"))
    blobs = {
        path.parent.name + path.name
        for path in (shadow / "objects").glob("??/*")
        if path.parent.name not in ("info", "pack")
    }
    wanted = {
        hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()
        for data in (ORIGINAL["src/app.py"].encode(), ORIGINAL["notes.md"].encode())  # type: ignore[union-attr]
    }
    assert wanted <= blobs
    assert stat.S_IMODE(shadow.stat().st_mode) == 0o700


@pytest.mark.asyncio
async def test_unknown_turns_and_escapes_are_refused(repo: Path) -> None:
    workspace = Workspace.open(repo)
    with pytest.raises(WorkspaceError, match="There is no checkpoint for nope"):
        await workspace.checkpoints.restore("nope")
    with pytest.raises(PathOutsideProject):
        await workspace.checkpoints.save("t", ["../outside.txt"])
    odd = "turn with spaces/and slashes\u00e9"
    await workspace.checkpoints.save(odd, ["notes.md"])
    assert [c.turn_id for c in await workspace.checkpoints.list()] == [odd]
    await workspace.checkpoints.discard(odd)
    assert await workspace.checkpoints.list() == []
