"""The model manager's built-in engine parts: how a built-in model is listed and
described, and the "Built-in engine" page: download a catalog model (progress, speed, time
left, cancel, resume, retry), add a GGUF Ollama already downloaded (or one shipped in a
package) without copying it, or pick a GGUF file on disk.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from codeface.application.contract import (
    BuiltinOverview,
    CatalogModelView,
    DownloadProgress,
)
from codeface.core.errors import Cancelled, CodefaceError
from codeface.ui.bridge import bridge_task
from codeface.ui.dialogs.builtin_downloads import (
    BuiltinDownloads,
    format_download,
    pick_for_machine,
)
from codeface.ui.dialogs.model_texts import catalog_text, short_where
from codeface.ui.errors_dialog import report_unexpected
from codeface.ui.widgets.welcome import say

if TYPE_CHECKING:
    from codeface.ui.bridge import Bridge

GGUF_FILTER = "GGUF models (*.gguf);;All files (*)"


def fit_rows(widget: QListWidget, most: int = 4) -> None:
    """As tall as its rows (up to ``most``; it scrolls beyond)."""
    shown = range(min(widget.count(), most))
    height = sum(widget.sizeHintForRow(row) for row in shown) or widget.fontMetrics().height()
    widget.setFixedHeight(height + 2 * widget.frameWidth() + 12)


class BuiltinPanel(QWidget):
    """Get models for the built-in engine; says when the installed ones changed."""

    sig_models_changed = Signal()
    """A model was added: the installed lists are out of date (a finished download is
    announced by `BuiltinDownloads.sig_finished`)."""

    def __init__(
        self, bridge: Bridge, downloads: BuiltinDownloads, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.downloads = downloads
        self.overview: BuiltinOverview | None = None
        layout = QVBoxLayout(self)
        self.where_label = QLabel("Looking at the built-in engine…")
        self.where_label.setWordWrap(True)
        self.where_label.setAccessibleName("Where built-in models run")
        layout.addWidget(self.where_label)

        layout.addWidget(QLabel("Download a coding model (from Hugging Face; checked, resumable):"))
        self.catalog_list = QListWidget()
        self.catalog_list.setAccessibleName("Models that can be downloaded")
        self.catalog_list.currentRowChanged.connect(lambda _row: self._show_download_state())
        self.catalog_list.itemActivated.connect(lambda _item: self.on_download_clicked())
        layout.addWidget(self.catalog_list)
        row = QHBoxLayout()
        self.download_button = QPushButton("Download")
        self.download_button.setAccessibleName("Download the selected model")
        self.download_button.setEnabled(False)
        self.download_button.clicked.connect(self.on_download_clicked)
        self.download_button.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        self.download_progress = QProgressBar()
        self.download_progress.setAccessibleName("Download progress")
        self.download_progress.setRange(0, 1000)
        self.download_progress.hide()
        row.addWidget(self.download_button)
        row.addWidget(self.download_progress, 3)
        row.addStretch(1)
        layout.addLayout(row)
        self.download_status = QLabel("")
        self.download_status.setWordWrap(True)
        self.download_status.setAccessibleName("Download status")
        self.download_status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.download_status.hide()
        layout.addWidget(self.download_status)

        layout.addWidget(QLabel("Already on this computer (added without copying):"))
        self.importable_list = QListWidget()
        self.importable_list.setAccessibleName("Models that can be added")
        self.importable_list.currentRowChanged.connect(self._on_importable_row)
        self.importable_list.itemActivated.connect(lambda _item: self.on_add_clicked())
        layout.addWidget(self.importable_list)
        buttons = QHBoxLayout()
        self.add_button = QPushButton("Add")
        self.add_button.setAccessibleName("Add the selected model")
        self.add_button.setEnabled(False)
        self.add_button.clicked.connect(self.on_add_clicked)
        self.add_file_button = QPushButton("Add a GGUF file…")
        self.add_file_button.setAccessibleName("Add a GGUF model file from disk")
        self.add_file_button.clicked.connect(self.choose_gguf_file)
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.add_file_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.add_status = QLabel("")
        self.add_status.setWordWrap(True)
        self.add_status.setAccessibleName("Add status")
        self.add_status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.add_status.hide()
        layout.addWidget(self.add_status)
        layout.addStretch(1)

        downloads.sig_started.connect(self.on_download_event)
        downloads.sig_progress.connect(self.on_download_event)
        downloads.sig_finished.connect(self.on_download_finished)

    # ------------------------------------------------------------------ state
    def set_overview(self, overview: BuiltinOverview) -> None:
        """Fill the lists from the engine's overview (keeps the selected catalog entry)."""
        self.overview = overview
        self.where_label.setToolTip(f"Built-in models run {overview.where}.")
        if overview.installed:
            self.where_label.setText(f"Built-in models run {short_where(overview.where)}.")
        else:
            self.where_label.setText(f"The built-in engine is {overview.where}.")
        chosen = self.selected_catalog() or pick_for_machine(overview.catalog)
        wanted = chosen.name if chosen is not None else ""
        self.catalog_list.clear()
        for entry in overview.catalog:
            item = QListWidgetItem(catalog_text(entry))
            item.setData(Qt.ItemDataRole.UserRole, entry.name)
            self.catalog_list.addItem(item)
            if entry.name == wanted:
                self.catalog_list.setCurrentItem(item)
        self.importable_list.clear()
        for source in overview.importable:
            self.importable_list.addItem(source)
        if not overview.importable:
            self.importable_list.addItem(
                QListWidgetItem("Nothing found (Ollama's downloaded models appear here).")
            )
            self.importable_list.item(0).setFlags(Qt.ItemFlag.NoItemFlags)
        fit_rows(self.catalog_list)
        fit_rows(self.importable_list)
        self.add_button.setEnabled(False)
        self.add_file_button.setEnabled(overview.installed)
        self._show_download_state()

    def selected_catalog(self) -> CatalogModelView | None:
        """The catalog entry selected in the list."""
        item = self.catalog_list.currentItem()
        if item is None or self.overview is None:
            return None
        name = item.data(Qt.ItemDataRole.UserRole)
        return next((entry for entry in self.overview.catalog if entry.name == name), None)

    def _show_download_state(self) -> None:
        """Button, bar and status line for the selected catalog entry."""
        entry = self.selected_catalog()
        installed = self.overview is not None and self.overview.installed
        self.download_button.setEnabled(entry is not None and installed)
        if entry is None:
            return
        name = entry.name
        last = self.downloads.last(name)
        outcome = self.downloads.outcome(name)
        if self.downloads.running(name):
            self.download_button.setText("Cancel")
            self.download_button.setAccessibleName(f"Cancel downloading {name}")
            self._show_progress(last)
            return
        self.download_progress.setVisible(last is not None and bool(last.total))
        if outcome is None:
            done = entry.downloaded
            self.download_button.setText("Downloaded" if done else "Download")
            self.download_button.setEnabled(installed and not done)
            say(self.download_status, f"{name} is downloaded." if done else "")
            self.download_progress.hide()
        elif isinstance(outcome, Cancelled):
            self.download_button.setText("Resume")
            say(self.download_status, outcome.user_message)
        else:
            self.download_button.setText("Retry")
            say(self.download_status, outcome.one_line())
        self.download_button.setAccessibleName(f"{self.download_button.text()} {name}")

    def _show_progress(self, progress: DownloadProgress | None) -> None:
        if progress is None:
            self.download_progress.setRange(0, 0)
            self.download_progress.show()
            say(self.download_status, "Starting…")
            return
        self.download_progress.show()
        if progress.total:
            self.download_progress.setRange(0, 1000)
            self.download_progress.setValue(int(1000 * progress.completed / progress.total))
        else:
            self.download_progress.setRange(0, 0)
        say(self.download_status, format_download(progress))

    # ------------------------------------------------------------------ downloads
    def on_download_clicked(self) -> None:
        """Download (or resume, or retry) the selected model; Cancel while it runs."""
        entry = self.selected_catalog()
        if entry is None:
            return
        if self.downloads.running(entry.name):
            self.downloads.cancel(entry.name)
        else:
            self.downloads.start(entry.name)

    def on_download_event(self, name: str, _progress: object = None) -> None:
        """A download started or moved on: redraw when it is the selected one."""
        entry = self.selected_catalog()
        if entry is not None and entry.name == name:
            self._show_download_state()

    def on_download_finished(self, name: str, error: CodefaceError | None) -> None:
        """A download ended: show how (the window and the dialog reload the models)."""
        self.on_download_event(name)
        if error is None:
            say(self.download_status, f"{name} is ready: it answers from now on.")

    # ------------------------------------------------------------------ adding
    def _on_importable_row(self, row: int) -> None:
        item = self.importable_list.item(row)
        self.add_button.setEnabled(
            item is not None and bool(item.flags() & Qt.ItemFlag.ItemIsEnabled)
        )

    def on_add_clicked(self) -> None:
        """Register the selected 'already on this computer' model."""
        item = self.importable_list.currentItem()
        if item is not None and item.flags() & Qt.ItemFlag.ItemIsEnabled:
            self.add_source(item.text())

    def choose_gguf_file(self) -> QFileDialog:
        """Ask for a .gguf file (not blocking the window); adding follows the choice."""
        dialog = QFileDialog(self, "Add a GGUF model file", str(Path.home()), GGUF_FILTER)
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(self.add_source)
        dialog.open()
        return dialog

    @bridge_task
    async def add_source(self, source: str) -> None:
        """Register a path or ``ollama:NAME`` with the built-in engine (no copy)."""
        if not source:
            return
        shown = Path(source).name if not source.startswith("ollama:") else source
        say(self.add_status, f"Checking {shown}…")
        try:
            await self.bridge.backend.add_builtin_model(source)
        except CodefaceError as error:
            say(self.add_status, error.one_line())
            return
        except Exception as error:
            say(self.add_status, f"Adding {shown} failed unexpectedly.")
            report_unexpected(error)
            return
        say(self.add_status, f"Added {shown}. It can answer now.")
        self.sig_models_changed.emit()
