"""Full-text search: ranking, snippets, exact match offsets, filters, trash and streaming."""

from __future__ import annotations

import sqlite3
import time

import pytest

from codeface.core.errors import StoreError
from codeface.store import search, sessions, streaming
from tests.store.fts_check import index_mismatches


def _answer(conn: sqlite3.Connection, session_id: str, text: str, model: str = "qwen") -> str:
    writer = streaming.begin_answer(conn, session_id, model=model)
    writer.append(text)
    return writer.finish().id


@pytest.fixture
def corpus(conn: sqlite3.Connection) -> dict[str, str]:
    web = sessions.create_session(conn, project="/src/web")
    question = sessions.add_user_message(conn, web.id, "How do I debounce a React input?")
    debounce = _answer(conn, web.id, "Use a debounce hook: wrap setState in a Debounce helper.")
    cli = sessions.create_session(conn, project="/src/cli")
    sessions.add_user_message(conn, cli.id, "Parse arguments in Rust")
    clap = _answer(conn, cli.id, "Use clap. Debounce is not needed here.", model="claude")
    return {
        "web": web.id,
        "cli": cli.id,
        "question": question.id,
        "debounce": debounce,
        "clap": clap,
    }


def test_hits_are_ranked_with_snippets_and_exact_offsets(
    conn: sqlite3.Connection, corpus: dict[str, str]
) -> None:
    hits = search.search(conn, "debounce")
    kinds = {(hit.kind, hit.message_id) for hit in hits}
    assert ("message", corpus["debounce"]) in kinds
    assert ("message", corpus["clap"]) in kinds
    assert any(hit.kind == "title" and hit.session_id == corpus["web"] for hit in hits)
    assert [hit.rank for hit in hits] == sorted(hit.rank for hit in hits)
    answer = next(hit for hit in hits if hit.message_id == corpus["debounce"])
    text = sessions.get_message(conn, corpus["debounce"]).content
    assert [text[a:b].lower() for a, b in answer.offsets] == ["debounce", "debounce"]
    assert [answer.snippet[a:b] for a, b in answer.snippet_spans] == ["debounce", "Debounce"]
    # the message that says "debounce" twice ranks above the one that says it once
    order = [hit.message_id for hit in hits if hit.kind == "message"]
    assert order.index(corpus["debounce"]) < order.index(corpus["clap"])


def test_prefix_phrases_and_punctuation_are_safe(
    conn: sqlite3.Connection, corpus: dict[str, str]
) -> None:
    assert {h.message_id for h in search.search(conn, "setSt")} == {corpus["debounce"]}
    assert search.search(conn, '"wrap hook"') == []
    assert {h.message_id for h in search.search(conn, '"debounce hook"')} == {corpus["debounce"]}
    assert search.search(conn, 'clap( AND NOT "') is not None  # operators are just words
    with pytest.raises(StoreError):
        search.search(conn, "   ")


@pytest.mark.parametrize("tagged_sessions", [200, 0], ids=["in-index", "by-join"])
def test_filters_by_session_project_model_and_date(
    conn: sqlite3.Connection,
    corpus: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    tagged_sessions: int,
) -> None:
    # With 0, session filters and the trash go through a join instead of FTS tags.
    monkeypatch.setattr(search, "MAX_TAGGED_SESSIONS", tagged_sessions)
    sessions.trash_session(conn, sessions.create_session(conn, title="debounce in trash").id)

    def ids(**filters: object) -> set[str | None]:
        return {hit.message_id for hit in search.search(conn, "debounce", **filters)}  # type: ignore[arg-type]

    assert ids(session_id=corpus["cli"]) == {corpus["clap"]}
    assert ids(project="/src/web") == {corpus["question"], corpus["debounce"], None}
    assert ids(model="claude") == {corpus["clap"]}
    assert ids(since=time.time() + 60) == set()
    assert ids(until=time.time() + 60) == {
        corpus["question"],
        corpus["debounce"],
        corpus["clap"],
        None,
    }


def test_trash_is_not_searched_and_streaming_text_is_indexed_when_it_ends(
    conn: sqlite3.Connection, corpus: dict[str, str]
) -> None:
    sessions.trash_session(conn, corpus["cli"])
    assert corpus["clap"] not in {h.message_id for h in search.search(conn, "debounce")}
    sessions.restore_session(conn, corpus["cli"])
    assert corpus["clap"] in {h.message_id for h in search.search(conn, "debounce")}

    writer = streaming.begin_answer(conn, corpus["web"], flush_interval=0)
    writer.append("zebra crossing")
    assert search.search(conn, "zebra") == []
    writer.finish()
    assert [h.message_id for h in search.search(conn, "zebra")] == [writer.message_id]
    sessions.rename_session(conn, corpus["web"], "Renamed to aardvark")
    assert [h.kind for h in search.search(conn, "aardvark")] == ["title"]
    assert conn.execute("INSERT INTO messages_fts(messages_fts) VALUES ('integrity-check')")


def test_only_the_newest_matches_are_ranked_on_a_large_history(
    conn: sqlite3.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search, "RANK_WINDOW", 3)
    session = sessions.create_session(conn, title="history")
    old = _answer(conn, session.id, "needle needle needle needle")  # best bm25, but oldest
    newer = [_answer(conn, session.id, f"needle and hay {n} more words here") for n in range(3)]
    hits = [hit.message_id for hit in search.search(conn, "needle") if hit.kind == "message"]
    assert set(hits) == set(newer)
    assert old not in hits
    monkeypatch.setattr(search, "RANK_WINDOW", 100)
    hits = [hit.message_id for hit in search.search(conn, "needle") if hit.kind == "message"]
    assert hits[0] == old


def test_snippets_fold_whitespace_and_keep_spans_on_the_match() -> None:
    text = "intro words " * 20 + "the\n\n  target   phrase\tis here " + "tail words " * 20
    offsets = search.match_offsets(text, [(("target", "phrase"), False)])
    assert [text[a:b] for a, b in offsets] == ["target   phrase"]
    snippet, spans = search.make_snippet(text, offsets, tokens=8)
    assert snippet.startswith("…")
    assert snippet.endswith("…")
    assert [snippet[a:b] for a, b in spans] == ["target phrase"]
    assert "\n" not in snippet
    assert "  " not in snippet
    accents = search.match_offsets("Crème brûlée, CRÈME", [(("creme",), False)])
    assert accents == ((0, 5), (14, 19))


def test_moving_a_session_to_another_project_moves_its_messages_in_search(
    conn: sqlite3.Connection, corpus: dict[str, str]
) -> None:
    sessions.update_session(conn, corpus["cli"], project="/src/tools")
    assert {h.message_id for h in search.search(conn, "clap", project="/src/cli")} == set()
    moved = {h.message_id for h in search.search(conn, "clap", project="/src/tools")}
    assert corpus["clap"] in moved
    assert index_mismatches(conn) == set()
    sessions.trash_session(conn, corpus["cli"])
    sessions.purge_trash(conn, now=time.time() + 31 * 86400)
    assert index_mismatches(conn) == set()
    assert {h.message_id for h in search.search(conn, "clap")} == set()


def test_a_word_repeated_ten_thousand_times_gives_every_offset_and_a_short_snippet(
    conn: sqlite3.Connection,
) -> None:
    session = sessions.create_session(conn)
    text = "word " * 10_000
    answer = _answer(conn, session.id, text)
    expected = tuple((index * 5, index * 5 + 4) for index in range(10_000))
    for query in ("word", "Word WORD word", "word " * 1000):  # the query repeats it, too
        (hit,) = [h for h in search.search(conn, query) if h.kind == "message"]
        assert hit.message_id == answer
        assert hit.offsets == expected
        assert 0 < len(hit.snippet_spans) <= 12  # about a dozen words around the first match
        assert all(hit.snippet[a:b] == "word" for a, b in hit.snippet_spans)


def test_a_query_repeating_a_word_searches_it_once() -> None:
    expression, phrases = search.parse_query("word word WORD wörd word")
    assert expression == '"word" "word"*'
    assert phrases == [(("word",), False), (("word",), True)]


def test_too_many_different_words_are_refused_with_a_reason() -> None:
    words = " ".join(f"w{index}" for index in range(search.MAX_QUERY_WORDS + 1))
    with pytest.raises(StoreError, match=f"up to {search.MAX_QUERY_WORDS} different words"):
        search.parse_query(words)
    assert search.parse_query(" ".join(words.split()[:-1]))


def test_offsets_prefer_the_first_phrase_of_the_query_where_several_start() -> None:
    text = "make test then make tests pass"
    phrases = [(("make",), False), (("make", "test"), True)]
    assert search.match_offsets(text, phrases) == ((0, 4), (15, 19))
    phrases = [(("make", "test"), True), (("make",), False)]
    assert search.match_offsets(text, phrases) == ((0, 9), (15, 25))
