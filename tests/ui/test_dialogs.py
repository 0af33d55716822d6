"""Model picker, model manager, settings, command palette and the error dialog."""

from __future__ import annotations

import logging
import sys

import pytest
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QApplication, QWidget

from codeface.core.events import Progress
from codeface.core.logs import register_secret
from codeface.core.provider import ModelInfo
from codeface.ui.bridge import Bridge
from codeface.ui.dialogs.command_palette import CommandPalette
from codeface.ui.dialogs.model_manager import ModelManagerDialog, format_details
from codeface.ui.dialogs.model_picker import ModelPickerDialog
from codeface.ui.dialogs.settings_dialog import SettingsDialog
from codeface.ui.dialogs.suggested import GB, load_suggestions, suggest_for
from codeface.ui.errors_dialog import ExceptionHandler
from codeface.ui.widgets.welcome import SpeedMeter, format_progress
from tests.ui.conftest import wait_until
from tests.ui.fake_backend import FakeBackend

CLOUD = ModelInfo("claude-sonnet-4", "anthropic", "cloud", residency="cloud")


@pytest.mark.usefixtures("close_windows")
@pytest.mark.asyncio
async def test_model_picker_lists_local_and_cloud_models_and_saves_the_choice(
    fake_backend: FakeBackend,
) -> None:
    fake_backend.models.append(CLOUD)
    bridge = Bridge(fake_backend)
    session = next(iter(fake_backend.sessions.values()))
    dialog = ModelPickerDialog(bridge, session)
    chosen: list[tuple[str, str]] = []
    dialog.sig_chosen.connect(lambda model, policy: chosen.append((model, policy)))
    await wait_until(lambda: dialog.table.rowCount() == 3)

    rows = [[dialog.table.item(row, column).text() for column in range(5)] for row in range(3)]
    assert rows[0] == ["llama3.2:3b", "Local · Ollama", "2.0 GB", "Q4_K_M", "not loaded"]
    assert rows[1] == ["qwen2.5-coder:7b", "Local · Ollama", "4.7 GB", "Q4_K_M", "on GPU"]
    assert rows[2][:2] == ["claude-sonnet-4", "Cloud · anthropic"]
    assert dialog.policy.currentData() == "local-first"

    dialog.table.selectRow(2)
    dialog.policy.setCurrentIndex(dialog.policy.findData("cloud-first"))
    dialog.accept()
    assert chosen == [("claude-sonnet-4", "cloud-first")]


@pytest.mark.usefixtures("close_windows")
@pytest.mark.asyncio
async def test_model_manager_pulls_with_progress_and_can_cancel(fake_backend: FakeBackend) -> None:
    import asyncio

    bridge = Bridge(fake_backend)
    dialog = ModelManagerDialog(bridge)
    meter = SpeedMeter()
    bridge.sig_pull_progress.connect(
        lambda name, progress: dialog.on_pull_progress(
            name, progress, meter.update(progress.completed)
        )
    )
    bridge.sig_pull_finished.connect(
        lambda name, error: dialog.on_pull_finished(name, error.one_line() if error else None)
    )
    dialog.sig_pull.connect(bridge.pull_model)
    dialog.sig_cancel_pull.connect(bridge.cancel_pull)
    await wait_until(lambda: dialog.model_list.count() == 2)

    fake_backend.pull_gate = asyncio.Event()
    dialog.name_edit.setText("phi4:14b")
    dialog.pull_button.click()
    await wait_until(lambda: "GB of" in dialog.progress_label.text())
    assert dialog.pull_button.text() == "Cancel"
    dialog.pull_button.click()
    await wait_until(lambda: dialog.pulling is None)
    assert "Stopped pulling phi4:14b" in dialog.progress_label.text()

    fake_backend.pull_gate = None
    dialog.pull_button.click()
    await wait_until(lambda: dialog.progress_label.text() == "phi4:14b is ready.")
    await wait_until(lambda: dialog.model_list.count() == 3)


@pytest.mark.usefixtures("close_windows")
@pytest.mark.asyncio
async def test_model_manager_shows_details_and_deletes_after_confirmation(
    fake_backend: FakeBackend,
) -> None:
    dialog = ModelManagerDialog(Bridge(fake_backend))
    await wait_until(lambda: dialog.model_list.count() == 2)
    dialog.model_list.setCurrentRow(0)
    await wait_until(lambda: "Context length: 32768" in dialog.details.toPlainText())
    assert "Capabilities: completion, tools" in dialog.details.toPlainText()

    answers = iter([False, True])
    dialog.confirm_delete = lambda name: next(answers)  # type: ignore[method-assign]
    await dialog.on_delete_clicked()
    assert [m.name for m in fake_backend.models] == ["qwen2.5-coder:7b", "llama3.2:3b"]
    await dialog.on_delete_clicked()
    assert [m.name for m in fake_backend.models] == ["llama3.2:3b"]
    await wait_until(lambda: dialog.model_list.count() == 1)


def test_suggestions_are_sized_to_memory() -> None:
    every = load_suggestions()
    assert len(every) >= 4
    small = suggest_for(8 * GB)
    assert small
    assert all(m.min_memory_gb <= 8 for m in small)
    assert suggest_for(64 * GB)[0].name == "qwen2.5-coder:32b"
    assert suggest_for(1 * GB) == every[:1], "a tiny machine still gets the smallest"
    assert suggest_for(None) == every


def test_progress_text_has_bytes_speed_and_eta() -> None:
    progress = Progress("downloading", 1_000_000_000, 3_000_000_000)
    assert format_progress(progress, 20e6) == "1.00 GB of 3.00 GB · 20.0 MB/s · 1 min 40 s left"
    assert format_progress(Progress("pulling manifest")) == "pulling manifest"
    meter = SpeedMeter()
    assert meter.update(0, now=0.0) is None
    assert meter.update(10_000_000, now=1.0) == 10_000_000


def test_model_details_are_readable() -> None:
    text = format_details({"context_length": 8192, "capabilities": ["completion"], "family": None})
    assert text == "Context length: 8192\nCapabilities: completion"


@pytest.mark.usefixtures("close_windows")
@pytest.mark.asyncio
async def test_settings_test_host_and_keys_show_the_real_result(fake_backend: FakeBackend) -> None:
    dialog = SettingsDialog(Bridge(fake_backend), None)
    await wait_until(lambda: "In-memory keyring" in dialog.storage_label.text())

    dialog.host_edit.setText("127.0.0.1:9")
    dialog.test_host_button.click()
    await wait_until(lambda: dialog.host_result.text().startswith("✗"))
    assert "Nothing answers at 127.0.0.1:9" in dialog.host_result.text()

    row = dialog.key_rows["anthropic"]
    row.edit.setText("sk-wrong")
    row.test_button.click()
    await wait_until(lambda: row.result.text().startswith("✗"))
    assert "refused the key" in row.result.text()
    assert "anthropic" not in fake_backend.keys, "testing does not store"

    row.edit.setText("sk-good-key-123456")
    row.save_button.click()
    await wait_until(lambda: "✓" in row.result.text())
    assert fake_backend.keys["anthropic"] == "sk-good-key-123456"
    assert row.edit.text() == ""

    row.remove_button.click()
    await wait_until(lambda: row.result.text() == "Key removed.")
    assert "anthropic" not in fake_backend.keys


@pytest.mark.usefixtures("close_windows")
@pytest.mark.asyncio
async def test_settings_save_defaults_appearance_and_shortcuts(fake_backend: FakeBackend) -> None:
    dialog = SettingsDialog(Bridge(fake_backend), None)
    saved: list[bool] = []
    dialog.sig_saved.connect(lambda: saved.append(True))
    dialog.show_tab("defaults")
    assert dialog.tabs.currentIndex() == 1
    dialog.policy.setCurrentIndex(dialog.policy.findData("local-only"))
    dialog.model_edit.setText("qwen2.5-coder:7b")
    dialog.temperature.setValue(0.2)
    dialog.context_size.setValue(16384)
    dialog.font_size.setValue(14)
    dialog.enter_sends.setChecked(False)
    dialog.host_edit.setText("10.0.0.5:11434")
    dialog.add_host_button.click()
    dialog.shortcut_edits["palette"].setKeySequence(QKeySequence("Ctrl+Shift+K"))

    await dialog.on_save()

    settings = fake_backend.settings
    assert saved == [True]
    assert settings.general.policy == "local-only"
    assert settings.general.model == "qwen2.5-coder:7b"
    assert settings.general.temperature == 0.2
    assert settings.general.context_size == 16384
    assert settings.ui.font_size == 14
    assert settings.ui.enter_sends is False
    assert settings.ollama.hosts == ["127.0.0.1:11434", "10.0.0.5:11434"]
    assert settings.extra["shortcuts"] == {"palette": "Ctrl+Shift+K"}


def test_command_palette_filters_and_runs(qapp: QApplication) -> None:
    owner = QWidget()
    fired: list[str] = []
    actions = []
    for label, keys in (("Settings…", "Ctrl+,"), ("Zoom in", "Ctrl++"), ("Zoom out", "Ctrl+-")):
        action = QAction(label, owner)
        action.setShortcut(QKeySequence(keys))
        action.triggered.connect(lambda _checked=False, label=label: fired.append(label))
        actions.append(action)
    palette = CommandPalette(actions)
    assert len(palette.visible_labels) == 3
    palette.filter_box.setText("zoom")
    assert [label.split("\t")[0] for label in palette.visible_labels] == ["Zoom in", "Zoom out"]
    palette.list.setCurrentRow(1)
    palette.run_selected()
    assert fired == ["Zoom out"]


def test_exception_handler_logs_redacted_and_shows_one_dialog(
    qapp: QApplication, qtbot: object, caplog: pytest.LogCaptureFixture
) -> None:
    register_secret("sk-ant-secret-value-123456")
    handler = ExceptionHandler()
    try:
        raise RuntimeError("failed with key sk-ant-secret-value-123456")
    except RuntimeError as error:
        with caplog.at_level(logging.ERROR):
            handler.handle(type(error), error, error.__traceback__)
            handler.handle(type(error), error, error.__traceback__)
    assert "sk-ant-secret-value-123456" not in caplog.text
    assert "[REDACTED]" in caplog.text
    assert "RuntimeError" in caplog.text
    qtbot.waitUntil(lambda: handler.dialog is not None and handler.dialog.isVisible())  # type: ignore[attr-defined]
    dialog = handler.dialog
    assert dialog is not None
    assert "Traceback" in dialog.report_view.toPlainText()
    assert "sk-ant-secret" not in dialog.report_view.toPlainText()
    dialog.copy_button.click()
    assert QGuiApplication.clipboard().text() == dialog.report_view.toPlainText()
    assert len(handler.reports) == 2
    assert (
        len(
            [
                w
                for w in QApplication.topLevelWidgets()
                if w.objectName() == "errorDialog" and w.isVisible()
            ]
        )
        == 1
    )
    dialog.close()


def test_exception_handler_install_and_uninstall() -> None:
    previous = sys.excepthook
    handler = ExceptionHandler(show_dialog=False)
    handler.install()
    assert sys.excepthook == handler.handle
    handler.uninstall()
    assert sys.excepthook is previous
