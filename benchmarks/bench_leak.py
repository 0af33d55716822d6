"""Memory over a long session: does each answer leave something behind?

The real window (``codeface``, its engine and store) answers a loopback Ollama that
streams a short answer with a code block (~30 chunks). After a warm-up, 200 more answers
stream in; then the user opens a new, empty session. Measured in a fresh child process,
on an X display (Xvfb, the xcb platform) and offscreen; RSS is read after a garbage
collection, with the event loop idle:

- RSS growth per answer after the warm-up (budget ≤ 0.1 MB per answer): on average over
  all the answers, and over the worst stretch of `STRETCH` answers (RSS is read every
  `SAMPLE_EVERY` answers), since a cache that fills up and then stops growing would
  hide in the average;
- RSS after switching to the empty session, against the warm-up level (budget ≤ 5 MB);
- the RSS levels themselves, beside a bare `QMainWindow` on the same display (baseline);
- message rows alive at the end (bounded by the viewport, whatever the answer count).

Run: ``python -m benchmarks.bench_leak`` (``BENCH_LEAK_ANSWERS`` changes the 200).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from benchmarks.bench_ui import (
    MB,
    _child,
    _opened_before,
    _row,
    _settings,
    virtual_display,
)

WARM_UP = 20
SAMPLE_EVERY = 10
STRETCH = 20
ANSWERS = int(os.environ.get("BENCH_LEAK_ANSWERS", "200"))
ANSWER = (
    "Here is a small example:\n\n```python\ndef greet(name: str) -> str:\n"
    '    return f"Hello, {name}!"\n```\n\nCall `greet("world")` to try it.'
)
CHUNKS = 30

CHILD_SCRIPT = r"""
import gc
warm_up, answers = int(os.environ["BENCH_WARM_UP"]), int(os.environ["BENCH_ANSWERS"])
every = int(os.environ["BENCH_SAMPLE_EVERY"])
expected = os.environ["BENCH_EXPECTED"]
state = {"sent": 0}
figures = {"samples": []}

def measure():
    gc.collect()
    return rss()

def start():
    window = codeface_window()
    window.bridge.sig_streaming.connect(lambda on: None if on else QTimer.singleShot(0, answered))
    task = window.on_new_session()
    task.add_done_callback(lambda _t: QTimer.singleShot(200, send))

def send():
    codeface_window().chat.sig_send.emit(f"Question {state['sent']}: say hello", [])

def answered():
    state["sent"] += 1
    window = codeface_window()
    when(window.chat.transcript.settled, lambda: next_step(window))

def next_step(window):
    after_warm_up = state["sent"] - warm_up
    if after_warm_up >= 0 and (after_warm_up % every == 0 or after_warm_up == answers):
        figures["samples"].append((after_warm_up, measure()))
    if state["sent"] < warm_up + answers:
        send()
        return
    transcript = window.chat.transcript
    figures["rows"] = len(transcript.built_ids()) + transcript.rows.spare_count()
    shown = [m for m in window.conversation.branch if m.role == "assistant"]
    figures["complete"] = len(shown) == warm_up + answers and all(
        m.content == expected for m in shown
    )
    task = window.on_new_session()
    task.add_done_callback(lambda _t: QTimer.singleShot(500, emptied))

def emptied():
    figures["empty"] = measure()
    done(**figures)

on_app(lambda: when(ready, lambda: QTimer.singleShot(500, start)))
from codeface.cli import main
main([])
"""


def _session(tmp: Path, label: str, display: str | None, server_url: str) -> dict[str, Any]:
    home = tmp / f"leak-{label}"
    _settings(home, ollama={"hosts": [server_url]}, general={"model": "qwen2.5-coder:7b"})
    _opened_before(home)
    figures, _ = _child(
        "leak",
        home,
        {
            "BENCH_WARM_UP": str(WARM_UP),
            "BENCH_ANSWERS": str(ANSWERS),
            "BENCH_SAMPLE_EVERY": str(SAMPLE_EVERY),
            "BENCH_EXPECTED": ANSWER,
        },
        display=display,
        script=CHILD_SCRIPT,
        timeout=600,
    )
    bare, _ = _child("bare_idle", tmp / f"bare-{label}", display=display)
    figures["bare"] = bare["rss"]
    return figures


def _worst_stretch(samples: list[tuple[int, float]]) -> float:
    """The largest growth per answer between samples `STRETCH` answers apart."""
    by_count = dict(samples)
    slopes = [
        (by_count[count + STRETCH] - rss) / STRETCH
        for count, rss in samples
        if count + STRETCH in by_count
    ]
    return max(slopes, default=0.0)


def _rows(label: str, figures: dict[str, Any]) -> list[dict[str, Any]]:
    samples = [(count, rss / MB) for count, rss in figures["samples"]]
    warm, end = samples[0][1], samples[-1][1]
    empty, bare = figures["empty"] / MB, figures["bare"] / MB
    complete = "" if figures["complete"] else ", SOME ANSWERS WRONG OR MISSING"
    return [
        _row(f"RSS after a {WARM_UP}-answer warm-up ({label})", warm, "MB", None, bare),
        _row(f"RSS after {ANSWERS} more answers ({label}{complete})", end, "MB", None, bare),
        _row(f"RSS growth per answer, average ({label})", (end - warm) / ANSWERS, "MB", 0.1, None),
        _row(
            f"RSS growth per answer, worst {STRETCH} in a row ({label})",
            _worst_stretch(samples),
            "MB",
            0.1,
            None,
        ),
        _row(f"empty session RSS minus warm-up level ({label})", empty - warm, "MB", 5, None),
        _row(
            f"message rows alive after the answers ({label})", figures["rows"], "rows", None, None
        ),
    ]


def run() -> list[dict[str, Any]]:
    """The figures on Xvfb (when installed) and offscreen."""
    from tests.fakes.ollama_server import OllamaServer

    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="codeface-bench-leak-") as folder:
        tmp = Path(folder)
        with OllamaServer() as server, virtual_display() as display:
            server.reply_text(ANSWER, chunks=CHUNKS, times=None)
            if display is not None:
                rows += _rows("Xvfb", _session(tmp, "xvfb", display, server.url))
            rows += _rows("offscreen", _session(tmp, "offscreen", None, server.url))
    return rows


def main() -> int:
    """Print the table."""
    from benchmarks.run import print_rows

    print_rows("leak", run())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
