"""The first-run welcome screen: three working ways to get a model.

Shown instead of the chat when no Ollama answers and no cloud key is set: start (or
install) Ollama, pull a suggested coding model with progress, or add a cloud key.
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
    QVBoxLayout,
    QWidget,
)

from codeface.core.events import Progress
from codeface.ui.dialogs.suggested import machine_memory, suggest_for


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
        self.body = body
        self.layout_.addWidget(heading)
        self.layout_.addWidget(body)
        self.layout_.addStretch(1)

    def add_button(self, label: str, accessible: str | None = None) -> QPushButton:
        button = QPushButton(label)
        button.setAccessibleName(accessible or label)
        self.layout_.addWidget(button)
        return button


class WelcomeScreen(QWidget):
    """Three cards, each with a button that really does the thing."""

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
        self.setStyleSheet(WELCOME_STYLE)
        memory, source = machine_memory()
        suggestions = suggest_for(memory)
        self.suggested = suggestions[0].name if suggestions else "qwen2.5-coder:7b"
        memory_text = f"{memory / 1024**3:.0f} GB of {source}" if memory else "this machine"
        outer = QVBoxLayout(self)
        outer.setContentsMargins(40, 32, 40, 32)
        title = QLabel("Welcome to CodeFace")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.8)
        font.setBold(True)
        title.setFont(font)
        subtitle = QLabel(
            "CodeFace needs a model to talk to. Pick one of three ways — you can add the "
            "others later in Settings."
        )
        subtitle.setWordWrap(True)
        outer.addStretch(1)
        outer.addWidget(title)
        outer.addWidget(subtitle)
        row = QHBoxLayout()
        row.setSpacing(16)
        outer.addLayout(row)
        outer.addStretch(2)

        has_binary = shutil.which("ollama") is not None
        self.ollama_card = _Card(
            "1 · Run models locally with Ollama",
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
        self.ollama_status = QLabel("")
        self.ollama_status.setWordWrap(True)
        self.ollama_card.layout_.addWidget(self.ollama_status)

        self.pull_card = _Card(
            "2 · Pull a coding model",
            f"Suggested for {memory_text}: <b>{self.suggested}</b> "
            f"({suggestions[0].size_gb if suggestions else 4.7:.1f} GB download). "
            "Needs Ollama running.",
        )
        self.pull_button = self.pull_card.add_button(f"Pull {self.suggested}")
        self.pull_button.clicked.connect(self._on_pull_clicked)
        self.pull_progress = QProgressBar()
        self.pull_progress.setAccessibleName("Pull progress")
        self.pull_progress.hide()
        self.pull_status = QLabel("")
        self.pull_status.setWordWrap(True)
        self.pull_card.layout_.addWidget(self.pull_progress)
        self.pull_card.layout_.addWidget(self.pull_status)
        self._pulling = False

        self.key_card = _Card(
            "3 · Use a cloud model",
            "Add an Anthropic or OpenAI API key. Keys go to your system keyring (where "
            "none works, a private file — Settings shows which). Answers then come from "
            "that provider.",
        )
        self.key_button = self.key_card.add_button("Add an API key…")
        self.key_button.clicked.connect(self.sig_add_key)
        for card in (self.ollama_card, self.pull_card, self.key_card):
            row.addWidget(card, 1)

    def _on_pull_clicked(self) -> None:
        if self._pulling:
            self.sig_cancel_pull.emit(self.suggested)
        else:
            self.sig_pull.emit(self.suggested)

    def set_ollama_status(self, text: str) -> None:
        """Say what the last check found (e.g. "Nothing answers at 127.0.0.1:11434")."""
        self.ollama_status.setText(text)

    def on_pull_started(self) -> None:
        """A pull of the suggested model began."""
        self._pulling = True
        self.pull_button.setText("Cancel")
        self.pull_progress.setRange(0, 0)
        self.pull_progress.show()
        self.pull_status.setText("Starting…")

    def on_pull_progress(self, progress: Progress, speed: float | None) -> None:
        """Update the bar and the bytes/speed/ETA line."""
        if progress.total:
            self.pull_progress.setRange(0, 1000)
            self.pull_progress.setValue(int(1000 * (progress.completed or 0) / progress.total))
        self.pull_status.setText(format_progress(progress, speed))

    def on_pull_finished(self, error_text: str | None) -> None:
        """The pull ended: show the error or "Done"."""
        self._pulling = False
        self.pull_button.setText(f"Pull {self.suggested}")
        self.pull_progress.hide()
        self.pull_status.setText(error_text or "Done — ready to chat.")
