"""The central handler for unexpected exceptions.

Every exception nobody expected (a bug) ends here: through `sys.excepthook` (qasync sends
exceptions escaping an `@asyncSlot` there) or through `report_unexpected()`. It is logged
with its full traceback, and shown once per session in a dialog with a copyable report,
secrets redacted. Expected failures (`CodefaceError`) never come here: they are shown inline.
"""

from __future__ import annotations

import logging
import platform
import sys
import traceback
from collections.abc import Callable
from types import TracebackType

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from codeface import __version__
from codeface.core.logs import redact
from codeface.core.paths import app_paths

log = logging.getLogger("codeface.ui.errors")

ExceptHook = Callable[[type[BaseException], BaseException, TracebackType | None], object]


def format_report(
    exc_type: type[BaseException], value: BaseException, tb: TracebackType | None
) -> str:
    """A bug report: version, platform and the traceback, with secrets redacted."""
    lines = traceback.format_exception(exc_type, value, tb)
    header = (
        f"CodeFace {__version__} on {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}\n\n"
    )
    return redact(header + "".join(lines))


class ErrorDialog(QDialog):
    """Shows an unexpected error with its report, a Copy button and the log file path."""

    def __init__(self, report: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("CodeFace hit an unexpected error")
        self.setObjectName("errorDialog")
        layout = QVBoxLayout(self)
        intro = QLabel(
            "Something went wrong that CodeFace did not expect. Your conversations are safe.\n"
            "Please copy this report into a bug report. It is also in the log file:\n"
            f"{app_paths().log_file}"
        )
        intro.setWordWrap(True)
        intro.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(intro)
        self.report_view = QPlainTextEdit(report)
        self.report_view.setReadOnly(True)
        self.report_view.setAccessibleName("Error report")
        mono = QFont("monospace")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        self.report_view.setFont(mono)
        self.report_view.setMinimumSize(560, 260)
        layout.addWidget(self.report_view)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = buttons.addButton("Copy report", QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.clicked.connect(self.copy_report)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        layout.addWidget(buttons)

    def copy_report(self) -> None:
        """Put the report on the clipboard."""
        QGuiApplication.clipboard().setText(self.report_view.toPlainText())


class ExceptionHandler:
    """Logs every unexpected exception and shows the first one of the session in a dialog."""

    def __init__(self, *, show_dialog: bool = True) -> None:
        self.show_dialog = show_dialog
        self.shown = False
        self.reports: list[str] = []
        self.dialog: ErrorDialog | None = None
        self._previous: ExceptHook | None = None

    def install(self) -> None:
        """Become `sys.excepthook` (the previous hook is restored by `uninstall`)."""
        self._previous = sys.excepthook
        sys.excepthook = self.handle

    def uninstall(self) -> None:
        """Restore the previous `sys.excepthook`."""
        if self._previous is not None:
            sys.excepthook = self._previous
            self._previous = None

    def handle(
        self, exc_type: type[BaseException], value: BaseException, tb: TracebackType | None
    ) -> None:
        """Log the exception; show the dialog once (later ones are only logged)."""
        if issubclass(exc_type, KeyboardInterrupt):
            QApplication.quit()
            return
        report = format_report(exc_type, value, tb)
        self.reports.append(report)
        log.error("Unexpected error:\n%s", report)
        if self.show_dialog and not self.shown and QApplication.instance() is not None:
            self.shown = True
            # Shown from the event loop, never from inside the code that failed.
            QTimer.singleShot(0, lambda: self._show(report))

    def _show(self, report: str) -> None:
        parent = QApplication.activeWindow()
        self.dialog = ErrorDialog(report, parent)
        self.dialog.setModal(False)
        self.dialog.show()


def report_unexpected(error: BaseException) -> None:
    """Send an exception that was caught (to keep the UI alive) to the central handler."""
    sys.excepthook(type(error), error, error.__traceback__)
