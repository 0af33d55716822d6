"""Diffs for the Agents dock: the "Show diff" window of a turn, and a highlighter for the
diff an edit call carries in its output window.

The window shows each changed file in the window's shared diff view (`ui.diff.DiffView`,
read-only, unified or side by side) on a tab of its own, plus the raw diff as coloured
text (to copy); a diff the shared view cannot read is shown as text only.
"""

from __future__ import annotations

from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QSyntaxHighlighter,
    QTextCharFormat,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)


def looks_like_diff(text: str) -> bool:
    """Whether ``text`` is a unified diff (it has a hunk header)."""
    return "\n@@ " in text or text.startswith(("@@ ", "--- ", "diff --git"))


class DiffHighlighter(QSyntaxHighlighter):
    """Colours a unified diff line by line."""

    def __init__(self, document: QTextDocument) -> None:
        super().__init__(document)
        self._added = _format(QColor(40, 160, 70))
        self._removed = _format(QColor(210, 60, 60))
        self._hunk = _format(QColor(70, 130, 220))
        self._file = _format(QColor(140, 140, 140), bold=True)

    def highlightBlock(self, text: str) -> None:
        """Colour one line by its first characters."""
        if text.startswith(("+++", "---", "diff ", "index ")):
            chosen = self._file
        elif text.startswith("@@"):
            chosen = self._hunk
        elif text.startswith("+"):
            chosen = self._added
        elif text.startswith("-"):
            chosen = self._removed
        else:
            return
        self.setFormat(0, len(text), chosen)


def _format(color: QColor, *, bold: bool = False) -> QTextCharFormat:
    result = QTextCharFormat()
    result.setForeground(color)
    if bold:
        result.setFontWeight(QFont.Weight.Bold)
    return result


class DiffDialog(QDialog):
    """A read-only diff in its own window, one tab per file (Esc closes it)."""

    def __init__(self, title: str, diff: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title[:120])
        self.setObjectName("turnDiffDialog")
        self.resize(900, 620)
        layout = QVBoxLayout(self)
        heading = QLabel(title)
        heading.setWordWrap(True)
        layout.addWidget(heading)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.file_views: list[QWidget] = []
        for path, file_diff in file_diffs(diff):
            view = _shared_view(file_diff, path)
            self.file_views.append(view)
            self.tabs.addTab(view, path or "diff")
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setAccessibleName("Diff")
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.highlighter = DiffHighlighter(self.text.document())
        self.text.setPlainText(diff or "No difference: the files are as the checkpoint kept them.")
        self.tabs.addTab(self.text, "Raw diff" if self.file_views else "Diff")
        layout.addWidget(self.tabs, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout.addWidget(buttons)


def file_diffs(diff: str) -> list[tuple[str, str]]:
    """(path, that file's unified diff) for each file of ``diff`` (none without the
    shared diff view: then the raw text is all the window shows)."""
    try:
        from codeface.ui.diff.hunks import format_unified, parse_unified
    except ImportError:
        return []
    return [
        (found.path, format_unified(found.hunks, found.old_path, found.new_path))
        for found in parse_unified(diff)
        if found.hunks
    ]


def _shared_view(diff: str, path: str) -> QWidget:
    from codeface.ui.diff.view import DiffView

    view = DiffView()
    view.set_unified(diff, path)
    return view
