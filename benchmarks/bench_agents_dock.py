"""Agents dock benchmark: an agent turn of 200 tool calls streamed through the real bridge
into the dock, on a qasync loop; the longest GUI stall seen by a 1 ms QTimer probe.

Figures (each beside its budget and a baseline measured in the same run):
- longest GUI stall while the turn streams into a visible `AgentsPanel` (budget 16 ms);
  baseline: the same events through the same bridge with nothing listening;
- the whole turn's wall time, dock vs baseline (the dock's cost per event);
- the longest stall of the turn's end (totals, every row's final state, the Undo tab).
The turn: 20 steps of 10 calls (reads, edits with diffs, commands with streamed output,
one approval per step answered at once), paced at 100 calls a second (a fast agent), then
in one burst as fast as the loop runs (each call about 10 events). ``QT_QPA_PLATFORM`` picks the platform
(offscreen by default; run under ``xvfb-run`` with ``QT_QPA_PLATFORM=xcb`` for X11).
Never asserts.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QTimer

from benchmarks.qt_loop import run_on_qt_loop
from benchmarks.run import print_rows
from codeface.agents.events import (
    AgentTurnDone,
    ApprovalGiven,
    ApprovalRequest,
    ApprovalRequested,
    CheckpointSaved,
    CommandOutput,
    StepStarted,
    ToolCallFinished,
    ToolCallStarted,
)
from codeface.application.contract import ConversationEvent, MessageSaved, MessageView
from codeface.core.events import AnswerStats, TextDelta, TurnDone, TurnStarted
from codeface.core.messages import ToolCall
from codeface.ui.bridge import Bridge
from tests.ui.agents_dock_fakes import ScriptedAgentBackend

STEPS = 20
CALLS_PER_STEP = 10
MODEL = "qwen2.5-coder:7b"
DIFF = "".join(f"-old line {n}\n+new line {n}\n" for n in range(40))
Row = dict[str, Any]


def _row(name: str, value: float, unit: str, budget: float | None, baseline: float | None) -> Row:
    ratio = value / baseline if baseline else None
    return {
        "name": name,
        "value": round(value, 2),
        "unit": unit,
        "budget": budget,
        "baseline": None if baseline is None else round(baseline, 2),
        "ratio": None if ratio is None else round(ratio, 2),
    }


async def agent_turn(pause: float = 0.0) -> AsyncIterator[ConversationEvent]:
    """A 200-call turn, event for event as the real agent turn yields them; ``pause``
    seconds pass before each call (0: as fast as the loop goes)."""
    stats = AnswerStats(MODEL, MODEL, "127.0.0.1", 900, 60, 0.1, 50.0, 0.0004, "tool_calls")
    for step in range(1, STEPS + 1):
        yield StepStarted("turn-1", step)
        yield MessageSaved(MessageView(f"a{step}", "assistant", "", status="streaming"))
        yield TurnStarted("ollama@127.0.0.1", MODEL, "127.0.0.1", "local")
        yield TextDelta(f"Step {step}: reading and changing files.")
        calls = tuple(
            ToolCall(f"c{step}-{n}", "read_file", {"path": f"src/m{n}.py"})
            for n in range(CALLS_PER_STEP)
        )
        yield TurnDone("text", stats, calls)
        yield MessageSaved(MessageView(f"a{step}", "assistant", "text", tool_calls=calls))
        for index, call in enumerate(calls):
            if pause:
                await asyncio.sleep(pause)  # the fake engine's pace, not the widgets'
            kind = ("read", "edit", "command")[index % 3]
            yield ToolCallStarted(call, kind, f"{kind} src/m{index}.py (step {step})")
            if index == 1:
                request = ApprovalRequest(f"r{call.id}", call, "edit", "edit", DIFF)
                yield ApprovalRequested(request)
                yield ApprovalGiven(call.id, "once", "user")
                if step == 1:
                    yield CheckpointSaved("turn-1", ("src/m1.py",))
            if kind == "command":
                for chunk in range(5):
                    yield CommandOutput(call.id, f"test_{chunk} PASSED\n" * 20)
            detail = DIFF if kind == "edit" else "x = 1\n" * 200
            yield ToolCallFinished(call, kind, "ok", detail, "done", detail, 0.01)
            yield MessageSaved(
                MessageView(f"t{call.id}", "tool", detail, tool_call_id=call.id, tool_name=kind)
            )
    yield AgentTurnDone("turn-1", STEPS, 18000, 1200, 0.008, (MODEL,), False, ("src/m1.py",))


async def stream(bridge: Bridge, pause: float) -> tuple[float, float, float]:
    """(longest stall during the turn, wall time, longest stall of its last 50 ms) in ms."""
    gaps: list[tuple[float, float]] = []
    last = [time.perf_counter()]

    def probe() -> None:
        now = time.perf_counter()
        gaps.append((now, now - last[0]))
        last[0] = now

    timer = QTimer()
    timer.setInterval(1)
    timer.timeout.connect(probe)
    timer.start()
    await asyncio.sleep(0.05)
    gaps.clear()
    last[0] = started = time.perf_counter()
    bridge._start(lambda: agent_turn(pause))
    await bridge.wait_turn()
    ended = time.perf_counter()
    await asyncio.sleep(0.05)  # the end of the turn repaints: keep probing
    timer.stop()
    during = max((gap for at, gap in gaps if at <= ended), default=0.0)
    after = max((gap for at, gap in gaps if at > ended - 0.05), default=0.0)
    return during * 1000, (ended - started) * 1000, after * 1000


async def measure() -> list[Row]:
    from codeface.ui.agents import AgentsPanel

    backend = ScriptedAgentBackend()
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    rows: list[Row] = []
    for label, pause in (("100 calls/s", 0.01), ("burst", 0.0)):
        bare = Bridge(backend)
        baseline_stall, baseline_wall, baseline_end = await stream(bare, pause)
        bridge = Bridge(backend)
        panel = AgentsPanel(bridge)
        panel.resize(520, 760)
        panel.show()
        session_id = backend.add_session("Agent", project="/work/demo", role="coder")
        panel.set_project(backend.project())
        panel.set_session(backend.sessions[session_id], [])
        await asyncio.sleep(0.1)
        stall, wall, end = await stream(bridge, pause)
        turn = panel.turn_view.turn
        calls = len(turn.all_calls()) if turn is not None else 0
        panel.close()
        panel.deleteLater()
        name = f"agent turn of {calls} tool calls, {label} ({platform})"
        rows += [
            _row(f"{name}: longest GUI stall", stall, "ms", 16, baseline_stall),
            _row(f"{name}: wall time", wall, "ms", None, baseline_wall),
            _row(f"{name}: longest stall at its end", end, "ms", 16, baseline_end),
        ]
    return rows


def run() -> list[Row]:
    """Measure and return the rows (never asserts)."""
    return run_on_qt_loop(measure)


def main() -> None:
    """Print the figures beside their budgets and baselines."""
    print_rows("agents_dock", run())


if __name__ == "__main__":
    main()
