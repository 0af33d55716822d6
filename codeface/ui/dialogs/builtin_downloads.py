"""Downloads of built-in engine models, owned by the window: they go on when the dialog
that started them closes, and the welcome screen and the model manager both show them.

Each download is a bridge task consuming ``backend.download_builtin_model(name)``;
cancelling is cancelling that task (the partial file is kept, so starting the same model
again resumes). Progress reaches widgets at most every `PROGRESS_INTERVAL` seconds, plus
every change of status.
"""

from __future__ import annotations

import asyncio
import time
from contextlib import aclosing
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from codeface.application.contract import CatalogModelView, DownloadProgress
from codeface.core.errors import Cancelled, CodefaceError
from codeface.ui.dialogs.model_picker import human_size

if TYPE_CHECKING:
    from codeface.ui.bridge import Bridge

PROGRESS_INTERVAL = 0.1
STATUS_TEXT = {
    "checking": "Asking Hugging Face for the file…",
    "verifying": "Checking the download (SHA-256)…",
    "done": "Downloaded and checked.",
}


def format_duration(seconds: float) -> str:
    """'1 h 5 min', '3 min 20 s' or '12 s'."""
    whole = max(0, int(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min {secs} s" if minutes else f"{secs} s"


def format_download(progress: DownloadProgress) -> str:
    """'1.20 GB of 4.68 GB · 35.2 MB/s · 1 min 40 s left' ('246.5 MB of 986.0 MB · …' below
    a gigabyte; parts left out while unknown)."""
    if progress.status != "downloading" or not progress.total:
        return STATUS_TEXT.get(progress.status, progress.status)
    if progress.total >= 1e9:
        parts = [f"{progress.completed / 1e9:.2f} GB of {progress.total / 1e9:.2f} GB"]
    else:
        parts = [f"{progress.completed / 1e6:.1f} MB of {progress.total / 1e6:.1f} MB"]
    if progress.bytes_per_second:
        parts.append(f"{progress.bytes_per_second / 1e6:.1f} MB/s")
    if progress.seconds_left is not None:
        parts.append(f"{format_duration(progress.seconds_left)} left")
    return " · ".join(parts)


def pick_for_machine(catalog: tuple[CatalogModelView, ...]) -> CatalogModelView | None:
    """The catalog entry to offer first: the recommended one, else the largest that fits,
    else the smallest."""
    if not catalog:
        return None
    recommended = [entry for entry in catalog if entry.recommended]
    if recommended:
        return recommended[0]
    fitting = [entry for entry in catalog if entry.fits]
    if fitting:
        return max(fitting, key=lambda entry: entry.size_bytes)
    return min(catalog, key=lambda entry: entry.size_bytes)


def stopped_text(name: str, last: DownloadProgress | None) -> str:
    """What a stopped download kept, and that starting again resumes."""
    if last is not None and last.total and last.completed:
        kept = f"{human_size(last.completed)} of {human_size(last.total)}"
        return f"Stopped {name} at {kept}. Resume continues from there."
    return f"Stopped downloading {name}."


class BuiltinDownloads(QObject):
    """Runs and reports built-in model downloads (one per model at a time)."""

    sig_started = Signal(str)
    """(name): a download began (or resumed)."""
    sig_progress = Signal(str, object)
    """(name, DownloadProgress): bytes so far, speed and time left."""
    sig_finished = Signal(str, object)
    """(name, CodefaceError | None): the download ended; None means the model is ready,
    `Cancelled` that the user stopped it (it resumes when started again)."""

    def __init__(self, bridge: Bridge, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._last: dict[str, DownloadProgress] = {}
        self._outcome: dict[str, CodefaceError | None] = {}

    def running(self, name: str) -> bool:
        """Whether ``name`` is downloading now."""
        task = self._tasks.get(name)
        return task is not None and not task.done()

    def last(self, name: str) -> DownloadProgress | None:
        """The latest report of ``name`` (for a view opened mid-download)."""
        return self._last.get(name)

    def outcome(self, name: str) -> CodefaceError | None:
        """How the last finished download of ``name`` ended (None: ready, or never run)."""
        return self._outcome.get(name)

    def start(self, name: str) -> bool:
        """Start (or resume) downloading ``name``; False when it is already running."""
        if self.running(name):
            return False
        self._outcome.pop(name, None)
        self._tasks[name] = self.bridge.spawn(self._run(name))
        self.sig_started.emit(name)
        return True

    def cancel(self, name: str) -> None:
        """Stop downloading ``name`` (what arrived is kept for a resume)."""
        task = self._tasks.get(name)
        if task is not None and not task.done():
            task.cancel()

    async def _run(self, name: str) -> None:
        from codeface.ui.errors_dialog import report_unexpected

        outcome: CodefaceError | None = None
        shown: DownloadProgress | None = None
        shown_at = 0.0
        later: asyncio.TimerHandle | None = None

        def show() -> None:
            nonlocal shown, shown_at, later
            later = None
            report = self._last.get(name)
            if report is not None and report is not shown and self.running(name):
                shown, shown_at = report, time.monotonic()
                self.sig_progress.emit(name, report)

        try:
            reports = self.bridge.backend.download_builtin_model(name)
            async with aclosing(reports):  # type: ignore[type-var]  # an async generator
                async for report in reports:
                    self._last[name] = report
                    wait = shown_at + PROGRESS_INTERVAL - time.monotonic()
                    if shown is None or report.status != shown.status or wait <= 0:
                        show()
                    elif later is None:  # the latest report is shown when the interval ends
                        later = asyncio.get_running_loop().call_later(wait, show)
        except asyncio.CancelledError:
            outcome = Cancelled(stopped_text(name, self._last.get(name)))
        except CodefaceError as error:
            outcome = error
        except Exception as error:
            outcome = CodefaceError(f"Downloading {name} failed unexpectedly")
            report_unexpected(error)
        finally:
            if later is not None:
                later.cancel()
            self._tasks.pop(name, None)
            self._outcome[name] = outcome
            if outcome is None:
                self._last.pop(name, None)
            self.sig_finished.emit(name, outcome)
