"""The model manager: every model beside the others (the built-in engine's, Ollama's and
the cloud's) with size, quantisation and where it runs; details; delete or remove; and
getting new ones — a built-in download or file, or an Ollama pull.

Downloads and pulls run in the window (they survive closing this dialog); the window
forwards pull progress here with a measured speed, and built-in downloads report through
the shared `BuiltinDownloads`.
"""

from __future__ import annotations

import asyncio
from typing import Literal

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
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
    QScrollArea,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from codeface.application.contract import BuiltinModelView, BuiltinOverview, ModelInfo
from codeface.core.errors import CodefaceError
from codeface.core.events import Progress
from codeface.ui.bridge import Bridge, bridge_task
from codeface.ui.dialogs.builtin_downloads import BuiltinDownloads
from codeface.ui.dialogs.builtin_panel import BuiltinPanel
from codeface.ui.dialogs.model_texts import (
    builtin_details,
    builtin_item_text,
    format_details,
    model_item_text,
    remove_question,
    short_where,
)
from codeface.ui.dialogs.suggested import machine_memory, suggest_for
from codeface.ui.errors_dialog import report_unexpected
from codeface.ui.widgets.welcome import format_progress

Section = Literal["builtin", "ollama", "cloud"]
PROBLEM_COLOR = "#cf222e"


def _heading(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    font = label.font()
    font.setBold(True)
    label.setFont(font)
    return label


class ModelManagerDialog(QDialog):
    """Installed models of every kind with details; remove; download, add or pull more."""

    sig_pull = Signal(str)
    """(name): start pulling into Ollama."""
    sig_cancel_pull = Signal(str)
    """(name): stop the running pull."""
    sig_models_changed = Signal()
    """A built-in model was added or removed here (providers may have changed)."""

    def __init__(
        self,
        bridge: Bridge,
        parent: QWidget | None = None,
        downloads: BuiltinDownloads | None = None,
    ) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.downloads = downloads or BuiltinDownloads(bridge, self)
        self.downloads.sig_finished.connect(self.on_download_finished)
        self.models: list[ModelInfo] = []
        """Ollama's models, as listed in `model_list`."""
        self.builtin_models: list[BuiltinModelView] = []
        self.cloud_models: list[ModelInfo] = []
        self.overview: BuiltinOverview | None = None
        self._infos: dict[str, ModelInfo] = {}
        self.selected: tuple[Section, int] | None = None
        self.pulling: str | None = None
        self.setWindowTitle("Manage models")
        self.setObjectName("modelManager")
        self.resize(900, 700)
        layout = QVBoxLayout(self)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self._installed_box())
        splitter.addWidget(self._get_box())
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([290, 380])
        layout.addWidget(splitter, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.refresh()

    def _installed_box(self) -> QGroupBox:
        box = QGroupBox("Installed models")
        row = QHBoxLayout(box)
        left = QVBoxLayout()
        self.builtin_header = _heading("Built-in engine")
        self.builtin_list = self._list("Built-in engine models", "builtin")
        self.ollama_header = _heading("Ollama")
        self.model_list = self._list("Ollama models", "ollama")
        self.cloud_header = _heading("Cloud")
        self.cloud_list = self._list("Cloud models", "cloud")
        for header, widget in (
            (self.builtin_header, self.builtin_list),
            (self.ollama_header, self.model_list),
            (self.cloud_header, self.cloud_list),
        ):
            left.addWidget(header)
            left.addWidget(widget, 1)  # the lists that have models share the height
        actions = QHBoxLayout()
        self.delete_button = QPushButton("Delete…")
        self.delete_button.setAccessibleName("Delete model")
        self.delete_button.setEnabled(False)
        self.delete_button.clicked.connect(self.on_delete_clicked)
        actions.addWidget(self.delete_button)
        actions.addStretch(1)
        left.addLayout(actions)
        left.addStretch(0)  # takes the height only when every list is empty (hidden)
        row.addLayout(left, 3)
        self.details = QPlainTextEdit()
        self.details.setReadOnly(True)
        self.details.setAccessibleName("Model details")
        self.details.setPlaceholderText("Select a model to see its details.")
        row.addWidget(self.details, 2)
        return box

    def _list(self, accessible: str, section: Section) -> QListWidget:
        widget = QListWidget()
        widget.setAccessibleName(accessible)
        widget.setWordWrap(True)
        widget.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        widget.setMinimumHeight(widget.fontMetrics().height() * 2 + 8)
        widget.currentRowChanged.connect(lambda row: self.on_row_changed(section, row))
        widget.hide()
        return widget

    def _get_box(self) -> QGroupBox:
        box = QGroupBox("Get a model")
        layout = QVBoxLayout(box)
        self.tabs = QTabWidget()
        self.builtin_panel = BuiltinPanel(self.bridge, self.downloads)
        self.builtin_panel.sig_models_changed.connect(self.on_models_changed)
        scroller = QScrollArea()
        scroller.setWidget(self.builtin_panel)
        scroller.setWidgetResizable(True)
        scroller.setFrameShape(QFrame.Shape.NoFrame)
        self.tabs.addTab(scroller, "Built-in engine")
        self.tabs.addTab(self._pull_page(), "Ollama")
        layout.addWidget(self.tabs)
        return box

    def _pull_page(self) -> QWidget:
        page = QWidget()
        pull_layout = QVBoxLayout(page)
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
        pull_layout.addWidget(self.suggestions, 1)
        return page

    # ------------------------------------------------------------------ models
    @bridge_task
    async def refresh(self) -> None:
        """Reload every installed model and the built-in engine's overview."""
        models, overview = await asyncio.gather(
            self.bridge.backend.list_models(),
            self.bridge.backend.builtin_overview(),
            return_exceptions=True,
        )
        for outcome in (models, overview):
            if isinstance(outcome, BaseException) and not isinstance(outcome, CodefaceError):
                report_unexpected(outcome)
                return
        if isinstance(models, CodefaceError):
            self.details.setPlainText(models.one_line())
            models = []
        assert isinstance(models, list)
        self._infos = {m.name: m for m in models if m.provider == "builtin"}
        self.models = [m for m in models if m.tier == "local" and m.provider != "builtin"]
        self.cloud_models = [m for m in models if m.tier == "cloud"]
        self.selected = None
        self.delete_button.setEnabled(False)
        self._fill(self.model_list, [model_item_text(m) for m in self.models])
        self._fill(self.cloud_list, [model_item_text(m) for m in self.cloud_models])
        self.ollama_header.setText("Ollama" if self.models else "Ollama — no models listed")
        self.cloud_header.setText(
            "Cloud" if self.cloud_models else "Cloud — none (add an API key in Settings)"
        )
        if isinstance(overview, BuiltinOverview):
            self.show_builtin(overview)
        elif isinstance(overview, CodefaceError):
            self.builtin_header.setText(f"Built-in engine — {overview.one_line()}")

    def _fill(self, widget: QListWidget, texts: list[str]) -> None:
        widget.blockSignals(True)
        widget.clear()
        widget.addItems(texts)
        widget.blockSignals(False)
        widget.setVisible(bool(texts))

    def show_builtin(self, overview: BuiltinOverview) -> None:
        """The built-in engine's models (problems shown with their message) and where they
        run; the Built-in engine page follows."""
        self.overview = overview
        self.builtin_models = list(overview.models)
        header = f"Built-in engine — runs {short_where(overview.where)}"
        if not overview.installed:
            header = f"Built-in engine — {overview.where}"
        elif not overview.models:
            header += " · no models yet (download one or add a file below)"
        if overview.problem:
            header += f"\n{overview.problem}"
        self.builtin_header.setText(header)
        self.builtin_header.setToolTip(f"Built-in models run {overview.where}.")
        self.builtin_list.blockSignals(True)
        self.builtin_list.clear()
        for model in self.builtin_models:
            item = QListWidgetItem(builtin_item_text(model, overview.where))
            if model.problem:
                item.setForeground(QBrush(QColor(PROBLEM_COLOR)))
                item.setToolTip(model.problem)
            self.builtin_list.addItem(item)
        self.builtin_list.blockSignals(False)
        self.builtin_list.setVisible(bool(self.builtin_models))
        self.builtin_panel.set_overview(overview)

    def on_row_changed(self, section: Section, row: int) -> None:
        """A model was selected in one list: clear the others, show its details."""
        lists = {"builtin": self.builtin_list, "ollama": self.model_list, "cloud": self.cloud_list}
        if row < 0:
            if self.selected is not None and self.selected[0] == section:
                self.selected = None
                self.delete_button.setEnabled(False)
            return
        self.selected = (section, row)
        for other, widget in lists.items():
            if other != section:
                widget.blockSignals(True)
                widget.setCurrentRow(-1)
                widget.blockSignals(False)
        self.delete_button.setText("Remove…" if section == "builtin" else "Delete…")
        self.delete_button.setAccessibleName(
            "Remove built-in model" if section == "builtin" else "Delete model"
        )
        self.delete_button.setEnabled(section != "cloud")
        if section == "builtin":
            model = self.builtin_models[row]
            where = self.overview.where if self.overview else ""
            self.details.setPlainText(builtin_details(model, self._infos.get(model.name), where))
            return
        chosen = self.models if section == "ollama" else self.cloud_models
        self.load_details(section, chosen[row].name)

    @bridge_task
    async def load_details(self, section: Section, name: str) -> None:
        """Ask for the details of an Ollama or cloud model."""
        self.details.setPlainText(f"{name}\nLoading details…")
        try:
            details = await self.bridge.backend.model_details(name)
        except CodefaceError as error:
            self.details.setPlainText(f"{name}\n{error.one_line()}")
            return
        except Exception as error:
            report_unexpected(error)
            return
        if self.selected is not None and self.selected[0] == section:
            self.details.setPlainText(f"{name}\n\n{format_details(details)}")

    def confirm_delete(self, name: str) -> bool:
        """Ask before deleting an Ollama model (a seam tests replace)."""
        answer = QMessageBox.question(
            self, "Delete model", f"Delete {name} from this machine? You can pull it again later."
        )
        return answer == QMessageBox.StandardButton.Yes

    def confirm_remove(self, model: BuiltinModelView) -> bool:
        """Ask before removing a built-in model, saying what happens to its file (a seam)."""
        answer = QMessageBox.question(self, "Remove model", remove_question(model))
        return answer == QMessageBox.StandardButton.Yes

    @bridge_task
    async def on_delete_clicked(self) -> None:
        """Delete the selected Ollama model, or remove the selected built-in one, after
        confirmation."""
        if self.selected is None:
            return
        section, row = self.selected
        try:
            if section == "builtin":
                model = self.builtin_models[row]
                if not self.confirm_remove(model):
                    return
                await self.bridge.backend.remove_builtin_model(model.name)
                self.details.setPlainText(
                    f"Removed {model.name} and deleted its file."
                    if model.downloaded
                    else f"Removed {model.name}; its file was left at {model.path}."
                )
                self.sig_models_changed.emit()
            elif section == "ollama":
                name = self.models[row].name
                if not self.confirm_delete(name):
                    return
                await self.bridge.backend.delete_model(name)
        except CodefaceError as error:
            self.details.setPlainText(error.one_line())
            return
        except Exception as error:
            report_unexpected(error)
            return
        await self.refresh()

    def on_models_changed(self) -> None:
        """A built-in model was added here: reload the lists and tell the window."""
        self.refresh()
        self.sig_models_changed.emit()

    def on_download_finished(self, name: str, error: CodefaceError | None) -> None:
        """A built-in download ended; a new model joins the lists (the window hears of it
        from the downloads themselves)."""
        if error is None:
            self.refresh()

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
