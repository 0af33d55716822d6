"""The Terminal dock inside the window: a real shell, code sent from the chat, and its
output captured back into the message box."""

from __future__ import annotations

from pathlib import Path

import pytest

from codeface.ui.bridge import Bridge
from codeface.ui.main_window import MainWindow
from tests.ui.conftest import wait_until
from tests.ui.fake_backend import FakeBackend, RecordingChatPane


@pytest.mark.usefixtures("close_windows")
@pytest.mark.asyncio
async def test_shell_code_goes_to_the_terminal_and_its_output_comes_back(
    fake_backend: FakeBackend, recording_pane: RecordingChatPane, state_path: Path
) -> None:
    fake_backend.settings.terminal.shell = "/bin/sh"
    fake_backend.settings.terminal.scrollback = 321
    window = MainWindow(
        Bridge(fake_backend), chat_factory=lambda: recording_pane, state_path=state_path
    )
    window.show()
    await window.start()

    recording_pane.sig_send_to_terminal.emit("echo codeface-$((40+2))")
    terminal = window.docks.terminal
    assert terminal is not None
    assert window.docks.docks["terminal"].isVisible()
    assert terminal.scrollback == 321
    assert terminal.awaiting_confirmation  # typed, but not run until the user confirms
    terminal.confirm_pending()
    view = terminal.current_view()
    # The shell expands $((40+2)) only when the command really ran.
    await wait_until(lambda: any("codeface-42" in line for line in view.screen_lines()))

    await window.capture_terminal()

    inserted = next(text for name, text in recording_pane.calls if name == "insert_into_composer")
    assert inserted.startswith("Terminal output:\n```")
    assert "codeface-42" in inserted
    await window.shutdown()


@pytest.mark.usefixtures("close_windows")
@pytest.mark.asyncio
async def test_recent_commands_reach_the_chat_only_with_consent(
    fake_backend: FakeBackend, recording_pane: RecordingChatPane, state_path: Path
) -> None:
    fake_backend.settings.terminal.shell = "/bin/sh"
    window = MainWindow(
        Bridge(fake_backend), chat_factory=lambda: recording_pane, state_path=state_path
    )
    window.show()
    await window.start()
    terminal = window.docks.ensure_terminal()
    assert terminal is not None
    terminal.history.record("main", "make test", 2)

    await window.capture_terminal()
    without_consent = [t for name, t in recording_pane.calls if name == "insert_into_composer"]
    assert all("make test" not in text for text in without_consent)

    terminal.set_history_sharing(True)
    terminal.history.record("main", "make test", 2)
    await window.capture_terminal()
    inserted = [t for name, t in recording_pane.calls if name == "insert_into_composer"][-1]
    assert "Recent terminal commands:" in inserted
    assert "$ make test  (exit 2)" in inserted
    await window.shutdown()
