"""A new user's first minutes: the composer has the keyboard when the window opens, and
the session that was open comes back even when the window did not close cleanly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from codeface.ui.bridge import Bridge
from codeface.ui.main_window import MainWindow
from tests.ui.conftest import wait_until
from tests.ui.fake_backend import FakeBackend, RecordingChatPane


async def open_window(backend: FakeBackend, pane: RecordingChatPane, state: Path) -> MainWindow:
    window = MainWindow(Bridge(backend), chat_factory=lambda: pane, state_path=state)
    window.show()
    await window.start()
    return window


@pytest.mark.usefixtures("close_windows")
@pytest.mark.asyncio
async def test_the_composer_has_the_keyboard_when_the_window_opens(
    fake_backend: FakeBackend, state_path: Path
) -> None:
    pane = RecordingChatPane()
    window = await open_window(fake_backend, pane, state_path)
    assert pane.focused >= 1
    await window.shutdown()


@pytest.mark.usefixtures("close_windows")
@pytest.mark.asyncio
async def test_the_open_session_is_remembered_without_a_clean_close(
    fake_backend: FakeBackend, state_path: Path
) -> None:
    window = await open_window(fake_backend, RecordingChatPane(), state_path)
    second = list(fake_backend.sessions)[1]
    await window.open_session(second)

    def saved() -> bool:
        return state_path.exists() and json.loads(state_path.read_text())["session_id"] == second

    await wait_until(saved)  # written while the window is still open
    window.hide()  # no close, no shutdown: as if the process was killed

    again = await open_window(fake_backend, RecordingChatPane(), state_path)
    assert again.conversation.session_id == second
    await again.shutdown()
    await window.bridge.aclose()


@pytest.mark.usefixtures("close_windows")
@pytest.mark.asyncio
async def test_the_same_fallback_is_shown_inline_once_per_session(
    fake_backend: FakeBackend, state_path: Path
) -> None:
    from codeface.core.events import ProviderSwitched
    from tests.ui.fake_backend import AnswerScript

    pane = RecordingChatPane()
    window = await open_window(fake_backend, pane, state_path)
    switch = ProviderSwitched(
        "ollama@127.0.0.1:11434", "builtin", "smollm2", "Ollama is not running → using smollm2"
    )
    for _ in range(3):
        fake_backend.script(AnswerScript(chunks=["a", "b"], switch=switch))
        pane.sig_send.emit("hello", [])
        await window.bridge.wait_turn()
    fallbacks = [notice for notice in pane.notices if notice[0] == "fallback"]
    assert len(fallbacks) == 1
    assert "Ollama is not running" in window.status.currentMessage()
    await window.shutdown()
