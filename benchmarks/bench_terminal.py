"""Terminal benchmarks: screen-model throughput, GUI stalls while ``cat``-ing 20 MB, tmux
latency.

Figures (each beside its budget and a baseline measured in the same run):
- model feed bytes/s vs raw pyte (``pyte.Screen`` + ``ByteStream``) on the same bytes;
- ``cat`` of a 20 MB file inside a real `TerminalView` (offscreen), its shell started by
  the terminal service and its output read through the service's async iterator on a
  qasync loop, as in the window: bytes/s into the screen model, and the longest GUI stall
  seen by a 1 ms QTimer probe (baseline: the same probe on an idle window);
- tmux capture-pane / send-keys / run_and_wait latency on an isolated socket (baseline:
  starting ``tmux -V``, the cost of any tmux process).
Set ``CODEFACE_BENCH_TERMINAL_MB`` to change the file size. Never asserts.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

Row = dict[str, Any]


def _row(name: str, value: float, unit: str, budget: float | None, baseline: float | None) -> Row:
    ratio = round(value / baseline, 2) if baseline else None
    return {
        "name": name,
        "value": round(value, 3),
        "unit": unit,
        "budget": budget,
        "baseline": None if baseline is None else round(baseline, 3),
        "ratio": ratio,
        "higher_is_better": unit.endswith("/s"),
    }


def _sample(size: int) -> bytes:
    lines = []
    total = 0
    number = 0
    while total < size:
        if number % 4 == 0:
            line = (
                f"\x1b[32m2024-01-01 12:00:{number % 60:02d}\x1b[0m \x1b[1mINFO\x1b[0m "
                f"request {number} handled in {number % 97} ms\n"
            ).encode()
        else:
            line = f"plain log line {number:08d}: the quick brown fox jumps over the dog\n".encode()
        lines.append(line)
        total += len(line)
        number += 1
    data = b"".join(lines)[: size - 1]
    return data + b"\n"


def _feed_rates(data: bytes) -> tuple[float, float]:
    import pyte

    from codeface.terminal.model import TerminalModel

    crlf = data.replace(b"\n", b"\r\n")
    screen = pyte.Screen(120, 40)
    stream = pyte.ByteStream(screen)
    start = time.perf_counter()
    for offset in range(0, len(crlf), 65536):
        stream.feed(crlf[offset : offset + 65536])
    raw = len(crlf) / (time.perf_counter() - start)
    model = TerminalModel(120, 40)
    start = time.perf_counter()
    model.feed(crlf)
    ours = len(crlf) / (time.perf_counter() - start)
    return raw, ours


def _widget_cat(path: Path, size: int) -> tuple[float, float, float]:
    """``cat`` the file in a real `TerminalView` whose shell the terminal service started,
    on a qasync loop as in the window; (bytes/s, longest stall ms, idle stall ms)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from codeface.ui.event_loop import QtEventLoop

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setQuitOnLastWindowClosed(False)
    loop = QtEventLoop(app)
    try:
        return loop.run_until_complete(_cat_in_view(path, size))
    finally:
        loop.close()


async def _cat_in_view(path: Path, size: int) -> tuple[float, float, float]:
    import asyncio

    from PySide6.QtCore import QTimer

    from codeface.application.terminal_service import TerminalService
    from codeface.terminal.pty_session import clean_environment
    from codeface.ui.widgets.terminal_view import TerminalView

    env = clean_environment()
    env["PS1"] = "$ "
    service = TerminalService()
    view = TerminalView(
        terminals=service, argv=["/bin/bash", "--norc", "--noprofile"], env=env, cwd=path.parent
    )
    view.resize(1000, 600)
    view.show()
    gaps: list[float] = []
    last = [time.perf_counter()]

    def probe() -> None:
        now = time.perf_counter()
        gaps.append(now - last[0])
        last[0] = now

    probe_timer = QTimer()
    probe_timer.setInterval(1)
    probe_timer.timeout.connect(probe)

    async def until(condition: Any, timeout: float) -> None:  # noqa: ASYNC109
        deadline = time.monotonic() + timeout
        while not condition() and time.monotonic() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.02)

    await until(lambda: any(line.startswith("$") for line in view.screen_lines()), 10)
    last[0] = time.perf_counter()
    probe_timer.start()
    await asyncio.sleep(1.0)  # idle baseline: the probe alone
    idle_stall = max(gaps) if gaps else 0.0
    gaps.clear()
    fed_before = view.model.bytes_fed
    start = time.perf_counter()
    view.send_text(f"cat {path}; echo cat-finished", enter=True)
    await until(lambda: "cat-finished" in view.screen_lines(), 900)
    elapsed = time.perf_counter() - start
    probe_timer.stop()
    stall = max(gaps) if gaps else 0.0
    fed = view.model.bytes_fed - fed_before
    view.close_session()
    view.close()
    view.deleteLater()
    service.close_all()
    return max(fed, size) / elapsed, stall * 1000, idle_stall * 1000


def _tmux_latency() -> list[Row]:
    from codeface.terminal.tmux import TmuxController, find_tmux

    binary = find_tmux()
    if binary is None:
        return [_row("tmux latency (tmux missing)", 0.0, "ms", None, None)]
    tmux = TmuxController("codeface-bench-" + uuid.uuid4().hex[:8])
    try:
        with tempfile.TemporaryDirectory() as folder:
            session = tmux.ensure_project_session(folder, shell="bash --norc --noprofile")
            pane = tmux.resolve_pane("shell", session)
            spawn = []
            for _ in range(30):
                start = time.perf_counter()
                subprocess.run([binary, "-V"], capture_output=True, check=False)
                spawn.append(time.perf_counter() - start)
            baseline = statistics.median(spawn) * 1000

            def median_ms(action: Any, count: int = 30) -> float:
                times = []
                for _ in range(count):
                    start = time.perf_counter()
                    action()
                    times.append(time.perf_counter() - start)
                return statistics.median(times) * 1000

            capture = median_ms(lambda: tmux.capture(pane, 50))
            send = median_ms(lambda: tmux.send_text(pane, "x"))
            tmux.cmd("send-keys", "-t", pane, "C-u")
            run = median_ms(lambda: tmux.run_and_wait(pane, "true", timeout=10), count=10)
    finally:
        tmux.kill_server()
    return [
        _row("tmux capture-pane (50 lines), median", capture, "ms", 10.0, baseline),
        _row("tmux send text (paste-buffer), median", send, "ms", 15.0, baseline),
        _row("tmux run_and_wait('true') round trip, median", run, "ms", 250.0, baseline),
    ]


def run() -> list[Row]:
    """Measure everything; rows of name/value/unit/budget/baseline/ratio."""
    megabytes = float(os.environ.get("CODEFACE_BENCH_TERMINAL_MB", "20"))
    size = int(megabytes * 1024 * 1024)
    rows: list[Row] = []
    raw, ours = _feed_rates(_sample(min(size, 4 * 1024 * 1024)))
    rows.append(_row("screen model feed (TerminalModel)", ours / 1e6, "MB/s", 0.5, raw / 1e6))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "big.log"
        path.write_bytes(_sample(size))
        rate, stall, idle = _widget_cat(path, size)
    rows.append(
        _row(
            f"cat {megabytes:g} MB in TerminalView: bytes into screen model",
            rate / 1e6,
            "MB/s",
            0.5,
            raw / 1e6,
        )
    )
    rows.append(
        _row(f"cat {megabytes:g} MB: longest GUI stall (1 ms probe)", stall, "ms", 50.0, idle)
    )
    rows.extend(_tmux_latency())
    return rows


def main() -> None:
    """Print the table."""
    print(f"{'figure':60} {'value':>10} {'unit':6} {'budget':>8} {'baseline':>10} {'ratio':>6}")
    for row in run():
        print(
            f"{row['name']:60} {row['value']:>10} {row['unit']:6} {row['budget']!s:>8} "
            f"{row['baseline']!s:>10} {row['ratio']!s:>6}"
        )


if __name__ == "__main__":
    main()
