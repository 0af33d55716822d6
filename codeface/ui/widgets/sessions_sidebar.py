"""The sessions sidebar: search box, session list grouped by project, context menu, new
session.

Pinned sessions come first (under PINNED, whatever their project), then one group per
project: the open project's first, the others by their latest session, sessions without a
project last under NO PROJECT. Headings appear only when there is more than one group.
It only renders and emits: the window turns its signals into bridge calls and gives back
sessions (`set_sessions`), the open project (`set_open_project`) and search results
(`set_search_results`). Typing in the search box emits `sig_search` after a short pause;
an empty box shows the sessions again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from codeface.ui.widgets.palette_style import PaletteStyleSheet

# The sidebar is part of the window's first paint: what only menus, dialogs and search
# results need is imported when they are used. That includes PySide6's ``Qt`` namespace:
# its first use builds ~95 Python enums (15-25 ms), so the first paint does without it and
# `complete()` sets what needs it right after.
if TYPE_CHECKING:
    from PySide6.QtCore import QPoint
    from PySide6.QtWidgets import QMenu

    from codeface.application.contract import ProjectView, SearchHit, SessionView

SEARCH_DEBOUNCE_MS = 200
SIDEBAR_STYLE = """
#sessionsSidebar { background: palette(alternate-base); }
#sessionsSidebar QListWidget { border: none; background: transparent; outline: none; }
#sessionsSidebar QListWidget::item { padding: 7px 8px; border-radius: 6px; margin: 1px 0; }
#sessionsSidebar QListWidget::item:hover { background: palette(midlight); }
#sessionsSidebar QListWidget::item:selected { background: palette(highlight);
    color: palette(highlighted-text); }
#sessionsSidebar QListWidget::item:disabled { color: palette(placeholder-text);
    padding: 10px 8px 2px 8px; }
#sessionsSidebar QLineEdit { padding: 5px 8px; border-radius: 6px;
    border: 1px solid palette(mid); background: palette(base); }
#sessionsSidebar QPushButton { padding: 5px 10px; border-radius: 6px; }
"""
ROLE_SESSION = 0x0100  # Qt.ItemDataRole.UserRole
ROLE_MESSAGE = ROLE_SESSION + 1
NO_PROJECT = "NO PROJECT"


def project_title(key: str, open_project: ProjectView | None = None) -> str:
    """A project group's heading: the open project's name, else the folder's name."""
    if open_project is not None and key == open_project.key:
        return open_project.name.upper()
    name = key.rstrip("/\\").replace("\\", "/").rsplit("/", 1)[-1]
    return (name or key).upper()


def group_sessions(
    sessions: list[SessionView], open_project: ProjectView | None = None
) -> list[tuple[str, list[SessionView]]]:
    """(heading, sessions) in display order: PINNED, the open project, other projects by
    their newest session, NO PROJECT; newest first within each group."""
    ordered = sorted(sessions, key=lambda s: s.updated_at, reverse=True)
    groups: dict[str | None, list[SessionView]] = {}
    for session in ordered:
        if not session.pinned:
            groups.setdefault(session.project, []).append(session)
    open_key = open_project.key if open_project is not None else None
    keys = [key for key in groups if key is not None]  # newest activity first already
    if open_key is not None and open_key in groups:
        keys.remove(open_key)
        keys.insert(0, open_key)
    result: list[tuple[str, list[SessionView]]] = []
    pinned = [s for s in ordered if s.pinned]
    if pinned:
        result.append(("PINNED", pinned))
    result += [(project_title(key, open_project), groups[key]) for key in keys if key]
    if None in groups:
        result.append((NO_PROJECT if keys else "RECENT", groups[None]))
    return result


def highlighted_snippet(hit: SearchHit) -> str:
    """The snippet as rich text with each match in bold on a marker colour."""
    import html

    parts: list[str] = []
    cursor = 0
    for start, end in sorted(hit.match_offsets):
        parts.append(html.escape(hit.snippet[cursor:start]))
        parts.append(
            f"<b style='background:#fff2a8;color:#1f2328'>{html.escape(hit.snippet[start:end])}</b>"
        )
        cursor = end
    parts.append(html.escape(hit.snippet[cursor:]))
    return "".join(parts).replace("\n", " ")


class SessionsSidebar(QFrame):
    """Lists sessions (pinned first) or search hits; emits what the user asked for."""

    sig_open_session = Signal(str)
    """(session_id): the user picked a session."""
    sig_open_hit = Signal(str, str, str)
    """(session_id, message_id or "", query): the user picked a search result."""
    sig_new_session = Signal()
    """The user asked for a new session."""
    sig_search = Signal(str)
    """(query): search the store (debounced; not emitted for an empty query)."""
    sig_rename = Signal(str, str)
    """(session_id, new title)."""
    sig_pin = Signal(str, bool)
    """(session_id, pinned)."""
    sig_archive = Signal(str, bool)
    """(session_id, archived)."""
    sig_delete = Signal(str)
    """(session_id): move to trash (the user already confirmed)."""

    def __init__(self, parent: QWidget | None = None, *, defer: bool = False) -> None:
        """With ``defer``, call `complete()` after the first paint."""
        super().__init__(parent)
        self.setObjectName("sessionsSidebar")
        self._style = PaletteStyleSheet(self, SIDEBAR_STYLE)
        self.setMinimumWidth(180)
        self._sessions: dict[str, SessionView] = {}
        self._current: str | None = None
        self._open_project: ProjectView | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 8, 10)
        layout.setSpacing(6)
        top = QHBoxLayout()
        self.search_box = QLineEdit()
        self.search_box.setPlaceholderText("Search all chats…")
        self.search_box.setClearButtonEnabled(True)
        self.search_box.setAccessibleName("Search sessions")
        self.new_button = QPushButton("+ New")
        self.new_button.setToolTip("New session (Ctrl+N)")
        self.new_button.setAccessibleName("New session")
        self.new_button.clicked.connect(self.sig_new_session)
        top.addWidget(self.search_box, 1)
        top.addWidget(self.new_button)
        layout.addLayout(top)
        self.stack = QStackedWidget()  # the lists arrive with `complete()`
        layout.addWidget(self.stack, 1)
        self.empty_label = QLabel("No results")
        self.empty_label.hide()
        layout.addWidget(self.empty_label)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DEBOUNCE_MS)
        self._debounce.timeout.connect(self._emit_search)
        self._completed = False
        if not defer:
            self.complete()

    def complete(self) -> None:
        """Build the (still empty) lists and wire the search box: what the first paint does
        without, because their types and PySide6's ``Qt`` namespace build ~110 enums."""
        from PySide6.QtCore import Qt

        if self._completed:
            return
        self._completed = True
        self.session_list = QListWidget()
        self.session_list.setAccessibleName("Sessions")
        # Long titles end in "…" rather than growing a horizontal scroll bar.
        self.session_list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.session_list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.session_list.customContextMenuRequested.connect(self._on_context_menu)
        self.session_list.itemActivated.connect(self._on_session_item)
        self.session_list.itemClicked.connect(self._on_session_item)
        self.hit_list = QListWidget()
        self.hit_list.setAccessibleName("Search results")
        self.hit_list.setWordWrap(True)
        self.hit_list.itemActivated.connect(self._on_hit_item)
        self.hit_list.itemClicked.connect(self._on_hit_item)
        for view in (self.session_list, self.hit_list):
            view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            self.stack.addWidget(view)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.search_box.textChanged.connect(self._on_search_text)
        self.search_box.returnPressed.connect(self._emit_search)

    # ------------------------------------------------------------------ data in
    def set_sessions(self, sessions: list[SessionView]) -> None:
        """Show these sessions grouped (see the module), newest first within each group."""
        from PySide6.QtCore import Qt

        self._sessions = {s.id: s for s in sessions}
        self.session_list.clear()
        groups = group_sessions(sessions, self._open_project)
        for heading, group in groups:
            if len(groups) > 1:
                self._add_heading(heading)
            for session in group:
                item = QListWidgetItem(session.title or "Untitled")
                item.setData(ROLE_SESSION, session.id)
                where = f"\nProject: {session.project}" if session.project else ""
                item.setToolTip(f"{session.title}\nUpdated {session.updated_at}{where}")
                item.setData(
                    Qt.ItemDataRole.AccessibleTextRole,
                    f"{session.title} (pinned)" if session.pinned else session.title,
                )
                self.session_list.addItem(item)
        self.set_current(self._current)

    def update_session(self, session: SessionView) -> None:
        """Show one session's new title in place (the list is not rebuilt); a session not
        listed yet is added by the next `set_sessions`."""
        from dataclasses import replace

        from PySide6.QtCore import Qt

        known = self._sessions.get(session.id)
        if known is not None and known.title == session.title:
            return
        self._sessions[session.id] = (
            session if known is None else replace(known, title=session.title)
        )
        if not self._completed:
            return
        for row in range(self.session_list.count()):
            item = self.session_list.item(row)
            if item.data(ROLE_SESSION) != session.id:
                continue
            item.setText(session.title or "Untitled")
            where = f"\nProject: {session.project}" if session.project else ""
            item.setToolTip(f"{session.title}\nUpdated {session.updated_at}{where}")
            item.setData(
                Qt.ItemDataRole.AccessibleTextRole,
                f"{session.title} (pinned)" if session.pinned else session.title,
            )
            return

    def set_open_project(self, project: ProjectView | None) -> None:
        """The window's project: its sessions come first."""
        self._open_project = project
        if self._completed:
            self.set_sessions(list(self._sessions.values()))

    def _add_heading(self, text: str) -> None:
        from PySide6.QtCore import Qt

        item = QListWidgetItem(text)
        item.setFlags(Qt.ItemFlag.NoItemFlags)
        font = item.font()
        font.setPointSizeF(max(7.0, font.pointSizeF() * 0.8))
        font.setBold(True)
        item.setFont(font)
        self.session_list.addItem(item)

    def set_current(self, session_id: str | None) -> None:
        """Mark the open session."""
        self._current = session_id
        for row in range(self.session_list.count()):
            item = self.session_list.item(row)
            if item.data(ROLE_SESSION) == session_id:
                self.session_list.setCurrentItem(item)
                return

    def set_search_results(self, query: str, hits: list[SearchHit]) -> None:
        """Show search hits for ``query`` (ignored if the box changed meanwhile)."""
        import html

        from PySide6.QtCore import Qt

        if query != self.search_box.text().strip():
            return
        self.hit_list.clear()
        for hit in hits:
            item = QListWidgetItem()
            item.setData(ROLE_SESSION, hit.session_id)
            item.setData(ROLE_MESSAGE, hit.message_id or "")
            label = QLabel(f"<b>{html.escape(hit.session_title)}</b><br>{highlighted_snippet(hit)}")
            label.setWordWrap(True)
            label.setTextFormat(Qt.TextFormat.RichText)
            label.setContentsMargins(4, 3, 4, 3)
            label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
            item.setText("")
            item.setSizeHint(label.sizeHint())
            item.setData(Qt.ItemDataRole.AccessibleTextRole, f"{hit.session_title}: {hit.snippet}")
            self.hit_list.addItem(item)
            self.hit_list.setItemWidget(item, label)
        self.stack.setCurrentWidget(self.hit_list)
        self.empty_label.setVisible(not hits)

    @property
    def session_ids(self) -> list[str]:
        """The ids in display order (for tests and keyboard navigation)."""
        items = (self.session_list.item(r) for r in range(self.session_list.count()))
        return [item.data(ROLE_SESSION) for item in items if item.data(ROLE_SESSION)]

    def focus_search(self) -> None:
        """Put the cursor in the search box."""
        from PySide6.QtCore import Qt

        self.search_box.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_box.selectAll()

    # ------------------------------------------------------------------ events
    def _on_search_text(self, text: str) -> None:
        if text.strip():
            self._debounce.start()
        else:
            self._debounce.stop()
            self.stack.setCurrentWidget(self.session_list)
            self.empty_label.hide()

    def _emit_search(self) -> None:
        query = self.search_box.text().strip()
        if query:
            self.sig_search.emit(query)

    def _on_session_item(self, item: QListWidgetItem) -> None:
        session_id = item.data(ROLE_SESSION)
        if session_id and session_id != self._current:
            self.sig_open_session.emit(session_id)

    def _on_hit_item(self, item: QListWidgetItem) -> None:
        self.sig_open_hit.emit(
            item.data(ROLE_SESSION), item.data(ROLE_MESSAGE) or "", self.search_box.text().strip()
        )

    def _on_context_menu(self, point: QPoint) -> None:
        item = self.session_list.itemAt(point)
        if item is None:
            return
        menu = self.build_menu(item.data(ROLE_SESSION))
        menu.exec(self.session_list.viewport().mapToGlobal(point))

    def build_menu(self, session_id: str) -> QMenu:
        """The context menu of one session (rename, pin, archive, delete)."""
        from PySide6.QtGui import QAction
        from PySide6.QtWidgets import QMenu

        session = self._sessions[session_id]
        menu = QMenu(self)
        rename = QAction("Rename…", menu)
        rename.triggered.connect(lambda: self.ask_rename(session_id))
        pin = QAction("Unpin" if session.pinned else "Pin", menu)
        pin.triggered.connect(lambda: self.sig_pin.emit(session_id, not session.pinned))
        archive = QAction("Unarchive" if session.archived else "Archive", menu)
        archive.triggered.connect(lambda: self.sig_archive.emit(session_id, not session.archived))
        delete = QAction("Move to trash…", menu)
        delete.triggered.connect(lambda: self.ask_delete(session_id))
        for action in (rename, pin, archive):
            menu.addAction(action)
        menu.addSeparator()
        menu.addAction(delete)
        return menu

    def ask_rename(self, session_id: str) -> None:
        """Ask for a new title and emit `sig_rename`."""
        session = self._sessions.get(session_id)
        if session is None:
            return
        from PySide6.QtWidgets import QInputDialog

        title, ok = QInputDialog.getText(self, "Rename session", "Title:", text=session.title)
        if ok and title.strip() and title.strip() != session.title:
            self.sig_rename.emit(session_id, title.strip())

    def ask_delete(self, session_id: str) -> None:
        """Confirm, then emit `sig_delete` (sessions stay in the trash for 30 days)."""
        session = self._sessions.get(session_id)
        if session is None:
            return
        from PySide6.QtWidgets import QMessageBox

        answer = QMessageBox.question(
            self,
            "Move to trash",
            f"Move “{session.title}” to the trash? You can restore it for 30 days.",
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.sig_delete.emit(session_id)
