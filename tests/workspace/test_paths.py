"""Confinement: every way out of the project is refused with its reason; inside paths work."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from codeface.core.errors import PathOutsideProject
from codeface.workspace import Workspace
from codeface.workspace.paths import resolve_inside
from tests.workspace.conftest import git, write


@pytest.fixture
def tree(tmp_path: Path, project: Path) -> Path:
    """A project with an outside neighbour and symlinks of every kind."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("secret")
    write(project, {"src/app.py": "x = 1\n", "docs/readme.md": "hi\n"})
    git(project, "init", "-q")
    links = {
        "out_dir": str(outside),  # absolute, to a folder outside
        "out_file": str(outside / "secret.txt"),  # final component leads out
        "dangling_out": str(tmp_path / "nowhere" / "x"),  # dangling, outside
        "src/deep_out": "../../outside",  # relative, climbs out
        "chain1": "chain2",
        "chain2": "chain3",
        "chain3": str(outside),  # a chain that ends outside
        "to_git": ".git",
        "to_git_config": ".git/config",
        "loop1": "loop2",
        "loop2": "loop1",
        "parent": "..",
        "dangling_in": "src/not_yet.py",  # dangling, inside: allowed
        "inner_abs": str(project / "src"),  # absolute, inside: allowed
        "round_trip": f"../{project.name}/src",  # out and back in: allowed
    }
    for name, target in links.items():
        os.symlink(target, project / name)
    return project


ESCAPES = [
    ("../secret", '".."'),
    ("a/../../secret", '".."'),
    ("src/../docs/readme.md", '".."'),  # stays inside, but ".." is refused outright
    ("./../x", '".."'),
    ("a/./../../x", '".."'),
    ("..\\..\\etc\\passwd", '".."'),
    ("/etc/passwd", "absolute"),
    ("//etc/passwd", "absolute"),
    ("\\etc\\passwd", "absolute"),
    ("\\\\server\\share\\x", "absolute"),
    ("C:\\Windows\\system32", "drive"),
    ("c:/x", "drive"),
    ("~/.ssh/id_rsa", "home folder"),
    ("~root/.bashrc", "home folder"),
    ("a\x00b", "NUL"),
    ("src/app.py\x00.txt", "NUL"),
    (".git/config", ".git"),
    ("src/.git/HEAD", ".git"),
    (".GIT/config", ".git"),
    (".git", ".git"),
    ("out_dir/secret.txt", "leads out"),
    ("out_dir", "leads out"),
    ("out_file", "leads out"),
    ("dangling_out", "leads out"),
    ("src/deep_out/secret.txt", "leads out"),
    ("chain1/secret.txt", "leads out"),
    ("parent", "leads out"),
    ("parent/outside/secret.txt", "leads out"),
    ("to_git", "into .git"),
    ("to_git/config", "into .git"),
    ("to_git_config", "into .git"),
    ("loop1", "loop"),
    ("loop2/x", "loop"),
]


@pytest.mark.parametrize(("relative", "reason"), ESCAPES, ids=[repr(case[0]) for case in ESCAPES])
def test_escape_is_refused_with_its_reason(tree: Path, relative: str, reason: str) -> None:
    workspace = Workspace.open(tree)
    with pytest.raises(PathOutsideProject) as caught:
        workspace.resolve(relative)
    assert reason in caught.value.user_message
    assert caught.value.kind == "outside_project"
    assert "\x00" not in caught.value.user_message


@pytest.mark.parametrize(
    ("relative", "expected"),
    [
        ("", "."),
        (".", "."),
        ("src/app.py", "src/app.py"),
        ("./src/app.py", "src/app.py"),
        ("src//app.py", "src/app.py"),
        ("docs/", "docs"),
        ("new/deep/file.txt", "new/deep/file.txt"),
        ("a..b", "a..b"),
        ("..hidden", "..hidden"),
        (".gitignore", ".gitignore"),
        ("src/.github/ci.yml", "src/.github/ci.yml"),
        ("café/ünïcode.txt", "café/ünïcode.txt"),
        ("dangling_in", "src/not_yet.py"),
        ("inner_abs/app.py", "src/app.py"),
        ("round_trip/app.py", "src/app.py"),
    ],
)
def test_paths_inside_resolve_to_their_real_place(tree: Path, relative: str, expected: str) -> None:
    workspace = Workspace.open(tree)
    real = workspace.resolve(relative)
    assert real == (tree / expected).resolve() or real == tree / expected
    assert real.is_relative_to(tree)
    assert workspace.relative(real) == ("" if expected == "." else expected)


def test_at_least_twenty_escapes_are_covered() -> None:
    assert len(ESCAPES) >= 20
    assert sum(1 for _, reason in ESCAPES if reason in ("leads out", "into .git", "loop")) >= 10


@pytest.mark.asyncio
async def test_file_operations_refuse_escapes_and_touch_nothing_outside(
    tree: Path, tmp_path: Path
) -> None:
    workspace = Workspace.open(tree)
    secret = tmp_path / "outside" / "secret.txt"
    for call in (
        workspace.read_file("out_file"),
        workspace.write_file("out_dir/new.txt", "x"),
        workspace.write_file("dangling_out", "x"),
        workspace.edit_file("out_file", "secret", "changed"),
        workspace.list_dir("out_dir"),
        workspace.search("secret", "out_dir"),
        workspace.write_file("../escape.txt", "x"),
    ):
        with pytest.raises(PathOutsideProject):
            await call
    assert secret.read_text() == "secret"
    assert not (tmp_path / "outside" / "new.txt").exists()
    assert not (tmp_path / "nowhere").exists()
    assert not (tmp_path / "escape.txt").exists()
    with pytest.raises(PathOutsideProject):
        await workspace.preview_write(".git/hooks/pre-commit", "#!/bin/sh\n")


@pytest.mark.asyncio
async def test_listing_leaves_out_links_that_lead_out(tree: Path) -> None:
    workspace = Workspace.open(tree)
    listed = {entry.path for entry in await workspace.list_files()}
    assert "src/app.py" in listed
    assert not listed & {"out_file", "out_dir", "dangling_out", "loop1", "to_git_config"}
    names = {entry.name for entry in await workspace.list_dir()}
    assert "src" in names
    assert "inner_abs" in names
    assert not names & {"out_dir", "out_file", "parent", "to_git", ".git", "loop1"}


_PIECES = st.sampled_from(["a", "b", ".", "..", "~", "", "C:", ".git", "\\", "\x00", "out", "lnk"])


@given(st.lists(_PIECES, max_size=6), st.sampled_from(["/", "\\"]))
def test_any_path_resolves_inside_or_is_refused(
    tmp_path_factory: pytest.TempPathFactory, parts: list[str], separator: str
) -> None:
    base = tmp_path_factory.mktemp("fuzz")
    root = base / "root"
    (root / "a").mkdir(parents=True)
    (base / "out").mkdir(exist_ok=True)
    if not (root / "lnk").is_symlink():
        os.symlink(base / "out", root / "lnk")
    relative = separator.join(parts)
    try:
        real = resolve_inside(root.resolve(), relative)
    except PathOutsideProject:
        return
    assert real.is_relative_to(root.resolve())
    assert ".git" not in real.relative_to(root.resolve()).parts
