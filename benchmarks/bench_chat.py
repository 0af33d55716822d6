"""Chat pane figures: opening 10,000 messages, scrolling them, and streaming repaints.

Baselines are measured in the same run: a bare `QListView` over the same strings (the
cheapest thing Qt can show), and for streaming, one repaint per delta (what a naive
pane would do). Streaming a long Markdown answer (~3,000 tokens with code blocks and
tables, `tests.fakes.sample_answers.long_answer`) at 1,000 chunks/s is compared with a bare
`QTextEdit` that only appends the same plain text (no Markdown, no highlighting).
A jump through 10,000 messages shows other messages in the rows that left the view
(`codeface.ui.chat.rows`): the figures say how many rows were ever built.
Run: ``QT_QPA_PLATFORM=offscreen python -m benchmarks.bench_chat``.
"""

from __future__ import annotations

import os
import resource
import time
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEvent, QEventLoop, QStringListModel, QTimer
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QApplication, QListView, QTextEdit

from codeface.application.contract import MessageView
from codeface.ui.chat import ChatPane
from codeface.ui.theme import ThemeManager
from tests.fakes.sample_answers import long_answer, stream_chunks

MESSAGES = 10_000
SCROLL_STEPS = 200
STREAM_SECONDS = 2.0
DELTAS_PER_SECOND = 1000
ANSWER_SECTIONS = 13
"""`long_answer` sections: about 3,000 token-sized chunks, 15,000 characters."""
CHUNKS_PER_FLUSH = 16
"""1,000 chunks/s reach the pane as one flush every 16 ms."""


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
    bound = len(pane.transcript.built_ids())
    rows_built = pane.transcript.rows.built
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
        _row("rows bound after scrolling 10,000", bound, "rows", 100, None),
        _row(
            f"rows built for {2 * SCROLL_STEPS} jumps and steps (the rest reused)",
            rows_built,
            "rows",
            None,
            None,
        ),
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


def _answer_pane(app: QApplication) -> ChatPane:
    pane = ChatPane(ThemeManager().resolve("light"))
    pane.resize(800, 900)
    pane.show()
    pane.set_messages(_messages(200))
    app.processEvents()
    return pane


def _ticks(chunks: list[str]) -> list[str]:
    return [
        "".join(chunks[start : start + CHUNKS_PER_FLUSH])
        for start in range(0, len(chunks), CHUNKS_PER_FLUSH)
    ]


def _bench_markdown_flushes(app: QApplication) -> list[dict[str, Any]]:
    """Each 16 ms worth of chunks applied, timed alone; then `end_answer`."""
    text = long_answer(ANSWER_SECTIONS)
    chunks = stream_chunks(text)
    edit = QTextEdit()
    edit.resize(800, 900)
    edit.show()
    app.processEvents()
    bare: list[float] = []
    for tick in _ticks(chunks):
        started = time.perf_counter()
        cursor = edit.textCursor()
        cursor.movePosition(QTextCursor.MoveOperation.End)
        cursor.insertText(tick)
        app.processEvents()
        bare.append((time.perf_counter() - started) * 1000)
    started = time.perf_counter()
    edit.setMarkdown(text)
    app.processEvents()
    bare_markdown = (time.perf_counter() - started) * 1000
    edit.close()

    pane = _answer_pane(app)
    pane.begin_answer(MessageView("live", "assistant", "", status="streaming", model="m"))
    app.processEvents()
    flushes: list[float] = []
    with_paint: list[float] = []
    for tick in _ticks(chunks):
        pane.append_answer_text("live", tick)
        started = time.perf_counter()
        pane.flush()
        flushed = time.perf_counter()
        app.processEvents()
        flushes.append((flushed - started) * 1000)
        with_paint.append((time.perf_counter() - started) * 1000)
    final = MessageView("live", "assistant", text, model="m", output_tokens=len(chunks))
    started = time.perf_counter()
    pane.end_answer(final)
    end_ms = (time.perf_counter() - started) * 1000
    widget = pane.message_widget("live")
    after: list[float] = []
    for _turn in range(200):
        started = time.perf_counter()
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents)
        after.append((time.perf_counter() - started) * 1000)
        if getattr(widget, "settled", True) and pane.transcript.settled():
            break
    pane.close()
    pane.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    tokens = f"{len(chunks):,}-chunk Markdown answer"
    return [
        _row(
            f"longest flush, {tokens} (vs bare QTextEdit append)", max(flushes), "ms", 16, max(bare)
        ),
        _row(
            f"mean flush, {tokens} (vs bare QTextEdit append)",
            sum(flushes) / len(flushes),
            "ms",
            16,
            sum(bare) / len(bare),
        ),
        _row(
            "longest flush + repaint (vs bare QTextEdit append)",
            max(with_paint),
            "ms",
            16,
            max(bare),
        ),
        _row("end_answer (vs bare QTextEdit append)", end_ms, "ms", 16, max(bare)),
        _row(
            "end_answer (vs QTextEdit.setMarkdown of the answer)", end_ms, "ms", 16, bare_markdown
        ),
        _row(
            "longest event-loop turn after end_answer", max(after, default=0.0), "ms", 16, max(bare)
        ),
    ]


def _bench_markdown_stalls(app: QApplication) -> list[dict[str, Any]]:
    """The answer arrives at 1,000 chunks/s through the pane's own 16 ms timer; the
    longest gap between 1 ms timer ticks is the longest GUI stall."""
    chunks = stream_chunks(long_answer(ANSWER_SECTIONS))

    def stalls(feed: Any) -> float:
        sent = 0
        longest = 0.0
        loop = QEventLoop()
        started = last = time.perf_counter()

        def tick() -> None:
            nonlocal sent, longest, last
            now = time.perf_counter()
            longest = max(longest, now - last)
            due = min(len(chunks), int((now - started) * DELTAS_PER_SECOND))
            while sent < due:
                feed(chunks[sent])
                sent += 1
            if sent >= len(chunks):
                loop.quit()
            last = time.perf_counter()

        timer = QTimer()
        timer.setInterval(1)
        timer.timeout.connect(tick)
        timer.start()
        loop.exec()
        timer.stop()
        return longest * 1000

    edit = QTextEdit()
    edit.resize(800, 900)
    edit.show()
    app.processEvents()

    def append_bare(chunk: str) -> None:
        cursor = edit.textCursor()
        cursor.movePosition(QTextCursor.MoveOperation.End)
        cursor.insertText(chunk)

    bare = stalls(append_bare)
    edit.close()
    pane = _answer_pane(app)
    pane.begin_answer(MessageView("live", "assistant", "", status="streaming", model="m"))
    app.processEvents()
    stall = stalls(lambda chunk: pane.append_answer_text("live", chunk))
    pane.close()
    pane.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    return [
        _row(
            "longest GUI stall streaming it at 1,000 chunks/s (vs QTextEdit)", stall, "ms", 16, bare
        )
    ]


def run() -> list[dict[str, Any]]:
    """Measure and return the rows (never asserts)."""
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    return (
        _bench_open(app)
        + _bench_stream(app)
        + _bench_markdown_flushes(app)
        + _bench_markdown_stalls(app)
    )


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
