"""Attachments: chips with their token cost, file loading off the GUI thread, and the
inline choice offered for a huge paste or a binary file (never a freeze, never a modal).
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QThreadPool, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QToolButton, QWidget

from codeface.application.contract import Attachment

LARGE_TEXT_CHARS = 200_000
"""Pastes and files above this many characters (~50k tokens) ask before attaching."""
TRUNCATE_CHARS = 100_000
"""What "Attach first 100 KB" keeps."""
PASTE_TRUNCATE_CHARS = 20_000
"""What "Paste first 20 KB" inserts into the composer."""
SNIFF_BYTES = 8192
HEX_PREVIEW_BYTES = 4096
MAX_READ_BYTES = 64 * 1024 * 1024
"""Files larger than this are never read whole; only truncation is offered."""


def estimate_tokens(text: str) -> int:
    """About four characters per token (good enough for a cost hint)."""
    return math.ceil(len(text) / 4)


def format_tokens(tokens: int) -> str:
    """ "~850 tokens", "~12.3k tokens", "~2.6M tokens"."""
    if tokens >= 1_000_000:
        return f"~{tokens / 1_000_000:.1f}M tokens"
    if tokens >= 1_000:
        return f"~{tokens / 1_000:.1f}k tokens"
    return f"~{tokens} tokens"


def format_size(size: int) -> str:
    """Bytes as "512 B", "4.0 KB", "10.0 MB"."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size} B"


def make_attachment(
    name: str,
    text: str,
    *,
    truncated: bool = False,
    counter: Callable[[str], int] = estimate_tokens,
) -> Attachment:
    """An `Attachment` with its token cost counted."""
    return Attachment(name=name, text=text, tokens=counter(text), truncated=truncated)


def hex_preview(data: bytes) -> str:
    """A classic hex dump of ``data`` (offset, hex bytes, printable characters)."""
    lines = []
    for offset in range(0, len(data), 16):
        chunk = data[offset : offset + 16]
        hex_part = " ".join(f"{byte:02x}" for byte in chunk)
        text_part = "".join(chr(byte) if 32 <= byte < 127 else "." for byte in chunk)
        lines.append(f"{offset:08x}  {hex_part:<47}  {text_part}")
    return "\n".join(lines)


@dataclass(frozen=True)
class LoadedFile:
    """What the worker found in a file."""

    path: Path
    size: int
    binary: bool
    text: str = ""
    """The whole text (small text files), the first `TRUNCATE_CHARS` (large), or ""."""
    head: bytes = b""
    error: str = ""


def load_file(path: Path) -> LoadedFile:
    """Read a file for attaching (runs in a worker thread)."""
    try:
        size = path.stat().st_size
        with path.open("rb") as stream:
            head = stream.read(SNIFF_BYTES)
            if b"\0" in head or _undecodable(head):
                return LoadedFile(path, size, True, head=head[:HEX_PREVIEW_BYTES])
            stream.seek(0)
            data = stream.read(min(size, MAX_READ_BYTES))
    except OSError as error:
        return LoadedFile(path, 0, False, error=f"Cannot read {path.name}: {error.strerror}")
    return LoadedFile(path, size, False, text=data.decode("utf-8", errors="replace"))


def _undecodable(head: bytes) -> bool:
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        # A multi-byte character cut at the end of the sniffed bytes is fine.
        return error.start < len(head) - 4
    return False


class _LoadSignals(QObject):
    sig_loaded = Signal(object)


class FileLoader(QObject):
    """Loads files on the global thread pool; results arrive on the GUI thread."""

    sig_loaded = Signal(object)
    """A file was read; argument: `LoadedFile`."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._signals = _LoadSignals(self)
        self._signals.sig_loaded.connect(self.sig_loaded)

    def load(self, path: Path) -> None:
        """Start reading ``path``; ``sig_loaded`` fires when done."""
        signals = self._signals

        def job() -> None:
            loaded = load_file(path)
            # The composer may have been closed while the file was being read.
            with contextlib.suppress(RuntimeError):
                signals.sig_loaded.emit(loaded)

        QThreadPool.globalInstance().start(job)


class AttachmentChip(QFrame):
    """A rounded chip: file name, token cost, and a remove button."""

    sig_remove = Signal(object)
    """The × was clicked; argument: the `Attachment`."""

    def __init__(self, attachment: Attachment, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.attachment = attachment
        self.setObjectName("attachmentChip")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 3, 4, 3)
        layout.setSpacing(6)
        self.name_label = QLabel(attachment.name, self)
        self.name_label.setObjectName("chipName")
        layout.addWidget(self.name_label)
        note = format_tokens(attachment.tokens)
        if attachment.truncated:
            note += " · truncated"
        self.tokens_label = QLabel(note, self)
        self.tokens_label.setObjectName("chipTokens")
        layout.addWidget(self.tokens_label)
        remove = QToolButton(self)
        remove.setText("×")
        remove.setObjectName("chipRemove")
        remove.setAutoRaise(True)
        remove.setAccessibleName(f"Remove {attachment.name}")
        remove.clicked.connect(lambda: self.sig_remove.emit(self.attachment))
        layout.addWidget(remove)
        self.setAccessibleName(f"Attachment {attachment.name}, {note}")
        self.setToolTip(f"{attachment.name}: {note}")


class ChoiceBar(QFrame):
    """An inline question above the composer with a few buttons (replaces a modal)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("choiceBar")
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(12, 6, 6, 6)
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self._layout.addWidget(self.label, 1)
        self.buttons: dict[str, QPushButton] = {}
        self.hide()

    def ask(self, text: str, choices: list[tuple[str, str, Callable[[], None]]]) -> None:
        """Show ``text`` with (key, label, callback) buttons; any button closes the bar."""
        for button in self.buttons.values():
            self._layout.removeWidget(button)
            button.deleteLater()
        self.buttons = {}
        self.label.setText(text)
        for key, label, callback in choices:
            button = QPushButton(label, self)
            button.setAccessibleName(label)
            button.setCursor(Qt.CursorShape.PointingHandCursor)
            button.clicked.connect(lambda _checked=False, run=callback: self._choose(run))
            self._layout.addWidget(button)
            self.buttons[key] = button
        self.show()

    def _choose(self, callback: Callable[[], None]) -> None:
        self.hide()
        callback()
