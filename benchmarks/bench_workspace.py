"""Workspace figures on a generated 5,000-file project (a git repository, mixed languages).

- search (one rare word, one common word cut at 200 hits) through `Workspace.search`
  with ripgrep, and with the Python engine; baseline: ``rg`` alone on the same tree
  (its own traversal and ignore rules, plain output), the floor any search could reach;
- repo map, cold (a new workspace parses every file) and warm (cache by mtime/size);
  baseline: ``rg`` counting definition-like lines over the same tree, i.e. ripgrep
  reading every file once;
- listing (git ls-files + 8 KiB kind sniff of each file); baseline: ``git ls-files``;
- a checkpoint of a turn touching 100 files, and restoring it (budget 300 ms);
  baseline: copying the same 100 files with ``shutil.copy2``.

Run: ``python -m benchmarks.bench_workspace [--files N]``. Prints a table; never asserts.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

Row = dict[str, Any]
FILES = 5000
REPEATS = 5


def _row(
    name: str, value: float, unit: str, budget: float | None, baseline: float | None, **extra: Any
) -> Row:
    ratio = round(value / baseline, 2) if baseline else None
    row = {
        "name": name,
        "value": round(value, 2),
        "unit": unit,
        "budget": budget,
        "baseline": None if baseline is None else round(baseline, 2),
        "ratio": ratio,
    }
    row.update(extra)
    return row


def _python_file(rng: random.Random, index: int, names: list[str]) -> str:
    calls = "\n".join(f"    return {rng.choice(names)}(value)" for _ in range(1))
    body = [f'"""Module {index}."""\n', "import os\n\n"]
    for number in range(rng.randint(3, 8)):
        body.append(f"def func_{index}_{number}(value):\n    total = value * {number}\n{calls}\n\n")
    body.append(f"class Model{index}:\n")
    for number in range(rng.randint(2, 5)):
        body.append(
            f"    def method_{number}(self, item):\n        return helper_{index % 50}(item)\n\n"
        )
    return "".join(body)


def _script_file(rng: random.Random, index: int, names: list[str]) -> str:
    parts = [f"// file {index}\nimport {{ thing }} from './x';\n"]
    for number in range(rng.randint(3, 8)):
        parts.append(
            f"export function fn{index}_{number}(a, b) {{\n  return {rng.choice(names)}(a) + b;\n}}\n"
        )
    parts.append(f"export class Widget{index} {{\n  render() {{ return null; }}\n}}\n")
    return "".join(parts)


def _go_file(index: int) -> str:
    return (
        f"package p{index % 20}\n\ntype Service{index} struct{{}}\n\n"
        f"func (s *Service{index}) Run(n int) int {{ return n }}\n\nfunc New{index}() int {{ return 1 }}\n"
    )


def _rust_file(index: int) -> str:
    return (
        f"pub struct Store{index};\n\nimpl Store{index} {{\n    pub fn get(&self, k: u32) -> u32 {{ k }}\n}}\n\n"
        f"pub fn build{index}() -> u32 {{ 0 }}\n"
    )


def build_tree(root: Path, count: int) -> None:
    """``count`` files: 60% Python, 20% JS/TS, 10% Go/Rust, 10% text, in nested folders."""
    rng = random.Random(5000)
    names = [f"helper_{n}" for n in range(50)]
    for index in range(count):
        folder = root / f"pkg{index % 40}" / f"sub{index % 7}"
        folder.mkdir(parents=True, exist_ok=True)
        kind = index % 10
        if kind < 6:
            (folder / f"mod{index}.py").write_text(_python_file(rng, index, names))
        elif kind < 8:
            suffix = ".ts" if kind == 6 else ".js"
            (folder / f"file{index}{suffix}").write_text(_script_file(rng, index, names))
        elif kind == 8:
            path = folder / (f"svc{index}.go" if index % 20 < 10 else f"lib{index}.rs")
            path.write_text(_go_file(index) if path.suffix == ".go" else _rust_file(index))
        else:
            words = " ".join(rng.choice(names) for _ in range(200))
            (folder / f"notes{index}.txt").write_text(
                words + "\nunique_needle_9137\n" * (index == 4999)
            )
    (root / ".gitignore").write_text("build/\n")
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)


def _median(function: Callable[[], object], repeats: int = REPEATS) -> float:
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000


def _rg(root: Path, *args: str) -> None:
    subprocess.run(["rg", "--no-config", *args], cwd=root, capture_output=True, check=False)


def run(files: int = FILES) -> list[Row]:
    """Measure everything; rows of name/value/unit/budget/baseline/ratio."""
    from codeface.workspace import Workspace, WorkspaceOptions

    rows: list[Row] = []
    has_rg = shutil.which("rg") is not None
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "project"
        root.mkdir()
        build_tree(root, files)
        fast = Workspace.open(
            root,
            options=WorkspaceOptions(
                search_engine="ripgrep" if has_rg else "python",
                checkpoint_folder=Path(folder) / "checkpoints",
            ),
        )
        slow = Workspace.open(root, options=WorkspaceOptions(search_engine="python"))

        listing_ms = _median(lambda: asyncio.run(fast.list_files()))
        git_ms = _median(
            lambda: subprocess.run(
                ["git", "ls-files", "-co", "--exclude-standard"],
                cwd=root,
                capture_output=True,
                check=False,
            )
        )
        rows.append(
            _row(f"list_files, {files} files (kind sniffed)", listing_ms, "ms", None, git_ms)
        )

        for label, pattern, baseline_args in (
            ("rare word", "unique_needle_9137", ["-n", "unique_needle_9137"]),
            ("common word, 200 hits", "helper_7", ["-n", "-m", "200", "helper_7"]),
        ):
            rg_ms = _median(lambda args=baseline_args: _rg(root, *args)) if has_rg else None
            ours = _median(lambda p=pattern: asyncio.run(fast.search(p)))
            engine = "ripgrep" if has_rg else "python"
            rows.append(_row(f"search {label} ({engine})", ours, "ms", None, rg_ms))
            python_ms = _median(lambda p=pattern: asyncio.run(slow.search(p)), repeats=3)
            rows.append(_row(f"search {label} (python engine)", python_ms, "ms", None, rg_ms))

        symbol_scan = r"^\s*(def|class|function|export|func|pub|impl|fn)\b"
        scan_ms = _median(lambda: _rg(root, "-c", symbol_scan)) if has_rg else None
        start = time.perf_counter()
        text = asyncio.run(Workspace.open(root).repo_map(2000))
        cold_ms = (time.perf_counter() - start) * 1000
        warm = Workspace.open(root)
        asyncio.run(warm.repo_map(2000))
        warm_ms = _median(lambda: asyncio.run(warm.repo_map(2000)))
        rows.append(
            _row("repo map 2,000 tokens, cold (parse every file)", cold_ms, "ms", None, scan_ms)
        )
        rows.append(
            _row("repo map 2,000 tokens, warm (cached parses)", warm_ms, "ms", None, scan_ms)
        )
        rows.append(_row("repo map size", len(text) / 4, "tokens", 2000, None))

        touched = [entry.path for entry in asyncio.run(fast.list_files())[:100]]
        copies = Path(folder) / "copies"

        def copy_all() -> None:
            shutil.rmtree(copies, ignore_errors=True)
            for relative in touched:
                target = copies / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(root / relative, target)

        copy_ms = _median(copy_all)
        counter = iter(range(10_000))

        async def save_and_edit() -> float:
            turn = f"bench-{next(counter)}"
            start = time.perf_counter()
            await fast.checkpoints.save(turn, touched)
            return (time.perf_counter() - start) * 1000

        save_samples = [asyncio.run(save_and_edit()) for _ in range(REPEATS)]
        rows.append(
            _row(
                "checkpoint save, turn touching 100 files",
                statistics.median(save_samples),
                "ms",
                300,
                copy_ms,
            )
        )
        for relative in touched[:50]:
            (root / relative).write_text("changed\n")

        async def restore() -> float:
            start = time.perf_counter()
            await fast.checkpoints.restore("bench-0")
            return (time.perf_counter() - start) * 1000

        rows.append(
            _row(
                "checkpoint restore, 100 files (50 changed)",
                asyncio.run(restore()),
                "ms",
                300,
                copy_ms,
            )
        )
    return rows


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=FILES)
    options = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from benchmarks.run import print_rows

    print_rows("workspace", run(options.files))
