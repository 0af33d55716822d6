"""The window's actions: one table of id, label, default shortcuts and handler name.

Every action lives on the main window (so its shortcut works anywhere in it), is listed
in the command palette and in Settings › Shortcuts, and can be rebound there; custom
bindings are kept in the settings file under ``[shortcuts]``.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu, QWidget


@dataclass(frozen=True)
class ActionSpec:
    """One action of the window."""

    id: str
    label: str
    shortcuts: tuple[str, ...]
    handler: str
    tip: str = ""


ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("new_session", "New session", ("Ctrl+N",), "on_new_session"),
    ActionSpec("open_project", "Open project…", ("Ctrl+O",), "open_project_dialog"),
    ActionSpec("quick_open", "Open a file of the project…", ("Ctrl+P",), "quick_open"),
    ActionSpec("find_in_project", "Search in the project", ("Ctrl+Alt+F",), "find_in_project"),
    ActionSpec("palette", "Command palette…", ("Ctrl+K",), "open_palette"),
    ActionSpec("search", "Search all chats", ("Ctrl+Shift+F",), "focus_search"),
    ActionSpec("focus_composer", "Focus the message box", ("Ctrl+L",), "focus_composer"),
    ActionSpec("stop", "Stop the answer", ("Esc",), "stop_answer"),
    ActionSpec("regenerate", "Regenerate the last answer", ("Ctrl+R",), "regenerate_last"),
    ActionSpec("model_picker", "Choose model…", ("Ctrl+M",), "open_model_picker"),
    ActionSpec("model_manager", "Manage models…", ("Ctrl+Shift+M",), "open_model_manager"),
    ActionSpec("settings", "Settings…", ("Ctrl+,",), "open_settings"),
    ActionSpec("add_key", "Add a cloud API key…", (), "open_keys"),
    ActionSpec("zoom_in", "Zoom in", ("Ctrl++", "Ctrl+="), "zoom_in"),
    ActionSpec("zoom_out", "Zoom out", ("Ctrl+-",), "zoom_out"),
    ActionSpec("zoom_reset", "Reset zoom", ("Ctrl+0",), "zoom_reset"),
    ActionSpec("toggle_sidebar", "Show or hide the sessions", ("Ctrl+B",), "toggle_sidebar"),
    ActionSpec("show_code", "Show the Code panel", ("Ctrl+Alt+1",), "show_code"),
    ActionSpec("show_agents", "Show the Agents panel", ("Ctrl+Alt+2",), "show_agents"),
    ActionSpec(
        "show_terminal", "Show the Terminal panel", ("Ctrl+`", "Ctrl+Alt+3"), "show_terminal"
    ),
    ActionSpec(
        "capture_terminal",
        "Capture terminal output into the message",
        ("Ctrl+Alt+C",),
        "capture_terminal",
    ),
    ActionSpec("rename", "Rename session…", ("F2",), "rename_current"),
    ActionSpec("pin", "Pin or unpin session", ("Ctrl+Shift+P",), "pin_current"),
    ActionSpec("archive", "Archive session", (), "archive_current"),
    ActionSpec("delete", "Move session to trash…", ("Ctrl+Shift+Del",), "delete_current"),
    ActionSpec(
        "restore", "Restore the session moved to trash", ("Ctrl+Shift+Z",), "restore_last_deleted"
    ),
    ActionSpec("export", "Export session as Markdown…", ("Ctrl+Shift+E",), "export_current"),
    ActionSpec("next_session", "Next session", ("Ctrl+PgDown",), "next_session"),
    ActionSpec("previous_session", "Previous session", ("Ctrl+PgUp",), "previous_session"),
    ActionSpec("toggle_theme", "Switch between light and dark", ("Ctrl+Shift+T",), "toggle_theme"),
    ActionSpec("welcome", "Show the welcome screen", (), "show_welcome"),
    ActionSpec("quit", "Quit", ("Ctrl+Q",), "close"),
)


def build_actions(window: QWidget, overrides: dict[str, str] | None = None) -> dict[str, QAction]:
    """Create the actions on ``window``, connected to its handler methods."""
    overrides = overrides or {}
    actions: dict[str, QAction] = {}
    for spec in ACTIONS:
        action = QAction(spec.label, window)
        action.setObjectName(f"action_{spec.id}")
        keys = (overrides[spec.id],) if spec.id in overrides else spec.shortcuts
        action.setShortcuts([QKeySequence(key) for key in keys if key])
        action.setToolTip(spec.tip or spec.label)
        action.triggered.connect(getattr(window, spec.handler))
        window.addAction(action)
        actions[spec.id] = action
    return actions


MENUS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "&File",
        (
            "open_project",
            "@recent",
            "quick_open",
            "find_in_project",
            "",
            "new_session",
            "export",
            "",
            "settings",
            "",
            "quit",
        ),
    ),
    (
        "&View",
        (
            "palette",
            "",
            "toggle_sidebar",
            "show_code",
            "show_agents",
            "show_terminal",
            "",
            "zoom_in",
            "zoom_out",
            "zoom_reset",
            "toggle_theme",
        ),
    ),
)
"""The menu bar: action ids in order ("" a separator, "@recent" File ▸ Open Recent)."""


def build_menus(window: QMainWindow, actions: dict[str, QAction]) -> QMenu:
    """Fill the window's menu bar from `MENUS` (menus it already has are reused, so the
    bar can be shown empty before the first paint); returns the Open Recent submenu."""
    bar = window.menuBar()
    existing = {menu.title(): menu for menu in bar.findChildren(QMenu) if menu.parent() is bar}
    recent = QMenu("Open &Recent", window)
    recent.setObjectName("menu_recent")
    recent.addAction("No recent projects").setEnabled(False)
    for title, items in MENUS:
        menu = existing.get(title) or bar.addMenu(title)
        menu.setObjectName(f"menu_{title.strip('&').lower()}")
        for item in items:
            if not item:
                menu.addSeparator()
            elif item == "@recent":
                menu.addMenu(recent)
            elif item in actions:
                menu.addAction(actions[item])
    return recent


def apply_shortcuts(actions: dict[str, QAction], overrides: dict[str, str]) -> None:
    """Rebind shortcuts (an id missing from ``overrides`` gets its default back)."""
    for spec in ACTIONS:
        keys = (overrides[spec.id],) if spec.id in overrides else spec.shortcuts
        actions[spec.id].setShortcuts([QKeySequence(key) for key in keys if key])
