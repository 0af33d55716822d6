"""The model manager: pull by name with progress, delete with confirmation, details, suggestions.

Pulls run in the bridge (they survive closing this dialog); the window forwards their
progress here with a measured speed.
"""

from __future__ import annotations

import json

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from codeface.application.contract import ModelInfo
from codeface.core.errors import CodefaceError
from codeface.core.events import Progress
from codeface.ui.bridge import Bridge, bridge_task
from codeface.ui.dialogs.model_picker import human_size
from codeface.ui.dialogs.suggested import machine_memory, suggest_for
from codeface.ui.errors_dialog import report_unexpected
from codeface.ui.widgets.status_bar import RESIDENCY_TEXT
from codeface.ui.widgets.welcome import format_progress


def format_details(details: dict[str, object]) -> str:
    """Model details as readable lines (context length, capabilities, family, …)."""
    lines = []
    for key, value in details.items():
        if value in (None, "", [], ()):
            continue
        label = key.replace("_", " ").capitalize()
        if isinstance(value, list | tuple):
            value = ", ".join(str(v) for v in value)
        elif isinstance(value, dict):
            value = json.dumps(value, indent=1)
        lines.append(f"{label}: {value}")
    return "\n".join(lines) or "No details reported."


class ModelManagerDialog(QDialog):
    """Local models with details and delete; a pull box; suggestions for this machine."""

    sig_pull = Signal(str)
    """(name): start pulling."""
    sig_cancel_pull = Signal(str)
    """(name): stop the running pull."""

    def __init__(self, bridge: Bridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.models: list[ModelInfo] = []
        self.pulling: str | None = None
        self.setWindowTitle("Manage models")
        self.setObjectName("modelManager")
        self.resize(780, 540)
        layout = QVBoxLayout(self)

        pull_box = QGroupBox("Pull a model")
        pull_layout = QVBoxLayout(pull_box)
        row = QHBoxLayout()
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("Model name, e.g. qwen2.5-coder:7b")
        self.name_edit.setAccessibleName("Model name to pull")
        self.pull_button = QPushButton("Pull")
        self.pull_button.setAccessibleName("Pull model")
        self.pull_button.clicked.connect(self.on_pull_clicked)
        self.name_edit.returnPressed.connect(self.on_pull_clicked)
        row.addWidget(self.name_edit, 1)
        row.addWidget(self.pull_button)
        pull_layout.addLayout(row)
        self.progress = QProgressBar()
        self.progress.setAccessibleName("Pull progress")
        self.progress.hide()
        self.progress_label = QLabel("")
        pull_layout.addWidget(self.progress)
        pull_layout.addWidget(self.progress_label)
        memory, source = machine_memory()
        suggestions = suggest_for(memory)
        memory_text = f"{memory / 1024**3:.0f} GB {source}" if memory else "this machine"
        pull_layout.addWidget(QLabel(f"Suggested coding models for {memory_text}:"))
        self.suggestions = QListWidget()
        self.suggestions.setAccessibleName("Suggested models")
        self.suggestions.setMaximumHeight(110)
        for suggestion in suggestions:
            item = QListWidgetItem(
                f"{suggestion.name} — {suggestion.size_gb:.1f} GB · {suggestion.note}"
            )
            item.setData(Qt.ItemDataRole.UserRole, suggestion.name)
            self.suggestions.addItem(item)
        self.suggestions.itemClicked.connect(
            lambda item: self.name_edit.setText(item.data(Qt.ItemDataRole.UserRole))
        )
        self.suggestions.itemActivated.connect(
            lambda item: self.name_edit.setText(item.data(Qt.ItemDataRole.UserRole))
        )
        pull_layout.addWidget(self.suggestions)
        layout.addWidget(pull_box)

        installed = QGroupBox("Installed local models")
        installed_layout = QHBoxLayout(installed)
        left = QVBoxLayout()
        self.model_list = QListWidget()
        self.model_list.setAccessibleName("Installed models")
        self.model_list.currentRowChanged.connect(self.on_select)
        left.addWidget(self.model_list, 1)
        self.delete_button = QPushButton("Delete…")
        self.delete_button.setAccessibleName("Delete model")
        self.delete_button.setEnabled(False)
        self.delete_button.clicked.connect(self.on_delete_clicked)
        left.addWidget(self.delete_button)
        installed_layout.addLayout(left, 3)  # "name (size · quantisation · where)" fits
        self.details = QPlainTextEdit()
        self.details.setReadOnly(True)
        self.details.setAccessibleName("Model details")
        self.details.setPlaceholderText("Select a model to see its details.")
        installed_layout.addWidget(self.details, 2)
        layout.addWidget(installed, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.refresh()

    # ------------------------------------------------------------------ models
    @bridge_task
    async def refresh(self) -> None:
        """Reload the installed local models."""
        try:
            models = await self.bridge.backend.list_models()
        except CodefaceError as error:
            self.details.setPlainText(error.one_line())
            return
        except Exception as error:
            report_unexpected(error)
            return
        self.models = [m for m in models if m.tier == "local"]
        self.model_list.clear()
        for model in self.models:
            extra = " · ".join(
                part
                for part in (
                    human_size(model.size_bytes),
                    model.quantization or "",
                    RESIDENCY_TEXT.get(model.residency, ""),
                )
                if part
            )
            self.model_list.addItem(f"{model.name}  ({extra})" if extra else model.name)
        self.delete_button.setEnabled(False)
        if not self.models:
            self.details.setPlainText("No local models yet. Pull one above.")

    @bridge_task
    async def on_select(self, row: int) -> None:
        """Show the details of the selected model."""
        if not 0 <= row < len(self.models):
            self.delete_button.setEnabled(False)
            return
        self.delete_button.setEnabled(True)
        name = self.models[row].name
        self.details.setPlainText(f"{name}\nLoading details…")
        try:
            details = await self.bridge.backend.model_details(name)
        except CodefaceError as error:
            self.details.setPlainText(f"{name}\n{error.one_line()}")
            return
        except Exception as error:
            report_unexpected(error)
            return
        if self.model_list.currentRow() == row:
            self.details.setPlainText(f"{name}\n\n{format_details(details)}")

    def confirm_delete(self, name: str) -> bool:
        """Ask before deleting (a seam tests replace)."""
        answer = QMessageBox.question(
            self, "Delete model", f"Delete {name} from this machine? You can pull it again later."
        )
        return answer == QMessageBox.StandardButton.Yes

    @bridge_task
    async def on_delete_clicked(self) -> None:
        """Delete the selected model after confirmation."""
        row = self.model_list.currentRow()
        if not 0 <= row < len(self.models):
            return
        name = self.models[row].name
        if not self.confirm_delete(name):
            return
        try:
            await self.bridge.backend.delete_model(name)
        except CodefaceError as error:
            self.details.setPlainText(error.one_line())
            return
        except Exception as error:
            report_unexpected(error)
            return
        await self.refresh()

    # ------------------------------------------------------------------ pulls
    def on_pull_clicked(self) -> None:
        """Pull the typed name, or cancel the running pull."""
        if self.pulling is not None:
            self.sig_cancel_pull.emit(self.pulling)
            return
        name = self.name_edit.text().strip()
        if not name:
            self.progress_label.setText("Type a model name first.")
            return
        self.pulling = name
        self.pull_button.setText("Cancel")
        self.pull_button.setAccessibleName("Cancel pull")
        self.progress.setRange(0, 0)
        self.progress.show()
        self.progress_label.setText(f"Pulling {name}…")
        self.sig_pull.emit(name)

    def on_pull_progress(self, name: str, progress: Progress, speed: float | None) -> None:
        """Bytes, speed and ETA of the running pull."""
        if name != self.pulling:
            return
        if progress.total:
            self.progress.setRange(0, 1000)
            self.progress.setValue(int(1000 * (progress.completed or 0) / progress.total))
        self.progress_label.setText(f"{name}: {format_progress(progress, speed)}")

    def on_pull_finished(self, name: str, error_text: str | None) -> None:
        """The pull ended (error text, or None on success)."""
        if name != self.pulling:
            return
        self.pulling = None
        self.pull_button.setText("Pull")
        self.pull_button.setAccessibleName("Pull model")
        self.progress.hide()
        self.progress_label.setText(error_text or f"{name} is ready.")
        if error_text is None:
            self.refresh()
