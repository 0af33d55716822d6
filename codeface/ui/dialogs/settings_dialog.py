"""Settings: providers (Ollama hosts, API keys), defaults, appearance and shortcuts.

Keys go straight to the keyring through the bridge (never into the settings file); "Test
key" and "Test connection" show what the provider really answered. Everything else is
saved together with "Save".
"""

from __future__ import annotations

import copy
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QFont, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFontComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QKeySequenceEdit,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from codeface.application.contract import Health
from codeface.core.errors import CodefaceError
from codeface.core.settings import Settings
from codeface.ui.bridge import Bridge, bridge_task
from codeface.ui.dialogs.model_picker import POLICY_LABELS
from codeface.ui.errors_dialog import report_unexpected
from codeface.ui.window_actions import ACTIONS

CLOUD_PROVIDERS = (("anthropic", "Anthropic"), ("openai", "OpenAI"))
DEFAULT_OLLAMA_HOST = "127.0.0.1:11434"


def health_text(health: Health) -> str:
    """'✓ detail' or '✗ detail'."""
    return ("✓ " if health.ok else "✗ ") + health.detail


class KeyRow(QWidget):
    """One provider's key: entry, Save, Test, Remove and the result of the last action."""

    sig_changed = Signal()
    """A key was stored or removed."""

    def __init__(self, bridge: Bridge, provider: str, label: str) -> None:
        super().__init__()
        self.bridge = bridge
        self.provider = provider
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        self.edit = QLineEdit()
        self.edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.edit.setPlaceholderText(f"{label} API key (kept in the keyring)")
        self.edit.setAccessibleName(f"{label} API key")
        self.save_button = QPushButton("Save key")
        self.save_button.setAccessibleName(f"Save {label} key")
        self.test_button = QPushButton("Test key")
        self.test_button.setAccessibleName(f"Test {label} key")
        self.remove_button = QPushButton("Remove")
        self.remove_button.setAccessibleName(f"Remove {label} key")
        row.addWidget(self.edit, 1)
        for button in (self.save_button, self.test_button, self.remove_button):
            row.addWidget(button)
        layout.addLayout(row)
        self.result = QLabel("")
        self.result.setWordWrap(True)
        self.result.setAccessibleName(f"{label} key status")
        layout.addWidget(self.result)
        self.save_button.clicked.connect(self.on_save)
        self.test_button.clicked.connect(self.on_test)
        self.remove_button.clicked.connect(self.on_remove)

    async def _run(self, work: Any) -> None:
        for button in (self.save_button, self.test_button, self.remove_button):
            button.setEnabled(False)
        try:
            await work
        except CodefaceError as error:
            self.result.setText("✗ " + error.one_line())
        except Exception as error:
            report_unexpected(error)
        finally:
            for button in (self.save_button, self.test_button, self.remove_button):
                button.setEnabled(True)

    @bridge_task
    async def on_save(self) -> None:
        """Store the typed key, then test it for real."""
        key = self.edit.text().strip()
        if not key:
            self.result.setText("Type a key first.")
            return

        async def work() -> None:
            await self.bridge.backend.set_key(self.provider, key)
            self.sig_changed.emit()
            self.edit.clear()
            self.result.setText("Saved. Testing…")
            self.result.setText(
                "Saved. " + health_text(await self.bridge.backend.test_key(self.provider))
            )

        await self._run(work())

    @bridge_task
    async def on_test(self) -> None:
        """Test the typed key, or the stored one when the box is empty."""
        key = self.edit.text().strip() or None

        async def work() -> None:
            self.result.setText("Testing…")
            self.result.setText(health_text(await self.bridge.backend.test_key(self.provider, key)))

        await self._run(work())

    @bridge_task
    async def on_remove(self) -> None:
        """Forget the stored key."""

        async def work() -> None:
            await self.bridge.backend.remove_key(self.provider)
            self.sig_changed.emit()
            self.result.setText("Key removed.")

        await self._run(work())


class SettingsDialog(QDialog):
    """Tabs: Providers, Defaults, Appearance, Shortcuts; Save applies them all."""

    sig_saved = Signal()
    """The settings were saved (the window re-applies shortcuts, theme…)."""
    sig_keys_changed = Signal()
    """An API key was stored or removed (the window looks at the providers again)."""

    TABS = ("providers", "defaults", "appearance", "shortcuts")

    def __init__(
        self, bridge: Bridge, theme_manager: Any | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.theme_manager = theme_manager
        self.settings: Settings = copy.deepcopy(bridge.settings)
        self.setWindowTitle("Settings")
        self.setObjectName("settingsDialog")
        self.resize(680, 540)
        layout = QVBoxLayout(self)
        self.tabs = QTabWidget()
        self.tabs.addTab(self._providers_tab(), "Providers")
        self.tabs.addTab(self._defaults_tab(), "Defaults")
        self.tabs.addTab(self._appearance_tab(), "Appearance")
        self.tabs.addTab(self._shortcuts_tab(), "Shortcuts")
        layout.addWidget(self.tabs, 1)
        self.status = QLabel("")
        layout.addWidget(self.status)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Close
        )
        buttons.accepted.connect(self.on_save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.load_storage()

    def show_tab(self, name: str) -> None:
        """Bring a tab to the front ("providers", "defaults", "appearance", "shortcuts")."""
        if name in self.TABS:
            self.tabs.setCurrentIndex(self.TABS.index(name))

    # ------------------------------------------------------------------ tabs
    def _providers_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        hosts = QGroupBox("Ollama hosts (tried in order)")
        hosts_layout = QVBoxLayout(hosts)
        self.host_list = QListWidget()
        self.host_list.setAccessibleName("Ollama hosts")
        self.host_list.addItems(self.settings.ollama.hosts or [DEFAULT_OLLAMA_HOST])
        hosts_layout.addWidget(self.host_list)
        row = QHBoxLayout()
        self.host_edit = QLineEdit()
        self.host_edit.setPlaceholderText("host:port, e.g. 192.168.1.20:11434")
        self.host_edit.setAccessibleName("Ollama host to add or test")
        self.add_host_button = QPushButton("Add")
        self.remove_host_button = QPushButton("Remove")
        self.test_host_button = QPushButton("Test connection")
        for widget in (
            self.host_edit,
            self.add_host_button,
            self.remove_host_button,
            self.test_host_button,
        ):
            row.addWidget(widget, 1 if widget is self.host_edit else 0)
        hosts_layout.addLayout(row)
        self.host_result = QLabel("")
        self.host_result.setWordWrap(True)
        self.host_result.setAccessibleName("Connection test result")
        hosts_layout.addWidget(self.host_result)
        self.add_host_button.clicked.connect(self.on_add_host)
        self.remove_host_button.clicked.connect(self.on_remove_host)
        self.test_host_button.clicked.connect(self.on_test_host)
        self.host_list.currentTextChanged.connect(self.host_edit.setText)
        layout.addWidget(hosts)
        keys = QGroupBox("Cloud API keys")
        keys_layout = QFormLayout(keys)
        self.key_rows: dict[str, KeyRow] = {}
        for provider, label in CLOUD_PROVIDERS:
            self.key_rows[provider] = KeyRow(self.bridge, provider, label)
            self.key_rows[provider].sig_changed.connect(self.sig_keys_changed)
            keys_layout.addRow(f"{label}:", self.key_rows[provider])
        self.storage_label = QLabel("")
        self.storage_label.setWordWrap(True)
        keys_layout.addRow(self.storage_label)
        layout.addWidget(keys)
        layout.addStretch(1)
        return page

    def _defaults_tab(self) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        general = self.settings.general
        self.policy = QComboBox()
        for value, label in POLICY_LABELS.items():
            self.policy.addItem(label, value)
        self.policy.setCurrentIndex(max(0, self.policy.findData(general.policy)))
        self.model_edit = QLineEdit(general.model)
        self.model_edit.setPlaceholderText("e.g. qwen2.5-coder:7b (empty: the provider's default)")
        self.temperature = QDoubleSpinBox()
        self.temperature.setRange(0.0, 2.0)
        self.temperature.setSingleStep(0.1)
        self.temperature.setValue(general.temperature)
        self.context_size = QSpinBox()
        self.context_size.setRange(512, 1_048_576)
        self.context_size.setSingleStep(1024)
        self.context_size.setValue(general.context_size)
        for label, widget in (
            ("Policy", self.policy),
            ("Default model", self.model_edit),
            ("Temperature", self.temperature),
            ("Context size (tokens)", self.context_size),
        ):
            widget.setAccessibleName(label)
            form.addRow(f"{label}:", widget)
        self.share_history = QCheckBox(
            "Offer my recent terminal commands and their exit statuses to the chat"
        )
        self.share_history.setToolTip(
            "Off by default. When on, capturing the terminal into a message also lists the "
            "last commands you ran in CodeFace's terminals. Nothing is sent until you send."
        )
        self.share_history.setAccessibleName("Share terminal history with the chat")
        self.share_history.setChecked(self.settings.terminal.share_history_with_chat)
        form.addRow("Terminal:", self.share_history)
        return page

    def _appearance_tab(self) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        ui = self.settings.ui
        self.theme = QComboBox()
        self.theme.addItem("Follow the system", "system")
        if self.theme_manager is not None:
            for theme in self.theme_manager.available():
                self.theme.addItem(theme.name, theme.id)
        self.theme.setCurrentIndex(max(0, self.theme.findData(ui.theme)))
        self.font_family = QFontComboBox()
        if ui.font_family:
            self.font_family.setCurrentFont(QFont(ui.font_family))
        self.font_size = QSpinBox()
        self.font_size.setRange(6, 48)
        self.font_size.setValue(ui.font_size)
        self.code_font = QFontComboBox()
        self.code_font.setFontFilters(QFontComboBox.FontFilter.MonospacedFonts)
        if ui.code_font_family:
            self.code_font.setCurrentFont(QFont(ui.code_font_family))
        self.enter_sends = QCheckBox("Enter sends (Shift+Enter for a new line)")
        self.enter_sends.setChecked(ui.enter_sends)
        for label, widget in (
            ("Theme", self.theme),
            ("Font", self.font_family),
            ("Font size", self.font_size),
            ("Code font", self.code_font),
            ("Sending", self.enter_sends),
        ):
            widget.setAccessibleName(label)
            form.addRow(f"{label}:", widget)
        return page

    def _shortcuts_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(QLabel("Click a shortcut and press the new keys. Clear it to reset."))
        overrides = self.settings.extra.get("shortcuts", {})
        overrides = overrides if isinstance(overrides, dict) else {}
        self.shortcut_table = QTableWidget(len(ACTIONS), 2)
        self.shortcut_table.setHorizontalHeaderLabels(("Action", "Shortcut"))
        self.shortcut_table.setAccessibleName("Shortcuts")
        self.shortcut_table.verticalHeader().hide()
        self.shortcut_edits: dict[str, QKeySequenceEdit] = {}
        for row, spec in enumerate(ACTIONS):
            item = QTableWidgetItem(spec.label)
            self.shortcut_table.setItem(row, 0, item)
            keys = overrides.get(spec.id, spec.shortcuts[0] if spec.shortcuts else "")
            edit = QKeySequenceEdit(QKeySequence(keys))
            edit.setAccessibleName(f"Shortcut for {spec.label}")
            self.shortcut_table.setCellWidget(row, 1, edit)
            self.shortcut_edits[spec.id] = edit
        self.shortcut_table.resizeColumnsToContents()
        self.shortcut_table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.shortcut_table)
        return page

    # ------------------------------------------------------------------ host actions
    def on_add_host(self) -> None:
        """Add the typed host to the list."""
        host = self.host_edit.text().strip()
        existing = [self.host_list.item(r).text() for r in range(self.host_list.count())]
        if host and host not in existing:
            self.host_list.addItem(host)

    def on_remove_host(self) -> None:
        """Remove the selected host."""
        row = self.host_list.currentRow()
        if row >= 0:
            self.host_list.takeItem(row)

    @bridge_task
    async def on_test_host(self) -> None:
        """Check the typed (or selected) host for real."""
        host = self.host_edit.text().strip() or DEFAULT_OLLAMA_HOST
        self.test_host_button.setEnabled(False)
        self.host_result.setText(f"Connecting to {host}…")
        try:
            self.host_result.setText(health_text(await self.bridge.backend.test_ollama_host(host)))
        except CodefaceError as error:
            self.host_result.setText("✗ " + error.one_line())
        except Exception as error:
            report_unexpected(error)
        finally:
            self.test_host_button.setEnabled(True)

    @bridge_task
    async def load_storage(self) -> None:
        """Say where keys are kept."""
        try:
            where = await self.bridge.backend.key_storage_description()
        except CodefaceError as error:
            where = error.one_line()
        self.storage_label.setText(f"Keys are stored in: {where}")

    # ------------------------------------------------------------------ save
    def collect(self) -> Settings:
        """The settings as edited in the dialog."""
        settings = copy.deepcopy(self.settings)
        settings.ollama.hosts = [
            self.host_list.item(r).text() for r in range(self.host_list.count())
        ]
        settings.general.policy = self.policy.currentData()
        settings.general.model = self.model_edit.text().strip()
        settings.general.temperature = round(self.temperature.value(), 2)
        settings.general.context_size = self.context_size.value()
        settings.terminal.share_history_with_chat = self.share_history.isChecked()
        settings.ui.theme = self.theme.currentData()
        settings.ui.font_family = self.font_family.currentFont().family()
        settings.ui.font_size = self.font_size.value()
        settings.ui.code_font_family = self.code_font.currentFont().family()
        settings.ui.enter_sends = self.enter_sends.isChecked()
        overrides: dict[str, str] = {}
        for spec in ACTIONS:
            keys = self.shortcut_edits[spec.id].keySequence().toString()
            default = spec.shortcuts[0] if spec.shortcuts else ""
            if keys and QKeySequence(keys) != QKeySequence(default):
                overrides[spec.id] = keys
        if overrides:
            settings.extra["shortcuts"] = overrides
        else:
            settings.extra.pop("shortcuts", None)
        return settings

    @bridge_task
    async def on_save(self) -> None:
        """Save everything; the window applies it."""
        try:
            settings = self.collect()
            await self.bridge.backend.save_settings(settings)
            self.settings = copy.deepcopy(settings)
            self.status.setText("Saved.")
            self.sig_saved.emit()
        except CodefaceError as error:
            self.status.setText("✗ " + error.one_line())
        except Exception as error:
            report_unexpected(error)
