"""Full-text search (FTS5) over message text and session titles.

Results are ranked by bm25 and come with a snippet and the character offsets of every
match, and can be filtered by session, project, model and date. Sessions in the trash
are never searched. Session, project and model filters run inside FTS5 through the
index's hidden ``tags`` column (see `migrations`), so a filter costs no join per match.

To keep every query fast on a large history (p95 ≤ 20 ms at 100,000 messages), bm25 is
computed over the newest `RANK_WINDOW` matches only: a word found in 50,000 messages
ranks its newest 1,000, which is what a person searching their chats looks for.

A query is at most `MAX_QUERY_WORDS` words, and a word typed twice counts once: FTS5's
bm25 merges the positions of every phrase in a matching message, which grows with the
square of the phrases when they repeat (a word typed 300 times against a message holding
it 10,000 times took seconds). Match offsets are found in one pass over the message's
words, looking each word up among the query's first words, so they grow linearly.
"""

from __future__ import annotations

import functools
import re
import sqlite3
import unicodedata
from dataclasses import dataclass
from typing import Any, Literal

from codeface.core.errors import StoreError
from codeface.store.connection import is_undecodable, reads_text, record_problem
from codeface.store.faults import is_corruption
from codeface.store.tx import transaction

RANK_WINDOW = 1000
MAX_TAGGED_SESSIONS = 200
MAX_QUERY_WORDS = 64
_TERM = re.compile(r'"[^"]*"|\S+')
_TOKEN = re.compile(r"[^\W_]+")
_OPERATORS = {"AND", "OR", "NOT", "NEAR"}
Phrase = tuple[tuple[str, ...], bool]


@dataclass(frozen=True)
class SearchHit:
    """One search result: a message (``kind="message"``) or a session title.

    ``offsets`` index into the full text (message content or title); ``snippet_spans``
    index into ``snippet``.
    """

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


@functools.lru_cache(maxsize=65536)
def _fold(token: str) -> str:
    """Case- and accent-insensitive form, like the ``unicode61 remove_diacritics 2`` tokenizer."""
    decomposed = unicodedata.normalize("NFKD", token.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _too_many_words(count: int) -> StoreError:
    return StoreError(
        f"A search can use up to {MAX_QUERY_WORDS} different words; this one has {count}.",
        hint="Shorten the search: a few distinctive words find the same messages.",
    )


def parse_query(text: str) -> tuple[str, list[Phrase]]:
    """What a user typed → (FTS5 expression, phrases to highlight).

    Every word must match and the last one also as a prefix; quoted phrases stay phrases;
    FTS5 operators typed by the user are treated as plain words. A phrase typed twice is
    searched once.
    """
    pieces = [piece for piece in _TERM.findall(text) if piece.strip('"').strip()]
    if not pieces:
        raise StoreError("Type something to search for.")
    parts: list[str] = []
    phrases: list[Phrase] = []
    for index, piece in enumerate(pieces):
        quoted = piece.startswith('"') and piece.endswith('"') and len(piece) > 1
        words = tuple(_fold(token) for token in _TOKEN.findall(piece))
        prefix = index == len(pieces) - 1 and not quoted
        if not words or (words, prefix) in phrases:
            continue
        parts.append('"' + " ".join(words) + '"' + ("*" if prefix else ""))
        phrases.append((words, prefix))
    if not parts:
        raise StoreError(f"Nothing to search for in {text!r}: try letters or digits.")
    count = sum(len(words) for words, _ in phrases)
    if count > MAX_QUERY_WORDS:
        raise _too_many_words(count)
    return " ".join(parts), phrases


def _raw_phrases(text: str) -> list[Phrase]:
    words = dict.fromkeys(_fold(w) for w in _TOKEN.findall(text) if w not in _OPERATORS)
    if len(words) > MAX_QUERY_WORDS:
        raise _too_many_words(len(words))
    return [((word,), True) for word in words]


def match_offsets(text: str, phrases: list[Phrase]) -> tuple[tuple[int, int], ...]:
    """Character spans of every phrase occurrence in ``text``, in order, not overlapping.

    Where several phrases start at the same word, the first one in ``phrases`` wins.
    """
    tokens = [(m.start(), m.end(), _fold(m.group())) for m in _TOKEN.finditer(text)]
    folded = [token[2] for token in tokens]
    by_first_word: dict[str, list[tuple[int, tuple[str, ...], bool]]] = {}
    prefixes: list[tuple[int, str]] = []  # one-word prefix phrases
    for order, (words, prefix) in enumerate(phrases):
        if prefix and len(words) == 1:
            prefixes.append((order, words[0]))
        else:
            by_first_word.setdefault(words[0], []).append((order, words, prefix))
    spans: list[tuple[int, int]] = []
    for index, word in enumerate(folded):
        best: tuple[int, int] | None = None  # (order of the phrase, index after its end)
        for order, words, prefix in by_first_word.get(word, ()):
            end = index + len(words)
            if end > len(folded) or tuple(folded[index + 1 : end - 1]) != words[1:-1]:
                continue
            last = folded[end - 1]
            if len(words) == 1 or last == words[-1] or (prefix and last.startswith(words[-1])):
                best = (order, end)
                break
        for order, stem in prefixes:
            if best is not None and best[0] < order:
                break
            if word.startswith(stem):
                best = (order, index + 1)
                break
        if best is not None:
            spans.append((tokens[index][0], tokens[best[1] - 1][1]))
    merged: list[tuple[int, int]] = []
    for start, stop in spans:
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(stop, merged[-1][1]))
        else:
            merged.append((start, stop))
    return tuple(merged)


def make_snippet(
    text: str, offsets: tuple[tuple[int, int], ...], tokens: int = 12
) -> tuple[str, tuple[tuple[int, int], ...]]:
    """About ``tokens`` words around the first match (whitespace folded to single spaces),
    with the spans of the matches inside it."""
    words = list(_TOKEN.finditer(text))
    if not words:
        return " ".join(text.split())[:80], ()
    first = offsets[0][0] if offsets else 0
    centre = next((i for i, word in enumerate(words) if word.end() > first), 0)
    end = min(len(words), max(0, centre - tokens // 3) + tokens)
    begin = max(0, end - tokens)
    start = 0 if begin == 0 else words[begin].start()
    stop = len(text) if end == len(words) else words[end - 1].end()
    lead = "…" if start > 0 else ""
    out: list[str] = []
    where: dict[int, int] = {}
    position = len(lead)
    for index in range(start, stop):
        char = text[index]
        where[index] = position
        if char.isspace():
            if out and out[-1] == " ":
                continue
            char = " "
        out.append(char)
        position += 1
    where[stop] = position
    while out and out[-1] == " ":
        out.pop()
    tail = "…" if stop < len(text) and text[stop:].strip() else ""
    spans = tuple(
        (where[max(a, start)], where[min(b, stop)]) for a, b in offsets if a < stop and b > start
    )
    return lead + "".join(out) + tail, spans


def _tag(prefix: str, value: str) -> str:
    return f'"{prefix}{value.encode().hex()}"'


def _message_rows(
    conn: sqlite3.Connection, expression: str, filters: dict[str, Any], limit: int
) -> list[sqlite3.Row]:
    match = f"(content : ({expression}))"
    join_where: list[str] = []
    params: list[Any] = []
    for key, prefix in (("session_id", "s"), ("project", "p"), ("model", "m")):
        if filters[key] is None:
            continue
        if key == "model" and (filters["session_id"] or filters["project"]):
            # Few candidates are left: checking them beats merging the model's long doclist.
            join_where.append("m.model = ?")
            params.append(filters["model"])
        else:
            match += f" AND (tags : {_tag(prefix, filters[key])})"
    trashed = [r[0] for r in conn.execute("SELECT id FROM sessions WHERE deleted_at IS NOT NULL")]
    if len(trashed) <= MAX_TAGGED_SESSIONS:
        if trashed:
            match = f"({match}) NOT (tags : ({' OR '.join(_tag('s', s) for s in trashed)}))"
    else:
        join_where.append(
            "m.session_id NOT IN (SELECT id FROM sessions WHERE deleted_at IS NOT NULL)"
        )
    for op, key in ((">=", "since"), ("<", "until")):
        if filters[key] is not None:
            join_where.append(f"m.created_at {op} ?")
            params.append(filters[key])
    join = " JOIN messages AS m ON m.seq = f.rowid" if join_where else ""
    where = " AND ".join(["messages_fts MATCH ?", *join_where])
    bound = conn.execute(
        f"SELECT f.rowid FROM messages_fts AS f{join} WHERE {where} "
        "ORDER BY f.rowid DESC LIMIT 1 OFFSET ?",
        [match, *params, RANK_WINDOW - 1],
    ).fetchone()
    if bound is not None:
        where += " AND f.rowid >= ?"
        params.append(bound[0])
    top = conn.execute(
        f"SELECT f.rowid, f.rank FROM messages_fts AS f{join} WHERE {where} "
        "ORDER BY f.rank LIMIT ?",
        [match, *params, limit],
    ).fetchall()
    if not top:
        return []
    ranks = {row[0]: row[1] for row in top}
    rows = conn.execute(
        "SELECT m.seq, s.id, s.title, m.id, m.role, m.model, m.created_at, m.content "
        "FROM messages AS m JOIN sessions AS s ON s.id = m.session_id "
        f"WHERE m.seq IN ({', '.join('?' for _ in ranks)})",
        list(ranks),
    ).fetchall()
    return sorted(([*row, ranks[row[0]]] for row in rows), key=lambda row: row[-1])  # type: ignore[misc]


def rebuild_search_index(conn: sqlite3.Connection) -> None:
    """Build the message and title search indexes again from what is stored."""
    with transaction(conn):
        conn.execute("INSERT INTO messages_fts(messages_fts) VALUES ('rebuild')")
        conn.execute("INSERT INTO sessions_fts(sessions_fts) VALUES ('rebuild')")


@reads_text(lambda text, **_: f"the search for {text!r}")
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
    """Ranked hits for ``text`` (FTS5 syntax as-is when ``raw``), best first."""
    if raw:
        expression, phrases = text, _raw_phrases(text)
    else:
        expression, phrases = parse_query(text)
    filters = {
        "session_id": session_id,
        "project": project,
        "model": model,
        "since": since,
        "until": until,
    }
    title_where = ["sessions_fts MATCH ?", "s.deleted_at IS NULL"]
    title_params: list[Any] = [expression]
    for clause, value in (
        ("s.id = ?", session_id),
        ("s.project = ?", project),
        ("s.created_at >= ?", since),
        ("s.created_at < ?", until),
    ):
        if value is not None:
            title_where.append(clause)
            title_params.append(value)

    def find() -> list[tuple[str, Any]]:
        found = [("message", row) for row in _message_rows(conn, expression, filters, limit)]
        if model is None:
            titles = conn.execute(
                "SELECT NULL, s.id, s.title, NULL, NULL, s.model, s.created_at, s.title, "
                "sessions_fts.rank FROM sessions_fts JOIN sessions AS s "
                f"ON s.seq = sessions_fts.rowid WHERE {' AND '.join(title_where)} "
                "ORDER BY sessions_fts.rank LIMIT ?",
                [*title_params, limit],
            ).fetchall()
            found += [("title", row) for row in titles]
        return found

    try:
        try:
            found = find()
        except sqlite3.DatabaseError as error:
            if not is_corruption(error):
                raise
            # Only the index is damaged (text written past CodeFace, e.g. bytes that are
            # not UTF-8): it is derived from the messages, so build it again and go on.
            rebuild_search_index(conn)
            record_problem(conn, "the search index", f"was damaged ({error}); it was rebuilt")
            found = find()
    except sqlite3.OperationalError as error:
        if is_undecodable(error):
            raise  # read again by `reads_text`
        raise StoreError(f"Cannot search for {text!r}: {error}") from error
    except sqlite3.DatabaseError as error:
        raise StoreError(
            f"The search index cannot be used ({error}).",
            hint="Run `codeface doctor`; the messages themselves are not affected.",
        ) from error
    hits = []
    for kind, row in found:
        offsets = match_offsets(row[7], phrases)
        snippet, spans = make_snippet(row[7], offsets, snippet_tokens)
        hits.append(
            SearchHit(
                kind="message" if kind == "message" else "title",
                session_id=row[1],
                session_title=row[2],
                message_id=row[3],
                role=row[4],
                model=row[5],
                created_at=row[6],
                snippet=snippet,
                snippet_spans=spans,
                offsets=offsets,
                rank=row[8],
            )
        )
    hits.sort(key=lambda hit: hit.rank)
    return hits[:limit]
