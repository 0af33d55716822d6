"""Store figures: full-text search at 100,000 messages, opening a 10,000-message session,
and what durable streaming costs per batch.

- FTS p95 over 100k messages (budget 20 ms), unfiltered and with project + model
  filters; baseline: finding every match of the same words with a ``LIKE`` scan (what
  search would cost without the FTS5 index), on a sample of the queries.
- Opening a 10,000-message session, i.e. loading its active branch with sibling counts
  (budget 100 ms); baseline: a bare ``SELECT`` of the same rows.
- Streaming persistence per batch: one 250 ms batch appended to a growing answer in the
  real WAL database (budget 5 ms, 2% of the batch interval); baseline: the same append
  in an in-memory database (CPU only, no file I/O).
- Opening that database as every start does (setup lock, WAL, ``quick_check``, migrations
  check, claim; budget 500 ms); baseline: a bare connection reading the schema.
- Search in one message holding a word 10,000 times, for the word and for the word typed
  1,000 times (budget 50 ms each; before the fix the second took 60 s); baseline:
  finding the 10,000 spans with a regular expression.
- Importing 5,000 messages with sqlite-utils' ``insert_all`` (the store's path); baseline:
  the same rows with ``executemany``. Budget: no slower than the baseline (ratio ≤ 1.0).

Run: ``python -m benchmarks.bench_store [--messages N]``. Prints a table; never asserts.
"""

from __future__ import annotations

import argparse
import random
import re
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.run import verdict as run_verdict
from codeface.store import export, search, sessions, streaming
from codeface.store.connection import connect
from codeface.store.db import open_database
from codeface.store.migrations import migrate

WORDS = 6000


def _vocabulary(rng: random.Random) -> list[str]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    seen: set[str] = set()
    while len(seen) < WORDS:
        seen.add("".join(rng.choice(letters) for _ in range(rng.randint(3, 10))))
    return sorted(seen)


def _p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


def _row(
    name: str,
    value: float,
    unit: str,
    budget: float | None,
    baseline: float | None,
    budget_on: str = "value",
) -> dict[str, Any]:
    ratio = value / baseline if baseline else None
    return {
        "name": name,
        "value": value,
        "unit": unit,
        "budget": budget,
        "baseline": baseline,
        "ratio": ratio,
        "budget_on": budget_on,
    }


def _median_ms(call: Any, runs: int = 5) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings) * 1000


def build_corpus(conn: sqlite3.Connection, messages: int, rng: random.Random) -> list[str]:
    """Fill the database with ``messages`` messages of Zipf-distributed words."""
    vocabulary = _vocabulary(rng)
    weights = [1 / (rank + 1) for rank in range(len(vocabulary))]
    per_session = 100
    now = time.time() - 86400 * 365
    conn.execute("BEGIN")
    for index in range(0, messages, per_session):
        session_id = f"s{index:08d}"
        conn.execute(
            "INSERT INTO sessions (id, title, created_at, updated_at, project) VALUES (?, ?, ?, ?, ?)",
            (
                session_id,
                " ".join(rng.choices(vocabulary, weights, k=5)),
                now,
                now,
                f"/src/project{(index // per_session) % 20}",
            ),
        )
        parent = None
        rows = []
        for position in range(min(per_session, messages - index)):
            message_id = f"m{index + position:08d}"
            text = " ".join(rng.choices(vocabulary, weights, k=rng.randint(20, 120)))
            role = "user" if position % 2 == 0 else "assistant"
            rows.append(
                (
                    message_id,
                    session_id,
                    parent,
                    role,
                    text,
                    now + index + position,
                    "qwen" if position % 4 else "claude",
                )
            )
            parent = message_id
        conn.executemany(
            "INSERT INTO messages (id, session_id, parent_id, role, content, created_at, model) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        conn.execute("UPDATE sessions SET active_leaf_id = ? WHERE id = ?", (parent, session_id))
    conn.execute("COMMIT")
    conn.execute("INSERT INTO messages_fts(messages_fts) VALUES ('optimize')")
    return vocabulary


def bench_search(
    conn: sqlite3.Connection, vocabulary: list[str], rng: random.Random
) -> list[dict[str, Any]]:
    queries = []
    for _ in range(200):
        # half common words (high rank), half rarer ones; a third are two-word queries
        pool = vocabulary[:300] if rng.random() < 0.5 else vocabulary[300:]
        words = rng.sample(pool, 2 if rng.random() < 0.33 else 1)
        queries.append(" ".join(words))
    for query in queries[:10]:
        search.search(conn, query)  # warm the page cache
    timings = []
    for query in queries:
        started = time.perf_counter()
        search.search(conn, query, limit=20)
        timings.append(time.perf_counter() - started)
    filtered = []
    for query in queries[:100]:
        started = time.perf_counter()
        search.search(conn, query, project="/src/project3", model="qwen", limit=20)
        filtered.append(time.perf_counter() - started)
    like = []
    for query in queries[:20]:
        started = time.perf_counter()
        conn.execute(
            "SELECT id FROM messages WHERE content LIKE ?", (f"%{query.split()[0]}%",)
        ).fetchall()
        like.append(time.perf_counter() - started)
    baseline = _p95(like) * 1000
    return [
        _row("fts_search_p95", _p95(timings) * 1000, "ms", 20.0, baseline),
        _row("fts_search_filtered_p95", _p95(filtered) * 1000, "ms", 20.0, baseline),
    ]


def bench_open_session(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    session = sessions.create_session(conn, title="long")
    parent = None
    conn.execute("BEGIN")
    for index in range(10_000):
        message_id = f"long{index:06d}"
        conn.execute(
            "INSERT INTO messages (id, session_id, parent_id, role, content, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (
                message_id,
                session.id,
                parent,
                "user" if index % 2 == 0 else "assistant",
                "some text of a typical length " * 10,
                time.time(),
            ),
        )
        parent = message_id
    conn.execute("UPDATE sessions SET active_leaf_id = ? WHERE id = ?", (parent, session.id))
    conn.execute("COMMIT")
    timings, bare = [], []
    for _ in range(7):
        started = time.perf_counter()
        path = sessions.active_path(conn, session.id)
        timings.append(time.perf_counter() - started)
        started = time.perf_counter()
        conn.execute("SELECT * FROM messages WHERE session_id = ?", (session.id,)).fetchall()
        bare.append(time.perf_counter() - started)
    assert len(path) == 10_000
    return [
        _row(
            "open_10k_message_session",
            statistics.median(timings) * 1000,
            "ms",
            100.0,
            statistics.median(bare) * 1000,
        )
    ]


def _batch_cost(conn: sqlite3.Connection) -> float:
    session = sessions.create_session(conn)
    writer = streaming.begin_answer(conn, session.id)
    batch = "token " * 25  # ~250 ms of a 100 token/s stream
    timings = []
    for _ in range(400):  # an answer growing to ~60 KB
        writer.buffer(batch)
        started = time.perf_counter()
        writer.flush()
        timings.append(time.perf_counter() - started)
    writer.finish()
    return statistics.median(timings) * 1000


def bench_streaming(conn: sqlite3.Connection, folder: Path) -> list[dict[str, Any]]:
    in_memory = connect(Path(":memory:"))
    migrate(in_memory, folder / "unused.db")
    baseline = _batch_cost(in_memory)
    return [_row("streaming_batch_write", _batch_cost(conn), "ms", 5.0, baseline)]


def bench_open(path: Path) -> list[dict[str, Any]]:
    """Open the big database as every CodeFace start does, against a bare connection."""

    def full_open() -> None:
        open_database(path).close()

    def bare_open() -> None:
        bare = sqlite3.connect(path)
        bare.execute("SELECT count(*) FROM sqlite_master").fetchone()
        bare.close()

    baseline = _median_ms(bare_open)
    return [_row("open_database_at_start", _median_ms(full_open), "ms", 500.0, baseline)]


def bench_repeated_word(folder: Path) -> list[dict[str, Any]]:
    """Search in one message that holds a word 10,000 times."""
    opened = open_database(folder / "repeated.db")
    conn = opened.conn
    session = sessions.create_session(conn)
    text = "word " * 10_000
    sessions.add_user_message(conn, session.id, text)
    pattern = re.compile(r"\bword\b")
    baseline = _median_ms(lambda: [m.span() for m in pattern.finditer(text)])
    rows = []
    for label, query in (("word", "word"), ("word_x1000_query", "word " * 1000)):
        hits = search.search(conn, query)
        assert len(hits[0].offsets) == 10_000
        value = _median_ms(lambda query=query: search.search(conn, query))
        rows.append(_row(f"search_10k_repeats_{label}", value, "ms", 50.0, baseline))
    opened.close()
    return rows


def _import_with_executemany(conn: sqlite3.Connection, text: str) -> None:
    """The baseline: the same rows as `export.import_json` writes, with executemany."""
    documents = export.parse_export(text)
    columns = [name for name in export._SESSION_FIELDS if name != "active_leaf_id"]
    names = ["session_id", *export._MESSAGE_FIELDS]
    conn.execute("BEGIN IMMEDIATE")
    conn.executemany(
        f"INSERT INTO sessions ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})",
        [[session[name] for name in columns] for session in documents],
    )
    conn.executemany(
        f"INSERT INTO messages ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})",
        [[row[name] for name in names] for row in export._message_rows(documents)],
    )
    conn.executemany(
        "UPDATE sessions SET active_leaf_id = ? WHERE id = ?",
        [(session["active_leaf_id"], session["id"]) for session in documents],
    )
    conn.execute("COMMIT")


def bench_import(folder: Path, rng: random.Random) -> list[dict[str, Any]]:
    """Import 5,000 messages: sqlite-utils' insert_all against executemany."""
    source = open_database(folder / "export-source.db")
    vocabulary = build_corpus(source.conn, 5_000, rng)
    assert vocabulary
    text = export.export_json(source.conn)
    source.close()
    timings: dict[str, list[float]] = {"insert_all": [], "executemany": []}
    for attempt in range(3):
        for name in timings:
            target = open_database(folder / f"import-{name}-{attempt}.db")
            started = time.perf_counter()
            if name == "insert_all":
                export.import_json(target.conn, text)
            else:
                _import_with_executemany(target.conn, text)
            timings[name].append(time.perf_counter() - started)
            target.close()
    value = statistics.median(timings["insert_all"]) * 1000
    baseline = statistics.median(timings["executemany"]) * 1000
    return [_row("import_5k_messages", value, "ms", 1.0, baseline, budget_on="ratio")]


def run(messages: int = 100_000) -> list[dict[str, Any]]:
    """Build the databases in a temporary folder and measure every figure."""
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        opened = open_database(folder / "codeface.db")
        conn = opened.conn
        started = time.perf_counter()
        vocabulary = build_corpus(conn, messages, rng)
        print(f"built {messages:,} messages in {time.perf_counter() - started:.1f} s")
        rows = bench_search(conn, vocabulary, rng)
        rows += bench_open_session(conn)
        rows += bench_streaming(conn, folder)
        opened.close()
        rows += bench_open(folder / "codeface.db")
        rows += bench_repeated_word(folder)
        rows += bench_import(folder, rng)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=100_000)
    args = parser.parse_args()
    rows = run(args.messages)
    print(f"{'figure':28} {'value':>10} {'budget':>10} {'baseline':>10} {'ratio':>8}")
    for row in rows:
        budget = f"{row['budget']:.1f}" if row["budget"] is not None else "-"
        baseline = f"{row['baseline']:.2f}" if row["baseline"] is not None else "-"
        ratio = f"{row['ratio']:.2f}" if row["ratio"] is not None else "-"
        verdict = run_verdict(row)
        print(
            f"{row['name']:28} {row['value']:>8.2f}{row['unit']:>2} {budget:>10} "
            f"{baseline:>10} {ratio:>8}  {verdict}"
        )


if __name__ == "__main__":
    main()
