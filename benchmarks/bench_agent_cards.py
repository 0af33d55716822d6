"""An agent turn of 200 tool calls streaming into the real window: the longest GUI stall.

The window is CodeFace's own (`MainWindow` with its chat pane, docks and status bar) on
the in-memory fake backend, so the figure is about the GUI, not a model; like the
launcher, the bench freezes what start-up built out of the cyclic collector. The turn is an
`AgentScript` of 200 steps, each one tool call and its result (reads with 40 lines of
output; every tenth a command whose output streams in), played as fast as the event
loop goes. A 1 ms timer ticks meanwhile; the longest gap between ticks is the longest
stall (the median of `RUNS` runs; the worst run is shown too), and the GUI thread's own
CPU time in its longest gap says how much of a stall was the window's own work. Same-run baselines: the same window answering 200 plain text prompts (400 message
rows), and a bare `QPlainTextEdit` window appending 200 lines, one per event-loop turn.
Measured offscreen and, when Xvfb is installed, on a real X display (xcb).

Run: ``python -m benchmarks.bench_agent_cards`` (or through ``benchmarks.run``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
STEPS = 200
BUDGET_MS = 16.0
RUNS = 3
"""Each figure is the median of this many runs (a shared machine's other work shows up
as the odd long gap in one run, not in the median)."""


def _row(name: str, value: float, baseline: float | None, unit: str = "ms") -> dict[str, Any]:
    return {
        "name": name,
        "value": round(value, 2),
        "unit": unit,
        "budget": BUDGET_MS if unit == "ms" else None,
        "baseline": None if baseline is None else round(baseline, 2),
        "ratio": None if not baseline else round(value / baseline, 2),
    }


# --------------------------------------------------------------------------- the child
def _measure() -> dict[str, float]:
    """Runs in a child process: the window, the turn, the stalls."""
    import asyncio
    import gc

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMainWindow, QPlainTextEdit

    from codeface.ui.event_loop import QtEventLoop

    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    busy: dict[str, float] = {}
    loop = QtEventLoop(app)
    asyncio.set_event_loop(loop)

    class Probe:
        """The longest gap between 1 ms ticks while running (wall clock), and the GUI
        thread's own CPU time in its longest gap (what the GUI did, without the time
        other processes of a shared machine held the CPU)."""

        def __init__(self) -> None:
            self.timer = QTimer()
            self.timer.setInterval(1)
            self.timer.timeout.connect(self.tick)
            self.last = self.last_cpu = 0.0
            self.longest = self.longest_cpu = 0.0

        def tick(self) -> None:
            now, cpu = time.perf_counter(), time.thread_time()
            self.longest = max(self.longest, now - self.last)
            self.longest_cpu = max(self.longest_cpu, cpu - self.last_cpu)
            self.last, self.last_cpu = now, cpu

        def start(self) -> None:
            self.last, self.last_cpu = time.perf_counter(), time.thread_time()
            self.longest = self.longest_cpu = 0.0
            self.timer.start()

        def stop(self) -> float:
            self.timer.stop()
            return self.longest * 1000

    async def bare() -> float:
        window = QMainWindow()
        view = QPlainTextEdit()
        window.setCentralWidget(view)
        window.resize(1280, 820)
        window.show()
        await asyncio.sleep(0.2)
        gc.freeze()
        probe = Probe()
        probe.start()
        for number in range(STEPS):
            view.appendPlainText(f"✓ read src/module_{number}.py lines 1–40 · 0.2 s")
            await asyncio.sleep(0)
        await asyncio.sleep(0.05)
        stall = probe.stop()
        busy["bare"] = probe.longest_cpu * 1000
        window.close()
        return stall

    async def codeface_window(backend: Any) -> Any:
        from codeface.ui.bridge import Bridge
        from codeface.ui.main_window import MainWindow

        state = Path(tempfile.mkdtemp()) / "window-state.json"
        window = MainWindow(Bridge(backend), state_path=state)
        window.resize(1280, 820)
        window.show()
        await window.start()
        gc.freeze()  # as `codeface.ui.launch` does once the window has started
        return window

    async def agent_turn() -> tuple[float, float, int]:
        from tests.ui.fake_agents import AgentScript, ScriptedCall
        from tests.ui.fake_backend import FakeBackend

        backend = FakeBackend()
        session = backend.add_session("Agent", role="coder", project="/work/demo")
        window = await codeface_window(backend)
        await window.open_session(session)
        body = "".join(f"    line {n} of the module\n" for n in range(40))
        calls = []
        for number in range(STEPS):
            if number % 10 == 9:
                calls.append(
                    ScriptedCall(
                        "run_command",
                        {"command": f"pytest -q tests/test_{number}.py"},
                        ask=False,
                        output=[f"test_{number}_{k} PASSED\n" for k in range(5)],
                    )
                )
            else:
                calls.append(
                    ScriptedCall(
                        "read_file",
                        {"path": f"src/module_{number}.py", "start_line": 1, "end_line": 40},
                        summary="lines 1-40 of 40",
                        result=body,
                    )
                )
        backend.script(AgentScript(steps=[[call] for call in calls], answer="All read."))
        await asyncio.sleep(0.3)
        probe = Probe()
        started = time.perf_counter()
        probe.start()
        window.chat.sig_send.emit("Read every module", [])
        await asyncio.sleep(0)
        await window.bridge.wait_turn()
        await asyncio.sleep(0.05)
        stall = probe.stop()
        busy["cards"] = probe.longest_cpu * 1000
        elapsed = time.perf_counter() - started
        cards = len([i for i in window.chat.transcript.items if type(i).__name__ == "ToolStep"])
        await window.shutdown()
        window.close()
        return stall, elapsed, cards

    async def plain_answers() -> float:
        from tests.ui.fake_backend import AnswerScript, FakeBackend

        backend = FakeBackend()
        session = backend.add_session("Chat")
        window = await codeface_window(backend)
        await window.open_session(session)
        await asyncio.sleep(0.3)
        probe = Probe()
        probe.start()
        for number in range(STEPS):
            backend.script(AnswerScript.text(f"Module {number} reads its config and exits."))
            window.chat.sig_send.emit(f"What does module {number} do?", [])
            await asyncio.sleep(0)
            await window.bridge.wait_turn()
        await asyncio.sleep(0.05)
        stall = probe.stop()
        busy["plain"] = probe.longest_cpu * 1000
        await window.shutdown()
        window.close()
        return stall

    async def run_all() -> dict[str, float]:
        import statistics

        figures: dict[str, list[float]] = {}
        for _run in range(RUNS):
            bare_stall = await bare()
            plain = await plain_answers()
            cards_stall, elapsed, cards = await agent_turn()
            for name, value in (
                ("bare", bare_stall),
                ("plain", plain),
                ("cards", cards_stall),
                ("seconds", elapsed),
                ("card_count", float(cards)),
                *((f"{name}_cpu", value) for name, value in busy.items()),
            ):
                figures.setdefault(name, []).append(value)
        return {name: statistics.median(values) for name, values in figures.items()} | {
            "cards_worst": max(figures["cards"])
        }

    with loop:
        return loop.run_until_complete(run_all())


# --------------------------------------------------------------------------- the parent
def _child(display: str | None) -> dict[str, float] | None:
    env = dict(os.environ)
    env.update(PYTHONPATH=str(ROOT), CODEFACE_HOME=tempfile.mkdtemp(prefix="codeface-bench-"))
    env["QT_QPA_PLATFORM"] = "offscreen" if display is None else "xcb"
    if display is not None:
        env["DISPLAY"] = display
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_agent_cards", "--child"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    for line in result.stdout.splitlines():
        if line.startswith("RESULT "):
            figures: dict[str, float] = json.loads(line[len("RESULT ") :])
            return figures
    sys.stderr.write(result.stderr[-2000:])
    return None


def run() -> list[dict[str, Any]]:
    """Measure offscreen and on Xvfb (when installed); never asserts."""
    from benchmarks.bench_ui import virtual_display

    rows: list[dict[str, Any]] = []
    with virtual_display() as display:
        for where, target in (("offscreen", None), ("Xvfb", display)):
            if where == "Xvfb" and target is None:
                continue
            figures = _child(target)
            if figures is None:
                rows.append({"name": f"agent cards ({where}): child failed", "value": None})
                continue
            rows.append(
                _row(
                    f"longest GUI stall, {STEPS} tool cards streaming ({where}; vs {STEPS} answers)",
                    figures["cards"],
                    figures["plain"],
                )
            )
            rows.append(
                {
                    "name": f"  the worst of {RUNS} runs ({where})",
                    "value": round(figures["cards_worst"], 2),
                    "unit": "ms",
                }
            )
            rows.append(
                _row(
                    f"  GUI thread's own CPU in its longest gap ({where}; vs answers)",
                    figures["cards_cpu"],
                    figures["plain_cpu"],
                )
            )
            rows.append(
                _row(
                    f"longest GUI stall, bare window appending {STEPS} lines ({where})",
                    figures["bare"],
                    None,
                )
            )
            rows.append(
                {
                    "name": f"the {int(figures['card_count'])}-card turn took ({where})",
                    "value": round(figures["seconds"], 2),
                    "unit": "s",
                }
            )
    return rows


def main(argv: list[str]) -> None:
    """``--child``: measure here and print RESULT; otherwise print the figures."""
    if "--child" in argv:
        print("RESULT " + json.dumps(_measure()), flush=True)
        return
    from benchmarks.run import print_rows

    print_rows("agent_cards", run())


if __name__ == "__main__":
    main(sys.argv[1:])
