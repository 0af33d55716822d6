"""The model manager lists built-in models beside Ollama's and the cloud's (size,
quantisation, where they run, problems with their message), adds a GGUF file through the
file picker or an Ollama blob from "already on this computer", downloads a catalog model,
and removes a built-in model saying what happens to its file (on the in-memory backend)."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog

from codeface.application.contract import BuiltinModelView
from codeface.core.provider import ModelInfo
from codeface.ui.bridge import Bridge
from codeface.ui.dialogs.model_manager import ModelManagerDialog
from codeface.ui.dialogs.model_texts import remove_question
from tests.ui.conftest import wait_until
from tests.ui.fake_backend import FakeBackend
from tests.ui.fake_engine import BUILTIN_STATUS

SMOLLM = BuiltinModelView("smollm2", "/home/me/models/smollm2.gguf", 98_362_432, "Q4_1", 8192)
MISSING = BuiltinModelView(
    "gone",
    "/home/me/models/gone.gguf",
    0,
    problem="The model file /home/me/models/gone.gguf is missing — Put it back, or run "
    "`codeface rm gone`.",
)
DOWNLOADED = BuiltinModelView(
    "qwen2.5-coder-0.5b", "/data/models/qwen.gguf", 398_000_000, "Q4_K_M", 32768, downloaded=True
)
CLOUD = ModelInfo("claude-sonnet-4", "anthropic", "cloud", residency="cloud")


def with_builtin_models(backend: FakeBackend, *models: BuiltinModelView) -> FakeBackend:
    backend.builtin = replace(backend.builtin, models=models)
    for model in models:
        if model.problem is None:
            backend.models.append(
                ModelInfo(
                    model.name, "builtin", "local", model.size_bytes, "135M", model.quantization
                )
            )
    backend.providers.append(BUILTIN_STATUS)
    return backend


def panel_where(dialog: ModelManagerDialog) -> str:
    return dialog.builtin_panel.where_label.text()


def texts(widget: object) -> list[str]:
    return [widget.item(row).text() for row in range(widget.count())]  # type: ignore[attr-defined]


@pytest.mark.usefixtures("close_windows")
@pytest.mark.asyncio
async def test_built_in_models_are_listed_beside_ollama_and_cloud_with_their_problems(
    fake_backend: FakeBackend,
) -> None:
    fake_backend.models.append(CLOUD)
    dialog = ModelManagerDialog(Bridge(with_builtin_models(fake_backend, SMOLLM, MISSING)))
    await wait_until(lambda: dialog.builtin_list.count() == 2)

    assert texts(dialog.builtin_list)[0] == "smollm2  (98 MB · Q4_1 · on the CPU)"
    assert texts(dialog.builtin_list)[1].startswith("gone  — cannot be used: The model file ")
    assert "is missing — Put it back" in texts(dialog.builtin_list)[1]
    assert dialog.builtin_header.text() == "Built-in engine — runs on the CPU"
    assert dialog.builtin_header.toolTip() == (
        "Built-in models run on the CPU: this llama.cpp was built without GPU support."
    )
    assert panel_where(dialog) == "Built-in models run on the CPU."
    assert not dialog.model_list.isHidden()
    assert not dialog.cloud_list.isHidden()
    assert texts(dialog.model_list) == [
        "qwen2.5-coder:7b  (4.7 GB · Q4_K_M · on GPU)",
        "llama3.2:3b  (2.0 GB · Q4_K_M · not loaded)",
    ]
    assert texts(dialog.cloud_list) == ["claude-sonnet-4  (anthropic)"]

    dialog.builtin_list.setCurrentRow(0)
    details = dialog.details.toPlainText()
    assert "File: /home/me/models/smollm2.gguf" in details
    assert "Quantization: Q4_1" in details
    assert "Context length: 8192" in details
    assert "Runs on the CPU: this llama.cpp was built without GPU support" in details
    assert "removing it leaves the file on disk" in details
    assert dialog.delete_button.text() == "Remove…"
    assert dialog.model_list.currentRow() == -1, "one selection across the lists"

    dialog.builtin_list.setCurrentRow(1)
    assert "Problem: The model file /home/me/models/gone.gguf is missing" in (
        dialog.details.toPlainText()
    )
    dialog.cloud_list.setCurrentRow(0)
    assert not dialog.delete_button.isEnabled(), "cloud models are not deleted from here"
    assert dialog.builtin_list.currentRow() == -1


@pytest.mark.usefixtures("close_windows")
@pytest.mark.asyncio
async def test_a_gguf_file_is_added_through_the_file_picker_and_a_bad_one_says_why(
    fake_backend: FakeBackend, tmp_path: Path
) -> None:
    dialog = ModelManagerDialog(Bridge(fake_backend))
    changed: list[bool] = []
    dialog.sig_models_changed.connect(lambda: changed.append(True))
    panel = dialog.builtin_panel
    await wait_until(lambda: panel.overview is not None)
    notes, model = tmp_path / "notes.txt", tmp_path / "coder.gguf"
    notes.write_text("not a model")
    model.write_bytes(b"GGUF")

    def pick(path: Path) -> None:
        panel.add_file_button.click()
        (picker,) = [d for d in dialog.findChildren(QFileDialog) if d.isVisible()]
        assert picker.isModal(), "a window-modal sheet, not a nested event loop"
        assert "*.gguf" in picker.nameFilters()[0]
        picker.selectFile(str(path))
        picker.accept()

    pick(notes)
    await wait_until(lambda: "is not a GGUF model file" in panel.add_status.text())
    assert "Choose a .gguf file" in panel.add_status.text()
    assert changed == []

    pick(model)
    await wait_until(lambda: dialog.builtin_list.count() == 1)
    assert texts(dialog.builtin_list) == ["coder  (100 MB · Q4_0 · on the CPU)"]
    assert panel.add_status.text() == "Added coder.gguf. It can answer now."
    assert ("add_builtin_model", str(model), None) in fake_backend.calls
    assert changed == [True]


@pytest.mark.usefixtures("close_windows")
@pytest.mark.asyncio
async def test_an_ollama_blob_is_added_from_the_can_be_added_list(
    fake_backend: FakeBackend,
) -> None:
    fake_backend.builtin = replace(fake_backend.builtin, importable=("ollama:qwen2.5-coder:7b",))
    dialog = ModelManagerDialog(Bridge(fake_backend))
    panel = dialog.builtin_panel
    await wait_until(lambda: panel.importable_list.count() == 1)
    assert texts(panel.importable_list) == ["ollama:qwen2.5-coder:7b"]
    assert not panel.add_button.isEnabled()

    panel.importable_list.setCurrentRow(0)
    panel.add_button.click()
    await wait_until(lambda: dialog.builtin_list.count() == 1)
    assert texts(dialog.builtin_list)[0].startswith("qwen2.5-coder:7b  (100 MB")
    assert panel.importable_list.item(0).text().startswith("Nothing found")
    assert not panel.add_button.isEnabled()


@pytest.mark.usefixtures("close_windows")
@pytest.mark.asyncio
async def test_a_catalog_model_downloads_with_progress_and_survives_closing_the_dialog(
    fake_backend: FakeBackend,
) -> None:
    bridge = Bridge(fake_backend)
    dialog = ModelManagerDialog(bridge)
    panel = dialog.builtin_panel
    await wait_until(lambda: panel.catalog_list.count() == 3)
    assert texts(panel.catalog_list) == [
        "Qwen2.5-Coder 0.5B Instruct — 398 MB",
        "Qwen2.5-Coder 1.5B Instruct — 986 MB · recommended for this computer",
        "Qwen2.5-Coder 7B Instruct — 4.7 GB · too big for this computer's memory",
    ]
    assert panel.selected_catalog().name == "qwen2.5-coder-1.5b"  # type: ignore[union-attr]

    panel.catalog_list.setCurrentRow(0)
    fake_backend.download_gate = asyncio.Event()
    panel.download_button.click()
    await wait_until(lambda: "MB/s" in panel.download_status.text())
    assert panel.download_status.text() == "99.5 MB of 398.0 MB · 50.0 MB/s · 5 s left"
    assert panel.download_button.text() == "Cancel"
    dialog.close()

    again = ModelManagerDialog(bridge, downloads=dialog.downloads)
    again_panel = again.builtin_panel
    await wait_until(lambda: again_panel.catalog_list.count() == 3)
    again_panel.catalog_list.setCurrentRow(0)
    assert again_panel.download_button.text() == "Cancel", "the download went on"
    assert "MB/s" in again_panel.download_status.text()
    fake_backend.download_gate.set()
    await wait_until(lambda: again.builtin_list.count() == 1)
    assert texts(again.builtin_list) == ["qwen2.5-coder-0.5b  (398 MB · Q4_K_M · on the CPU)"]
    await wait_until(lambda: again_panel.download_button.text() == "Downloaded")
    assert not again_panel.download_button.isEnabled()
    assert texts(again_panel.catalog_list)[0] == "Qwen2.5-Coder 0.5B Instruct — 398 MB · downloaded"


@pytest.mark.usefixtures("close_windows")
@pytest.mark.asyncio
async def test_removing_a_built_in_model_says_whether_its_file_is_deleted(
    fake_backend: FakeBackend,
) -> None:
    dialog = ModelManagerDialog(Bridge(with_builtin_models(fake_backend, SMOLLM, DOWNLOADED)))
    await wait_until(lambda: dialog.builtin_list.count() == 2)
    asked: list[str] = []
    answers = iter([False, True, True])

    def confirm(model: BuiltinModelView) -> bool:
        asked.append(remove_question(model))
        return next(answers)

    dialog.confirm_remove = confirm  # type: ignore[method-assign]
    dialog.builtin_list.setCurrentRow(1)
    await dialog.on_delete_clicked()
    assert "and delete its file (398 MB)" in asked[0]
    assert "/data/models/qwen.gguf" in asked[0]
    assert fake_backend.calls.count(("remove_builtin_model", "qwen2.5-coder-0.5b")) == 0

    await dialog.on_delete_clicked()
    assert ("remove_builtin_model", "qwen2.5-coder-0.5b") in fake_backend.calls
    assert dialog.details.toPlainText() == "Removed qwen2.5-coder-0.5b and deleted its file."
    assert texts(dialog.builtin_list) == ["smollm2  (98 MB · Q4_1 · on the CPU)"]

    dialog.builtin_list.setCurrentRow(0)
    await dialog.on_delete_clicked()
    assert "Its file stays where it is" in asked[-1]
    assert dialog.details.toPlainText() == (
        "Removed smollm2; its file was left at /home/me/models/smollm2.gguf."
    )
    assert dialog.builtin_list.count() == 0
    assert all(p.kind != "builtin" for p in fake_backend.providers)
