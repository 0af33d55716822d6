"""The main window with the in-memory backend and a recording chat pane."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from codeface.application.contract import ProviderStatus, StartupNotice
from codeface.core.errors import AuthenticationFailed, NoProviderAvailable
from codeface.core.events import ProviderSwitched
from codeface.core.provider import Health
from codeface.ui.bridge import Bridge
from codeface.ui.main_window import MainWindow
from tests.ui.conftest import wait_until
from tests.ui.fake_backend import AnswerScript, FakeBackend, RecordingChatPane


async def open_window(
    backend: FakeBackend, pane: RecordingChatPane, state_path: Path
) -> MainWindow:
    window = MainWindow(Bridge(backend), chat_factory=lambda: pane, state_path=state_path)
    window.show()
    await window.start()
    return window


@pytest.mark.usefixtures("close_windows")
@pytest.mark.asyncio
async def test_start_lists_sessions_pinned_first_and_opens_the_last_one(
    fake_backend: FakeBackend, recording_pane: RecordingChatPane, state_path: Path
) -> None:
    pinned = fake_backend.add_session("Pinned notes", pinned=True)
    window = await open_window(fake_backend, recording_pane, state_path)

    assert window.sidebar.session_ids[0] == pinned
    first = next(iter(fake_backend.sessions))
    assert window.conversation.session_id == first
    assert [m.content for m in recording_pane.messages] == [
        "How do I reverse a string in Python?",
        "Use slicing: `s[::-1]`.",
    ]
    await wait_until(lambda: window.status.residency_label.text() == "on GPU")
    assert "qwen2.5-coder:7b" in window.status.model_label.text()
    await window.shutdown()


@pytest.mark.usefixtures("close_windows")
@pytest.mark.asyncio
async def test_send_streams_every_character_and_reenables_the_composer(
    fake_backend: FakeBackend, recording_pane: RecordingChatPane, state_path: Path
) -> None:
    window = await open_window(fake_backend, recording_pane, state_path)
    text = "".join(f"token{i} " for i in range(300))
    fake_backend.script(AnswerScript.text(text, pieces=300, delay=0.0005))

    recording_pane.sig_send.emit("Explain generators", [])
    await window.bridge.wait_turn()

    user, answer = recording_pane.messages[-2:]
    assert user.role == "user"
    assert user.content == "Explain generators"
    assert recording_pane.texts[answer.id] == text
    assert answer.status == "complete"
    names = [call[0] for call in recording_pane.calls]
    assert (
        names.index("begin_answer") < names.index("append_answer_text") < names.index("end_answer")
    )
    assert recording_pane.calls.count(("set_streaming", True)) == 1
    assert recording_pane.streaming is False
    assert window.status.badge.text() == "LOCAL"
    assert window.status.speed_label.text() == "42.0 tok/s"
    assert not window.actions_by_id["stop"].isEnabled()
    await window.shutdown()


@pytest.mark.usefixtures("close_windows")
@pytest.mark.asyncio
async def test_stop_keeps_the_partial_answer_marked_stopped(
    fake_backend: FakeBackend, recording_pane: RecordingChatPane, state_path: Path
) -> None:
    window = await open_window(fake_backend, recording_pane, state_path)
    gate = asyncio.Event()
    fake_backend.script(AnswerScript(chunks=["partial ", "answer", " never"], hold_at=2, gate=gate))

    recording_pane.sig_send.emit("go", [])
    await wait_until(lambda: window.actions_by_id["stop"].isEnabled())
    await wait_until(lambda: "partial answer" in recording_pane.texts.values())
    window.actions_by_id["stop"].trigger()
    await window.bridge.wait_turn()

    answer = recording_pane.messages[-1]
    assert answer.status == "cancelled"
    assert answer.content == "partial answer"
    assert ("end_answer", answer.id, "cancelled") in recording_pane.calls
    assert recording_pane.streaming is False
    await window.shutdown()


@pytest.mark.usefixtures("close_windows")
@pytest.mark.asyncio
async def test_regenerate_makes_a_sibling_and_navigation_switches_back(
    fake_backend: FakeBackend, recording_pane: RecordingChatPane, state_path: Path
) -> None:
    window = await open_window(fake_backend, recording_pane, state_path)
    first_answer = recording_pane.messages[-1]
    fake_backend.script(AnswerScript(chunks=["A second ", "take."]))

    recording_pane.sig_regenerate.emit(first_answer.id)
    await window.bridge.wait_turn()

    second = recording_pane.messages[-1]
    assert second.id != first_answer.id
    assert second.content == "A second take."
    assert (second.sibling_index, second.sibling_count) == (1, 2)
    assert len(recording_pane.messages) == 2, "the old answer left the visible branch"

    recording_pane.sig_switch_sibling.emit(second.id, -1)
    await wait_until(lambda: recording_pane.messages[-1].id == first_answer.id)
    assert recording_pane.messages[-1].sibling_index == 0
    await window.shutdown()


@pytest.mark.usefixtures("close_windows")
@pytest.mark.asyncio
async def test_edit_branches_from_the_edited_message(
    fake_backend: FakeBackend, recording_pane: RecordingChatPane, state_path: Path
) -> None:
    window = await open_window(fake_backend, recording_pane, state_path)
    question = recording_pane.messages[0]
    fake_backend.script(AnswerScript(chunks=["Use reversed()."]))

    recording_pane.sig_edit.emit(question.id, "How do I reverse a list?")
    await window.bridge.wait_turn()

    assert [m.content for m in recording_pane.messages] == [
        "How do I reverse a list?",
        "Use reversed().",
    ]
    assert recording_pane.messages[0].sibling_count == 2
    await window.shutdown()


@pytest.mark.usefixtures("close_windows")
@pytest.mark.asyncio
async def test_expected_failure_is_an_inline_notice_with_actions(
    fake_backend: FakeBackend, recording_pane: RecordingChatPane, state_path: Path
) -> None:
    window = await open_window(fake_backend, recording_pane, state_path)
    error = AuthenticationFailed("Anthropic refused the key (401)")
    fake_backend.script(AnswerScript(chunks=["x"], fail=error, fail_at=0))

    recording_pane.sig_send.emit("hi", [])
    await window.bridge.wait_turn()

    kind, text, actions = recording_pane.notices[-1]
    assert kind == "error"
    assert "Anthropic refused the key (401)" in text
    assert error.hint in text
    assert ("Open settings", "open_settings") in actions
    assert recording_pane.streaming is False

    recording_pane.sig_action.emit("open_settings")
    dialog = window._dialogs["settings"]
    assert dialog.isVisible()
    assert dialog.tabs.currentIndex() == 0
    dialog.close()
    await window.shutdown()


@pytest.mark.usefixtures("close_windows")
@pytest.mark.asyncio
async def test_fallback_to_another_provider_is_shown_inline(
    fake_backend: FakeBackend, recording_pane: RecordingChatPane, state_path: Path
) -> None:
    window = await open_window(fake_backend, recording_pane, state_path)
    switch = ProviderSwitched(
        "ollama@127.0.0.1:11434", "anthropic", "claude-sonnet-4", "Ollama is not running"
    )
    fake_backend.script(
        AnswerScript(
            chunks=["a", "b"],
            switch=switch,
            provider="anthropic",
            model="claude-sonnet-4",
            tier="cloud",
        )
    )

    recording_pane.sig_send.emit("hi", [])
    await window.bridge.wait_turn()

    kind, text, _actions = recording_pane.notices[-1]
    assert kind == "fallback"
    assert "anthropic" in text
    assert "Ollama is not running" in text
    assert window.status.badge.text() == "CLOUD"
    await window.shutdown()


@pytest.mark.usefixtures("close_windows")
@pytest.mark.asyncio
async def test_search_result_opens_the_session_scrolled_to_the_message(
    fake_backend: FakeBackend, recording_pane: RecordingChatPane, state_path: Path
) -> None:
    target = fake_backend.add_session(
        "Regex help", [("user", "match an email address"), ("assistant", "Try a simple pattern")]
    )
    window = await open_window(fake_backend, recording_pane, state_path)
    assert window.conversation.session_id != target

    window.sidebar.search_box.setText("email")
    await wait_until(lambda: window.sidebar.hit_list.count() == 1)
    item = window.sidebar.hit_list.item(0)
    window.sidebar.hit_list.itemClicked.emit(item)
    await wait_until(lambda: window.conversation.session_id == target)

    message_id = fake_backend._branch(target)[0].id
    assert recording_pane.scrolled_to == (message_id, "email")
    window.sidebar.search_box.clear()
    assert window.sidebar.stack.currentWidget() is window.sidebar.session_list
    await window.shutdown()


@pytest.mark.usefixtures("close_windows")
@pytest.mark.asyncio
async def test_context_menu_rename_pin_archive_and_delete(
    fake_backend: FakeBackend,
    recording_pane: RecordingChatPane,
    state_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    window = await open_window(fake_backend, recording_pane, state_path)
    first, second = list(fake_backend.sessions)
    menu = window.sidebar.build_menu(second)
    labels = [action.text() for action in menu.actions() if action.text()]
    assert labels == ["Rename…", "Pin", "Archive", "Move to trash…"]

    window.sidebar.sig_rename.emit(second, "Renamed chat")
    await wait_until(lambda: window.sessions[second].title == "Renamed chat")
    window.sidebar.sig_pin.emit(second, True)
    await wait_until(lambda: window.sidebar.session_ids[0] == second)
    window.sidebar.sig_archive.emit(second, True)
    await wait_until(lambda: second not in window.sidebar.session_ids)

    from PySide6.QtWidgets import QMessageBox

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    window.delete_current()
    await wait_until(lambda: first in fake_backend.trash)
    await wait_until(lambda: window.conversation.session_id is None)
    assert window.sidebar.session_ids == []

    window.actions_by_id["restore"].trigger()
    await wait_until(lambda: window.conversation.session_id == first)
    assert first not in fake_backend.trash
    assert window.sidebar.session_ids == [first]
    await window.shutdown()


@pytest.mark.usefixtures("close_windows")
@pytest.mark.asyncio
async def test_new_session_by_keyboard_and_typing_without_a_session(
    qtbot: object, recording_pane: RecordingChatPane, state_path: Path
) -> None:
    backend = FakeBackend()
    window = await open_window(backend, recording_pane, state_path)
    assert window.conversation.session_id is None

    recording_pane.sig_send.emit("first words", [])
    await wait_until(lambda: window.conversation.session_id is not None)
    await window.bridge.wait_turn()
    assert recording_pane.messages[0].content == "first words"

    window.activateWindow()
    before = len(backend.sessions)
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)  # type: ignore[attr-defined]
    await wait_until(lambda: len(backend.sessions) == before + 1)
    await wait_until(lambda: window.conversation.session_id == list(backend.sessions)[-1])
    assert recording_pane.messages == []
    assert recording_pane.focused >= 1
    await window.shutdown()


@pytest.mark.usefixtures("close_windows")
@pytest.mark.asyncio
async def test_palette_lists_every_action_with_its_shortcut_and_runs_one(
    fake_backend: FakeBackend, recording_pane: RecordingChatPane, state_path: Path
) -> None:
    window = await open_window(fake_backend, recording_pane, state_path)
    palette = window.open_palette()
    labels = palette.visible_labels
    assert len(labels) == len(window.actions_by_id)
    assert any(label.startswith("New session\t") and "N" in label for label in labels)
    assert any(label.startswith("Command palette…\t") for label in labels)

    palette.filter_box.setText("zoom in")
    assert [label.split("\t")[0] for label in palette.visible_labels] == ["Zoom in"]
    palette.run_selected()
    assert recording_pane.zoom_level == 1
    assert not palette.isVisible()
    await window.shutdown()


@pytest.mark.usefixtures("close_windows")
@pytest.mark.asyncio
async def test_controls_have_accessible_names(
    fake_backend: FakeBackend, recording_pane: RecordingChatPane, state_path: Path
) -> None:
    window = await open_window(fake_backend, recording_pane, state_path)
    for widget in (
        window.sidebar.search_box,
        window.sidebar.new_button,
        window.sidebar.session_list,
        window.status.model_label,
        window.status.badge,
    ):
        assert widget.accessibleName(), widget
    for dock in window.docks.docks.values():
        assert dock.accessibleName().endswith("panel")
    await window.shutdown()


@pytest.mark.usefixtures("close_windows")
@pytest.mark.asyncio
async def test_restart_restores_layout_zoom_and_open_session(
    fake_backend: FakeBackend, state_path: Path
) -> None:
    pane = RecordingChatPane()
    window = await open_window(fake_backend, pane, state_path)
    second = list(fake_backend.sessions)[1]
    await window.open_session(second)
    window.resize(701, 555)
    window.docks.docks["agents"].show()
    window.splitter.setSizes([233, 468])
    window.zoom_in()
    window.zoom_in()
    await window.shutdown()
    window.close()

    again = RecordingChatPane()
    restored = await open_window(fake_backend, again, state_path)
    assert restored.conversation.session_id == second
    assert (restored.width(), restored.height()) == (701, 555)
    assert restored.docks.docks["agents"].isVisible()
    assert not restored.docks.docks["code"].isVisible()
    assert restored.splitter.sizes()[0] == 233
    assert again.zoom_level == 2
    await restored.shutdown()


@pytest.mark.usefixtures("close_windows")
@pytest.mark.asyncio
async def test_startup_notices_are_shown(
    recording_pane: RecordingChatPane, state_path: Path
) -> None:
    backend = FakeBackend(notices=[StartupNotice("The database was damaged and moved aside")])
    window = await open_window(backend, recording_pane, state_path)
    assert recording_pane.notices[0][1] == "The database was damaged and moved aside"
    await window.shutdown()


@pytest.mark.usefixtures("close_windows")
@pytest.mark.asyncio
async def test_unexpected_error_goes_to_the_central_handler_and_ui_stays_usable(
    fake_backend: FakeBackend,
    recording_pane: RecordingChatPane,
    state_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[BaseException] = []
    monkeypatch.setattr(sys, "excepthook", lambda _t, value, _tb: seen.append(value))
    window = await open_window(fake_backend, recording_pane, state_path)

    async def broken(session_id: str) -> list[object]:
        raise KeyError(session_id)

    fake_backend.load_branch = broken  # type: ignore[method-assign]
    window.sidebar.sig_open_session.emit(list(fake_backend.sessions)[1])
    await wait_until(lambda: bool(seen))
    assert isinstance(seen[0], KeyError)

    recording_pane.sig_send.emit("still works", [])
    await window.bridge.wait_turn()
    assert recording_pane.messages[-1].status == "complete"
    await window.shutdown()


@pytest.mark.usefixtures("close_windows")
@pytest.mark.asyncio
async def test_welcome_screen_when_no_model_source_and_its_buttons_work(
    recording_pane: RecordingChatPane, state_path: Path
) -> None:
    down = ProviderStatus(
        "ollama@127.0.0.1:11434",
        "ollama",
        "local",
        "127.0.0.1:11434",
        Health(False, "Nothing answers at 127.0.0.1:11434", error=NoProviderAvailable("x")),
    )
    keyless = ProviderStatus(
        "anthropic",
        "anthropic",
        "cloud",
        "api.anthropic.com",
        Health(False, "No key"),
        has_key=False,
    )
    backend = FakeBackend(providers=[down, keyless])
    window = await open_window(backend, recording_pane, state_path)
    welcome = window.welcome
    assert window.center.currentWidget() is welcome
    # What the start-up look found is said at once, before anyone presses Check again.
    assert welcome.ollama_status.text() == "Nothing answers at 127.0.0.1:11434"

    welcome.ollama_status.clear()
    welcome.check_button.click()
    await wait_until(lambda: "Nothing answers" in welcome.ollama_status.text())

    welcome.key_button.click()
    settings = window._dialogs["settings"]
    assert settings.isVisible()
    assert settings.tabs.currentIndex() == 0
    settings.close()

    backend.pull_gate = asyncio.Event()
    welcome.pull_button.click()
    await wait_until(lambda: welcome.pull_progress.maximum() == 1000)
    assert welcome.pull_button.text() == "Cancel"
    assert "GB of" in welcome.pull_status.text()
    backend.providers = [
        ProviderStatus(down.id, "ollama", "local", down.host, Health(True, "Ollama 0.12.0"))
    ]
    backend.pull_gate.set()
    await wait_until(lambda: window.center.currentWidget() is window.chat)
    assert welcome.pull_status.text().startswith("Done")
    await window.shutdown()
