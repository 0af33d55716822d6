"""The scrolling transcript: a virtual list that shows rows only near the viewport.

Every item (message or notice) has a height: estimated from its text length until a
row has shown it and measured it (the measured height is kept). Offsets are prefix sums
of the heights; the visible range is found by bisection, so 10,000 messages cost a list
of numbers, not 10,000 widgets. Only items near the viewport are bound to a row
(`codeface.ui.chat.rows`); a row that leaves that range goes back to the pool and
shows the next item of its kind that comes in, so a long session or a day of answers
holds no more rows than a screenful (plus the streaming answer and an open editor).
When a measured height replaces an estimate above the viewport, the scroll position is
corrected so the text the user is reading does not jump. While "following" (at the
bottom), growth keeps the view at the bottom; scrolling up stops following and shows
"Jump to latest".
"""

from __future__ import annotations

import bisect
import itertools
import time
from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import QAbstractScrollArea, QPushButton, QWidget

from codeface.application.contract import MessageView
from codeface.ui.chat.context import ChatContext
from codeface.ui.chat.empty_hint import EmptyHint, paint_empty_hint
from codeface.ui.chat.icons import icon
from codeface.ui.chat.message_widget import MessageWidget
from codeface.ui.chat.placeholders import Item, height_estimator, paint_placeholders
from codeface.ui.chat.row_kinds import default_row_factory
from codeface.ui.chat.rows import Row, RowPool

OVERSCAN_PX = 600
KEEP_PX = OVERSCAN_PX
"""Rows this far beyond the overscan stay bound (hidden) rather than going back to the pool."""
FRAME_BUDGET_MS = 12.0
OPEN_BUDGET_MS = 80.0
FOLLOW_SLACK_PX = 4


class Transcript(QAbstractScrollArea):
    """The list of messages and notices, laid out lazily."""

    sig_follow_changed = Signal(bool)
    """Following the bottom started (True) or stopped because the user scrolled (False)."""

    def __init__(self, context: ChatContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("transcript")
        self.setAccessibleName("Conversation")
        self.context = context
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFrameShape(QAbstractScrollArea.Shape.NoFrame)
        self.viewport().setObjectName("transcriptViewport")
        self.items: list[Item] = []
        self._index: dict[str, int] = {}
        self._heights: list[int] = []
        self._offsets: list[int] = [0]
        self.rows = RowPool(default_row_factory(), context, self.viewport())
        """Rows for items; register new kinds on ``rows.factory``."""
        self._widgets: dict[str, Row] = {}
        self._pinned: set[str] = set()
        self._width = 0
        self._adjusting = False
        self._laying_out = False
        self._deferred: list[int] = []
        self.follow = True
        self.empty_hint: EmptyHint | None = None
        """Painted while there is nothing to show (`set_empty_hint`)."""
        self.layout_passes = 0
        self._layout_timer = QTimer(self)
        self._layout_timer.setSingleShot(True)
        self._layout_timer.setInterval(0)
        self._layout_timer.timeout.connect(self.relayout)
        self.verticalScrollBar().valueChanged.connect(self._on_scrolled)
        self.verticalScrollBar().setSingleStep(40)
        self.jump_button = QPushButton("Jump to latest", self)
        self.jump_button.setObjectName("jumpButton")
        self.jump_button.setAccessibleName("Jump to latest message")
        self.jump_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.jump_button.clicked.connect(self.jump_to_latest)
        self.jump_button.hide()
        context.hub.sig_layout_changed.connect(self.on_item_changed)

    # items -----------------------------------------------------------------------
    def set_items(self, items: list[Item]) -> None:
        """Replace everything (a new session or branch); follows the bottom."""
        for row in self._widgets.values():
            self.rows.give_back(row)
        self._widgets.clear()
        self._pinned.clear()
        self.items = list(items)
        self._index = {item.id: position for position, item in enumerate(self.items)}
        estimate = self._estimator()
        self._heights = [estimate(item) for item in self.items]
        self._rebuild_offsets()
        self._set_follow(True)
        self.relayout(OPEN_BUDGET_MS)
        self.viewport().update()  # the empty hint comes or goes

    def append(self, item: Item) -> None:
        """Add an item at the end."""
        self._index[item.id] = len(self.items)
        self.items.append(item)
        self._heights.append(self._estimator()(item))
        self._offsets.append(self._offsets[-1] + self._heights[-1])
        self.schedule_layout()
        if len(self.items) == 1:
            self.viewport().update()  # the empty hint goes

    def replace(self, item: Item) -> bool:
        """Replace the item with the same id; False if there is none."""
        position = self._index.get(item.id)
        if position is None:
            return False
        self.items[position] = item
        widget = self._widgets.get(item.id)
        if widget is not None and widget.kind != self.rows.factory.kind_of(item).name:
            # Now another kind of row shows it (e.g. an answer that turned into tool calls).
            del self._widgets[item.id]
            self.rows.give_back(widget)
            widget = self._build(position)
        elif isinstance(widget, MessageWidget) and isinstance(item, MessageView):
            widget.set_message(item)
        elif widget is not None:
            widget.bind(item)
        else:
            self._heights[position] = self._estimator()(item)
            self._rebuild_offsets()
        self.schedule_layout()
        return True

    def store(self, item: Item) -> None:
        """Replace an item's data without touching its widget (the widget is up to date)."""
        position = self._index.get(item.id)
        if position is not None:
            self.items[position] = item

    def item(self, item_id: str) -> Item | None:
        """The item with this id, or None."""
        position = self._index.get(item_id)
        return None if position is None else self.items[position]

    def widget_for(self, item_id: str, create: bool = True) -> Row | None:
        """The row showing an item (bound now if ``create``), or None.

        A row bound to an item out of view goes back to the pool at the next layout."""
        widget = self._widgets.get(item_id)
        if widget is None and create and item_id in self._index:
            widget = self._build(self._index[item_id])
        return widget

    def pin(self, item_id: str, pinned: bool = True) -> None:
        """Keep an item's widget alive off screen (the streaming answer)."""
        if pinned:
            self._pinned.add(item_id)
        else:
            self._pinned.discard(item_id)

    def built_ids(self) -> list[str]:
        """Ids of items bound to a row now (for tests and benchmarks)."""
        return list(self._widgets)

    def visible_ids(self) -> list[str]:
        """Ids of items whose widgets are shown in the viewport now."""
        top = self.verticalScrollBar().value()
        bottom = top + self.viewport().height()
        return [
            item_id
            for item_id, widget in self._widgets.items()
            if widget.isVisibleTo(self.viewport())
            and self._offsets[self._index[item_id]] < bottom
            and self._offsets[self._index[item_id] + 1] > top
        ]

    def on_item_changed(self, item_id: str) -> None:
        """A widget's content changed height: remeasure soon."""
        widget = self._widgets.get(item_id)
        if widget is not None:
            widget.invalidate()
        self.schedule_layout()

    def invalidate_all(self) -> None:
        """Theme or zoom changed: re-render bound rows, re-estimate the rest."""
        self.rows.drop_spares()
        for widget in self._widgets.values():
            widget.rerender()
            widget.invalidate()
        estimate = self._estimator()
        self._heights = [
            self._heights[position] if item.id in self._widgets else estimate(item)
            for position, item in enumerate(self.items)
        ]
        self._rebuild_offsets()
        self.relayout()

    # scrolling -------------------------------------------------------------------
    def scroll_to_item(self, item_id: str) -> None:
        """Bring an item to the top of the view (stops following unless it is the last)."""
        position = self._index.get(item_id)
        if position is None:
            return
        self._build(position)
        self.relayout()
        self._set_follow(position == len(self.items) - 1)
        self._set_value(self._offsets[self._index[item_id]])
        self.relayout()

    def scroll_to_bottom(self) -> None:
        """Show the end and follow it."""
        self._set_follow(True)
        self.relayout()

    def jump_to_latest(self) -> None:
        """The "Jump to latest" button."""
        self.scroll_to_bottom()

    def at_bottom(self) -> bool:
        """True when the last pixel of the transcript is in view."""
        bar = self.verticalScrollBar()
        return bar.value() >= bar.maximum() - FOLLOW_SLACK_PX

    def _set_value(self, value: int) -> None:
        self._adjusting = True
        try:
            self.verticalScrollBar().setValue(value)
        finally:
            self._adjusting = False

    def _set_follow(self, follow: bool) -> None:
        if follow != self.follow:
            self.follow = follow
            self.sig_follow_changed.emit(follow)
        self._update_jump_button()

    def _on_scrolled(self, _value: int) -> None:
        if self._adjusting:
            return
        self._set_follow(self.at_bottom())
        self.relayout()

    # layout ----------------------------------------------------------------------
    def schedule_layout(self) -> None:
        """Lay out on the next event-loop turn (coalesces bursts of changes)."""
        if not self._layout_timer.isActive():
            self._layout_timer.start()

    def relayout(self, budget_ms: float = FRAME_BUDGET_MS) -> None:
        """Build and measure what is near the viewport, fix the scroll range, place widgets.

        Building stops after ``budget_ms`` (at least one widget is built per pass); items
        not built yet are drawn as placeholders and built on the next event-loop turns,
        so a long jump through 10,000 messages never blocks a frame for long.
        """
        if self._laying_out:
            return
        self._laying_out = True
        try:
            self._relayout(time.perf_counter() + budget_ms / 1000)
        finally:
            self._laying_out = False
        if self._deferred:
            self.schedule_layout()

    def settled(self) -> bool:
        """True when every item near the viewport has a built, measured widget."""
        return not self._deferred and not self._layout_timer.isActive()

    def _relayout(self, deadline: float) -> None:
        self.layout_passes += 1
        width = self.viewport().width()
        view_height = self.viewport().height()
        bar = self.verticalScrollBar()
        if width != self._width:
            self._width = width
            for widget in self._widgets.values():
                widget.invalidate()
        self._deferred = []
        if not self.items:
            self._apply_range(view_height)
            self._update_jump_button()
            self.viewport().update()
            return
        start = end = 0
        built_this_pass = 0
        deferred: list[int] = []
        for _attempt in range(4):
            value = bar.maximum() if self.follow else bar.value()
            first = self._position_at(value)
            anchor_delta = value - self._offsets[first]
            start = max(0, self._position_at(value - OVERSCAN_PX // 2))
            end = start
            changed = False
            deferred = []
            limit = value + view_height + OVERSCAN_PX
            # Rows well outside the range go back to the pool first, to show what comes
            # in; those just outside stay bound, so scrolling back and forth a little
            # does not render the same messages again and again.
            self._release_outside(
                self._position_at(value - KEEP_PX), self._position_at(limit + KEEP_PX) + 1
            )
            # Visible items first, then the overscan around them.
            order = sorted(
                range(start, self._position_at(limit) + 1),
                key=lambda position: (
                    self._offsets[position + 1] <= value
                    or self._offsets[position] >= value + view_height,
                    position,
                ),
            )
            for position in order:
                item_id = self.items[position].id
                existing = self._widgets.get(item_id)
                if existing is None:
                    if built_this_pass and time.perf_counter() > deadline:
                        deferred.append(position)
                        continue
                    existing = self._build(position)
                    built_this_pass += 1
                height = existing.measure(width)
                if height != self._heights[position]:
                    self._heights[position] = height
                    changed = True
            end = self._position_at(limit) + 1
            if changed:
                self._rebuild_offsets()
            self._apply_range(view_height)
            target = bar.maximum() if self.follow else self._offsets[first] + anchor_delta
            self._set_value(target)
            if not changed:
                break
        self._deferred = deferred
        top = bar.value()
        shown: set[str] = set()
        for position in range(start, min(end, len(self.items))):
            item_id = self.items[position].id
            placed = self._widgets.get(item_id)
            if placed is None:
                continue
            placed.setGeometry(0, self._offsets[position] - top, width, self._heights[position])
            if not placed.isVisibleTo(self.viewport()):
                placed.show()
            shown.add(item_id)
        for item_id, widget in self._widgets.items():
            if item_id not in shown and widget.isVisibleTo(self.viewport()):
                widget.hide()
        self._update_jump_button()
        if deferred:
            self.viewport().update()

    def _apply_range(self, view_height: int) -> None:
        bar = self.verticalScrollBar()
        self._adjusting = True
        try:
            bar.setRange(0, max(0, self._offsets[-1] - view_height))
            bar.setPageStep(max(1, view_height))
        finally:
            self._adjusting = False

    def _position_at(self, y: int) -> int:
        position = bisect.bisect_right(self._offsets, max(0, y)) - 1
        return min(max(position, 0), max(0, len(self.items) - 1))

    def _rebuild_offsets(self) -> None:
        self._offsets = [0, *itertools.accumulate(self._heights)]

    def _build(self, position: int) -> Row:
        item = self.items[position]
        row = self._widgets.get(item.id)
        if row is None:
            row = self._widgets[item.id] = self.rows.take(item)
        return row

    def _release_outside(self, start: int, stop: int) -> None:
        """Give back the rows of items outside positions ``[start, stop)``, except the
        pinned ones (the streaming answer) and busy ones (an open editor)."""
        for item_id, row in list(self._widgets.items()):
            position = self._index.get(item_id)
            inside = position is not None and start <= position < stop
            if inside or item_id in self._pinned or row.busy:
                continue
            del self._widgets[item_id]
            self.rows.give_back(row)

    def _estimator(self) -> Callable[[Item], int]:
        return height_estimator(self.context.text_font(), self.viewport().width())

    # Qt events -------------------------------------------------------------------
    def set_empty_hint(self, hint: EmptyHint | None) -> None:
        """What to paint while the transcript is empty (None: nothing)."""
        self.empty_hint = hint
        self.viewport().update()

    def paintEvent(self, event: QPaintEvent) -> None:
        """The empty hint, or placeholders for items whose widgets are still to be built
        (a frame or two)."""
        if not self.items and self.empty_hint is not None:
            painter = QPainter(self.viewport())
            paint_empty_hint(painter, self.context.theme, self.empty_hint, self.viewport().size())
            painter.end()
            return
        if not self._deferred:
            return
        painter = QPainter(self.viewport())
        top = self.verticalScrollBar().value()
        boxes = [
            (self.items[position], self._offsets[position] - top, self._heights[position])
            for position in self._deferred
        ]
        paint_placeholders(painter, self.context.theme, boxes, self.viewport().size())
        painter.end()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.relayout()

    def _update_jump_button(self) -> None:
        show = not self.follow and not self.at_bottom()
        if show:
            hint = self.jump_button.sizeHint()
            viewport = self.viewport().geometry()
            self.jump_button.setGeometry(
                viewport.x() + (viewport.width() - hint.width()) // 2,
                viewport.bottom() - hint.height() - 12,
                hint.width(),
                hint.height(),
            )
            self.jump_button.raise_()
        self.jump_button.setVisible(show)

    def set_jump_icon_color(self, color: str) -> None:
        """Tint the jump button's arrow for the theme."""
        self.jump_button.setIcon(icon("down", color))
