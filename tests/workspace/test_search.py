"""Search: ripgrep and the Python engine give the same hits, in the same order, on the same tree."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from codeface.core.errors import WorkspaceError
from codeface.workspace import SearchResult, Workspace, WorkspaceOptions
from codeface.workspace.files import HUGE_BYTES
from codeface.workspace.search import LINE_TEXT_LIMIT
from tests.workspace.conftest import git, write

TREE: dict[str, str | bytes] = {
    ".gitignore": "ignored/\n*.gen.py\n",
    "src/app.py": "import os\n\ndef handle(request):\n    return Response(request)\n",
    "src/util.py": "def helper():\n    return 'handle it'\n\nHANDLE = 1\n",
    "src/a-b.py": "handle = 'dash'\n",
    "src/a.b.py": "handle = 'dot'\n",
    "src/a/b.py": "handle = 'folder'\n",
    "src/z.gen.py": "handle = 'generated, ignored'\n",
    "ignored/x.py": "handle = 'ignored'\n",
    "docs/unicode.md": "żółw 🐢 handle ünïcode\nZAŻÓŁĆ handle\n",
    "docs/windows.txt": b"first handle\r\nsecond handle\r\n",
    "docs/latin1.txt": "café handle\n".encode("latin-1"),
    "docs/blob.bin": b"handle\x00binary handle\n",
    "docs/long.txt": "x" * 1000 + " handle " + "y" * 1000 + "\n",
    ".hidden/h.txt": "handle hidden\n",
    "empty_end.txt": "handle\n\n\n",
}
PATTERNS = [
    "handle",
    r"\bhandle\b",
    "handle$",
    "^handle",
    r"def \w+\(",
    "HANDLE|Response",
    "ü",
    "🐢",
    "^$",
    "no such text anywhere",
    r"handle \w+",
    "[0-9]",
]


@pytest.fixture
def ripgrep() -> str:
    binary = shutil.which("rg")
    assert binary, "ripgrep is needed for these tests: apt-get install ripgrep"
    return binary


@pytest.fixture(params=["git", "plain"])
def tree(request: pytest.FixtureRequest, project: Path) -> Path:
    write(project, TREE)
    (project / "docs" / "huge.txt").write_bytes(b"handle\n" * (HUGE_BYTES // 7 + 1))
    if request.param == "git":
        git(project, "init", "-q")
    return project


def engines(root: Path) -> tuple[Workspace, Workspace]:
    return (
        Workspace.open(root, options=WorkspaceOptions(search_engine="ripgrep")),
        Workspace.open(root, options=WorkspaceOptions(search_engine="python")),
    )


def same(first: SearchResult, second: SearchResult) -> None:
    assert first.hits == second.hits
    assert (first.truncated, first.files_searched) == (second.truncated, second.files_searched)


@pytest.mark.asyncio
@pytest.mark.parametrize("pattern", PATTERNS)
async def test_both_engines_agree(tree: Path, ripgrep: str, pattern: str) -> None:
    fast, slow = engines(tree)
    for ignore_case in (False, True):
        by_rg = await fast.search(pattern, ignore_case=ignore_case)
        by_python = await slow.search(pattern, ignore_case=ignore_case)
        assert (by_rg.engine, by_python.engine) == ("ripgrep", "python")
        same(by_rg, by_python)


@pytest.mark.asyncio
async def test_hits_follow_ignore_rules_and_describe_each_line(tree: Path, ripgrep: str) -> None:
    result = await engines(tree)[0].search("handle")
    paths = [hit.path for hit in result.hits]
    assert paths == sorted(paths)
    assert "ignored/x.py" not in paths
    assert "src/z.gen.py" not in paths
    assert "docs/blob.bin" not in paths
    assert "docs/huge.txt" not in paths
    assert ".hidden/h.txt" in paths
    names = [p for p in paths if p.startswith("src/a") and p != "src/app.py"]
    assert names == ["src/a-b.py", "src/a.b.py", "src/a/b.py"]  # code-point order, as rg sorts
    by_path = {(hit.path, hit.line): hit for hit in result.hits}
    unicode_hit = by_path[("docs/unicode.md", 1)]
    assert unicode_hit.column == len("żółw 🐢 ") + 1
    assert unicode_hit.text == "żółw 🐢 handle ünïcode"
    assert by_path[("docs/windows.txt", 2)].text == "second handle"
    assert by_path[("docs/latin1.txt", 1)].text == "caf\ufffd handle"
    long_hit = by_path[("docs/long.txt", 1)]
    assert len(long_hit.text) <= LINE_TEXT_LIMIT + 2
    assert "handle" in long_hit.text
    assert by_path[("src/app.py", 3)].column == 5


@pytest.mark.asyncio
async def test_max_results_cuts_identically(tree: Path, ripgrep: str) -> None:
    fast, slow = engines(tree)
    total = len((await slow.search("handle")).hits)
    for limit in (1, 2, 5, total - 1, total, total + 1):
        by_rg, by_python = (
            await fast.search("handle", max_results=limit),
            await slow.search("handle", max_results=limit),
        )
        same(by_rg, by_python)
        assert len(by_rg.hits) == min(limit, total)
        assert by_rg.truncated == (limit < total)


@pytest.mark.asyncio
async def test_search_below_a_folder_or_in_one_file(tree: Path, ripgrep: str) -> None:
    fast, slow = engines(tree)
    for path in ("src", "src/a", "docs/unicode.md", "ignored/x.py"):
        by_rg, by_python = await fast.search("handle", path), await slow.search("handle", path)
        same(by_rg, by_python)
        assert by_rg.hits
        assert all(hit.path == path or hit.path.startswith(path + "/") for hit in by_rg.hits)


@pytest.mark.asyncio
async def test_invalid_pattern_is_a_workspace_error_in_both_engines(
    tree: Path, ripgrep: str
) -> None:
    for workspace in engines(tree):
        with pytest.raises(WorkspaceError) as caught:
            await workspace.search("handle(")
        assert "not a valid regular expression" in caught.value.user_message
        assert "escape" in caught.value.hint.lower()
        with pytest.raises(WorkspaceError, match="empty"):
            await workspace.search("")


@pytest.mark.asyncio
async def test_pattern_ripgrep_refuses_runs_in_python(tree: Path, ripgrep: str) -> None:
    fast, slow = engines(tree)
    by_rg = await fast.search(r"(?<=def )handle")
    assert by_rg.engine == "python"
    assert [(hit.path, hit.line) for hit in by_rg.hits] == [("src/app.py", 3)]
    same(by_rg, await slow.search(r"(?<=def )handle"))


@pytest.mark.asyncio
async def test_auto_picks_ripgrep_when_installed(project: Path, ripgrep: str) -> None:
    write(project, {"a.txt": "needle\n"})
    assert (await Workspace.open(project).search("needle")).engine == "ripgrep"
