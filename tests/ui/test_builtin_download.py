"""End to end: the welcome screen downloads the built-in engine's model through the real
backend from a loopback Hugging Face (``HF_ENDPOINT``), with no Ollama and no key: progress
in bytes, cancel mid-transfer, resume with a ranged request, a missing file's message and
Retry, and the window leaving the welcome screen once the model is registered."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from codeface.app import build_backend
from codeface.core.paths import app_paths
from codeface.core.settings import Settings, save_settings
from codeface.providers.model_catalog import CATALOG
from codeface.ui.bridge import Bridge
from codeface.ui.main_window import MainWindow
from codeface.ui.widgets.welcome import WelcomeScreen
from tests.fakes.gguf_builder import gguf_bytes
from tests.fakes.hf_server import FakeHub
from tests.fakes.loopback import unused_port
from tests.ui.conftest import wait_until

MODEL_BYTES = gguf_bytes(tensors={"w": (6_500_000,)})  # 26 MB: three 10 MiB chunks
HELD_AT = 12_000_000  # the client has written its first chunk when the server holds


def welcome_of(window: MainWindow) -> WelcomeScreen:
    """The window's welcome screen (it must be showing)."""
    assert isinstance(window.welcome, WelcomeScreen)
    return window.welcome


@pytest.fixture(autouse=True)
def _garbage_collected_on_the_gui_thread() -> Iterator[None]:
    """Collect each test's Qt and qasync garbage here, on the GUI thread: collected later
    by a worker thread (llama.cpp, a download), a dead loop's timer object is freed off its
    thread and Qt fires its timer into freed memory (a segfault in a later test)."""
    gc.collect()
    yield
    gc.collect()


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeHub]:
    """A loopback Hub the backend downloads from; Ollama points at a closed port."""
    settings = Settings()
    settings.ollama.hosts = [f"http://127.0.0.1:{unused_port()}"]
    save_settings(settings, app_paths().settings_file)
    with FakeHub() as server:
        monkeypatch.setenv("HF_ENDPOINT", server.url)
        monkeypatch.setenv("HF_HUB_DISABLE_TELEMETRY", "1")
        yield server


async def open_welcome() -> MainWindow:
    window = MainWindow(Bridge(build_backend()))
    window.show()
    await window.start()
    assert window.center.currentWidget() is window.welcome
    await wait_until(lambda: welcome_of(window).builtin_choice is not None, timeout=30)
    return window


def host(hub: FakeHub, name: str, **faults: object) -> None:
    entry = next(item for item in CATALOG if item.name == name)
    hub.host_file(entry.repo_id, entry.filename, MODEL_BYTES, **faults)


@pytest.mark.usefixtures("close_windows")
@pytest.mark.asyncio
async def test_download_cancel_resume_and_then_the_window_can_answer(hub: FakeHub) -> None:
    window = await open_welcome()
    welcome = welcome_of(window)
    assert welcome.builtin_choice is not None
    name = welcome.builtin_choice.name
    host(hub, name, hold_after=HELD_AT)

    welcome.builtin_button.click()
    await wait_until(hub.sending.is_set, timeout=30)
    await wait_until(lambda: "10.5 MB of 26.0 MB" in welcome.builtin_status.text(), timeout=30)
    assert welcome.builtin_button.text() == "Cancel download"
    welcome.builtin_button.click()
    await wait_until(lambda: welcome.builtin_button.text() == "Resume download", timeout=30)
    assert welcome.builtin_status.text() == (
        f"Stopped {name} at 10 MB of 26 MB. Resume continues from there."
    )
    hub.release()
    assert window.center.currentWidget() is welcome

    welcome.builtin_button.click()
    await wait_until(lambda: window.center.currentWidget() is window.chat, timeout=30)
    resumed = hub.gets()[-1].headers.get("Range", "")
    assert resumed == "bytes=10485760-", "the second request asked only for the rest"
    assert welcome.builtin_status.text() == "Done — ready to chat."
    overview = await window.bridge.backend.builtin_overview()
    assert [(m.name, m.downloaded, m.problem) for m in overview.models] == [(name, True, None)]
    await wait_until(lambda: window.status.model_label.text() == f"{name} · builtin", timeout=30)
    await window.shutdown()


@pytest.mark.usefixtures("close_windows")
@pytest.mark.asyncio
async def test_a_file_missing_on_the_hub_says_so_and_retry_downloads_it(hub: FakeHub) -> None:
    window = await open_welcome()
    welcome = welcome_of(window)
    assert welcome.builtin_choice is not None
    name = welcome.builtin_choice.name

    welcome.builtin_button.click()
    await wait_until(lambda: welcome.builtin_button.text() == "Retry", timeout=30)
    assert "was not found on Hugging Face" in welcome.builtin_status.text()
    assert window.center.currentWidget() is welcome

    host(hub, name)
    welcome.builtin_button.click()
    await wait_until(lambda: window.center.currentWidget() is window.chat, timeout=30)
    await window.shutdown()
