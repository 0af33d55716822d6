"""Open the window: ``codeface`` with no subcommand ends up here.

Order matters for a fast, never-frozen start: the window is shown at once (only Qt and
the settings file are touched before), the engine is built after the first paint, then
the backend state is loaded and the cloud SDKs are imported ahead of use off the GUI
thread. Async clean-up runs in the window's close event, before the loop stops.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import importlib
import inspect
import logging
import os
import sys
from typing import Any

from codeface.core.paths import resource_path

log = logging.getLogger("codeface.ui.launch")


def create_application() -> Any:
    """The QApplication with CodeFace's names (reused if one exists)."""
    from PySide6.QtWidgets import QApplication

    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setApplicationName("CodeFace")
    app.setApplicationDisplayName("CodeFace")
    app.setOrganizationName("CodeFace")
    app.setDesktopFileName("codeface")
    icon = resource_path("icons", "codeface.svg")
    if icon.is_file():
        from PySide6.QtGui import QIcon

        app.setWindowIcon(QIcon(str(icon)))
    return app


def _theme_manager(app: Any, setting: str) -> Any | None:
    """Apply the configured theme before the first paint (None if themes are unavailable)."""
    try:
        from codeface.ui.theme import ThemeManager
    except ImportError:
        return None
    manager = ThemeManager()
    try:
        if setting in ("", "system"):
            manager.follow_system(app)
        else:
            manager.apply(app, manager.resolve(setting), animate=False)
    except Exception as error:  # a broken theme file must not stop the window opening
        log.warning("theme not applied: %s", error)
    return manager


def _apply_font(app: Any, family: str, size: int) -> None:
    font = app.font()
    if family:
        font.setFamily(family)
    if size:
        font.setPointSize(size)
    app.setFont(font)


async def prewarm_sdks() -> None:
    """Import the cloud SDKs ahead of first use, off the GUI thread."""
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


async def first_paint(window: Any, limit: float = 1.0) -> None:
    """Wait until the window has painted once (or ``limit`` seconds, whichever is first)."""
    from PySide6.QtCore import QEvent, QObject

    painted = asyncio.get_running_loop().create_future()

    class PaintWatch(QObject):
        def eventFilter(self, watched: Any, event: Any) -> bool:
            if event.type() == QEvent.Type.Paint and not painted.done():
                painted.set_result(None)
            return False

    watch = PaintWatch()
    window.installEventFilter(watch)
    try:
        await asyncio.wait_for(painted, limit)
    except TimeoutError:
        log.debug("no paint event within %.1f s; going on", limit)
    finally:
        window.removeEventFilter(watch)


def wants_prewarm(window: Any) -> bool:
    """Import the cloud SDKs only when a cloud provider has a key (they cost ~70 MB)."""
    return any(p.tier == "cloud" and p.has_key for p in window.providers)


async def main(window: Any, bridge: Any) -> None:
    """Attach the engine after the first paint, load state, then run until the window closes."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from codeface.core.errors import CodefaceError
    from codeface.ui.errors_dialog import report_unexpected

    closed = asyncio.Event()
    app = QApplication.instance()
    if app is not None:
        app.aboutToQuit.connect(closed.set)
    window.destroyed.connect(closed.set)
    await first_paint(window)
    window.install_chat()
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


def run_window(args: argparse.Namespace | None = None) -> int:
    """Create the application and window, show it, and run the event loop; exit code."""
    from codeface.core.errors import CodefaceError
    from codeface.core.paths import app_paths
    from codeface.core.settings import Settings, load_settings
    from codeface.ui.bridge import Bridge
    from codeface.ui.errors_dialog import ExceptionHandler
    from codeface.ui.event_loop import QtEventLoop
    from codeface.ui.main_window import MainWindow

    app = create_application()
    handler = ExceptionHandler()
    handler.install()
    try:
        settings = load_settings(app_paths().settings_file)
    except CodefaceError:
        settings = Settings()  # the engine reports the broken file as a start-up notice
    _apply_font(app, settings.ui.font_family, settings.ui.font_size)
    theme_manager = _theme_manager(app, settings.ui.theme)
    bridge = Bridge()
    theme = theme_manager.current if theme_manager is not None else None

    def chat_pane() -> Any:
        from codeface.ui.chat import ChatPane

        return ChatPane(
            theme=theme, point_size=settings.ui.font_size, enter_sends=settings.ui.enter_sends
        )

    window = MainWindow(
        bridge, chat_factory=chat_pane, theme_manager=theme_manager, defer_chat=True
    )
    window.show()
    try:
        asyncio.run(main(window, bridge), loop_factory=QtEventLoop)
    except (KeyboardInterrupt, asyncio.CancelledError):
        return 130
    except RuntimeError as error:
        # qasync stops the loop when the app quits; asyncio.run reports that as an error.
        if "Event loop stopped before Future completed" not in str(error):
            raise
    finally:
        handler.uninstall()
    return 0
