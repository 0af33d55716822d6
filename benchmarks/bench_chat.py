"""Chat pane figures: opening 10,000 messages, scrolling them, and streaming repaints.

Baselines are measured in the same run: a bare `QListView` over the same strings (the
cheapest thing Qt can show), and for streaming, one repaint per delta (what a naive
pane would do). Run: ``QT_QPA_PLATFORM=offscreen python -m benchmarks.bench_chat``.
"""

from __future__ import annotations

import os
import resource
import time
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEvent, QEventLoop, QStringListModel, QTimer
from PySide6.QtWidgets import QApplication, QListView

from codeface.api import MessageView
from codeface.ui.chat import ChatPane
from codeface.ui.theme import ThemeManager

MESSAGES = 10_000
SCROLL_STEPS = 200
STREAM_SECONDS = 2.0
DELTAS_PER_SECOND = 1000


def _rss_mb() -> float:
    try:
        with open("/proc/self/statm", encoding="ascii") as stream:
            pages = int(stream.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / (1024 * 1024)
    except (OSError, ValueError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _messages(count: int) -> list[MessageView]:
    body = (
        "Here is how it works.\n\nUse `pathlib` and iterate:\n\n"
        "```python\nfor line in path.open():\n    print(line)\n```\n\nThat is all."
    )
    return [
        MessageView(f"m{index}", "user", f"Question {index}: how do I read a file?")
        if index % 2 == 0
        else MessageView(
            f"m{index}",
            "assistant",
            body,
            model="m",
            provider="p",
            output_tokens=40,
            tokens_per_second=30.0,
        )
        for index in range(count)
    ]


def _first_paint(widget: Any) -> float:
    started = time.perf_counter()
    widget.repaint()
    QApplication.processEvents()
    return (time.perf_counter() - started) * 1000


def _wheel_steps(bar: Any, viewport: Any) -> float:
    """Average ms per 120-pixel scroll step upwards, with a repaint each step."""
    started = time.perf_counter()
    for _ in range(SCROLL_STEPS):
        bar.setValue(bar.value() - 120)
        viewport.repaint()
        QApplication.processEvents()
    return (time.perf_counter() - started) * 1000 / SCROLL_STEPS


def _row(
    name: str, value: float, unit: str, budget: float | None, baseline: float | None
) -> dict[str, Any]:
    ratio = value / baseline if baseline else None
    return {
        "name": name,
        "value": round(value, 2),
        "unit": unit,
        "budget": budget,
        "baseline": None if baseline is None else round(baseline, 2),
        "ratio": None if ratio is None else round(ratio, 2),
    }


def _bench_open(app: QApplication) -> list[dict[str, Any]]:
    messages = _messages(MESSAGES)
    strings = [message.content for message in messages]

    view = QListView()
    view.resize(800, 900)
    view.show()
    app.processEvents()
    started = time.perf_counter()
    model = QStringListModel(strings)
    view.setModel(model)
    view.scrollToBottom()
    list_open = (time.perf_counter() - started) * 1000
    list_paint = _first_paint(view)
    started = time.perf_counter()
    for step in range(SCROLL_STEPS):
        view.verticalScrollBar().setValue(view.verticalScrollBar().maximum() * step // SCROLL_STEPS)
        view.repaint()
    list_scroll = (time.perf_counter() - started) * 1000 / SCROLL_STEPS
    list_wheel = _wheel_steps(view.verticalScrollBar(), view.viewport())

    pane = ChatPane(ThemeManager().resolve("light"))
    pane.resize(800, 900)
    pane.show()
    app.processEvents()
    rss_before = _rss_mb()
    started = time.perf_counter()
    pane.set_messages(messages)
    pane_open = (time.perf_counter() - started) * 1000
    pane_paint = _first_paint(pane)
    rss_after = _rss_mb()
    bar = pane.transcript.verticalScrollBar()
    started = time.perf_counter()
    for step in range(SCROLL_STEPS):
        bar.setValue(bar.maximum() * step // SCROLL_STEPS)
        pane.transcript.viewport().repaint()
    pane_scroll = (time.perf_counter() - started) * 1000 / SCROLL_STEPS
    bar.setValue(bar.maximum())
    pane_wheel = _wheel_steps(bar, pane.transcript.viewport())
    built = len(pane.transcript.built_ids())
    for widget in (view, pane):
        widget.close()
        widget.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    return [
        _row("set_messages(10,000)", pane_open, "ms", 250, list_open),
        _row("first paint after set_messages", pane_paint, "ms", 100, list_paint),
        _row("RSS delta for 10,000 messages", rss_after - rss_before, "MB", 100, None),
        _row("scroll step through 10,000 (jump + paint)", pane_scroll, "ms", 16, list_scroll),
        _row("wheel step (120 px up) + paint", pane_wheel, "ms", 16, list_wheel),
        _row("widgets built after scrolling 10,000", built, "widgets", 100, None),
    ]


def _bench_stream(app: QApplication) -> list[dict[str, Any]]:
    pane = ChatPane(ThemeManager().resolve("light"))
    pane.resize(800, 900)
    pane.show()
    pane.set_messages(_messages(200))
    pane.begin_answer(MessageView("live", "assistant", "", status="streaming"))
    app.processEvents()
    sent = 0
    loop = QEventLoop()
    started = time.perf_counter()
    deadline = started + STREAM_SECONDS

    def tick() -> None:
        nonlocal sent
        now = time.perf_counter()
        due = int((now - started) * DELTAS_PER_SECOND)
        while sent < due:
            pane.append_answer_text("live", f"tok{sent} " + ("\n\n" if sent % 50 == 49 else ""))
            sent += 1
        if now >= deadline:
            loop.quit()

    timer = QTimer()
    timer.setInterval(1)
    timer.timeout.connect(tick)
    timer.start()
    loop.exec()
    timer.stop()
    pane.flush()
    elapsed = time.perf_counter() - started
    earlier_rerenders = sum(
        count - 1 for item_id, count in pane.context.render_counts.items() if item_id != "live"
    )
    pane.close()
    return [
        _row(
            f"repaints for {sent} deltas in {elapsed:.1f} s",
            pane.flush_count,
            "repaints",
            60 * STREAM_SECONDS,
            sent,
        ),
        _row("earlier messages re-rendered while streaming", earlier_rerenders, "renders", 0, None),
    ]


def run() -> list[dict[str, Any]]:
    """Measure and return the rows (never asserts)."""
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    return _bench_open(app) + _bench_stream(app)


def main() -> None:
    """Print the figures beside their budgets and baselines."""
    for row in run():
        print(
            f"{row['name']:<48} {row['value']:>10} {row['unit']:<9} "
            f"budget {row['budget']!s:>6}  baseline {row['baseline']!s:>8}  "
            f"ratio {row['ratio']!s:>6}"
        )


if __name__ == "__main__":
    main()
