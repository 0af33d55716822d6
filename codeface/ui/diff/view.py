"""`DiffView`: one diff view for the whole window, unified or side by side.

Read-only it shows an agent's proposed edit in an approval card (``compact``); with
``interactive`` the user accepts or rejects each hunk before code is applied, and
`merged_text` is what gets written. Keys (while the text has focus): N, J or Alt+Down
next change; P, K or Alt+Up previous change; A accept it, R reject it, Space toggle it;
S switch between unified and side by side. Added and removed lines are tinted and keep the syntax
colours of their language.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Literal

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontDatabase, QKeyEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from codeface.ui.diff.diff_text import DiffColors, DiffText
from codeface.ui.diff.hunks import Hunk, diff_hunks, merge, parse_unified
from codeface.ui.diff.layout import Row, SideTexts, hunk_starts, split_rows, unified_rows
from codeface.ui.diff.syntax import Span, line_spans
from codeface.ui.theme import Theme, ThemeManager

Mode = Literal["unified", "split"]
COMPACT_ROWS = 14
"""Rows a compact view shows before it scrolls."""


class _Rendering:
    """Rows of one mode and the syntax spans of each side's lines."""

    def __init__(self, texts: SideTexts, path: str) -> None:
        self.spans = {"old": line_spans(texts.old, path), "new": line_spans(texts.new, path)}

    def spans_for(self, row: Row) -> Sequence[Span]:
        if row.side is None or row.source < 0:
            return ()
        lines = self.spans[row.side]
        return lines[row.source] if row.source < len(lines) else ()


class DiffView(QWidget):
    """Hunks of one file (or a unified diff) with navigation and per-hunk decisions."""

    sig_decisions_changed = Signal()
    """A hunk was accepted or rejected (read `accepted`)."""
    sig_current_changed = Signal(int)
    """The current hunk changed; argument: its index."""
    sig_confirm = Signal()
    """Ctrl+Enter in the view: the user is done deciding (a dialog applies)."""

    def __init__(
        self,
        theme: Theme | None = None,
        *,
        interactive: bool = False,
        compact: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("diffView")
        self.interactive = interactive
        self.compact = compact
        self.theme = theme or ThemeManager().resolve("system")
        self.colors = DiffColors.from_theme(self.theme)
        self.path = ""
        self.hunks: list[Hunk] = []
        self.accepted: set[int] = set()
        self.current = -1
        self.mode: Mode = "unified"
        self._old: str | None = None
        self._new: str | None = None
        self._unified_starts: list[int] = []
        self._split_starts: list[int] = []
        self._split_built = False

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.toolbar = QFrame(self)
        self.toolbar.setObjectName("diffToolbar")
        bar = QHBoxLayout(self.toolbar)
        bar.setContentsMargins(6, 2, 6, 2)
        bar.setSpacing(4)
        self.position_label = QLabel(self.toolbar)
        self.position_label.setObjectName("diffPosition")
        bar.addWidget(self.position_label)
        bar.addStretch(1)
        self.previous_button = self._button("◀", "Previous change (P, Alt+Up)", self.previous_hunk)
        self.next_button = self._button("▶", "Next change (N, Alt+Down)", self.next_hunk)
        self.mode_button = self._button("Side by side", "Side by side or unified (S)", None)
        self.mode_button.setCheckable(True)
        self.mode_button.toggled.connect(lambda on: self.set_mode("split" if on else "unified"))
        for button in (self.previous_button, self.next_button, self.mode_button):
            bar.addWidget(button)
        self.accept_button = self._button("Accept", "Accept this change (A)", self.accept_current)
        self.reject_button = self._button("Reject", "Reject this change (R)", self.reject_current)
        self.accept_all_button = self._button("Accept all", "Accept every change", self.accept_all)
        self.reject_all_button = self._button("Reject all", "Reject every change", self.reject_all)
        for button in (
            self.accept_button,
            self.reject_button,
            self.accept_all_button,
            self.reject_all_button,
        ):
            button.setVisible(interactive)
            bar.addWidget(button)
        layout.addWidget(self.toolbar)

        self.stack = QStackedWidget(self)
        self.unified = self._text("both")
        self.stack.addWidget(self.unified)
        self.split = QWidget(self.stack)
        split_layout = QHBoxLayout(self.split)
        split_layout.setContentsMargins(0, 0, 0, 0)
        split_layout.setSpacing(1)
        self.left = self._text("old")
        self.right = self._text("new")
        split_layout.addWidget(self.left)
        split_layout.addWidget(self.right)
        self.left.verticalScrollBar().valueChanged.connect(self.right.verticalScrollBar().setValue)
        self.right.verticalScrollBar().valueChanged.connect(self.left.verticalScrollBar().setValue)
        self.stack.addWidget(self.split)
        layout.addWidget(self.stack, 1)
        self.setFocusProxy(self.unified)
        self._update_controls()

    # building ----------------------------------------------------------------------
    def _button(self, text: str, name: str, slot: object) -> QToolButton:
        button = QToolButton(self.toolbar)
        button.setObjectName("diffAction")
        button.setText(text)
        button.setAccessibleName(name)
        button.setToolTip(name)
        button.setAutoRaise(True)
        button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        if slot is not None:
            button.clicked.connect(lambda _checked=False: slot())  # type: ignore[operator]
        return button

    def _text(self, numbers: Literal["both", "old", "new"]) -> DiffText:
        text = DiffText(self.colors, numbers, self.stack)
        text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        text.show_decisions = self.interactive
        text.cursorPositionChanged.connect(lambda text=text: self._on_cursor(text))
        text.key_handler = self._on_key
        return text

    def _on_key(self, event: QKeyEvent) -> bool:
        """Keys while the text has focus (a read-only view types nothing)."""
        modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if modifiers == Qt.KeyboardModifier.AltModifier and event.key() in (
            Qt.Key.Key_Up,
            Qt.Key.Key_Down,
        ):
            (self.next_hunk if event.key() == Qt.Key.Key_Down else self.previous_hunk)()
            return True
        if modifiers == Qt.KeyboardModifier.ControlModifier and event.key() in (
            Qt.Key.Key_Return,
            Qt.Key.Key_Enter,
        ):
            self.sig_confirm.emit()
            return True
        if modifiers:
            return False
        keys: dict[int, Callable[[], None]] = {
            Qt.Key.Key_N: self.next_hunk,
            Qt.Key.Key_J: self.next_hunk,
            Qt.Key.Key_P: self.previous_hunk,
            Qt.Key.Key_K: self.previous_hunk,
            Qt.Key.Key_S: self.mode_button.toggle,
        }
        if self.interactive:
            keys.update(
                {
                    Qt.Key.Key_A: self.accept_current,
                    Qt.Key.Key_R: self.reject_current,
                    Qt.Key.Key_Space: self.toggle_current,
                }
            )
        action = keys.get(event.key())
        if action is None:
            return False
        action()
        return True

    # content -----------------------------------------------------------------------
    def set_texts(
        self, old: str, new: str, path: str = "", hunks: list[Hunk] | None = None
    ) -> None:
        """Show the change from ``old`` to ``new`` (``hunks`` if already computed);
        every hunk starts accepted."""
        self._old, self._new = old, new
        self._show(hunks if hunks is not None else diff_hunks(old, new), path)

    def set_unified(self, diff: str, path: str = "") -> None:
        """Show a unified diff (read-only: the full texts are not known)."""
        self._old = self._new = None
        files = parse_unified(diff)
        hunks = [hunk for found in files for hunk in found.hunks]
        self._show(hunks, path or (files[0].path if files else ""))

    def _show(self, hunks: list[Hunk], path: str) -> None:
        self.path = path
        self.hunks = list(hunks)
        self.accepted = set(range(len(self.hunks)))
        texts = SideTexts([], [])
        rows = unified_rows(self.hunks, texts)
        rendering = _Rendering(texts, path)
        self.unified.spans_for = rendering.spans_for
        self.unified.set_rows(rows)
        self.unified.setAccessibleName(f"Diff of {path}" if path else "Diff")
        self._unified_starts = hunk_starts(rows)
        self._split_built = False
        self.current = 0 if self.hunks else -1
        if self.mode == "split":
            self._build_split()
        self._sync_texts()
        if self.compact:
            self._fit_height(len(rows))
        self._update_controls()
        self.sig_decisions_changed.emit()

    def _build_split(self) -> None:
        texts = SideTexts([], [])
        left, right = split_rows(self.hunks, texts)
        rendering = _Rendering(texts, self.path)
        for view, rows in ((self.left, left), (self.right, right)):
            view.spans_for = rendering.spans_for
            view.set_rows(rows)
        self.left.setAccessibleName(f"Old {self.path}".strip())
        self.right.setAccessibleName(f"New {self.path}".strip())
        self._split_starts = hunk_starts(left)
        self._split_built = True

    def _fit_height(self, rows: int) -> None:
        line = self.unified.fontMetrics().lineSpacing()
        shown = max(1, min(rows, COMPACT_ROWS))
        scroll = self.unified.horizontalScrollBar().sizeHint().height()
        self.stack.setFixedHeight(shown * line + 2 * self.unified.frameWidth() + scroll + 8)

    def _texts(self) -> list[DiffText]:
        return [self.unified] if self.mode == "unified" else [self.left, self.right]

    def _sync_texts(self, changed: set[int] | None = None) -> None:
        rejected = set(range(len(self.hunks))) - self.accepted
        for view in (self.unified, self.left, self.right):
            view.current_hunk = self.current
            view.rejected = rejected
            view.refresh_decisions(changed)

    # mode and navigation -----------------------------------------------------------
    def set_mode(self, mode: Mode) -> None:
        """Unified or side by side (``split``)."""
        if mode == "split" and not self._split_built:
            self._build_split()
        self.mode = mode
        self.stack.setCurrentWidget(self.unified if mode == "unified" else self.split)
        if self.mode_button.isChecked() != (mode == "split"):
            self.mode_button.setChecked(mode == "split")
        self.setFocusProxy(self.unified if mode == "unified" else self.right)
        self._sync_texts()
        if self.current >= 0:
            self.go_to_hunk(self.current)

    def go_to_hunk(self, index: int) -> None:
        """Make hunk ``index`` current and scroll it into view."""
        if not self.hunks:
            return
        index = max(0, min(len(self.hunks) - 1, index))
        previous, self.current = self.current, index
        if self.mode == "unified":
            self.unified.scroll_to_row(self._unified_starts[index])
        else:
            for view in (self.left, self.right):
                view.scroll_to_row(self._split_starts[index])
        self._sync_texts({previous, index} - {-1})
        self._update_controls()
        if previous != index:
            self.sig_current_changed.emit(index)

    def next_hunk(self) -> None:
        """Go to the next change."""
        if self.hunks:
            self.go_to_hunk(min(len(self.hunks) - 1, self.current + 1))

    def previous_hunk(self) -> None:
        """Go to the previous change."""
        if self.hunks:
            self.go_to_hunk(max(0, self.current - 1))

    def _on_cursor(self, view: DiffText) -> None:
        if not view.hasFocus():
            return
        row = view.row_at_cursor()
        if row is not None and row.hunk != self.current:
            previous, self.current = self.current, row.hunk
            self._sync_texts({previous, row.hunk} - {-1})
            self._update_controls()
            self.sig_current_changed.emit(row.hunk)

    # decisions ---------------------------------------------------------------------
    def set_accepted(self, index: int, accepted: bool) -> None:
        """Accept or reject hunk ``index``."""
        if not self.interactive or not 0 <= index < len(self.hunks):
            return
        if accepted:
            self.accepted.add(index)
        else:
            self.accepted.discard(index)
        self._sync_texts({index})
        self._update_controls()
        self.sig_decisions_changed.emit()

    def accept_current(self) -> None:
        """Accept the current change and move to the next one."""
        self.set_accepted(self.current, True)
        self.next_hunk()

    def reject_current(self) -> None:
        """Reject the current change and move to the next one."""
        self.set_accepted(self.current, False)
        self.next_hunk()

    def toggle_current(self) -> None:
        """Flip the current change between accepted and rejected."""
        self.set_accepted(self.current, self.current not in self.accepted)

    def accept_all(self) -> None:
        """Accept every change."""
        self._decide_all(True)

    def reject_all(self) -> None:
        """Reject every change."""
        self._decide_all(False)

    def _decide_all(self, accepted: bool) -> None:
        if not self.interactive:
            return
        self.accepted = set(range(len(self.hunks))) if accepted else set()
        self._sync_texts(set(range(len(self.hunks))))
        self._update_controls()
        self.sig_decisions_changed.emit()

    def merged_text(self) -> str:
        """The old text with the accepted hunks applied (needs `set_texts`)."""
        if self._old is None or self._new is None:
            raise ValueError("a diff shown from unified text cannot be merged")
        return merge(self._old, self._new, self.hunks, self.accepted)

    # appearance --------------------------------------------------------------------
    def set_theme(self, theme: Theme) -> None:
        """Recolour for ``theme``."""
        self.theme = theme
        self.colors = DiffColors.from_theme(theme)
        for view in (self.unified, self.left, self.right):
            view.apply_colors(self.colors)

    def _update_controls(self) -> None:
        count = len(self.hunks)
        if not count:
            self.position_label.setText("No changes")
        else:
            added = sum(hunk.added for hunk in self.hunks)
            removed = sum(hunk.removed for hunk in self.hunks)
            text = f"Change {self.current + 1} of {count} · +{added} −{removed}"
            if self.interactive:
                text += f" · {len(self.accepted)} accepted"
            self.position_label.setText(text)
        self.previous_button.setEnabled(self.current > 0)
        self.next_button.setEnabled(0 <= self.current < count - 1)
        for button in (self.accept_button, self.reject_button):
            button.setEnabled(self.current >= 0)
        self.position_label.setAccessibleName(self.position_label.text())
