"""A map of the project for the model: the symbols of each file, most referenced first, in a budget.

Ranking (simpler than aider's PageRank, and stated plainly): a symbol's score is the
number of *other* files that mention its name as a word, divided by the number of
files that define a symbol of that name (so a name defined everywhere, like ``run``,
counts for less); a method is also carried by its class. The best symbols are taken
until the token budget (about four characters a token) is spent, then printed grouped
by file, files in the order of their best symbol, symbols in source order:

    src/engine.py:
      class Engine
        def run(self, goal: str) -> Result

Each file's symbols and words are cached by (mtime, size), so a second map only reads
the files that changed, and the map itself is reused while no file has changed.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from codeface.workspace.files import SAMPLE_BYTES, classify_bytes
from codeface.workspace.languages import language_of
from codeface.workspace.symbols import Symbol, extract_symbols

CHARS_PER_TOKEN = 4
MAP_FILE_LIMIT = 512 * 1024
_SHORTEST_LINE = 6
_WORD = re.compile(rb"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class FileSymbols:
    """What the map knows about one file: its definitions (with the index of each one's
    enclosing definition, or -1) and the words it uses."""

    symbols: tuple[Symbol, ...]
    parents: tuple[int, ...]
    words: frozenset[bytes]


def _parent_indexes(symbols: list[Symbol]) -> tuple[int, ...]:
    """For each symbol, the index of the nearest earlier top-level symbol it belongs to."""
    latest: dict[str, int] = {}
    parents: list[int] = []
    for index, symbol in enumerate(symbols):
        parents.append(latest.get(symbol.parent, -1) if symbol.parent else -1)
        if symbol.parent is None:
            latest[symbol.name] = index
    return tuple(parents)


def estimate_tokens(text: str) -> int:
    """A rough token count (characters / 4, rounded up)."""
    return -(-len(text) // CHARS_PER_TOKEN)


Stamp = tuple[int, int]


class RepoMapper:
    """Builds repo maps for one project, caching each file's parse by (mtime, size), and
    the last map while no file changes."""

    def __init__(self) -> None:
        self._cache: dict[str, tuple[Stamp, FileSymbols | None]] = {}
        self._last: tuple[list[tuple[str, Stamp]], int, str] | None = None

    def file_symbols(self, relative: str, real: Path, stamp: Stamp) -> FileSymbols | None:
        """The symbols and words of a source file; None when it is not one or cannot be read."""
        cached = self._cache.get(relative)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        parsed = self._parse(relative, real, stamp[1])
        self._cache[relative] = (stamp, parsed)
        return parsed

    @staticmethod
    def _parse(relative: str, real: Path, size: int) -> FileSymbols | None:
        language = language_of(relative)
        if language is None or size > MAP_FILE_LIMIT:
            return None
        try:
            data = real.read_bytes()
        except OSError:
            return None
        sample = data[: SAMPLE_BYTES * 8]
        if classify_bytes(sample, complete=len(data) == len(sample)) != "text":
            return None
        symbols = extract_symbols(language, data.decode("utf-8", "replace"))
        return FileSymbols(tuple(symbols), _parent_indexes(symbols), frozenset(_WORD.findall(data)))

    def build(self, files: Iterable[tuple[str, Path, os.stat_result]], token_budget: int) -> str:
        """The map of ``files`` (relative, real path, stat) cut to about ``token_budget`` tokens."""
        stamps: list[tuple[str, Stamp]] = []
        sources: list[tuple[str, Path]] = []
        for relative, real, info in files:
            if language_of(relative) is not None:
                stamps.append((relative, (info.st_mtime_ns, info.st_size)))
                sources.append((relative, real))
        if self._last is not None and self._last[:2] == (stamps, token_budget):
            return self._last[2]
        parsed: dict[str, FileSymbols] = {}
        for (relative, real), (_, stamp) in zip(sources, stamps, strict=True):
            found = self.file_symbols(relative, real, stamp)
            if found is not None:  # files without symbols still count as references
                parsed[relative] = found
        text = render_map(parsed, token_budget)
        self._last = (stamps, token_budget, text)
        return text


def _scores(parsed: dict[str, FileSymbols]) -> dict[tuple[str, int], float]:
    """Each symbol's score, keyed by (file, index of the symbol in its file)."""
    definers: dict[str, set[str]] = {}
    for relative, found in parsed.items():
        for symbol in found.symbols:
            definers.setdefault(symbol.name, set()).add(relative)
    wanted = {name.encode() for name in definers}
    mentions: Counter[bytes] = Counter()
    for found in parsed.values():
        mentions.update(found.words & wanted)
    weights = {
        name: max(mentions[name.encode()] - len(owners), 0) / len(owners)
        for name, owners in definers.items()
    }
    return {
        (relative, index): weights[symbol.name]
        for relative, found in parsed.items()
        for index, symbol in enumerate(found.symbols)
    }


def _line(symbol: Symbol) -> str:
    indent = "    " if symbol.parent else "  "
    return f"{indent}{symbol.signature}\n"


def render_map(parsed: dict[str, FileSymbols], token_budget: int) -> str:
    """Pick the best symbols within the budget and print them grouped by file."""
    if not parsed or token_budget <= 0:
        return ""
    scores = _scores(parsed)
    budget_chars = token_budget * CHARS_PER_TOKEN
    order = sorted(scores, key=lambda key: (-scores[key], key[0], key[1]))
    chosen: dict[str, set[int]] = {}
    used = 0
    skipped = 0
    for relative, index in order:
        if budget_chars - used < _SHORTEST_LINE:
            break
        found = parsed[relative]
        wanted = [index] if found.parents[index] < 0 else [found.parents[index], index]
        picked = chosen.get(relative, set())
        new = [item for item in wanted if item not in picked]
        cost = sum(len(_line(found.symbols[item])) for item in new)
        if not picked:
            cost += len(relative) + 2
        if used + cost > budget_chars:
            skipped += 1
            continue
        chosen.setdefault(relative, set()).update(new)
        used += cost
    best = {
        relative: max(scores[(relative, index)] for index in indexes)
        for relative, indexes in chosen.items()
    }
    parts: list[str] = []
    for relative in sorted(chosen, key=lambda name: (-best[name], name)):
        parts.append(f"{relative}:\n")
        symbols = parsed[relative].symbols
        parts.extend(_line(symbols[index]) for index in sorted(chosen[relative]))
    text = "".join(parts)
    left_out = len(parsed) - len(chosen)
    if skipped and left_out:
        note = f"({left_out} more files with symbols not shown)\n"
        if estimate_tokens(text + note) <= token_budget:
            text += note
    return text
