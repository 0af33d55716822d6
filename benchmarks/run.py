"""Run every benchmark and print each figure beside its budget and same-run baseline.

    python -m benchmarks.run              # all of them
    python -m benchmarks.run engine store # only these (names after ``bench_``)

Benchmarks report; they never fail a build. A figure over budget is marked ``OVER``.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import traceback
from pathlib import Path
from typing import Any

Row = dict[str, Any]


def available() -> list[str]:
    """Names of the benchmark modules (``bench_<name>.py``)."""
    folder = Path(__file__).parent
    return sorted(
        info.name.removeprefix("bench_")
        for info in pkgutil.iter_modules([str(folder)])
        if info.name.startswith("bench_")
    )


def _format(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 1000 else f"{value:,.0f}"
    return str(value)


def _budget_on_ratio(row: Row) -> bool:
    return row.get("budget_on") == "ratio" or "budget: ratio" in str(row.get("name", ""))


def verdict(row: Row) -> str:
    """``ok`` / ``OVER`` against the budget (lower is better unless ``higher_is_better``)."""
    budget, value = row.get("budget"), row.get("value")
    if budget is None or value is None:
        return ""
    compared = row.get("ratio") if _budget_on_ratio(row) else value
    if compared is None:
        return ""
    good = compared >= budget if row.get("higher_is_better") else compared <= budget
    return "ok" if good else "OVER"


def print_rows(area: str, rows: list[Row]) -> None:
    """A table of one benchmark's rows."""
    print(f"\n## {area}")
    print(f"{'figure':<58} {'value':>12} {'unit':<8} {'budget':>10} {'baseline':>12} {'ratio':>7}")
    for row in rows:
        budget = row.get("budget")
        shown_budget = _format(budget)
        if budget is not None and _budget_on_ratio(row):
            shown_budget = f"×{_format(budget)}"
        print(
            f"{row['name']:<58} {_format(row.get('value')):>12} {row.get('unit', ''):<8} "
            f"{shown_budget:>10} {_format(row.get('baseline')):>12} "
            f"{_format(row.get('ratio')):>7} {verdict(row)}"
        )


def main(argv: list[str]) -> int:
    """Run the named benchmarks (all by default)."""
    names = argv or available()
    for name in names:
        try:
            module = importlib.import_module(f"benchmarks.bench_{name}")
            rows = module.run()
        except Exception:
            print(f"\n## {name}: failed to run")
            traceback.print_exc()
            continue
        print_rows(name, rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
