"""A long session stays light: what one answer builds is given back or reused.

Counted, not timed: the real window (bridge, conversation, chat pane) answers through
the in-memory backend, and after a warm-up and again after many more answers we count
what lives in the transcript (Qt objects, text documents, message cards, Python
wrappers) and the signal connections of the bridge, the pane and its hub. Those counts
must depend on what fits around the viewport, not on how many answers there were.
"""

from __future__ import annotations

import gc
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import QMetaMethod, QObject
from PySide6.QtGui import QTextDocument

from codeface.ui.bridge import Bridge
from codeface.ui.chat.message_widget import MessageWidget
from codeface.ui.chat.rows import SPARE_ROWS_PER_KIND
from codeface.ui.main_window import MainWindow
from tests.ui.conftest import wait_until
from tests.ui.fake_backend import AnswerScript, FakeBackend

ANSWER = (
    "Here is a function that reverses a string:\n\n```python\ndef reverse(text: str) -> str:\n"
    "    return text[::-1]\n```\n\nCall `reverse('abc')` to get `'cba'`."
)
WARM_UP = 16
MORE = 24


def _connections(sender: QObject) -> int:
    """Slots connected to all of ``sender``'s signals."""
    meta = sender.metaObject()
    total = 0
    for index in range(meta.methodCount()):
        method = meta.method(index)
        if method.methodType() == QMetaMethod.MethodType.Signal:
            signature = bytes(method.methodSignature().data()).decode()
            total += sender.receivers(f"2{signature}")
    return total


def _census(window: MainWindow) -> dict[str, int]:
    """What the transcript holds now, and the connections the chat path uses."""
    gc.collect()
    transcript = window.chat.transcript
    cards = [
        obj for obj in gc.get_objects() if isinstance(obj, MessageWidget) and shiboken6.isValid(obj)
    ]
    return {
        "qt objects": len(transcript.findChildren(QObject)),
        "documents": len(transcript.findChildren(QTextDocument)),
        "message cards": len(cards),
        "message card wrappers": sum(isinstance(obj, MessageWidget) for obj in gc.get_objects()),
        "connections": sum(
            _connections(sender) for sender in (window.bridge, window.chat, window.chat.context.hub)
        ),
    }


async def _answer(window: MainWindow, backend: FakeBackend, count: int) -> None:
    for index in range(count):
        backend.script(AnswerScript.text(ANSWER, pieces=8))
        window.chat.sig_send.emit(f"Question {index}: how do I reverse a string?", [])
        await wait_until(lambda: window.bridge.streaming)
        await window.bridge.wait_turn()
        await wait_until(window.chat.transcript.settled)


@pytest.mark.usefixtures("close_windows")
@pytest.mark.asyncio
async def test_answers_do_not_accumulate_widgets_documents_or_connections(
    fake_backend: FakeBackend, state_path: Path
) -> None:
    window = MainWindow(Bridge(fake_backend), state_path=state_path)
    window.resize(1000, 700)
    window.show()
    await window.start()
    await window.on_new_session()
    await _answer(window, fake_backend, WARM_UP)
    warm = _census(window)

    await _answer(window, fake_backend, MORE)

    after = _census(window)
    transcript = window.chat.transcript
    assert len(window.conversation.branch) == 2 * (WARM_UP + MORE)
    assert after["message cards"] > 0
    # Nothing grows with the answers: every count is what it was after the warm-up.
    for name, count in after.items():
        assert count <= warm[name], (name, warm, after)
    # And what is alive is what fits around the viewport, plus a few spare cards per role.
    assert after["message cards"] <= len(transcript.built_ids()) + 2 * SPARE_ROWS_PER_KIND
    assert after["message cards"] < 2 * (WARM_UP + MORE)
    await window.shutdown()


@pytest.mark.usefixtures("close_windows")
@pytest.mark.asyncio
async def test_an_empty_session_gives_back_the_cards_of_the_last_one(
    fake_backend: FakeBackend, state_path: Path
) -> None:
    window = MainWindow(Bridge(fake_backend), state_path=state_path)
    window.resize(1000, 700)
    window.show()
    await window.start()
    await window.on_new_session()
    await _answer(window, fake_backend, WARM_UP)
    full = _census(window)

    await window.on_new_session()

    transcript = window.chat.transcript
    assert transcript.items == []
    assert transcript.built_ids() == []
    empty = _census(window)
    # The cards wait for reuse, hidden; none was kept for the session that was left.
    assert empty["message cards"] == transcript.rows.spare_count() <= full["message cards"]
    assert empty["documents"] <= full["documents"]
    await window.shutdown()
