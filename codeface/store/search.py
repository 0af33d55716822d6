"""Full-text search (FTS5) over message text and session titles.

Results are ranked by bm25, come with a snippet and the character offsets of each match
in the full text, and can be filtered by session, project, model and date. Sessions in
the trash are never searched. Offsets come from FTS5's own ``highlight()``, so they
match exactly what the tokenizer matched.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from typing import Any, Literal

from codeface.core.errors import StoreError

_OPEN, _CLOSE = "\x01", "\x02"
_TERM = re.compile(r'"[^"]*"|\S+')


@dataclass(frozen=True)
class SearchHit:
    """One search result: a message (``kind="message"``) or a session title."""

    kind: Literal["message", "title"]
    session_id: str
    session_title: str
    message_id: str | None
    role: str | None
    model: str | None
    created_at: float
    snippet: str
    snippet_spans: tuple[tuple[int, int], ...]
    offsets: tuple[tuple[int, int], ...]
    rank: float


def fts_query(text: str) -> str:
    """Turn what a user typed into an FTS5 query: every word must match, the last as a prefix.

    Quoted phrases stay phrases; FTS5 operators typed by the user are treated as words.
    """
    terms = [term.strip('"') for term in _TERM.findall(text)]
    terms = [term.replace('"', '""') for term in terms if term.strip()]
    if not terms:
        raise StoreError("Type something to search for.")
    parts = [f'"{term}"' for term in terms]
    if not text.rstrip().endswith('"'):
        parts[-1] += "*"
    return " ".join(parts)


def _unmark(marked: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    """Strip the highlight markers, returning the text and the marked spans."""
    plain: list[str] = []
    spans: list[tuple[int, int]] = []
    length = 0
    start = 0
    for piece in re.split(f"([{_OPEN}{_CLOSE}])", marked):
        if piece == _OPEN:
            start = length
        elif piece == _CLOSE:
            spans.append((start, length))
        else:
            plain.append(piece)
            length += len(piece)
    return "".join(plain), tuple(spans)


def search(
    conn: sqlite3.Connection,
    text: str,
    *,
    session_id: str | None = None,
    project: str | None = None,
    model: str | None = None,
    since: float | None = None,
    until: float | None = None,
    limit: int = 20,
    snippet_tokens: int = 12,
    raw: bool = False,
) -> list[SearchHit]:
    """Ranked hits for ``text`` (FTS5 syntax as-is when ``raw``)."""
    query = text if raw else fts_query(text)
    filters = ["s.deleted_at IS NULL"]
    params: list[Any] = []
    for column, value in (("s.id", session_id), ("s.project", project)):
        if value is not None:
            filters.append(f"{column} = ?")
            params.append(value)
    message_filters = list(filters)
    message_params = list(params)
    if model is not None:
        message_filters.append("m.model = ?")
        message_params.append(model)
    for op, moment in ((">=", since), ("<", until)):
        if moment is not None:
            message_filters.append(f"m.created_at {op} ?")
            message_params.append(moment)
            filters.append(f"s.created_at {op} ?")
            params.append(moment)
    marks = f"'{_OPEN}', '{_CLOSE}'"
    message_sql = (
        f"SELECT 'message', s.id, s.title, m.id, m.role, m.model, m.created_at, "
        f"snippet(messages_fts, 0, {marks}, '…', ?), highlight(messages_fts, 0, {marks}), "
        "messages_fts.rank "
        "FROM messages_fts JOIN messages AS m ON m.seq = messages_fts.rowid "
        "JOIN sessions AS s ON s.id = m.session_id "
        f"WHERE messages_fts MATCH ? AND {' AND '.join(message_filters)} "
        "ORDER BY messages_fts.rank LIMIT ?"
    )
    title_sql = (
        f"SELECT 'title', s.id, s.title, NULL, NULL, s.model, s.created_at, "
        f"highlight(sessions_fts, 0, {marks}), highlight(sessions_fts, 0, {marks}), "
        "sessions_fts.rank "
        "FROM sessions_fts JOIN sessions AS s ON s.seq = sessions_fts.rowid "
        f"WHERE sessions_fts MATCH ? AND {' AND '.join(filters)} "
        "ORDER BY sessions_fts.rank LIMIT ?"
    )
    try:
        rows = conn.execute(message_sql, [snippet_tokens, query, *message_params, limit]).fetchall()
        if model is None:
            rows += conn.execute(title_sql, [query, *params, limit]).fetchall()
    except sqlite3.OperationalError as error:
        raise StoreError(f"Cannot search for {text!r}: {error}") from error
    hits = []
    for row in rows:
        snippet, snippet_spans = _unmark(row[7])
        _, offsets = _unmark(row[8])
        hits.append(
            SearchHit(
                kind=row[0],
                session_id=row[1],
                session_title=row[2],
                message_id=row[3],
                role=row[4],
                model=row[5],
                created_at=row[6],
                snippet=snippet,
                snippet_spans=snippet_spans,
                offsets=offsets,
                rank=row[9],
            )
        )
    hits.sort(key=lambda hit: hit.rank)
    return hits[:limit]
