"""Open the window: ``codeface`` with no subcommand ends up here.

Order matters for a fast, never-frozen start. Before the first paint only Qt, the
settings file and the theme file are read, and only the modules that build the window
are imported: the window is shown and painted at once, before asyncio, qasync, the log
file, the chat pane and the engine exist. Then the event loop starts, the chat pane is
built, the engine is built off the GUI thread, the backend state is loaded and the cloud
SDKs are imported ahead of use, off the GUI thread too. Async clean-up runs in the
window's close event, before the loop stops.
"""

from __future__ import annotations

import gc
import importlib
import inspect
import logging
import os
import sys
import time
from types import ModuleType
from typing import TYPE_CHECKING, Any

from codeface.core.paths import resource_path

if TYPE_CHECKING:
    import argparse

log = logging.getLogger("codeface.ui.launch")

GUI_SWITCH_INTERVAL = 0.001
"""Seconds a thread may hold the GIL while another waits (Python's default is 0.005)."""


def _uses_pyside(module: ModuleType) -> bool:
    """Whether a module refers to PySide6 (one of its globals comes from it)."""
    for value in list(vars(module).values()):
        try:
            if isinstance(value, ModuleType):
                origin = value.__name__
            elif isinstance(value, type):
                origin = value.__module__
            else:
                origin = type(value).__module__
        except Exception:  # an odd object in some module's globals: not PySide
            continue
        if isinstance(origin, str) and origin.startswith(("PySide6", "shiboken6")):
            return True
    return False


def lighten_pyside_imports() -> None:
    """Stop PySide6 from keeping the source of every module imported after it.

    To support ``from __feature__ import ...`` (which CodeFace never uses), PySide6 checks
    each newly imported module for the word "PySide6" with `inspect.getsource`, which
    reads the file and keeps all its lines in `linecache` for the life of the process:
    about 7 M characters, 16 MB of the idle window. The same question is answered here
    from the module's globals, without reading anything.
    """
    feature = sys.modules.get("PySide6.support.feature")
    if feature is not None and callable(getattr(feature, "_mod_uses_pyside", None)):
        setattr(feature, "_mod_uses_pyside", _uses_pyside)  # noqa: B010  (private name)


def create_application() -> Any:
    """The QApplication with CodeFace's names (reused if one exists)."""
    from PySide6.QtWidgets import QApplication

    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        app = existing
    else:
        # Fusion (so palettes work on every OS) chosen by argument: asking for the style
        # from Python would build QStyle's enums before the first paint.
        from codeface.ui.palette import FUSION_SET

        app = QApplication([*sys.argv[:1], "-style", "Fusion"])
        app.setProperty(FUSION_SET, True)
    app.setApplicationName("CodeFace")
    app.setApplicationDisplayName("CodeFace")
    app.setOrganizationName("CodeFace")
    app.setDesktopFileName("codeface")
    return app


def set_window_icon(app: Any) -> None:
    """The app's icon from its PNG sizes (after the first paint). PNG needs no image plugin;
    the SVG would load Qt's SVG module and plugin, about 1 MB and a few ms, for one icon."""
    from PySide6.QtCore import QSize
    from PySide6.QtGui import QIcon

    icon = QIcon()
    for size in (16, 22, 24, 32, 48, 64, 128, 256):
        path = resource_path("icons", "hicolor", f"{size}x{size}", "apps", "codeface.png")
        if path.is_file():
            icon.addFile(str(path), QSize(size, size))  # read only when shown at that size
    if not icon.isNull():
        app.setWindowIcon(icon)


async def prewarm_sdks() -> None:
    """Import the cloud SDKs ahead of first use, off the GUI thread."""
    import asyncio

    try:
        registry = importlib.import_module("codeface.providers.registry")
    except ImportError:
        return
    prewarm = getattr(registry, "prewarm_sdks", None)
    if prewarm is None:
        return
    if inspect.iscoroutinefunction(prewarm):
        await prewarm()  # it moves the imports to a thread itself
    else:
        await asyncio.to_thread(prewarm)


def build_backend() -> Any:
    """The real engine (`codeface.app.build_backend`)."""
    from codeface.app import build_backend as build

    return build()


class _PaintWatch:
    """Notices the first paint of one window (an event filter)."""

    def __init__(self, window: Any) -> None:
        from PySide6.QtCore import QEvent, QObject

        self.painted = False
        self.callbacks: list[Any] = []
        paint = QEvent.Type.Paint
        watch = self

        class Filter(QObject):
            def eventFilter(self, watched: Any, event: Any) -> bool:
                if event.type() == paint and not watch.painted:
                    watch.painted = True
                    for callback in watch.callbacks:
                        callback()
                return False

        self.window = window
        self.filter = Filter()
        window.installEventFilter(self.filter)

    def remove(self) -> None:
        """Stop watching."""
        self.window.removeEventFilter(self.filter)


def paint_now(app: Any, window: Any, limit: float = 0.5) -> bool:
    """Process Qt events (no asyncio loop yet) until ``window`` has painted once, or
    ``limit`` seconds passed; True if it painted. The window system may expose the window
    a little after `show()`, so this waits for events rather than spinning."""
    from PySide6.QtCore import QEventLoop, QTimer

    watch = _PaintWatch(window)
    wake = QTimer()  # bounds each wait: an event arrives at least this often
    wake.setInterval(20)
    wake.start()
    deadline = time.monotonic() + limit
    try:
        app.processEvents()
        while not watch.painted and window.isVisible() and time.monotonic() < deadline:
            app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)
    finally:
        wake.stop()
        watch.remove()
    return watch.painted


async def first_paint(window: Any, limit: float = 1.0) -> None:
    """Wait until the window has painted once (or ``limit`` seconds, whichever is first)."""
    import asyncio

    painted = asyncio.get_running_loop().create_future()
    watch = _PaintWatch(window)

    def on_paint() -> None:
        if not painted.done():
            painted.set_result(None)

    watch.callbacks.append(on_paint)
    try:
        await asyncio.wait_for(painted, limit)
    except TimeoutError:
        log.debug("no paint event within %.1f s; going on", limit)
    finally:
        watch.remove()


AFTER_FIRST_PAINT = (
    "codeface.ui.chat",
    "codeface.ui.conversation",
    "codeface.ui.window_actions",
    "codeface.ui.widgets.docks",
    "codeface.ui.theme",
)
"""Modules the window needs right after its first paint (imported in a worker thread)."""


def _import_all(names: tuple[str, ...]) -> None:
    for name in names:
        importlib.import_module(name)


def wants_prewarm(window: Any) -> bool:
    """Import the cloud SDKs only when a cloud provider has a key (they cost ~70 MB)."""
    return any(p.tier == "cloud" and p.has_key for p in window.providers)


async def main(window: Any, bridge: Any, *, painted: bool = False) -> None:
    """Attach the engine after the first paint, load state, then run until the window closes."""
    import asyncio

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from codeface.core.errors import CodefaceError
    from codeface.ui.errors_dialog import report_unexpected

    closed = asyncio.Event()
    app = QApplication.instance()
    if app is not None:
        app.aboutToQuit.connect(closed.set)
    window.destroyed.connect(closed.set)
    if not painted:
        await first_paint(window)
    # The chat pane's modules (Markdown, highlighting, the transcript) take ~60 ms to
    # import: a worker thread does it while the window goes on answering input.
    await asyncio.to_thread(_import_all, AFTER_FIRST_PAINT)
    appearance = getattr(window, "appearance", None)
    if appearance is not None:
        appearance.load()  # a no-op unless the remembered look was shown
        window.theme_manager = appearance.theme_manager
    for step in window.startup_steps():
        step()
        await asyncio.sleep(0)  # let Qt paint and take input between the steps
    if appearance is not None:
        appearance.recheck()
    try:
        if not bridge.attached:
            # Importing the engine and reading keys is slow: keep it off the GUI thread.
            bridge.attach(await asyncio.to_thread(build_backend))
        await window.start()
        if os.environ.get("CODEFACE_SMOKE_TEST") == "1":
            # Packaging smoke test: prove the window opens, then close it like a user would.
            QTimer.singleShot(0, window.close)
        # Everything built so far lives as long as the app: keep it out of the cyclic
        # collector's full passes, which otherwise stall the GUI for tens of ms.
        gc.freeze()
        if wants_prewarm(window):
            bridge.spawn(prewarm_sdks())
        window.sig_cloud_key_added.connect(lambda: bridge.spawn(prewarm_sdks()))
    except CodefaceError as error:
        window.chat.show_notice("error", error.one_line(), [("Open settings", "open_settings")])
    except Exception as error:
        report_unexpected(error)
    await closed.wait()


def _show_window(verbose: bool, project: str | None = None) -> tuple[Any, Any, Any, bool]:
    """Everything before the event loop: the application, the window shown and (where the
    window system allows) painted. Returns (app, window, bridge, painted)."""
    from codeface.core.logs import hold_records
    from codeface.ui.appearance import Appearance
    from codeface.ui.bridge import Bridge
    from codeface.ui.main_window import MainWindow
    from codeface.ui.window_state import load_window_state

    hold_records()  # the log file is opened after the first paint
    app = create_application()
    saved = load_window_state()
    appearance = Appearance(app, saved.os_scheme)
    if not appearance.show_remembered(saved.look):
        appearance.load()  # a first start: settings and theme files before the first paint
    bridge = Bridge()
    window = MainWindow(
        bridge,
        chat_factory=appearance.chat_pane,
        theme_manager=appearance.theme_manager,
        defer_chat=True,
        project=project,
    )
    window.appearance = appearance
    window.show()
    return app, window, bridge, paint_now(app, window)


def run_window(
    args: argparse.Namespace | None = None, *, verbose: bool = False, project: str | None = None
) -> int:
    """Create the application and window, show it, and run the event loop; exit code."""
    import PySide6.QtCore  # noqa: F401  (loads PySide6's import hooks, adjusted next)

    lighten_pyside_imports()
    verbose = verbose or bool(getattr(args, "verbose", False))
    # Start-up allocates many objects that all live on; collecting them only costs time.
    collecting = gc.isenabled()
    gc.disable()
    try:
        app, window, bridge, painted = _show_window(verbose, project)
    finally:
        if collecting:
            gc.enable()
    set_window_icon(app)
    from codeface.core.deferred_tls import defer_tls

    defer_tls()  # OpenSSL loads when TLS is first used, not with asyncio
    import asyncio

    from codeface.core.logs import setup_logging
    from codeface.ui.errors_dialog import ExceptionHandler
    from codeface.ui.event_loop import QtEventLoop

    setup_logging(verbose=verbose)
    # Worker threads (SDK loading, the store's writer, highlighting) hold the GIL for up to the
    # switch interval each time the GUI thread gives it up, which PySide does around every
    # Qt call: at the default 5 ms a busy worker stretched a GUI event-loop turn to 70-100 ms.
    sys.setswitchinterval(GUI_SWITCH_INTERVAL)
    handler = ExceptionHandler()
    handler.install()
    try:
        asyncio.run(main(window, bridge, painted=painted), loop_factory=QtEventLoop)
    except (KeyboardInterrupt, asyncio.CancelledError):
        return 130
    except RuntimeError as error:
        # qasync stops the loop when the app quits; asyncio.run reports that as an error.
        if "Event loop stopped before Future completed" not in str(error):
            raise
    finally:
        handler.uninstall()
    return 0
