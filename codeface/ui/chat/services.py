"""What the chat pane asks of the desktop: file pickers, the diff confirmation, files.

`ChatServices` is the seam: the pane calls these methods and never opens a dialog
itself, so tests pass a subclass that answers at once. Writes are atomic (temp file in
the same folder, fsync, ``os.replace``) so a crash never leaves half a source file.
"""

from __future__ import annotations

import difflib
from pathlib import Path

from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from codeface.core import atomic

MAX_DIFF_SOURCE = 5 * 1024 * 1024
"""Files larger than this are not diffed in the GUI (they are shown as replaced)."""


def write_atomically(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` in one step, keeping its permission bits."""
    atomic.write_atomically(path, text, keep_mode=True)


def unified_diff(path: Path, new_text: str) -> str:
    """The diff from ``path``'s current text (empty if missing) to ``new_text``."""
    old_text = ""
    if path.exists():
        if path.stat().st_size > MAX_DIFF_SOURCE:
            return f"(the current {path.name} is too large to diff; it will be replaced)"
        old_text = path.read_text(encoding="utf-8", errors="replace")
    if not new_text.endswith("\n"):
        new_text += "\n"
    lines = difflib.unified_diff(
        old_text.splitlines(keepends=True),
        new_text.splitlines(keepends=True),
        fromfile=f"a/{path.name}" if old_text else "/dev/null",
        tofile=f"b/{path.name}",
    )
    return "".join(lines) or "(no changes)"


class ChatServices:
    """Real dialogs and the clipboard. Subclass and override for tests."""

    def __init__(self, parent: QWidget | None = None) -> None:
        self.parent = parent

    def copy_text(self, text: str) -> None:
        """Put ``text`` on the clipboard."""
        clipboard = QGuiApplication.clipboard()
        if clipboard is not None:
            clipboard.setText(text)

    def pick_files(self) -> list[Path]:
        """Files to attach (empty if cancelled)."""
        names, _ = QFileDialog.getOpenFileNames(self.parent, "Attach files")
        return [Path(name) for name in names]

    def save_path(self, suggested_name: str) -> Path | None:
        """Where to save a code block (None if cancelled)."""
        name, _ = QFileDialog.getSaveFileName(self.parent, "Save code as", suggested_name)
        return Path(name) if name else None

    def apply_path(self, suggested_name: str) -> Path | None:
        """Which file a code block should replace (None if cancelled)."""
        name, _ = QFileDialog.getSaveFileName(
            self.parent,
            "Apply code to file",
            suggested_name,
            options=QFileDialog.Option.DontConfirmOverwrite,
        )
        return Path(name) if name else None

    def confirm_diff(self, path: Path, diff: str) -> bool:
        """Show the diff and ask before writing; True to write."""
        dialog = DiffDialog(path, diff, self.parent)
        return dialog.exec() == QDialog.DialogCode.Accepted


class DiffDialog(QDialog):
    """A read-only diff with Apply / Cancel."""

    def __init__(self, path: Path, diff: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Apply to {path.name}")
        self.resize(760, 520)
        layout = QVBoxLayout(self)
        label = QLabel(f"Write these changes to <b>{path}</b>?")
        label.setWordWrap(True)
        layout.addWidget(label)
        view = QPlainTextEdit()
        view.setReadOnly(True)
        view.setAccessibleName("Diff")
        view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        view.setPlainText(diff)
        _color_diff(view)
        layout.addWidget(view)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Apply | QDialogButtonBox.StandardButton.Cancel
        )
        apply_button = buttons.button(QDialogButtonBox.StandardButton.Apply)
        apply_button.clicked.connect(self.accept)
        apply_button.setDefault(True)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)


def _color_diff(view: QPlainTextEdit) -> None:
    from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor

    document = view.document()
    added, removed, header = QTextCharFormat(), QTextCharFormat(), QTextCharFormat()
    added.setForeground(QColor("#1a7f37"))
    removed.setForeground(QColor("#cf222e"))
    header.setFontWeight(QFont.Weight.Bold)
    block = document.begin()
    count = 0
    while block.isValid() and count < 20_000:
        text = block.text()
        fmt = None
        if text.startswith(("+++", "---", "@@")):
            fmt = header
        elif text.startswith("+"):
            fmt = added
        elif text.startswith("-"):
            fmt = removed
        if fmt is not None:
            cursor = QTextCursor(block)
            cursor.select(QTextCursor.SelectionType.BlockUnderCursor)
            cursor.mergeCharFormat(fmt)
        block = block.next()
        count += 1
