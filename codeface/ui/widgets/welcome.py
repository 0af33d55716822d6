"""The first-run welcome screen: three working ways to get a model, quickest first.

Shown instead of the chat when no provider can answer: run a small model inside CodeFace
(the built-in engine: one download, with progress, speed and time left, cancel, resume and
retry), start (or install) Ollama and pull a suggested model, or add a cloud key.
"""

from __future__ import annotations

import shutil
import sys
import time

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from codeface.application.contract import BuiltinOverview, CatalogModelView, DownloadProgress
from codeface.core.errors import Cancelled, CodefaceError
from codeface.core.events import Progress
from codeface.ui.dialogs.builtin_downloads import format_download, pick_for_machine
from codeface.ui.dialogs.model_picker import human_size
from codeface.ui.dialogs.suggested import machine_memory, suggest_for
from codeface.ui.widgets.palette_style import PaletteStyleSheet


def install_command() -> str:
    """How to install Ollama on this OS."""
    if sys.platform == "darwin":
        return "brew install ollama"
    if sys.platform == "win32":
        return "winget install Ollama.Ollama"
    return "curl -fsSL https://ollama.com/install.sh | sh"


def format_progress(progress: Progress, speed: float | None = None) -> str:
    """'1.2 GB of 4.7 GB · 35 MB/s · 1 min 40 s left' (parts omitted when unknown)."""
    if not progress.total or progress.completed is None:
        return progress.status
    parts = [f"{progress.completed / 1e9:.2f} GB of {progress.total / 1e9:.2f} GB"]
    if speed and speed > 0:
        parts.append(f"{speed / 1e6:.1f} MB/s")
        left = (progress.total - progress.completed) / speed
        minutes, seconds = divmod(int(left), 60)
        parts.append(f"{minutes} min {seconds} s left" if minutes else f"{seconds} s left")
    return " · ".join(parts)


WELCOME_STYLE = """
#welcomeCard { background: palette(base); border: 1px solid palette(mid); border-radius: 10px; }
#welcomeCard QLabel { background: transparent; border: none; }
#welcomeCard QPushButton { padding: 6px 12px; border-radius: 6px;
    border: 1px solid palette(mid); background: palette(button); }
#welcomeCard QPushButton:hover { border-color: palette(highlight); }
"""


class SpeedMeter:
    """Download speed from successive byte counts (smoothed, bytes per second)."""

    def __init__(self) -> None:
        self._last: tuple[float, int] | None = None
        self.speed: float | None = None

    def update(self, completed: int | None, now: float | None = None) -> float | None:
        """Record a byte count; returns the smoothed speed (None until known)."""
        if completed is None:
            return self.speed
        now = time.monotonic() if now is None else now
        if self._last is not None:
            elapsed = now - self._last[0]
            gained = completed - self._last[1]
            if elapsed > 0 and gained >= 0:
                sample = gained / elapsed
                self.speed = sample if self.speed is None else 0.7 * self.speed + 0.3 * sample
        self._last = (now, completed)
        return self.speed


class _Card(QFrame):
    def __init__(self, title: str, text: str) -> None:
        super().__init__()
        self.setObjectName("welcomeCard")
        self.setMinimumHeight(230)
        # Equal widths whatever the text: the cards share the row by stretch alone.
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(16, 14, 16, 14)
        self.layout_.setSpacing(8)
        heading = QLabel(title)
        font = heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.15)
        font.setBold(True)
        heading.setFont(font)
        heading.setWordWrap(True)
        body = QLabel(text)
        body.setWordWrap(True)
        body.setTextFormat(Qt.TextFormat.RichText)
        body.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.heading = heading
        self.body = body
        self.layout_.addWidget(heading)
        self.layout_.addWidget(body)
        self.layout_.addStretch(1)

    def add_button(self, label: str, accessible: str | None = None) -> QPushButton:
        button = QPushButton(label)
        button.setAccessibleName(accessible or label)
        self.layout_.addWidget(button)
        return button

    def add_label(self, *, under_body: bool = False) -> QLabel:
        """A wrapped label at the bottom (hidden while empty), or right under the text."""
        label = QLabel("")
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        if under_body:
            self.layout_.insertWidget(self.layout_.indexOf(self.body) + 1, label)
        else:
            label.hide()
            self.layout_.addWidget(label)
        return label


def say(label: QLabel, text: str) -> None:
    """Show ``text`` in a status label; an empty one takes no room."""
    label.setText(text)
    label.setVisible(bool(text))


class WelcomeScreen(QWidget):
    """Three cards, each with a button that really does the thing; the built-in engine
    (nothing to install) comes first."""

    sig_download_builtin = Signal(str)
    """(catalog name): download (or resume) this model for the built-in engine."""
    sig_cancel_download = Signal(str)
    """(catalog name): stop that download (what arrived is kept)."""
    sig_add_builtin = Signal(str)
    """(source): register a model already on this computer (``ollama:NAME`` or packaged)."""
    sig_start_ollama = Signal()
    """Start ``ollama serve`` (the window launches it and checks again)."""
    sig_check_again = Signal()
    """Look for Ollama and keys again."""
    sig_pull = Signal(str)
    """(model name): pull this model."""
    sig_cancel_pull = Signal(str)
    """(model name): stop the pull."""
    sig_add_key = Signal()
    """Open the settings on the API keys."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("welcomeScreen")
        self._style = PaletteStyleSheet(self, WELCOME_STYLE)
        memory, _source = machine_memory()
        suggestions = suggest_for(memory)
        self.suggested = suggestions[0].name if suggestions else "qwen2.5-coder:7b"
        suggested_size = suggestions[0].size_gb if suggestions else 4.7
        self.builtin_choice: CatalogModelView | None = None
        self.importable: tuple[str, ...] = ()
        self._downloading = False
        outer = QVBoxLayout(self)
        outer.setContentsMargins(40, 32, 40, 32)
        title = QLabel("Welcome to CodeFace")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.8)
        font.setBold(True)
        title.setFont(font)
        subtitle = QLabel(
            "CodeFace needs a model to talk to. The first way needs nothing else installed; "
            "you can add the others later."
        )
        subtitle.setWordWrap(True)
        outer.addStretch(1)
        outer.addWidget(title)
        outer.addWidget(subtitle)
        row = QHBoxLayout()
        row.setSpacing(16)
        outer.addLayout(row)
        outer.addStretch(2)

        self.builtin_card = _Card(
            "1 · Run a small model inside CodeFace",
            "No install and no account, and nothing leaves this computer: CodeFace "
            "downloads a coding model once and runs it itself.",
        )
        self.builtin_where = self.builtin_card.add_label(under_body=True)
        self.builtin_where.setText("Looking at this computer…")
        self.builtin_button = self.builtin_card.add_button("Download and run it")
        self.builtin_button.setEnabled(False)
        self.builtin_button.clicked.connect(self._on_builtin_clicked)
        self.builtin_progress = QProgressBar()
        self.builtin_progress.setAccessibleName("Download progress")
        self.builtin_progress.hide()
        self.builtin_card.layout_.addWidget(self.builtin_progress)
        self.builtin_status = self.builtin_card.add_label()
        self.builtin_status.setAccessibleName("Download status")
        self.use_text = self.builtin_card.add_label()
        self.use_button = self.builtin_card.add_button("Use it")
        self.use_button.hide()
        self.use_button.clicked.connect(self._on_use_clicked)

        has_binary = shutil.which("ollama") is not None
        self.ollama_card = _Card(
            "2 · Use Ollama",
            "Ollama runs models on your own GPU or CPU; nothing leaves this machine.<br>"
            + (
                "Ollama is installed but not running."
                if has_binary
                else f"Install it, then start it:<br><code>{install_command()}</code><br>"
                "<code>ollama serve</code>"
            ),
        )
        if has_binary:
            self.start_button = self.ollama_card.add_button("Start Ollama")
            self.start_button.clicked.connect(self.sig_start_ollama)
        else:
            self.start_button = self.ollama_card.add_button("Copy install command")
            self.start_button.clicked.connect(
                lambda: QGuiApplication.clipboard().setText(install_command())
            )
        self.check_button = self.ollama_card.add_button("Check again", "Check for Ollama again")
        self.check_button.clicked.connect(self.sig_check_again)
        self.ollama_status = self.ollama_card.add_label()
        pull_text = QLabel(
            f"Then pull <b>{self.suggested}</b> ({suggested_size:.1f} GB), suggested for this "
            "machine."
        )
        pull_text.setWordWrap(True)
        self.ollama_card.layout_.addWidget(pull_text)
        self.pull_button = self.ollama_card.add_button(f"Pull {self.suggested}")
        self.pull_button.clicked.connect(self._on_pull_clicked)
        self.pull_progress = QProgressBar()
        self.pull_progress.setAccessibleName("Pull progress")
        self.pull_progress.hide()
        self.ollama_card.layout_.addWidget(self.pull_progress)
        self.pull_status = self.ollama_card.add_label()
        self._pulling = False

        self.key_card = _Card(
            "3 · Use a cloud model",
            "Add an Anthropic or OpenAI API key. Keys go to your system keyring (where "
            "none works, a private file — Settings shows which). Answers then come from "
            "that provider.",
        )
        self.key_button = self.key_card.add_button("Add an API key…")
        self.key_button.clicked.connect(self.sig_add_key)
        for card in (self.builtin_card, self.ollama_card, self.key_card):
            row.addWidget(card, 1)
        self.setTabOrder(self.builtin_button, self.use_button)
        self.setTabOrder(self.use_button, self.start_button)

    # ------------------------------------------------------------------ built-in engine
    def set_builtin_overview(self, overview: BuiltinOverview) -> None:
        """Offer the catalog model recommended for this machine, with its download size
        and where it would run (or say why the built-in engine cannot be used)."""
        self.importable = overview.importable
        offer = bool(self.importable) and overview.installed
        if offer:
            say(self.use_text, f"Or use one already on this computer: <b>{self.importable[0]}</b>")
            self.use_button.setAccessibleName(f"Use {self.importable[0]}")
        else:
            say(self.use_text, "")
        self.use_button.setVisible(offer)
        if not overview.installed:
            self.builtin_choice = None
            self.builtin_where.setText(
                f"The built-in engine is {overview.where}. Building llama.cpp takes a few "
                "minutes on a small machine."
            )
            self.builtin_button.setEnabled(False)
            return
        self.builtin_choice = pick_for_machine(overview.catalog)
        choice = self.builtin_choice
        if choice is None:
            self.builtin_where.setText("No downloadable model is known to this version.")
            self.builtin_button.setEnabled(False)
            return
        self.builtin_where.setText(
            f"Recommended here: <b>{choice.title}</b>, a {human_size(choice.size_bytes)} "
            f"download. It will run {overview.where.split(':', 1)[0]}."
        )
        self.builtin_where.setToolTip(f"Built-in models run {overview.where}.")
        if not self._downloading:
            self._set_builtin_button(f"Download and run it ({human_size(choice.size_bytes)})")
        self.builtin_button.setEnabled(True)
        if self.isVisible():
            self.builtin_button.setFocus()  # Enter takes the quickest way

    def _on_use_clicked(self) -> None:
        if self.importable:
            say(self.builtin_status, f"Adding {self.importable[0]}…")
            self.sig_add_builtin.emit(self.importable[0])

    def _set_builtin_button(self, text: str) -> None:
        self.builtin_button.setText(text)
        self.builtin_button.setAccessibleName(text)

    def _on_builtin_clicked(self) -> None:
        if self.builtin_choice is None:
            return
        if self._downloading:
            self.sig_cancel_download.emit(self.builtin_choice.name)
        else:
            self.sig_download_builtin.emit(self.builtin_choice.name)

    def _mine(self, name: str) -> bool:
        return self.builtin_choice is not None and name == self.builtin_choice.name

    def on_download_started(self, name: str) -> None:
        """A download of the offered model began (or resumed)."""
        if not self._mine(name):
            return
        self._downloading = True
        self._set_builtin_button("Cancel download")
        self.builtin_progress.setRange(0, 0)
        self.builtin_progress.show()
        say(self.builtin_status, "Starting…")

    def on_download_progress(self, name: str, progress: DownloadProgress) -> None:
        """Bytes so far, speed and time left."""
        if not self._mine(name):
            return
        if progress.total:
            self.builtin_progress.setRange(0, 1000)
            self.builtin_progress.setValue(int(1000 * progress.completed / progress.total))
        say(self.builtin_status, format_download(progress))

    def on_download_finished(self, name: str, error: CodefaceError | None) -> None:
        """Ready, stopped (Resume) or failed (the error's message and Retry)."""
        if not self._mine(name):
            return
        self._downloading = False
        if error is None:
            self.builtin_progress.hide()
            self._set_builtin_button("Downloaded")
            self.builtin_button.setEnabled(False)
            say(self.builtin_status, "Done — ready to chat.")
        elif isinstance(error, Cancelled):
            self._set_builtin_button("Resume download")
            say(self.builtin_status, error.user_message)
        else:
            self._set_builtin_button("Retry")
            say(self.builtin_status, error.one_line())

    def on_add_failed(self, text: str) -> None:
        """Registering a model already here did not work: say why."""
        say(self.builtin_status, text)

    # ------------------------------------------------------------------ Ollama
    def _on_pull_clicked(self) -> None:
        if self._pulling:
            self.sig_cancel_pull.emit(self.suggested)
        else:
            self.sig_pull.emit(self.suggested)

    def set_ollama_status(self, text: str) -> None:
        """Say what the last check found (e.g. "Nothing answers at 127.0.0.1:11434")."""
        say(self.ollama_status, text)

    def on_pull_started(self) -> None:
        """A pull of the suggested model began."""
        self._pulling = True
        self.pull_button.setText("Cancel")
        self.pull_progress.setRange(0, 0)
        self.pull_progress.show()
        say(self.pull_status, "Starting…")

    def on_pull_progress(self, progress: Progress, speed: float | None) -> None:
        """Update the bar and the bytes/speed/ETA line."""
        if progress.total:
            self.pull_progress.setRange(0, 1000)
            self.pull_progress.setValue(int(1000 * (progress.completed or 0) / progress.total))
        say(self.pull_status, format_progress(progress, speed))

    def on_pull_finished(self, error_text: str | None) -> None:
        """The pull ended: show the error or "Done"."""
        self._pulling = False
        self.pull_button.setText(f"Pull {self.suggested}")
        self.pull_progress.hide()
        say(self.pull_status, error_text or "Done — ready to chat.")
