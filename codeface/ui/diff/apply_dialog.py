"""The dialog behind "Apply…": the diff with per-hunk accept/reject, then Apply or Cancel.

It only decides; writing is the caller's (through the backend, with the preview's
version, so a file changed on disk since is never overwritten).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from codeface.ui.diff.hunks import Hunk
from codeface.ui.diff.view import DiffView
from codeface.ui.theme import Theme


class ApplyDialog(QDialog):
    """Review the change to one file; `merged_text` is what Apply writes."""

    def __init__(
        self,
        path: str,
        old: str,
        new: str,
        hunks: list[Hunk],
        *,
        creates: bool = False,
        theme: Theme | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("applyDialog")
        self.setWindowTitle(f"Apply to {path}")
        self.setAccessibleName(f"Apply changes to {path}")
        self.resize(900, 620)
        layout = QVBoxLayout(self)
        verb = "Create" if creates else "Change"
        self.label = QLabel(
            f"{verb} <b>{path}</b>? Accept or reject each change "
            "(A / R, N and P to move), then apply.",
            self,
        )
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.label)
        if theme is not None:
            from codeface.ui.diff.style import diff_stylesheet

            self.setStyleSheet(diff_stylesheet(theme, max(10, self.font().pointSize() + 1)))
        self.view = DiffView(theme, interactive=True, parent=self)
        self.view.set_texts(old, new, path, hunks)
        layout.addWidget(self.view, 1)
        self.buttons = QDialogButtonBox(self)
        self.apply_button = self.buttons.addButton(
            "&Apply accepted changes", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.apply_button.setDefault(True)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        QShortcut(QKeySequence("Ctrl+Return"), self, self._apply_if_any)
        self.view.sig_confirm.connect(self._apply_if_any)
        self.view.sig_decisions_changed.connect(self._update_apply)
        self._update_apply()
        self.view.setFocus(Qt.FocusReason.OtherFocusReason)

    def _update_apply(self) -> None:
        self.apply_button.setEnabled(bool(self.view.accepted))

    def _apply_if_any(self) -> None:
        if self.view.accepted:
            self.accept()

    def merged_text(self) -> str:
        """The file as it will be written: the old text with the accepted changes."""
        return self.view.merged_text()
