"""Start-up order: the real window paints before the slow parts load, and they still load."""

from __future__ import annotations

import json
from pathlib import Path

from tests.ui.window_driver import run_window_driver

DRIVER = """
import enum, json, logging, sys
enums_made = []
make_enum = enum.EnumType.__new__
def recording_enum(metacls, name, *args, **kwargs):
    enums_made.append(name)
    return make_enum(metacls, name, *args, **kwargs)
enum.EnumType.__new__ = recording_enum
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication
from codeface.ui import launch
from codeface.ui.main_window import MainWindow

seen = {}
def build_backend():  # the fake engine, imported only when the window asks for it
    from tests.ui.fake_backend import FakeBackend

    backend = FakeBackend()
    backend.add_session("Hello there", [("user", "hi"), ("assistant", "hello")])
    return backend
launch.build_backend = build_backend
SLOW = ("asyncio", "qasync", "codeface.application.contract", "codeface.ui.chat", "codeface.ui.conversation",
        "markdown_it", "pygments", "logging.handlers", "codeface.app")

from codeface.ui import appearance
apply_font = appearance._apply_font
def logging_apply_font(*args):
    logging.getLogger("codeface.test").warning("logged before the first paint")
    apply_font(*args)
appearance._apply_font = logging_apply_font

class AtFirstPaint(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint and "slow_at_paint" not in seen:
            window = watched
            seen["slow_at_paint"] = [name for name in SLOW if name in sys.modules]
            # PySide6's Qt namespace builds ~95 enums (AlignmentFlag among them) when first used
            seen["qt_namespace_at_paint"] = "AlignmentFlag" in enums_made
            seen["theme_files_read_at_paint"] = "codeface.ui.theme" in sys.modules
            seen["settings_read_at_paint"] = "codeface.core.settings" in sys.modules
            seen["window_color_at_paint"] = QApplication.instance().palette().window().color().name()
            seen["sidebar_visible"] = window.sidebar.isVisible()
            seen["center_visible"] = window.center.isVisible()
        return False

probe = AtFirstPaint()
original_show = MainWindow.show
def show(window):
    window.installEventFilter(probe)
    original_show(window)
MainWindow.show = show

def poll():
    windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]
    # (`ready` is only looked at once the chat pane exists: it is an asyncio.Event.)
    if windows and windows[0].chat is not None and windows[0].ready.is_set():
        import linecache
        window = windows[0]
        seen["title"] = window.windowTitle()
        seen["chat"] = type(window.chat).__name__
        seen["sources_kept"] = [f for f in linecache.cache if "codeface/ui/chat" in f]
        seen["style"] = QApplication.instance().style().name()
        seen["switch_interval"] = sys.getswitchinterval()
        seen["docks"] = sorted(window.docks.docks)
        seen["window_color"] = QApplication.instance().palette().window().color().name()
        seen["theme"] = window.theme_manager.current.id
        icon = QApplication.instance().windowIcon()
        seen["icon_sizes"] = sorted(size.width() for size in icon.availableSizes())
        with open("/proc/self/maps") as maps:
            mapped = maps.read()
        seen["svg_module_loaded"] = "libQt6Svg" in mapped
        seen["openssl_loaded"] = "ssl" in sys.modules or "libcrypto" in mapped
        window.close()
    else:
        QTimer.singleShot(10, poll)

QTimer.singleShot(0, poll)
seen["code"] = launch.run_window(None)
print(json.dumps(seen))
"""


def test_the_window_paints_before_the_engine_and_chat_load_then_they_do(
    codeface_home: Path,
) -> None:
    # Not the first start ever: the OS colour scheme seen last time is remembered.
    state = codeface_home / "config" / "window-state.json"
    state.parent.mkdir(parents=True, exist_ok=True)
    state.write_text(json.dumps({"os_scheme": "dark"}))
    seen = _start_the_window()
    assert seen["code"] == 0
    # The first paint is the real window: sidebar and centre, and nothing slow loaded yet.
    assert seen["sidebar_visible"] is True
    assert seen["center_visible"] is True
    assert seen["slow_at_paint"] == []
    assert seen["qt_namespace_at_paint"] is False
    # Right after it, the chat pane and the engine arrive and the last session reopens.
    assert seen["chat"] == "ChatPane"
    assert seen["title"] == "Hello there — CodeFace"
    assert seen["docks"] == ["agents", "code", "terminal"]
    assert seen["style"].casefold() == "fusion"
    # Worker threads give the GIL back to the GUI thread within 1 ms, not Python's 5 ms.
    assert seen["switch_interval"] == 0.001
    # The OS was asked for its scheme after the first paint, and the answer remembered.
    saved = json.loads(state.read_text())
    assert saved["os_scheme"] in ("light", "dark")
    # PySide6 no longer keeps the source of every module imported after it.
    assert seen["sources_kept"] == []
    # The app's icon at every size a desktop asks for, without loading Qt's SVG module.
    assert seen["icon_sizes"] == [16, 22, 24, 32, 48, 64, 128, 256]
    assert seen["svg_module_loaded"] is False
    # asyncio came without OpenSSL: nothing here has used TLS.
    assert seen["openssl_loaded"] is False
    # What was logged before the log file opened is in it.
    log_text = (codeface_home / "logs" / "codeface.log").read_text()
    assert "logged before the first paint" in log_text


def test_the_next_start_paints_in_the_remembered_colours_before_reading_themes(
    codeface_home: Path,
) -> None:
    settings = codeface_home / "config" / "settings.toml"
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text('[ui]\ntheme = "dark"\n')
    first = _start_the_window()
    assert first["theme"] == "dark"
    assert first["theme_files_read_at_paint"] is True  # nothing remembered yet
    second = _start_the_window()
    assert second["theme_files_read_at_paint"] is False
    assert second["settings_read_at_paint"] is False
    assert second["window_color_at_paint"] == first["window_color"]
    assert second["window_color"] == first["window_color"]
    assert second["theme"] == "dark"
    # The theme changed while the app was closed: the first paint shows the remembered
    # colours, and the theme from the files replaces them right after.
    settings.write_text('[ui]\ntheme = "light"\n')
    third = _start_the_window()
    assert third["window_color_at_paint"] == first["window_color"]
    assert third["theme"] == "light"
    assert third["window_color"] != first["window_color"]


def _start_the_window() -> dict[str, object]:
    return run_window_driver(DRIVER)
