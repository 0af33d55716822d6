"""The open files of the Code dock, one tab each ("●" marks unsaved edits).

Opening a file that is already open brings its tab forward (at the line asked for).
Closing a tab with unsaved edits asks first (`confirm_discard`, replaceable by tests).
Ctrl+W closes the current tab; Ctrl+Tab / Ctrl+Shift+Tab move between tabs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import QMessageBox, QStackedWidget, QTabWidget, QVBoxLayout, QWidget

from codeface.ui.code.code_view import CodeView
from codeface.ui.widgets.empty_state import EmptyState
from codeface.ui.widgets.tab_close import neutral_close_buttons

if TYPE_CHECKING:
    from codeface.ui.bridge import Bridge
    from codeface.ui.theme import Theme


def ask_discard(parent: QWidget, names: list[str]) -> bool:
    """Ask whether unsaved edits of ``names`` may be dropped."""
    listed = ", ".join(names)
    answer = QMessageBox.question(
        parent,
        "Unsaved edits",
        f"{listed} {'has' if len(names) == 1 else 'have'} unsaved edits. Close and drop them?",
        QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Cancel,
    )
    return answer == QMessageBox.StandardButton.Discard


class CodeTabs(QWidget):
    """Tabs of `CodeView`s, or a hint when none is open."""

    sig_current_changed = Signal(object)
    """CodeView | None: the file in front."""

    confirm_discard: Callable[[QWidget, list[str]], bool] = staticmethod(ask_discard)
    """Asks before unsaved edits are dropped (a seam for tests)."""

    def __init__(
        self, bridge: Bridge, theme: Theme, font: QFont, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.theme = theme
        self.font_for_code = font
        self.tabs = QTabWidget()
        self.tabs.setObjectName("codeTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.setTabsClosable(True)
        neutral_close_buttons(self.tabs)
        self.tabs.setMovable(True)
        self.tabs.setElideMode(Qt.TextElideMode.ElideMiddle)
        self.tabs.tabCloseRequested.connect(lambda index: self.close_view(self.view_at(index)))
        self.tabs.currentChanged.connect(
            lambda _index: self.sig_current_changed.emit(self.current())
        )
        self.hint = EmptyState(
            "No file open",
            "Pick a file in the tree, or press Ctrl+P to open one by name.",
        )
        self.stack = QStackedWidget()
        self.stack.addWidget(self.hint)
        self.stack.addWidget(self.tabs)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)
        for keys, slot in (
            ("Ctrl+W", lambda: self.close_view(self.current())),
            ("Ctrl+Tab", lambda: self._step(1)),
            ("Ctrl+Shift+Tab", lambda: self._step(-1)),
        ):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)

    # ------------------------------------------------------------------ views
    @property
    def views(self) -> list[CodeView]:
        """The open views, in tab order."""
        return [view for index in range(self.tabs.count()) if (view := self.view_at(index))]

    def view_at(self, index: int) -> CodeView | None:
        """The view of tab ``index``."""
        widget = self.tabs.widget(index)
        return widget if isinstance(widget, CodeView) else None

    def current(self) -> CodeView | None:
        """The view in front."""
        return self.view_at(self.tabs.currentIndex())

    def view_of(self, project: str, path: str) -> CodeView | None:
        """The open view of a file, if any."""
        return next((v for v in self.views if v.project == project and v.path == path), None)

    def open_file(self, project: str, path: str, line: int | None = None) -> CodeView:
        """Show ``path`` (reading it if it is not open yet), at ``line`` when given."""
        view = self.view_of(project, path)
        if view is None:
            view = CodeView(self.bridge, project, path, self.theme, self.font_for_code)
            index = self.tabs.addTab(view, path.rsplit("/", 1)[-1])
            self.tabs.setTabToolTip(index, path)
            view.sig_modified_changed.connect(lambda _modified, v=view: self._retitle(v))
            self.bridge.spawn(view.load(line))
        elif line:
            view.go_to_line(line)
        self.stack.setCurrentWidget(self.tabs)
        self.tabs.setCurrentWidget(view)
        view.setFocus(Qt.FocusReason.OtherFocusReason)
        return view

    def _retitle(self, view: CodeView) -> None:
        index = self.tabs.indexOf(view)
        if index >= 0:
            name = view.path.rsplit("/", 1)[-1]
            self.tabs.setTabText(index, f"● {name}" if view.modified else name)

    def close_view(self, view: CodeView | None, *, ask: bool = True) -> bool:
        """Close a tab (asking first if it has unsaved edits); False if the user kept it."""
        if view is None:
            return False
        if ask and view.modified and not self.confirm_discard(self, [view.path]):
            return False
        view.shutdown()
        self.tabs.removeTab(self.tabs.indexOf(view))
        view.deleteLater()
        if not self.tabs.count():
            self.stack.setCurrentWidget(self.hint)
        return True

    def close_project(self, project: str) -> None:
        """Close the views of ``project`` that have no unsaved edits."""
        for view in self.views:
            if view.project == project and not view.modified:
                self.close_view(view, ask=False)

    def unsaved(self) -> list[CodeView]:
        """Views with edits not saved yet."""
        return [view for view in self.views if view.modified]

    def files_changed(self, project: str, paths: tuple[str, ...]) -> None:
        """Files changed on disk (all of them when ``paths`` is empty): views follow."""
        for view in self.views:
            if view.project == project and (not paths or view.path in paths):
                view.on_disk_changed()

    def _step(self, step: int) -> None:
        count = self.tabs.count()
        if count:
            self.tabs.setCurrentIndex((self.tabs.currentIndex() + step) % count)

    def set_theme(self, theme: Theme) -> None:
        """Recolour every view."""
        self.theme = theme
        for view in self.views:
            view.set_theme(theme)

    def set_code_font(self, font: QFont) -> None:
        """The font of code views (open ones change too)."""
        self.font_for_code = font
        for view in self.views:
            view.editor.setFont(font)

    def shutdown(self) -> None:
        """Stop background work of every view."""
        for view in self.views:
            view.shutdown()
