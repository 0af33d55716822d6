"""What the chat pane asks of the desktop: file pickers, the clipboard, reviewing a diff.

`ChatServices` is the seam: the pane and the conversation call these methods and never
open a dialog themselves, so tests pass a subclass that answers at once. Nothing here
reads or writes a file: writes go through the backend (the workspace), after review.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialog, QFileDialog, QWidget

if TYPE_CHECKING:
    from codeface.ui.diff.hunks import Hunk
    from codeface.ui.theme import Theme


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

    def save_path(self, suggested_name: str, folder: str = "") -> Path | None:
        """Where to save a code block, starting in ``folder`` (None if cancelled)."""
        start = str(Path(folder) / suggested_name) if folder else suggested_name
        name, _ = QFileDialog.getSaveFileName(self.parent, "Save code as", start)
        return Path(name) if name else None

    def apply_path(self, suggested_name: str, folder: str = "") -> Path | None:
        """Which file a code block should replace, starting in ``folder`` (None if
        cancelled)."""
        start = str(Path(folder) / suggested_name) if folder else suggested_name
        name, _ = QFileDialog.getSaveFileName(
            self.parent,
            "Apply code to file",
            start,
            options=QFileDialog.Option.DontConfirmOverwrite,
        )
        return Path(name) if name else None

    async def review_change(
        self,
        path: str,
        old: str,
        new: str,
        hunks: list[Hunk],
        *,
        creates: bool = False,
        theme: Theme | None = None,
    ) -> str | None:
        """Show the diff with per-hunk accept/reject; the text to write, or None if the
        user cancelled. The window stays responsive meanwhile (no nested event loop)."""
        import asyncio

        from codeface.ui.diff.apply_dialog import ApplyDialog

        dialog = ApplyDialog(
            path, old, new, hunks, creates=creates, theme=theme, parent=self.parent
        )
        done: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        def finished(result: int) -> None:
            if not done.done():
                done.set_result(result)

        dialog.finished.connect(finished)
        dialog.open()
        try:
            result = await done
            return dialog.merged_text() if result == QDialog.DialogCode.Accepted.value else None
        finally:
            dialog.deleteLater()
