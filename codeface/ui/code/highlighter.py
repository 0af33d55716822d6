"""Colours a code editor with pygments, never holding the GUI for more than a slice.

Qt's `QSyntaxHighlighter` colours every line of a document in one pass when it is
attached (1.2 s for 10,000 lines, the GUI frozen). Here instead:

1. the lexer is found and imported in a worker thread (pygments' lexer modules take tens
   of ms to import the first time);
2. the lines on screen are lexed at once (~10 ms) and coloured;
3. the whole text is lexed in slices of `SLICE_SECONDS` on the GUI thread, the window
   painting and taking input between slices, which keeps multi-line strings and
   comments right (a worker thread would not help: it holds the GIL while the GUI thread
   waits for it around every Qt call, which stalled scrolling for 100 ms and more);
4. a line's colours are set on its `QTextLayout` only when it is about to be painted
   (`updateRequest`), so scrolling costs a screenful of lines, never the whole file.

A long text is shown a part at a time too: the first `FIRST_PART_CHARS` at once, the
rest appended in parts of `APPEND_CHARS` (a 20,000-line file in one `setPlainText` holds
the GUI ~50 ms). Edits splice the table of runs; edited lines are lexed around the screen at once and the
whole text again after a pause. Texts above `FULL_LEX_LIMIT` are only ever lexed around
the screen. A block's ``userState`` records which generation of runs it shows.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Coroutine
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QTextCharFormat, QTextCursor, QTextLayout

from codeface.ui.code import lexing

if TYPE_CHECKING:
    from pygments.lexer import Lexer
    from PySide6.QtGui import QTextBlock
    from PySide6.QtWidgets import QPlainTextEdit

log = logging.getLogger(__name__)

FULL_LEX_LIMIT = 4 * 1024 * 1024
"""Characters up to which the whole text is lexed (beyond: only around the screen)."""
SLICE_SECONDS = 0.004
"""Longest stretch of lexing between two turns of the event loop."""
FIRST_PART_CHARS = 32 * 1024
"""Characters shown at once when a text is shown (about 800 lines)."""
APPEND_CHARS = 16 * 1024
"""Characters appended per turn of the event loop after that (~2 ms each)."""
WINDOW_MARGIN = 40
"""Lines lexed above and below the screen when lexing around it."""
RELEX_DELAY_MS = 400
"""Pause after the last edit before the whole text is lexed again."""
UNSET = 0
"""``userState`` of a block whose colours do not match any runs yet."""

Spawn = Callable[[Coroutine[Any, Any, None]], "asyncio.Task[None]"]
_executor: ThreadPoolExecutor | None = None


def lexer_thread() -> ThreadPoolExecutor:
    """The worker thread that finds and imports lexers (it starts on first use)."""
    global _executor
    if _executor is None:
        _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="codeface-lexer")
    return _executor


class Highlighter(QObject):
    """Keeps an editor's visible lines coloured in a pygments style."""

    sig_highlighted = Signal()
    """The whole text has been lexed and the screen shows its colours."""
    sig_screen_highlighted = Signal()
    """The lines on screen show colours (once per `start`)."""
    sig_text_loaded = Signal()
    """All of the text given to `start` is in the editor (parts were appended)."""

    def __init__(self, editor: QPlainTextEdit, spawn: Spawn, style_name: str) -> None:
        super().__init__(editor)
        self.editor = editor
        self.document = editor.document()
        self._spawn = spawn
        self._style_name = style_name
        self._formats: dict[int, QTextCharFormat] = {}
        self._runs: list[lexing.Runs | None] = []
        self._generation = 1
        self._revision = 0
        self._path = ""
        self._lexer: Lexer | None = None
        self._lexer_future: Future[Lexer | None] | None = None
        self._no_lexer = False
        self._jobs: set[asyncio.Task[None]] = set()
        self._screen_announced = False
        self._applying = False
        self._ignore_changes = False
        self.loading = False
        """True while the rest of a long text is being appended."""
        self._text_loaded = asyncio.Event()
        self._first_screen = asyncio.Event()
        self.fully_lexed = False
        """True once the runs of the current text come from lexing all of it."""
        self.slices = 0
        """How many slices the last whole-text lexing took (for tests)."""
        self._relex = QTimer(self)
        self._relex.setSingleShot(True)
        self._relex.setInterval(RELEX_DELAY_MS)
        self._relex.timeout.connect(self._lex_all_again)
        self._window_timer = QTimer(self)
        self._window_timer.setSingleShot(True)
        self._window_timer.setInterval(0)
        self._window_timer.timeout.connect(self._lex_around_screen)
        editor.updateRequest.connect(self._on_update_request)
        self.document.contentsChange.connect(self._on_contents_change)

    # ------------------------------------------------------------------ public
    def prepare(self, path: str) -> None:
        """Start loading the lexer for ``path`` and the style in the worker thread (call it
        while the file is being read)."""
        if path != self._path or self._lexer_future is None:
            self._path = path
            self._lexer = None
            self._no_lexer = False
            self._lexer_future = lexer_thread().submit(lexing.prepare, path, self._style_name)

    def start(self, path: str, text: str) -> None:
        """Show ``text`` (the file at ``path``) and colour it: the screen first, then all."""
        self._cancel_jobs()
        self.prepare(path)
        cut = text.find("\n", FIRST_PART_CHARS) if len(text) > FIRST_PART_CHARS else -1
        self._ignore_changes = True
        try:
            self.editor.setPlainText(text if cut == -1 else text[:cut])
        finally:
            self._ignore_changes = False
        self._revision += 1
        self._next_generation()
        self._runs = [None] * (text.count("\n") + 1)
        self.fully_lexed = False
        self._screen_announced = False
        self._first_screen = asyncio.Event()
        self.loading = cut != -1
        self._text_loaded = asyncio.Event()
        if not self.loading:
            self._text_loaded.set()
        else:
            self._run(self._append(text, cut, self._revision))
        self._run(self._lex_first(text, self._revision))

    async def _append(self, text: str, position: int, revision: int) -> None:
        """Append ``text[position:]`` a part per turn of the event loop."""
        document = self.document
        undo = document.isUndoRedoEnabled()
        document.setUndoRedoEnabled(False)
        cursor = QTextCursor(document)
        cursor.movePosition(QTextCursor.MoveOperation.End)
        await self._first_screen.wait()  # the screen's colours come first
        try:
            while position < len(text):
                await asyncio.sleep(0)  # the window paints and takes input
                if revision != self._revision:
                    return
                end = text.find("\n", position + APPEND_CHARS)
                end = len(text) if end == -1 else end
                self._ignore_changes = True
                try:
                    cursor.insertText(text[position:end])
                finally:
                    self._ignore_changes = False
                position = end
        finally:
            document.setUndoRedoEnabled(undo)
        self.loading = False
        self._text_loaded.set()
        self.sig_text_loaded.emit()
        self.apply_visible()

    def set_style(self, style_name: str) -> None:
        """Recolour in another pygments style (the screen now, the rest when shown)."""
        if style_name == self._style_name:
            return
        self._style_name = style_name
        self._formats.clear()
        self._next_generation()
        self.apply_visible()

    def shutdown(self) -> None:
        """Stop lexing for this editor (it is closing)."""
        self._relex.stop()
        self._window_timer.stop()
        self._cancel_jobs()

    # ------------------------------------------------------------------ lexing
    def _run(self, work: Coroutine[Any, Any, None]) -> None:
        task = self._spawn(work)
        self._jobs.add(task)
        task.add_done_callback(self._jobs.discard)

    def _cancel_jobs(self) -> None:
        for task in list(self._jobs):
            task.cancel()
        self._jobs.clear()

    async def _lexer_ready(self) -> Lexer | None:
        if self._lexer is None and not self._no_lexer:
            if self._lexer_future is None:
                self.prepare(self._path)
            assert self._lexer_future is not None
            try:
                self._lexer = await asyncio.wrap_future(self._lexer_future)
            except (ImportError, ValueError) as error:  # a broken lexer plugin: plain text
                log.warning("no colours for %s: %s", self._path, error)
                self._lexer = None
            self._no_lexer = self._lexer is None
        return self._lexer

    async def _lex_first(self, text: str, revision: int) -> None:
        try:
            lexer = await self._lexer_ready()
            if revision != self._revision:
                return
            if lexer is None:
                self.fully_lexed = True
                self._announce_screen()
                self.sig_highlighted.emit()
                return
            first = self.editor.firstVisibleBlock().blockNumber()
            self._store(first, lexing.lex_window(lexer, text, first, self._screen_lines()))
            self.apply_visible()
        finally:
            self._first_screen.set()  # whatever happened, the rest of the text may come
        if len(text) <= FULL_LEX_LIMIT:
            await self._lex_whole(text, revision)

    async def _lex_whole(self, text: str, revision: int) -> None:
        """Lex all of ``text`` a slice at a time; swap the runs in if nothing changed."""
        lexer = await self._lexer_ready()
        await self._text_loaded.wait()  # one slice of work per turn: appending comes first
        if lexer is None or revision != self._revision:
            return
        clock = time.perf_counter
        builder = lexing.LineBuilder()
        feed = builder.feed
        slices = 1
        deadline = clock() + SLICE_SECONDS
        for count, (_index, token, value) in enumerate(lexer.get_tokens_unprocessed(text)):
            feed(token, value)
            if not count & 31 and clock() > deadline:
                await asyncio.sleep(0)  # the window paints and takes input
                if revision != self._revision:
                    return
                slices += 1
                deadline = clock() + SLICE_SECONDS
        runs = builder.finish(text.count("\n") + 1)
        if revision != self._revision or len(runs) != self.document.blockCount():
            return
        self._runs = list[lexing.Runs | None](runs)
        self.fully_lexed = True
        self.slices = slices
        self._next_generation()
        self.apply_visible()
        self.sig_highlighted.emit()

    def _lex_all_again(self) -> None:
        text = self.document.toPlainText()
        if len(text) <= FULL_LEX_LIMIT:
            self._run(self._lex_whole(text, self._revision))

    def _lex_around_screen(self) -> None:
        """Lex the screen's lines (and a margin) that have no runs, as if the text
        started there."""
        lexer = self._lexer
        if lexer is None:
            return
        first = max(0, self.editor.firstVisibleBlock().blockNumber() - WINDOW_MARGIN)
        count = self._screen_lines() + 2 * WINDOW_MARGIN
        lines: list[str] = []
        block = self.document.findBlockByNumber(first)
        while block.isValid() and len(lines) < count:
            lines.append(block.text())
            block = block.next()
        self._store(first, lexing.lex_lines(lexer, "\n".join(lines)))
        self.apply_visible()

    def _store(self, first: int, runs: list[lexing.Runs]) -> None:
        end = min(first + len(runs), len(self._runs))
        for number in range(first, end):
            if self._runs[number] is None:
                self._runs[number] = runs[number - first]

    # ------------------------------------------------------------------ edits
    def _on_contents_change(self, position: int, _removed: int, added: int) -> None:
        if self._ignore_changes or self.loading or not self._runs:
            return
        self._revision += 1
        first = self.document.findBlock(position)
        last = self.document.findBlock(position + added)
        end = last.blockNumber() if last.isValid() else self.document.blockCount() - 1
        start = first.blockNumber()
        new_count = end - start + 1
        delta = self.document.blockCount() - len(self._runs)
        self._runs[start : start + new_count - delta] = [None] * new_count
        block = first
        for _ in range(new_count):
            if not block.isValid():
                break
            block.setUserState(UNSET)
            block = block.next()
        self.fully_lexed = False
        self._relex.start()
        self._window_timer.start()

    # ------------------------------------------------------------------ colouring
    def _next_generation(self) -> None:
        self._generation = self._generation + 1 if self._generation < 1_000_000 else 1

    def _screen_lines(self) -> int:
        spacing = max(1, self.editor.fontMetrics().lineSpacing())
        return self.editor.viewport().height() // spacing + 2

    def _on_update_request(self, _rect: object, _dy: int) -> None:
        if not self._applying:
            self.apply_visible()

    def apply_visible(self) -> None:
        """Colour the lines on screen that do not show their current runs yet."""
        if self._applying or not self._runs:
            return
        self._applying = True
        try:
            missing = self._apply_screen()
        finally:
            self._applying = False
        if not missing:
            self._announce_screen()
        elif self._lexer is not None:
            self._window_timer.start()

    def _apply_screen(self) -> bool:
        """Colour the screen's lines; True if some have no runs yet."""
        block = self.editor.firstVisibleBlock()
        missing = False
        for _ in range(self._screen_lines()):
            if not block.isValid():
                break
            number = block.blockNumber()
            runs = self._runs[number] if number < len(self._runs) else None
            if runs is None:
                missing = missing or not self._no_lexer
            elif block.userState() != self._generation:
                self._colour(block, runs)
                block.setUserState(self._generation)
            block = block.next()
        return missing

    def _announce_screen(self) -> None:
        self._first_screen.set()
        if not self._screen_announced:
            self._screen_announced = True
            self.sig_screen_highlighted.emit()

    def _colour(self, block: QTextBlock, runs: lexing.Runs) -> None:
        ranges = []
        length = block.length()
        for index in range(0, len(runs), 3):
            start = runs[index]
            if start >= length:
                break
            piece = QTextLayout.FormatRange()
            piece.start = start
            piece.length = runs[index + 1]
            piece.format = self._format(runs[index + 2])
            ranges.append(piece)
        layout = block.layout()
        if ranges or layout.formats():
            layout.setFormats(ranges)
            self.document.markContentsDirty(block.position(), length)

    def _format(self, identifier: int) -> QTextCharFormat:
        found = self._formats.get(identifier)
        if found is None:
            style = lexing.token_style(self._style_name, identifier)
            found = QTextCharFormat()
            if style.color:
                found.setForeground(QColor(style.color))
            if style.background:
                found.setBackground(QColor(style.background))
            if style.bold:
                found.setFontWeight(QFont.Weight.Bold)
            if style.italic:
                found.setFontItalic(True)
            if style.underline:
                found.setFontUnderline(True)
            self._formats[identifier] = found
        return found
