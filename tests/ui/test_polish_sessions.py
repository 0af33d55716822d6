"""A new session's title shows in the sidebar as soon as its first prompt is saved."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from codeface.ui.bridge import Bridge
from codeface.ui.main_window import MainWindow
from codeface.ui.widgets.sessions_sidebar import ROLE_SESSION
from tests.ui.conftest import wait_until
from tests.ui.fake_backend import AnswerScript, FakeBackend, RecordingChatPane


def sidebar_title(window: MainWindow, session_id: str) -> str:
    listing = window.sidebar.session_list
    for row in range(listing.count()):
        item = listing.item(row)
        if item.data(ROLE_SESSION) == session_id:
            return str(item.text())
    return ""


@pytest.mark.usefixtures("close_windows")
@pytest.mark.asyncio
async def test_the_title_shows_during_the_first_turn_without_rebuilding_the_list(
    recording_pane: RecordingChatPane, state_path: Path
) -> None:
    backend = FakeBackend()
    other = backend.add_session("Older chat", [("user", "hi"), ("assistant", "hello")])
    fresh = backend.add_session("New chat")
    window = MainWindow(Bridge(backend), chat_factory=lambda: recording_pane, state_path=state_path)
    window.show()
    await window.start()
    try:
        await window.open_session(fresh)
        assert sidebar_title(window, fresh) == "New chat"
        gate = asyncio.Event()
        backend.script(AnswerScript.text("One moment", pieces=2, hold_at=1, gate=gate))
        first_item = window.sidebar.session_list.item(0)

        recording_pane.sig_send.emit("Count the lines of a log file", [])

        await wait_until(lambda: sidebar_title(window, fresh) == "Count the lines of a log file")
        assert window.bridge.streaming  # the answer is still coming
        assert window.sidebar.session_list.item(0) is first_item  # same rows, not rebuilt
        assert sidebar_title(window, other) == "Older chat"
        gate.set()
        await window.bridge.wait_turn()
    finally:
        await window.shutdown()
