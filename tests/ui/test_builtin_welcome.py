"""The first-run welcome screen offers the built-in engine first, with the download size of
the model recommended for this machine; the download shows progress with speed and time
left, can be cancelled and resumed, a cut-off or full disk shows the error and a Retry, and
a finished download lets the window answer at once (on the in-memory backend)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from codeface.application.contract import BuiltinOverview, ProviderStatus
from codeface.core.errors import (
    CodefaceError,
    ModelFileError,
    NoProviderAvailable,
    StreamInterrupted,
)
from codeface.core.provider import Health
from codeface.ui.bridge import Bridge
from codeface.ui.main_window import MainWindow
from codeface.ui.widgets.welcome import WelcomeScreen
from tests.ui.conftest import wait_until
from tests.ui.fake_backend import FakeBackend, RecordingChatPane

OLLAMA_DOWN = ProviderStatus(
    "ollama@127.0.0.1:11434",
    "ollama",
    "local",
    "127.0.0.1:11434",
    Health(False, "Nothing answers at 127.0.0.1:11434", error=NoProviderAvailable("x")),
)
RECOMMENDED = "qwen2.5-coder-1.5b"


def welcome_of(window: MainWindow) -> WelcomeScreen:
    """The window's welcome screen (it must be showing)."""
    assert isinstance(window.welcome, WelcomeScreen)
    return window.welcome


def fresh_machine() -> FakeBackend:
    """No model anywhere: Ollama down, no key, nothing registered with the built-in engine."""
    return FakeBackend(models=[], providers=[OLLAMA_DOWN])


async def open_welcome(
    backend: FakeBackend, pane: RecordingChatPane, state_path: Path
) -> MainWindow:
    window = MainWindow(Bridge(backend), chat_factory=lambda: pane, state_path=state_path)
    window.show()
    await window.start()
    assert window.center.currentWidget() is window.welcome
    await wait_until(lambda: welcome_of(window).builtin_choice is not None)
    return window


@pytest.mark.usefixtures("close_windows")
@pytest.mark.asyncio
async def test_the_built_in_engine_comes_first_with_its_download_size(
    recording_pane: RecordingChatPane, state_path: Path
) -> None:
    window = await open_welcome(fresh_machine(), recording_pane, state_path)
    welcome = welcome_of(window)
    cards = sorted(
        (welcome.builtin_card, welcome.ollama_card, welcome.key_card), key=lambda card: card.x()
    )
    assert [card.heading.text() for card in cards] == [
        "1 · Run a small model inside CodeFace",
        "2 · Use Ollama",
        "3 · Use a cloud model",
    ]
    assert welcome.builtin_button.text() == "Download and run it (986 MB)"
    assert "Qwen2.5-Coder 1.5B Instruct" in welcome.builtin_where.text()
    assert "It will run on the CPU." in welcome.builtin_where.text()
    assert "on the CPU: this llama.cpp was built without GPU support" in (
        welcome.builtin_where.toolTip()
    )
    assert welcome.focusWidget() is welcome.builtin_button, "Enter starts the first way"
    assert not welcome.use_button.isVisible(), "nothing on this machine to add"
    await window.shutdown()


@pytest.mark.usefixtures("close_windows")
@pytest.mark.asyncio
async def test_download_shows_speed_and_time_left_cancels_resumes_and_then_answers(
    recording_pane: RecordingChatPane, state_path: Path
) -> None:
    backend = fresh_machine()
    window = await open_welcome(backend, recording_pane, state_path)
    welcome = welcome_of(window)
    backend.download_gate = asyncio.Event()

    welcome.builtin_button.click()
    await wait_until(lambda: "MB/s" in welcome.builtin_status.text())
    assert welcome.builtin_status.text() == "246.5 MB of 986.0 MB · 50.0 MB/s · 14 s left"
    assert welcome.builtin_progress.value() == 250
    assert welcome.builtin_button.text() == "Cancel download"

    welcome.builtin_button.click()
    await wait_until(lambda: welcome.builtin_button.text() == "Resume download")
    assert "Stopped qwen2.5-coder-1.5b at 246 MB of 986 MB" in welcome.builtin_status.text()
    assert window.center.currentWidget() is welcome

    backend.download_gate.set()
    welcome.builtin_button.click()
    await wait_until(lambda: window.center.currentWidget() is window.chat)
    assert backend.download_starts == [(RECOMMENDED, 0), (RECOMMENDED, 246_500_000)], "resumed"
    assert welcome.builtin_status.text() == "Done — ready to chat."
    await wait_until(lambda: any(m.provider == "builtin" for m in window.models))
    assert window.status.model_label.text() == f"{RECOMMENDED} · builtin"
    assert window.status.residency_label.text().startswith("on the CPU: ")
    await window.shutdown()


@pytest.mark.usefixtures("close_windows")
@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("failure", "shown"),
    [
        (
            StreamInterrupted(
                "The download of qwen2.5-coder-1.5b from huggingface.co was cut off "
                "(RemoteProtocolError)",
                retryable=True,
                hint="Run the same command again: it resumes where it stopped.",
            ),
            "was cut off (RemoteProtocolError) — Run the same command again",
        ),
        (
            ModelFileError(
                "Not enough disk space to download qwen2.5-coder-1.5b: it needs 0.74 GB "
                "more, and /data has 0.10 GB free",
                hint="Free some space, or choose a smaller model.",
            ),
            "Not enough disk space to download qwen2.5-coder-1.5b",
        ),
    ],
)
async def test_a_failed_download_says_why_and_retry_resumes(
    recording_pane: RecordingChatPane,
    state_path: Path,
    failure: CodefaceError,
    shown: str,
) -> None:
    backend = fresh_machine()
    backend.download_failure = failure
    window = await open_welcome(backend, recording_pane, state_path)
    welcome = welcome_of(window)

    welcome.builtin_button.click()
    await wait_until(lambda: welcome.builtin_button.text() == "Retry")
    assert shown in welcome.builtin_status.text()
    assert window.center.currentWidget() is welcome, "nothing else changed"

    welcome.builtin_button.click()
    await wait_until(lambda: window.center.currentWidget() is window.chat)
    assert welcome.builtin_status.text() == "Done — ready to chat."
    await window.shutdown()


@pytest.mark.usefixtures("close_windows")
@pytest.mark.asyncio
async def test_a_model_already_on_the_computer_is_offered_and_added_without_download(
    recording_pane: RecordingChatPane, state_path: Path
) -> None:
    backend = fresh_machine()
    backend.builtin = BuiltinOverview(
        True, backend.builtin.where, (), backend.builtin.catalog, ("ollama:qwen2.5-coder:7b",)
    )
    window = await open_welcome(backend, recording_pane, state_path)
    welcome = welcome_of(window)
    assert welcome.use_button.isVisible()
    assert welcome.use_text.text() == (
        "Or use one already on this computer: <b>ollama:qwen2.5-coder:7b</b>"
    )
    assert welcome.use_button.accessibleName() == "Use ollama:qwen2.5-coder:7b"

    welcome.use_button.click()
    await wait_until(lambda: window.center.currentWidget() is window.chat)
    assert ("add_builtin_model", "ollama:qwen2.5-coder:7b", None) in backend.calls
    assert backend.download_starts == []
    await window.shutdown()


@pytest.mark.usefixtures("close_windows")
@pytest.mark.asyncio
async def test_without_llama_cpp_the_card_says_how_to_install_it(
    recording_pane: RecordingChatPane, state_path: Path
) -> None:
    backend = fresh_machine()
    backend.builtin = BuiltinOverview(
        False, "not installed (pip install 'codeface[local]')", (), backend.builtin.catalog
    )
    window = MainWindow(Bridge(backend), chat_factory=lambda: recording_pane, state_path=state_path)
    window.show()
    await window.start()
    welcome = welcome_of(window)
    await wait_until(lambda: "not installed" in welcome.builtin_where.text())
    assert "pip install 'codeface[local]'" in welcome.builtin_where.text()
    assert "a few minutes" in welcome.builtin_where.text()
    assert not welcome.builtin_button.isEnabled()
    await window.shutdown()
