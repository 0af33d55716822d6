"""Streaming work stays proportional to the new text, and finishing keeps what was streamed.

Counted, not timed: characters handed to the Markdown parser (``context.parsed_chars``)
and body parts measured (``BodyStack.measured``) per flush, for a short and a four
times longer answer; and what `end_answer` re-renders.
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget
from pytestqt.qtbot import QtBot

from codeface.application.contract import MessageView
from codeface.ui.chat import ChatPane
from codeface.ui.chat.code_block import CodeBlockWidget
from codeface.ui.chat.message_widget import MessageWidget
from tests.fakes.sample_answers import long_answer, stream_chunks
from tests.ui.chat_fixtures import (  # noqa: F401 - fixtures
    ScriptedServices,
    answer,
    chat_pane_fixture,
    chat_services_fixture,
    conversation,
    theme_named,
)

CHUNKS_PER_FLUSH = 16  # 1,000 chunks/s applied every 16 ms


def _placeholder() -> MessageView:
    return MessageView("live", "assistant", "", status="streaming", model="m", provider="p")


def _stream(pane: ChatPane, text: str) -> list[tuple[int, int]]:
    """Stream ``text`` in token-sized chunks; (chars parsed, parts measured) per flush."""
    pane.begin_answer(_placeholder())
    widget = pane.message_widget("live")
    assert widget is not None
    costs = []
    chunks = stream_chunks(text)
    for start in range(0, len(chunks), CHUNKS_PER_FLUSH):
        for chunk in chunks[start : start + CHUNKS_PER_FLUSH]:
            pane.append_answer_text("live", chunk)
        parsed, measured = pane.context.parsed_chars["live"], widget.body.measured
        pane.flush()
        costs.append((pane.context.parsed_chars["live"] - parsed, widget.body.measured - measured))
    return costs


def _shape(widget: MessageWidget) -> list[tuple[str, ...]]:
    """What the body shows, part by part."""
    shape: list[tuple[str, ...]] = []
    for part in widget.body.parts():
        if isinstance(part, CodeBlockWidget):
            shape.append(("code", part.language, part.code, str(part.highlighted)))
        elif isinstance(part, QLabel):
            shape.append(("text", part.text()))
        else:
            shape.append(("other", type(part).__name__))
    return shape


def test_per_flush_work_does_not_grow_with_the_answer(chat_pane: ChatPane) -> None:
    chat_pane.set_messages(conversation(20))
    short = _stream(chat_pane, long_answer(2))
    chat_pane.end_answer(answer("live", long_answer(2)))
    chat_pane.set_messages(conversation(20))
    long = _stream(chat_pane, long_answer(8))

    assert len(long) > 3 * len(short)
    short_parsed = max(parsed for parsed, _measured in short)
    long_parsed = max(parsed for parsed, _measured in long)
    # The longest block of the answer bounds what one flush parses, however long it is
    # (the longer answer's blocks are a few characters longer: "Step 8" vs "Step 2").
    assert long_parsed <= short_parsed + 50
    assert long_parsed < len(long_answer(8)) / 10
    # Only the tail and what was just committed are measured, never the whole body.
    assert max(measured for _parsed, measured in long) <= max(m for _p, m in short) + 2
    assert max(measured for _parsed, measured in long) <= 8
    total = sum(parsed for parsed, _measured in long)
    assert total < 6 * len(long_answer(8))


def test_committed_blocks_are_built_once_and_kept(chat_pane: ChatPane) -> None:
    chat_pane.set_messages([])
    text = long_answer(4)
    half = text.index("## Step 3")
    chat_pane.begin_answer(_placeholder())
    chat_pane.append_answer_text("live", text[:half])
    chat_pane.flush()
    widget = chat_pane.message_widget("live")
    assert widget is not None
    early: list[QWidget] = widget.body.parts()[:-1]
    early_blocks = [part for part in early if isinstance(part, CodeBlockWidget)]
    assert len(early_blocks) == 2
    assert all(block.highlighted for block in early_blocks)
    for chunk in stream_chunks(text[half:]):
        chat_pane.append_answer_text("live", chunk)
        chat_pane.flush()
    parts = widget.body.parts()
    assert all(any(part is kept for part in parts) for kept in early)


def test_finishing_keeps_the_streamed_rendering_and_matches_a_reloaded_answer(
    chat_pane: ChatPane, qtbot: QtBot
) -> None:
    text = (
        long_answer(3)
        + "\n\n1. First, install it:\n\n   ```bash\n   pip install codeface\n   ```\n\n"
        "2. Then run it.\n\n> A quote\n\n> that goes on.\n\n"
        "- loose\n\n- list\n\nDone.\n\n```python\nprint('a fence the model never closed')\n"
    )
    chat_pane.set_messages(conversation(4))
    _stream(chat_pane, text)
    widget = chat_pane.message_widget("live")
    assert widget is not None
    streamed_blocks = [p for p in widget.body.parts() if isinstance(p, CodeBlockWidget)]
    parsed = chat_pane.context.parsed_chars["live"]
    renders = chat_pane.context.render_counts["live"]

    chat_pane.end_answer(answer("live", text))

    # One partial render: the tail and the blocks that cut badly (lists, quotes), not
    # the whole answer; the code blocks built while streaming stay.
    assert chat_pane.context.render_counts["live"] == renders + 1
    assert chat_pane.context.parsed_chars["live"] - parsed < len(text) / 3
    finished_blocks = [p for p in widget.body.parts() if isinstance(p, CodeBlockWidget)]
    # The fenced block inside the numbered list streamed as a block of its own; when the
    # list turned out to hold it, it became part of the list's text, as when reloaded.
    assert len(streamed_blocks) == 5
    assert len(finished_blocks) == 4
    kept = [*streamed_blocks[:3], streamed_blocks[4]]
    assert all(done is streamed for done, streamed in zip(finished_blocks, kept, strict=True))
    assert finished_blocks[3].highlighted
    qtbot.waitUntil(lambda: widget.settled, timeout=3000)

    reloaded = ChatPane(theme_named("light"), ScriptedServices())
    qtbot.addWidget(reloaded)
    reloaded.resize(chat_pane.size())
    reloaded.show()
    reloaded.set_messages([answer("live", text)])
    fresh = reloaded.message_widget("live")
    assert fresh is not None
    assert _shape(widget) == _shape(fresh)
    assert widget.footer.stats_label.text() == fresh.footer.stats_label.text()
    width = chat_pane.transcript.viewport().width()
    qtbot.waitUntil(lambda: widget.measure(width) == fresh.measure(width), timeout=3000)
