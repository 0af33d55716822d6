"""`AnswerStream`: a streaming answer rendered into a `BodyStack` a little at a time.

Text before the last cut (`stable_boundary`) is committed: rendered once, into widgets
that stay. Per flush only the open tail changes: the paragraph being written (one label,
re-rendered) or the code block being written (appended to in place, highlighted once
when its fence closes). `finish` turns what was streamed into exactly what rendering the
whole answer gives: it renders the tail, re-renders only the parts whose cuts turned out
unsafe (`safe_cuts`), and joins adjacent text runs into one label each. Every character
handed to the Markdown parser is counted in ``context.parsed_chars``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtWidgets import QLabel, QWidget

from codeface.ui.chat.body_stack import BodyStack
from codeface.ui.chat.code_block import CodeBlockWidget, warm_highlighter
from codeface.ui.chat.context import ChatContext
from codeface.ui.chat.markdown import (
    CodeSegment,
    Segment,
    TextSegment,
    merge_text,
    open_fence,
    render_segments,
    safe_cuts,
    stable_boundary,
)


@dataclass
class _Chunk:
    """Committed text ``[start, end)`` and the widgets it was rendered into."""

    start: int
    end: int
    pieces: list[tuple[Segment, QWidget]]


class AnswerStream:
    """The streamed text of one answer and the widgets showing it."""

    def __init__(
        self,
        body: BodyStack,
        context: ChatContext,
        message_id: str,
        make_widget: Callable[[Segment], QWidget],
        make_label: Callable[[str], QLabel],
    ) -> None:
        self.body = body
        self.context = context
        self.message_id = message_id
        self._make = make_widget
        self._make_label = make_label
        self.text = ""
        self._committed = 0
        self._chunks: list[_Chunk] = []
        self.tail_label: QLabel | None = None
        self.tail_code: CodeBlockWidget | None = None

    def _parse(self, text: str) -> list[Segment]:
        self.context.parsed_chars[self.message_id] += len(text)
        return render_segments(text, self.context.html_colors())

    # streaming -------------------------------------------------------------------
    def feed(self, more: str) -> None:
        """Add streamed text: commit finished blocks once, update only the open tail."""
        if not more:
            return
        self.text += more
        boundary = stable_boundary(self.text, self._committed)
        if boundary > self._committed:
            self.context.render_counts[self.message_id] += 1
            self._commit(boundary)
        self._update_tail(self.text[self._committed :])

    def _commit(self, boundary: int) -> None:
        start = self._committed
        segments = self._parse(self.text[start:boundary])
        closing, self.tail_code = self.tail_code, None
        self._drop_tail()
        pieces: list[tuple[Segment, QWidget]] = []
        for segment in segments:
            widget: QWidget
            if (
                closing is not None
                and not pieces
                and isinstance(segment, CodeSegment)
                and segment.language == closing.language
            ):
                # The block streamed in place is kept; now it is complete, highlight it.
                closing.set_code(segment.code, segment.language, final=True)
                self.body.part_changed(closing)
                widget, closing = closing, None
            else:
                widget = self._make(segment)
                self.body.append(widget)
            pieces.append((segment, widget))
        if closing is not None:
            self._discard(closing)
        self._chunks.append(_Chunk(start, boundary, pieces))
        self._committed = boundary

    def _update_tail(self, tail: str) -> None:
        fence = open_fence(tail)
        if fence is not None:
            language, code = fence
            current = self.tail_code
            if (
                current is not None
                and current.language == language
                and code.startswith(current.code)
            ):
                if len(code) > len(current.code):
                    current.append_code(code[len(current.code) :])
                    self.body.part_changed(current)
                return
            self._drop_tail()
            warm_highlighter(language, self.context.theme.pygments_style)
            self.tail_code = CodeBlockWidget(code, language, self.context, self.body, final=False)
            self.body.append(self.tail_code)
            return
        if self.tail_code is not None:
            self._drop_tail()
        if not tail.strip():
            if self.tail_label is not None and self.tail_label.text():
                self.tail_label.setText("")
                self.body.part_changed(self.tail_label)
            return
        rendered = "".join(
            segment.html for segment in self._parse(tail) if isinstance(segment, TextSegment)
        )
        if self.tail_label is None:
            self.tail_label = self._make_label(rendered)
            self.body.append(self.tail_label)
        elif self.tail_label.text() != rendered:
            self.tail_label.setText(rendered)
            self.body.part_changed(self.tail_label)

    def _drop_tail(self) -> None:
        for widget in (self.tail_label, self.tail_code):
            if widget is not None:
                self._discard(widget)
        self.tail_label = None
        self.tail_code = None

    def _discard(self, widget: QWidget) -> None:
        self.body.remove(widget)
        widget.deleteLater()

    # finishing -------------------------------------------------------------------
    def finish(self) -> list[list[tuple[TextSegment, QWidget]]]:
        """Show the finished answer as `render_segments` of all of it would, but for
        text runs still split over several labels: those are returned, each to be
        joined into one label with `join_run` (one per event-loop turn)."""
        self.context.render_counts[self.message_id] += 1
        text = self.text
        safe = safe_cuts(text)
        final: list[tuple[Segment, QWidget | None]] = []
        stale: list[QWidget] = []
        region: list[_Chunk] = []
        start = 0
        for chunk in self._chunks:
            region.append(chunk)
            if chunk.end not in safe:
                continue  # this cut may split one block in two: render across it
            if len(region) == 1:
                final.extend(chunk.pieces)
            else:
                stale.extend(widget for part in region for _segment, widget in part.pieces)
                final.extend((segment, None) for segment in self._parse(text[start : chunk.end]))
            region, start = [], chunk.end
        stale.extend(widget for part in region for _segment, widget in part.pieces)
        if start < len(text):
            final.extend((segment, None) for segment in self._parse(text[start:]))
        self._reuse_tail_code(final, stale)
        if self.tail_label is not None:
            stale.append(self.tail_label)
        self.tail_label = self.tail_code = None
        shown = [(segment, widget or self._make(segment)) for segment, widget in final]
        self.body.set_parts([widget for _segment, widget in shown])
        kept = {id(widget) for _segment, widget in shown}
        for widget in stale:
            if id(widget) not in kept:
                widget.deleteLater()
        self._chunks = []
        return _text_runs(shown)

    def _reuse_tail_code(
        self, final: list[tuple[Segment, QWidget | None]], stale: list[QWidget]
    ) -> None:
        block = self.tail_code
        if block is None:
            return
        last = final[-1] if final else None
        if (
            last is not None
            and last[1] is None
            and isinstance(last[0], CodeSegment)
            and last[0].language == block.language
        ):
            block.set_code(last[0].code, last[0].language, final=True)
            final[-1] = (last[0], block)
            return
        stale.append(block)


def _text_runs(shown: list[tuple[Segment, QWidget]]) -> list[list[tuple[TextSegment, QWidget]]]:
    """Runs of two or more adjacent text parts (one label each when rendered whole)."""
    runs: list[list[tuple[TextSegment, QWidget]]] = [[]]
    for segment, widget in shown:
        if isinstance(segment, TextSegment):
            runs[-1].append((segment, widget))
        elif runs[-1]:
            runs.append([])
    return [run for run in runs if len(run) > 1]


def join_run(body: BodyStack, run: list[tuple[TextSegment, QWidget]]) -> None:
    """Show a run of text parts as one label: the first, with the run's joined text."""
    (_first, label), rest = run[0], run[1:]
    if not isinstance(label, QLabel) or any(widget.parent() is not body for _s, widget in run):
        return
    label.setText(merge_text([segment for segment, _widget in run]).html)
    body.set_parts([part for part in body.parts() if all(part is not w for _s, w in rest)])
    body.part_changed(label)
    for _segment, widget in rest:
        widget.deleteLater()
