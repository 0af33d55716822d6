"""Bundle size and start-up time of the PyInstaller bundle against running from source.

Needs a built bundle (``python packaging/build.py``). Figures:

- bundle size (MiB) against the 205 MiB budget; baseline: the installed size of CodeFace's
  runtime dependencies in this environment (what ``pip install`` puts on disk);
- ``--version`` start-up: first run after a build (cold) and the median of warm runs,
  bundle vs ``python -m codeface``;
- window open-to-close offscreen (``CODEFACE_SMOKE_TEST=1``), bundle vs source, once the
  window exists.

Run: ``python -m benchmarks.bench_bundle [--size-only] [--runs N]``. Never asserts.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import re
import statistics
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

from packaging.requirements import Requirement  # PyPI packaging (pip/PyInstaller need it)

ROOT = Path(__file__).resolve().parents[1]
BUNDLE = ROOT / "dist" / "codeface"
SIZE_BUDGET_MIB = 205.0
# Was 150. With the built-in engine (the `local` extra) the Linux bundle measured 196.6 MiB:
# llama.cpp's libraries 6.1 MiB, numpy (which llama-cpp-python imports) 35.0 MiB with its
# OpenBLAS, Python modules ~2.5 MiB; the same tree without the engine measured 152.7 MiB.
MIB = 1024 * 1024
SMOKE_SEAM = "CODEFACE_SMOKE_TEST"  # makes the window close itself after the first paint


def _load(name: str) -> ModuleType:
    """Import a script from packaging/ (a script folder, not a package)."""
    folder = str(ROOT / "packaging")
    if folder not in sys.path:
        sys.path.insert(0, folder)
    return __import__(name)


def tree_size(path: Path) -> int:
    """Bytes under ``path``."""
    return int(_load("build").tree_size(path))


def dependency_install_size(root_dist: str = "codeface") -> int:
    """Bytes the runtime dependency closure of ``root_dist`` occupies in site-packages."""
    seen: set[str] = set()
    pending = [root_dist]
    total = 0
    while pending:
        name = pending.pop()
        key = re.sub(r"[-_.]+", "-", name).lower()
        if key in seen:
            continue
        seen.add(key)
        try:
            dist = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            continue
        for file in dist.files or ():
            located = Path(str(dist.locate_file(file)))
            if located.is_file():
                total += located.stat().st_size
        for text in dist.requires or ():
            requirement = Requirement(text)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                pending.append(requirement.name)
    return total


def _row(
    name: str, value: float | None, unit: str, budget: float | None, baseline: float | None
) -> dict[str, object]:
    ratio = value / baseline if value is not None and baseline else None
    return {
        "name": name,
        "value": value,
        "unit": unit,
        "budget": budget,
        "baseline": baseline,
        "ratio": ratio,
    }


def _timings(
    command: list[str], extra: list[str], runs: int, *, smoke: bool
) -> tuple[float | None, float | None]:
    """(first run, median of the rest) in seconds; None when a run failed."""
    smoke_test = _load("smoke_test")
    times = []
    for _ in range(runs + 1):
        result = smoke_test.run_app([*command, *extra], smoke=smoke, timeout=120)
        if result.returncode != 0:
            return None, None
        times.append(result.seconds)
    return times[0], statistics.median(times[1:])


def run(*, size_only: bool = False, runs: int = 3) -> list[dict[str, object]]:
    """Measure; returns the benchmark rows (empty figures are None when there is no bundle)."""
    rows: list[dict[str, object]] = []
    exists = BUNDLE.is_dir()
    size = tree_size(BUNDLE) / MIB if exists else None
    rows.append(
        _row("bundle size (onedir)", size, "MiB", SIZE_BUDGET_MIB, dependency_install_size() / MIB)
    )
    if size_only or not exists:
        return rows
    smoke_test = _load("smoke_test")
    bundle = smoke_test.bundle_command(BUNDLE)
    source = smoke_test.source_command()
    cold_b, warm_b = _timings(bundle, ["--version"], runs, smoke=False)
    cold_s, warm_s = _timings(source, ["--version"], runs, smoke=False)
    rows.append(_row("--version, first run: bundle vs source", cold_b, "s", None, cold_s))
    rows.append(_row(f"--version, median of {runs}: bundle vs source", warm_b, "s", None, warm_s))
    ui_sources = (ROOT / "codeface" / "ui").rglob("*.py")
    if any(SMOKE_SEAM in path.read_text(encoding="utf-8") for path in ui_sources):
        cold_b, warm_b = _timings(bundle, [], runs, smoke=True)
        cold_s, warm_s = _timings(source, [], runs, smoke=True)
        rows.append(
            _row("window open-to-close, first run: bundle vs source", cold_b, "s", None, cold_s)
        )
        rows.append(
            _row(
                f"window open-to-close, median of {runs}: bundle vs source",
                warm_b,
                "s",
                None,
                warm_s,
            )
        )
    return rows


def _fmt(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def main(argv: Sequence[str] | None = None) -> int:
    """Print the rows as a table."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_bundle", description=__doc__)
    parser.add_argument("--size-only", action="store_true")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    if not BUNDLE.is_dir():
        print(f"bench_bundle: no bundle at {BUNDLE}; run `python packaging/build.py` first")
    print(f"{'figure':<55} {'value':>8} {'unit':<4} {'budget':>7} {'baseline':>9} {'ratio':>6}")
    for row in run(size_only=args.size_only, runs=args.runs):
        print(
            f"{row['name']!s:<55} {_fmt(row['value']):>8} {row['unit']!s:<4} "
            f"{_fmt(row['budget']):>7} {_fmt(row['baseline']):>9} {_fmt(row['ratio']):>6}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
