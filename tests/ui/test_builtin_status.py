"""The status bar says where the built-in engine runs when it answers, and shows no speed
(not "0 tok/s", not "None") for an answer too short to time — in the status bar and in the
message footer."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from codeface.app import build_backend
from codeface.application.contract import BuiltinModelView, MessageView
from codeface.core.events import AnswerStats
from codeface.core.paths import app_paths
from codeface.core.provider import ModelInfo
from codeface.core.settings import Settings, save_settings
from codeface.ui.bridge import Bridge
from codeface.ui.chat.message_parts import stats_text
from codeface.ui.main_window import MainWindow
from codeface.ui.widgets.status_bar import StatusBar
from tests.fakes.ollama_server import OllamaServer
from tests.ui.conftest import wait_until
from tests.ui.fake_backend import AnswerScript, FakeBackend, RecordingChatPane
from tests.ui.fake_engine import BUILTIN_STATUS, WHERE_CPU

GPU_WHERE = "on the GPU (CUDA)"


@pytest.fixture(autouse=True)
def _garbage_collected_on_the_gui_thread() -> Iterator[None]:
    """Collect each test's Qt and qasync garbage here, on the GUI thread: collected later
    by a worker thread (llama.cpp, a download), a dead loop's timer object is freed off its
    thread and Qt fires its timer into freed memory (a segfault in a later test)."""
    gc.collect()
    yield
    gc.collect()


@pytest.mark.usefixtures("close_windows")
@pytest.mark.asyncio
async def test_the_status_bar_says_where_the_built_in_model_runs_when_it_answers(
    fake_backend: FakeBackend, recording_pane: RecordingChatPane, state_path: Path
) -> None:
    fake_backend.builtin = replace(
        fake_backend.builtin,
        models=(BuiltinModelView("smollm2", "/m/smollm2.gguf", 98_000_000, "Q4_1"),),
    )
    fake_backend.models.append(ModelInfo("smollm2", "builtin", "local", 98_000_000))
    fake_backend.providers.append(BUILTIN_STATUS)
    window = MainWindow(
        Bridge(fake_backend), chat_factory=lambda: recording_pane, state_path=state_path
    )
    window.show()
    await window.start()
    await wait_until(lambda: window.status.residency_label.text() == "on GPU")  # Ollama's 7b

    fake_backend.script(AnswerScript.text("Hello!", provider="builtin", model="smollm2"))
    recording_pane.sig_send.emit("hi", [])
    await window.bridge.wait_turn()
    assert window.status.model_label.text() == "smollm2 · builtin"
    assert window.status.residency_label.text() == WHERE_CPU
    assert window.status.residency_label.isVisibleTo(window.status)

    fake_backend.script(AnswerScript.text("Hello from Ollama"))
    recording_pane.sig_send.emit("and you?", [])
    await window.bridge.wait_turn()
    assert window.status.residency_label.text() == "on GPU", "Ollama's residency again"
    await window.shutdown()


def test_a_long_reason_is_elided_with_the_whole_line_as_tooltip(qapp: object) -> None:
    status = StatusBar()
    reason = (
        "on the CPU: this llama.cpp was built without GPU support (reinstall llama-cpp-python "
        'with CMAKE_ARGS="-DGGML_CUDA=on" (NVIDIA), "-DGGML_METAL=on" (Apple) or '
        '"-DGGML_VULKAN=on" (others))'
    )
    status.set_where(reason)
    assert status.residency_label.text().startswith("on the CPU: this llama.cpp was built")
    assert status.residency_label.text().endswith("…")
    assert status.residency_label.toolTip() == reason
    status.set_where(GPU_WHERE)
    assert status.residency_label.text() == GPU_WHERE
    assert status.residency_label.toolTip() == ""
    status.set_residency("gpu")
    assert status.residency_label.text() == "on GPU"


@pytest.mark.parametrize("speed", [None, 0.0, float("nan"), float("inf")])
def test_no_speed_is_shown_when_it_could_not_be_measured(qapp: object, speed: float) -> None:
    status = StatusBar()
    status.set_speed(48.25)
    assert status.speed_label.text() == "48.2 tok/s"
    status.set_speed(speed)
    assert status.speed_label.text() == ""
    assert status.speed_label.isHidden()


@pytest.mark.parametrize("speed", [None, 0.0])
def test_the_message_footer_leaves_out_a_speed_that_was_not_measured(speed: float) -> None:
    footer = stats_text(
        MessageView("m1", "assistant", "Hi.", output_tokens=2, tokens_per_second=speed)
    )
    assert footer == "2 tokens"


@pytest.mark.usefixtures("close_windows")
@pytest.mark.asyncio
async def test_a_tiny_real_answer_shows_no_speed_after_a_timed_one(
    ollama_server: OllamaServer,
) -> None:
    settings = Settings()
    settings.ollama.hosts = [ollama_server.url]
    settings.general.model = "qwen2.5-coder:7b"
    save_settings(settings, app_paths().settings_file)
    window = MainWindow(Bridge(build_backend()))
    window.show()
    await window.start()
    await window.on_new_session()
    stats: list[AnswerStats] = []
    window.conversation.sig_answer_stats.connect(stats.append)

    ollama_server.reply_text("word " * 60, chunks=60, chunk_delay=0.01)
    window.chat.sig_send.emit("a long one", [])
    await window.bridge.wait_turn()
    assert stats[-1].tokens_per_second is not None
    assert window.status.speed_label.text().endswith(" tok/s")

    ollama_server.reply_text("Hi.", chunks=1)
    window.chat.sig_send.emit("a tiny one", [])
    await window.bridge.wait_turn()
    await wait_until(lambda: len(stats) == 2)
    assert stats[-1].tokens_per_second is None, "the engine does not time a tiny answer"
    assert window.status.speed_label.text() == ""
    assert window.status.speed_label.isHidden()
    tiny = [m for m in window.conversation.branch if m.role == "assistant"][-1]
    assert tiny.content == "Hi."
    footer = stats_text(tiny)
    assert "tok/s" not in footer
    assert "None" not in footer
    await window.shutdown()
