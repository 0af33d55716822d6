"""Agent tool dispatch: what a tool call costs on top of the workspace call it makes.

- per call: `ToolBox.run` for ``read_file`` (schema check, description, approval verdict,
  result framed as data, events) minus the same `Workspace.read_file` called directly on
  the same file, averaged over many calls (budget 0.5 ms);
- the same for a denied edit (approval verdict, no workspace write) against the cost of
  building the approval request alone.

Run: ``python -m benchmarks.bench_agents``. Prints a table; never asserts.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path
from typing import Any

from codeface.agents.approvals import ApprovalGate, ApprovalPolicy
from codeface.agents.tools import ToolBox
from codeface.core.messages import ToolCall
from codeface.workspace import Workspace

CALLS = 2000
Row = dict[str, Any]


async def _measure(folder: Path) -> list[Row]:
    (folder / "app.py").write_text("".join(f"line_{n} = {n}\n" for n in range(200)))
    workspace = Workspace.open(folder)
    gate = ApprovalGate(ApprovalPolicy(interactive=False))
    toolbox = ToolBox(workspace, gate, "bench-turn")
    call = ToolCall("c1", "read_file", {"path": "app.py", "start_line": 1, "end_line": 80})
    for _ in range(50):  # warm caches and the thread pool
        await workspace.read_file("app.py", 1, 80)
        async for _event in toolbox.run(call):
            pass

    started = time.perf_counter()
    for _ in range(CALLS):
        await workspace.read_file("app.py", 1, 80)
    direct = (time.perf_counter() - started) / CALLS * 1000

    started = time.perf_counter()
    for _ in range(CALLS):
        async for _event in toolbox.run(call):
            pass
    through = (time.perf_counter() - started) / CALLS * 1000

    denied = ToolCall("c2", "run_command", {"command": "pytest -q"})
    started = time.perf_counter()
    for _ in range(CALLS):
        async for _event in toolbox.run(denied):
            pass
    verdict = (time.perf_counter() - started) / CALLS * 1000
    return [
        {
            "name": "read_file through the tool layer, per call",
            "value": round(through, 3),
            "unit": "ms",
            "budget": None,
            "baseline": round(direct, 3),
            "ratio": round(through / direct, 2) if direct else None,
        },
        {
            "name": "tool dispatch overhead per call (tool layer − direct)",
            "value": round(through - direct, 3),
            "unit": "ms",
            "budget": 0.5,
            "baseline": round(direct, 3),
            "ratio": None,
        },
        {
            "name": "a command refused by policy (check + events), per call",
            "value": round(verdict, 3),
            "unit": "ms",
            "budget": 0.5,
            "baseline": None,
            "ratio": None,
        },
    ]


def run() -> list[Row]:
    """The rows for `benchmarks.run`."""
    with tempfile.TemporaryDirectory() as folder:
        return asyncio.run(_measure(Path(folder)))


if __name__ == "__main__":
    from benchmarks.run import print_rows

    print_rows("agents", run())
