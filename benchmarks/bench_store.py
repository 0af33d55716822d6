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

Run: ``python -m benchmarks.bench_store [--messages N]``. Prints a table; never asserts.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from codeface.store import search, sessions, streaming
from codeface.store.db import open_database

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
    name: str, value: float, unit: str, budget: float | None, baseline: float | None
) -> dict[str, Any]:
    ratio = value / baseline if baseline else None
    return {
        "name": name,
        "value": value,
        "unit": unit,
        "budget": budget,
        "baseline": baseline,
        "ratio": ratio,
    }


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
    memory = open_database(folder / "memory-baseline.db").conn
    memory.close()
    in_memory = sqlite3.connect(":memory:", autocommit=True)
    in_memory.row_factory = sqlite3.Row
    from codeface.store.migrations import migrate

    migrate(in_memory, folder / "unused.db")
    baseline = _batch_cost(in_memory)
    return [_row("streaming_batch_write", _batch_cost(conn), "ms", 5.0, baseline)]


def run(messages: int = 100_000) -> list[dict[str, Any]]:
    """Build the databases in a temporary folder and measure every figure."""
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        conn = open_database(folder / "codeface.db").conn
        started = time.perf_counter()
        vocabulary = build_corpus(conn, messages, rng)
        print(f"built {messages:,} messages in {time.perf_counter() - started:.1f} s")
        rows = bench_search(conn, vocabulary, rng)
        rows += bench_open_session(conn)
        rows += bench_streaming(conn, folder)
        conn.close()
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
        verdict = "ok" if row["budget"] is None or row["value"] <= row["budget"] else "OVER"
        print(
            f"{row['name']:28} {row['value']:>8.2f}{row['unit']:>2} {budget:>10} "
            f"{baseline:>10} {ratio:>8}  {verdict}"
        )


if __name__ == "__main__":
    main()
