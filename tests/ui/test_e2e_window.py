"""End to end: the real window, bridge, chat pane and `AppBackend` against loopback servers.

send → stream → stop → regenerate → branch navigation → search opens the message →
fallback shown inline → restart restores layout and session.
"""

from __future__ import annotations

from collections.abc import Iterator

import keyring
import pytest

from codeface.app import build_backend
from codeface.application.contract import MessageView
from codeface.core.paths import app_paths
from codeface.core.settings import Settings, save_settings
from codeface.ui.bridge import Bridge
from codeface.ui.chat.notices import Notice
from codeface.ui.main_window import MainWindow
from tests.fakes.anthropic_server import AnthropicServer
from tests.fakes.ollama_server import OllamaServer
from tests.ui.conftest import wait_until

pytest_plugins = ["tests.fakes.fixtures"]
MODEL = "qwen2.5-coder:7b"


@pytest.fixture
def configured(
    ollama_server: OllamaServer, anthropic_server: AnthropicServer
) -> Iterator[Settings]:
    """Settings on disk pointing at the loopback servers; an Anthropic key in the keyring."""
    settings = Settings()
    settings.ollama.hosts = [ollama_server.url]
    settings.general.model = MODEL
    settings.general.policy = "local-first"
    settings.anthropic.base_url = anthropic_server.url
    settings.anthropic.model = "claude-sonnet-4-6"
    settings.router.max_retries = 0
    settings.router.backoff_base = 0.01
    save_settings(settings, app_paths().settings_file)
    keyring.set_password("codeface", "anthropic", "sk-ant-e2e-test-key-000000")
    return settings


async def open_real_window() -> MainWindow:
    window = MainWindow(Bridge(build_backend()))
    window.show()
    await window.start()
    return window


def answers(window: MainWindow) -> list[MessageView]:
    return [m for m in window.conversation.branch if m.role == "assistant"]


def pane_text(window: MainWindow, message_id: str) -> str:
    item = window.chat.transcript.item(message_id)
    assert isinstance(item, MessageView)
    return item.content


def notices(window: MainWindow) -> list[Notice]:
    return [item for item in window.chat.transcript.items if isinstance(item, Notice)]


@pytest.mark.usefixtures("close_windows")
@pytest.mark.asyncio
async def test_send_stream_stop_regenerate_and_navigate(
    configured: Settings, ollama_server: OllamaServer
) -> None:
    window = await open_real_window()
    await window.on_new_session()
    assert window.conversation.session_id is not None

    text = "".join(f"chunk{i} " for i in range(400))
    ollama_server.reply_text(text, chunks=400, fast=True)
    window.chat.sig_send.emit("Stream me a lot", [])
    await window.bridge.wait_turn()
    first = answers(window)[-1]
    assert first.status == "complete"
    assert pane_text(window, first.id) == text, "every character arrives"
    assert window.status.badge.text() == "LOCAL"
    assert window.docks is not None
    assert "agents" not in window.docks.panels  # a plain chat's answer builds no agent panel

    ollama_server.reply_text("slow " * 400, chunks=400, chunk_delay=0.01)
    window.chat.sig_send.emit("Now slowly", [])
    await wait_until(
        lambda: len(answers(window)) == 2 and "slow" in pane_text(window, answers(window)[-1].id)
    )
    window.chat.sig_stop.emit()
    await window.bridge.wait_turn()
    stopped = answers(window)[-1]
    assert stopped.status == "cancelled"
    assert 0 < len(stopped.content) < len("slow " * 400)
    end = ollama_server.wait_stream_end(2, timeout=5)
    assert end is not None
    assert end.how == "client_closed"
    assert window.chat.composer.streaming is False

    ollama_server.reply_text("A better answer.", chunks=3)
    window.chat.sig_regenerate.emit(stopped.id)
    await window.bridge.wait_turn()
    regenerated = answers(window)[-1]
    assert regenerated.id != stopped.id
    assert pane_text(window, regenerated.id) == "A better answer."
    assert regenerated.sibling_count == 2

    window.chat.sig_switch_sibling.emit(regenerated.id, -1)
    await wait_until(lambda: answers(window)[-1].id == stopped.id)
    assert pane_text(window, stopped.id) == stopped.content
    await window.shutdown()


@pytest.mark.usefixtures("close_windows")
@pytest.mark.asyncio
async def test_search_opens_the_message_and_fallback_is_inline(
    configured: Settings, ollama_server: OllamaServer, anthropic_server: AnthropicServer
) -> None:
    window = await open_real_window()
    await window.on_new_session()
    ollama_server.reply_text("Use a zebra-striped table.", chunks=2)
    window.chat.sig_send.emit("How should I style the report?", [])
    await window.bridge.wait_turn()
    target_session = window.conversation.session_id
    await window.on_new_session()
    assert window.conversation.session_id != target_session

    window.sidebar.search_box.setText("zebra")
    await wait_until(lambda: window.sidebar.hit_list.count() >= 1)
    window.sidebar.hit_list.itemClicked.emit(window.sidebar.hit_list.item(0))
    await wait_until(lambda: window.conversation.session_id == target_session)
    answer = answers(window)[-1]
    assert window.chat.context.highlight_term.get(answer.id) == "zebra"

    ollama_server.status(503, times=None)
    anthropic_server.reply_text("Answered from the cloud.", chunks=2)
    window.chat.sig_send.emit("Are you there?", [])
    await window.bridge.wait_turn()
    kinds = [notice.kind for notice in notices(window)]
    assert "fallback" in kinds
    assert pane_text(window, answers(window)[-1].id) == "Answered from the cloud."
    assert window.status.badge.text() == "CLOUD"
    await window.shutdown()


@pytest.mark.usefixtures("close_windows")
@pytest.mark.asyncio
async def test_restart_restores_layout_and_session(
    configured: Settings, ollama_server: OllamaServer
) -> None:
    window = await open_real_window()
    await window.on_new_session()
    ollama_server.reply_text("Remember me.", chunks=2)
    window.chat.sig_send.emit("Something to keep", [])
    await window.bridge.wait_turn()
    session_id = window.conversation.session_id
    window.resize(720, 540)
    window.docks.docks["code"].show()
    await window.shutdown()
    window.close()

    again = await open_real_window()
    assert again.conversation.session_id == session_id
    assert [m.content for m in again.conversation.branch] == ["Something to keep", "Remember me."]
    assert (again.width(), again.height()) == (720, 540)
    assert again.docks.docks["code"].isVisible()
    await again.shutdown()


@pytest.mark.usefixtures("close_windows")
@pytest.mark.asyncio
async def test_writing_a_message_loads_the_ollama_client_before_it_is_sent(
    configured: Settings, ollama_server: OllamaServer
) -> None:
    from codeface.providers.lazy_client import LazyClient

    window = await open_real_window()
    await window.on_new_session()
    provider = window.bridge.backend.engine.ollama_providers()[0]  # type: ignore[attr-defined]
    builds: list[str] = []
    build = provider._build_client

    def counting_build() -> object:
        builds.append("built")
        return build()

    provider._client = LazyClient(counting_build)
    window.chat.composer.edit.insertPlainText("Explain")
    await wait_until(lambda: builds == ["built"])  # while the user is still writing
    window.chat.composer.edit.insertPlainText(" this, please")
    ollama_server.reply_text("Gladly.", chunks=2)
    window.chat.composer.submit()
    await window.bridge.wait_turn()
    assert pane_text(window, answers(window)[-1].id) == "Gladly."
    assert builds == ["built"]
    await window.shutdown()
