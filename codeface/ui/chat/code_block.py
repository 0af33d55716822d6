"""A code block in a message: header bar (language, Copy, Save…, Apply…, Run) and the code.

The code is highlighted by pygments in the theme's style (`codeface.ui.highlight`), or
shown plain while it is still streaming and when it is too large to colour quickly.
"Save…" and "Apply…" only ask: the conversation writes through the backend (Apply shows
the diff with per-hunk accept/reject first). The block itself touches no file.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QTextCursor, QTextOption, QWheelEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from codeface.ui import highlight
from codeface.ui.chat.context import ChatContext

log = logging.getLogger(__name__)
_warmer: ThreadPoolExecutor | None = None
_warmed: set[tuple[str, str]] = set()
# Warmed ahead, at idle: the most common language of a coding answer, and with it the
# formatter and style every language shares. Each other lexer is built when a fence naming
# it opens (about 1 MB for some, so not all of them ahead "just in case").
AHEAD_LANGUAGES = ("python",)


def warm_highlighter(language: str, style_name: str) -> None:
    """Build (and cache) the lexer and formatter for ``language`` on a worker thread.

    A fence names its language when it opens; the block is highlighted when it closes.
    Building a pygments lexer the first time compiles its rules (tens of ms): done here
    meanwhile, the highlight at the close no longer stalls a frame for it.
    """
    global _warmer
    language = highlight.normalise_language(language)
    if not language or (language, style_name) in _warmed:
        return
    _warmed.add((language, style_name))
    if _warmer is None:
        _warmer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="codeface-highlight")
    _warmer.submit(highlight.highlight_html, "x", language, style_name)


def warm_common_highlighters(style_name: str) -> None:
    """Warm the formatter, style and `AHEAD_LANGUAGES` (call when idle)."""
    for language in AHEAD_LANGUAGES:
        warm_highlighter(language, style_name)


_FENCE_LANGUAGE = re.compile(r"^[ \t]{0,3}(?:```|~~~)[ \t]*([^\s`{]+)", re.MULTILINE)


def fence_languages(texts: Iterable[str]) -> set[str]:
    """The languages named by the code fences in ``texts`` ("python", "rust"…)."""
    found: set[str] = set()
    for text in texts:
        if "```" in text or "~~~" in text:
            found.update(highlight.normalise_language(m) for m in _FENCE_LANGUAGE.findall(text))
    found.discard("")
    return found


async def prepare_highlighters(texts: list[str], style_name: str) -> None:
    """Build, in a worker thread, the lexers the code fences of ``texts`` need (await it
    before showing them): building one compiles its rules, tens of ms the first time,
    which the GUI thread would otherwise spend on the first paint of a reopened session."""

    def build() -> None:
        for language in sorted(fence_languages(texts)):
            if (language, style_name) not in _warmed:
                _warmed.add((language, style_name))
                highlight.highlight_html("x", language, style_name)

    await asyncio.to_thread(build)


def suggested_file_name(language: str) -> str:
    """A file name for saving a block: "snippet.py" for python, "snippet.txt" otherwise."""
    lexer = highlight._lexer_by_name(highlight.normalise_language(language)) if language else None
    for pattern in getattr(lexer, "filenames", []) or []:
        if pattern.startswith("*.") and "[" not in pattern and "*" not in pattern[2:]:
            return f"snippet{pattern[1:]}"
    return "snippet.txt"


class CodeView(QTextBrowser):
    """Read-only code, unwrapped, as tall as its text (scrolls only sideways)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setOpenLinks(False)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setLineWrapMode(QTextBrowser.LineWrapMode.NoWrap)
        self.setWordWrapMode(QTextOption.WrapMode.NoWrap)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.document().setDocumentMargin(10)
        policy = QSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self.setAccessibleName("Code")
        self.document().contentsChanged.connect(self.updateGeometry)

    def wheelEvent(self, event: QWheelEvent) -> None:
        # The block is as tall as its code: vertical wheel turns scroll the conversation.
        delta = event.angleDelta()
        if abs(delta.y()) >= abs(delta.x()):
            event.ignore()
            return
        super().wheelEvent(event)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        document = self.document()
        height = int(document.size().height()) + 2 * self.frameWidth()
        if document.idealWidth() > width - 2 * self.frameWidth():
            height += self.horizontalScrollBar().sizeHint().height()
        return height

    def sizeHint(self) -> QSize:
        return QSize(400, self.heightForWidth(self.width() or 400))

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()


class CodeBlockWidget(QFrame):
    """One fenced block with its header bar."""

    def __init__(
        self,
        code: str,
        language: str,
        context: ChatContext,
        parent: QWidget | None = None,
        *,
        final: bool = True,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("codeBlock")
        self.context = context
        self.code = code
        self.language = language
        self.highlighted = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)

        header = QFrame(self)
        header.setObjectName("codeHeader")
        header_layout = QHBoxLayout(header)
        header_layout.setContentsMargins(10, 2, 4, 2)
        header_layout.setSpacing(2)
        self.language_label = QLabel(header)
        self.language_label.setObjectName("codeLanguage")
        header_layout.addWidget(self.language_label)
        header_layout.addStretch(1)
        self.copy_button = self._button(header, "Copy", "Copy code", self.on_copy)
        self.save_button = self._button(header, "Save…", "Save code as file", self.on_save)
        self.apply_button = self._button(
            header, "Apply…", "Apply code to a file (shows a diff first)", self.on_apply
        )
        self.run_button = self._button(
            header, "Run in terminal", "Send to the terminal", self.on_run
        )
        for button in (self.copy_button, self.save_button, self.apply_button, self.run_button):
            header_layout.addWidget(button)
        layout.addWidget(header)

        self.view = CodeView(self)
        self.view.setFont(context.code_font())
        layout.addWidget(self.view)
        self.set_code(code, language, final=final)

    def _button(self, parent: QWidget, text: str, name: str, slot: object) -> QToolButton:
        button = QToolButton(parent)
        button.setText(text)
        button.setObjectName("codeAction")
        button.setAccessibleName(name)
        button.setToolTip(name)
        button.setCursor(Qt.CursorShape.PointingHandCursor)
        button.setAutoRaise(True)
        button.clicked.connect(slot)
        return button

    def set_code(self, code: str, language: str, *, final: bool) -> None:
        """Show ``code``; highlighted when ``final`` (and small enough), plain otherwise."""
        self.code = code
        self.language = language
        label = highlight.language_label(code, language) if final else (language or "text")
        self.language_label.setText(label)
        self.run_button.setVisible(highlight.is_shell(language))
        self.apply_button.setVisible(not highlight.is_shell(language))
        if final and highlight.is_highlighted(code):
            spans = highlight.highlight_html(code, language, self.context.theme.pygments_style)
            self.view.setHtml(f'<pre style="margin:0">{spans}</pre>')
            self.highlighted = True
        else:
            self.view.setPlainText(code)
            self.highlighted = False
        self.updateGeometry()

    def append_code(self, more: str) -> None:
        """Add streamed text at the end, without touching what is already shown."""
        if not more:
            return
        self.code += more
        cursor = QTextCursor(self.view.document())
        cursor.movePosition(QTextCursor.MoveOperation.End)
        cursor.insertText(more)
        self.updateGeometry()

    # actions ---------------------------------------------------------------------
    def on_copy(self) -> None:
        """Copy the code to the clipboard and say so on the button briefly."""
        self.context.services.copy_text(self.code)
        self.copy_button.setText("Copied")
        from PySide6.QtCore import QTimer

        # Bound to this widget: the timer is dropped if the card is evicted meanwhile.
        QTimer.singleShot(1200, self, self._reset_copy_label)

    def _reset_copy_label(self) -> None:
        self.copy_button.setText("Copy")

    def on_save(self) -> None:
        """Save the code to a file of the project (the conversation asks where)."""
        self.context.hub.sig_save_code.emit(self.code, self.language)

    def on_apply(self) -> None:
        """Apply the code to a file of the project, after its diff is reviewed."""
        self.context.hub.sig_apply_code.emit(self.code, self.language)

    def on_run(self) -> None:
        """Hand the code to the terminal (the window decides how to run it)."""
        self.context.hub.sig_send_to_terminal.emit(self.code)
