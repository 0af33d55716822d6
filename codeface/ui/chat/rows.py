"""Transcript rows: one widget per item near the viewport, reused as the view moves.

A row is the widget that shows one transcript item (a message card, a notice). Rows are
built by a `RowFactory`, which picks a `RowKind` per item; a kind is a name, a test on
the item, and a constructor. A new kind of row (a tool-call card, an approval card) is
one `RowFactory.register` call: the transcript and the pool need no change.

The `RowPool` keeps rows that scrolled out of view, a few per kind, hidden, and binds
them to the next item of the same kind that scrolls in. A bound row costs the same
memory whichever item it shows, so the live rows are bounded by what fits around the
viewport, not by the length of the conversation; and a reused row is already polished
by the style sheet, which is half of what building one costs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFrame, QWidget

from codeface.ui.chat.context import ChatContext

if TYPE_CHECKING:  # the row classes import this module: no cycle at run time
    from codeface.ui.chat.placeholders import Item

SPARE_ROWS_PER_KIND = 12
"""Hidden rows kept per kind for reuse: about what the viewport and its overscan hold."""


class Row(QFrame):
    """A widget showing one transcript item; it can be given another item (`bind`).

    After `release` a row runs nothing for its old item (no timers, no stream); what it
    still shows is replaced by the next `bind`, so a pooled row holds at most one old
    item's text.
    """

    kind = ""
    """The `RowKind` name this row was built for (set by the factory)."""

    def bind(self, item: Item) -> None:
        """Show ``item`` (this row may have shown another item before)."""
        raise NotImplementedError

    def release(self) -> None:
        """The row leaves the view: stop pending work and drop per-item state."""

    def measure(self, width: int) -> int:
        """The height this row needs at ``width``."""
        raise NotImplementedError

    def invalidate(self) -> None:
        """Forget the cached height (content or font changed)."""

    def rerender(self) -> None:
        """Render again (theme, zoom or search highlight changed)."""

    @property
    def busy(self) -> bool:
        """True while the row must stay bound even off screen (an open editor)."""
        return False


@dataclass(frozen=True)
class RowKind:
    """A kind of row: which items it shows and how to build one."""

    name: str
    matches: Callable[[Item], bool]
    build: Callable[[Item, ChatContext, QWidget], Row]
    spares: int | None = None
    """Hidden rows of this kind kept for reuse (None: the pool's default; more for small
    rows, since more of them fit a screen)."""


class RowFactory:
    """Picks the kind of row for an item and builds rows of that kind."""

    def __init__(self, kinds: list[RowKind] | None = None) -> None:
        self._kinds: list[RowKind] = list(kinds or [])

    def register(self, kind: RowKind, *, first: bool = True) -> None:
        """Add a kind; ``first``: it is tried before the kinds already known."""
        self._kinds = [known for known in self._kinds if known.name != kind.name]
        if first:
            self._kinds.insert(0, kind)
        else:
            self._kinds.append(kind)

    def kind_of(self, item: Item) -> RowKind:
        """The first kind whose test accepts ``item``."""
        for kind in self._kinds:
            if kind.matches(item):
                return kind
        raise LookupError(f"no row kind shows {type(item).__name__} {item.id!r}")

    def spares(self, name: str) -> int | None:
        """How many spare rows of kind ``name`` to keep (None: the pool's default)."""
        for kind in self._kinds:
            if kind.name == name:
                return kind.spares
        return None

    def build(self, item: Item, context: ChatContext, parent: QWidget) -> Row:
        """A new row showing ``item``."""
        kind = self.kind_of(item)
        row = kind.build(item, context, parent)
        row.kind = kind.name
        return row


class RowPool:
    """Rows for items: reused from those that left the view, built only when none fits."""

    def __init__(
        self,
        factory: RowFactory,
        context: ChatContext,
        parent: QWidget,
        spare_per_kind: int = SPARE_ROWS_PER_KIND,
    ) -> None:
        self.factory = factory
        self.context = context
        self.parent = parent
        self.spare_per_kind = spare_per_kind
        self._spare: dict[str, list[Row]] = {}
        self.built = 0
        """Rows built so far (a reused row is not counted again)."""
        self.reused = 0
        """Times a spare row was given a new item."""

    def take(self, item: Item) -> Row:
        """A hidden row showing ``item``: a spare of its kind if there is one, else new."""
        kind = self.factory.kind_of(item)
        spares = self._spare.get(kind.name)
        if spares:
            row = spares.pop()
            row.bind(item)
            self.reused += 1
            return row
        row = self.factory.build(item, self.context, self.parent)
        row.hide()
        row.ensurePolished()
        self.built += 1
        return row

    def give_back(self, row: Row) -> None:
        """``row`` left the view: keep it for reuse (hidden), or delete it if enough are kept."""
        row.release()
        row.hide()
        spares = self._spare.setdefault(row.kind, [])
        limit = self.factory.spares(row.kind)
        if len(spares) < (self.spare_per_kind if limit is None else max(limit, 0)):
            spares.append(row)
        else:
            row.deleteLater()

    def drop_spares(self) -> None:
        """Delete every spare row (the theme changed: they would show old colours)."""
        for spares in self._spare.values():
            for row in spares:
                row.deleteLater()
        self._spare.clear()

    def spare_count(self) -> int:
        """How many rows wait for reuse now."""
        return sum(len(spares) for spares in self._spare.values())
