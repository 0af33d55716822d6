"""Fuzzy matching of file paths for quick open ("mwin" finds ``ui/main_window.py``).

The query's characters must appear in order (case-insensitive); spaces separate words
that must all match. A match scores higher when its characters start words (after ``/``,
``_``, ``-``, ``.`` or a lower-to-upper case change), follow each other rather than being
scattered, fall in the file name rather than its folders, and when the path is short. No Qt: quick open runs large
lists in a worker thread.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

BOUNDARY = frozenset("/_-. ")
SCORE_CHAR = 1
SCORE_BOUNDARY = 6
SCORE_CONSECUTIVE = 5
SCORE_IN_NAME = 2
SCORE_NAME_PREFIX = 1
GAP_PENALTY_MAX = 4


@dataclass(frozen=True)
class FuzzyMatch:
    """A path that matched, its score and the positions of the matched characters."""

    path: str
    score: int
    positions: tuple[int, ...]


def _prefilter(words: list[str]) -> re.Pattern[str]:
    return re.compile(
        "".join(f"(?=.*?{'.*?'.join(re.escape(c) for c in word)})" for word in words),
        re.IGNORECASE | re.DOTALL,
    )


def _is_boundary(path: str, index: int) -> bool:
    if index == 0:
        return True
    before = path[index - 1]
    return before in BOUNDARY or (before.islower() and path[index].isupper())


def _match_word(word: str, path: str, lowered: str, start: int) -> tuple[int, list[int]] | None:
    """Score and positions of ``word`` in ``path`` from ``start``: each character goes to
    the nearest word start before the next character's earliest spot, else the nearest."""
    positions: list[int] = []
    cursor = start
    for char in word:
        found = lowered.find(char, cursor)
        if found == -1:
            return None
        positions.append(found)
        cursor = found + 1
    # Move characters right onto word starts where that keeps the order.
    for number in range(len(positions) - 1, -1, -1):
        limit = positions[number + 1] if number + 1 < len(positions) else len(path)
        if positions[number] > 0 and not _is_boundary(path, positions[number]):
            spot = lowered.find(word[number], positions[number] + 1, limit)
            while spot != -1 and not _is_boundary(path, spot):
                spot = lowered.find(word[number], spot + 1, limit)
            if spot != -1:
                positions[number] = spot
    name_start = path.rfind("/") + 1
    score = 0
    for number, position in enumerate(positions):
        score += SCORE_CHAR
        if _is_boundary(path, position):
            score += SCORE_BOUNDARY
        if number and positions[number - 1] == position - 1:
            score += SCORE_CONSECUTIVE
        elif number:
            score -= min(GAP_PENALTY_MAX, position - positions[number - 1] - 1)
        if position >= name_start:
            score += SCORE_IN_NAME
    if positions and positions[0] == name_start and lowered.startswith(word, name_start):
        score += SCORE_NAME_PREFIX * len(word)
    return score, positions


def score_path(query: str, path: str) -> FuzzyMatch | None:
    """How well ``path`` matches ``query`` (None when it does not)."""
    words = query.lower().split()
    lowered = path.lower()
    total = 0
    positions: list[int] = []
    for word in words:
        name_start = lowered.rfind("/") + 1
        found = _match_word(word, path, lowered, name_start) or _match_word(word, path, lowered, 0)
        if found is None:
            return None
        total += found[0]
        positions += found[1]
    total -= len(path) // 8
    return FuzzyMatch(path, total, tuple(sorted(set(positions))))


def fuzzy_filter(query: str, paths: Sequence[str], limit: int = 50) -> list[FuzzyMatch]:
    """The best ``limit`` matches of ``query`` among ``paths``, best first (shorter paths
    first among equals); every path, in order, for an empty query."""
    words = query.lower().split()
    if not words:
        return [FuzzyMatch(path, 0, ()) for path in paths[:limit]]
    candidates = filter(_prefilter(words).match, paths)
    matches = [match for path in candidates if (match := score_path(query, path)) is not None]
    matches.sort(key=lambda match: (-match.score, len(match.path), match.path))
    return matches[:limit]
