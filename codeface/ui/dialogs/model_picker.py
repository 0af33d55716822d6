"""The model picker: local Ollama models and keyed cloud models, plus the session policy."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from codeface.application.contract import ModelInfo, SessionView
from codeface.core.errors import CodefaceError
from codeface.ui.bridge import Bridge, bridge_task
from codeface.ui.errors_dialog import report_unexpected
from codeface.ui.widgets.status_bar import RESIDENCY_TEXT

POLICY_LABELS: dict[str, str] = {
    "local-only": "Local only — never send to the cloud",
    "local-first": "Local first — fall back to the cloud when local fails",
    "cloud-first": "Cloud first — fall back to local",
}
COLUMNS = ("Model", "Where", "Size", "Quantisation", "Loaded")


def human_size(size: int | None) -> str:
    """'4.7 GB', '870 MB' or '' when unknown."""
    if not size:
        return ""
    return f"{size / 1e9:.1f} GB" if size >= 1e9 else f"{size / 1e6:.0f} MB"


def model_row(model: ModelInfo) -> tuple[str, ...]:
    """The cells of one row of the picker."""
    if model.provider == "builtin":
        where = "Local · built-in engine"
    elif model.tier == "local":
        where = "Local · Ollama" if model.provider.startswith("ollama") else "Local"
    else:
        where = f"Cloud · {model.provider}"
    loaded = RESIDENCY_TEXT.get(model.residency, "") if model.tier == "local" else ""
    return (model.name, where, human_size(model.size_bytes), model.quantization or "", loaded)


class ModelPickerDialog(QDialog):
    """Pick a model for the session (or the default) and how answers are routed."""

    sig_chosen = Signal(str, str)
    """(model name or "" for the default, policy)."""
    sig_manage = Signal()
    """The user wants the model manager."""

    def __init__(
        self, bridge: Bridge, session: SessionView | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.session = session
        self.models: list[ModelInfo] = []
        self.setWindowTitle("Choose model")
        self.setObjectName("modelPicker")
        self.resize(640, 420)
        layout = QVBoxLayout(self)
        self.info = QLabel("Loading models…")
        layout.addWidget(self.info)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setAccessibleName("Models")
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(lambda _index: self.accept())
        layout.addWidget(self.table, 1)
        form = QFormLayout()
        self.policy = QComboBox()
        self.policy.setAccessibleName("Routing policy")
        for value, label in POLICY_LABELS.items():
            self.policy.addItem(label, value)
        current = session.policy if session else bridge.settings.general.policy
        self.policy.setCurrentIndex(max(0, self.policy.findData(current)))
        form.addRow("Policy:", self.policy)
        layout.addLayout(form)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        manage = buttons.addButton("Manage models…", QDialogButtonBox.ButtonRole.ActionRole)
        manage.clicked.connect(self.sig_manage)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.loaded = self.load()

    @bridge_task
    async def load(self) -> None:
        """Fetch the models (local ones with residency; cloud ones whose provider has a key)."""
        try:
            self.set_models(await self.bridge.backend.list_models())
        except CodefaceError as error:
            self.info.setText(error.one_line())
        except Exception as error:
            report_unexpected(error)

    def set_models(self, models: list[ModelInfo]) -> None:
        """Fill the table; select the session's model."""
        self.models = sorted(models, key=lambda m: (m.tier != "local", m.name))
        wanted = (
            self.session.model if self.session else None
        ) or self.bridge.settings.general.model
        self.table.setRowCount(len(self.models))
        for row, model in enumerate(self.models):
            for column, text in enumerate(model_row(model)):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, model.name)
                self.table.setItem(row, column, item)
            if model.name == wanted:
                self.table.selectRow(row)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        local = sum(1 for m in self.models if m.tier == "local")
        self.info.setText(
            f"{local} local and {len(self.models) - local} cloud models. "
            "Cloud models appear for providers with a key."
            if self.models
            else "No models yet: pull one in the model manager, or add a cloud key in Settings."
        )

    def selected_model(self) -> str:
        """The selected model name ("" when none)."""
        rows = self.table.selectionModel().selectedRows()
        return self.models[rows[0].row()].name if rows else ""

    def accept(self) -> None:
        """Emit the choice and close."""
        self.sig_chosen.emit(self.selected_model(), self.policy.currentData())
        super().accept()
