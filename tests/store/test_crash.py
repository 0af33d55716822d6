"""Crash test: a child streams answers from a loopback Ollama into the store and is killed
with SIGKILL at random moments, 50 times. After each kill the database must be sound,
every completed answer intact, and every cut answer marked interrupted with a prefix of
the real text."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from codeface.store import SyncStore
from tests.fakes.ollama_server import OllamaServer

ROOT = Path(__file__).resolve().parents[2]
MODEL = "qwen2.5-coder:7b"
ANSWER = " ".join(f"token{index}" for index in range(120))
KILLS = 50


def _check(database: Path, committed: dict[str, int]) -> Counter[str]:
    with SyncStore(database) as store:
        assert store.integrity_check() == "ok"
        rows = store.conn.execute(
            "SELECT id, role, content, status, output_tokens FROM messages ORDER BY seq"
        ).fetchall()
    statuses: Counter[str] = Counter()
    for message_id, role, content, status, output_tokens in rows:
        # every batch the child saw committed is still there after SIGKILL
        assert len(content) >= committed.get(message_id, 0)
        if role == "user":
            assert content.startswith("prompt ")
            assert status == "complete"
            continue
        statuses[status] += 1
        assert status in ("complete", "interrupted"), status
        if status == "complete":
            assert content == ANSWER
            assert output_tokens == 120
        else:
            assert ANSWER.startswith(content)
    return statuses


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_sigkill_while_streaming_loses_at_most_the_last_batch(tmp_path: Path) -> None:
    database = tmp_path / "crash" / "codeface.db"
    chooser = random.Random(os.environ.get("CRASH_SEED", "1234"))
    totals: Counter[str] = Counter()
    committed: dict[str, int] = {}
    with OllamaServer() as server:
        server.reply_text(ANSWER, chunks=None, output_tokens=120, chunk_delay=0.001, times=None)
        for _ in range(KILLS):
            child = subprocess.Popen(
                [sys.executable, "-m", "tests.store.crash_child", str(database), server.url, MODEL],
                cwd=ROOT,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            try:
                assert child.stdout is not None
                assert child.stdout.readline().strip() == "ready", child.stderr.read()  # type: ignore[union-attr]
                # The random kill moment itself is what this test is about (not a wait).
                time.sleep(chooser.uniform(0.0, 0.5))
                assert child.poll() is None, child.stderr.read()  # type: ignore[union-attr]
            finally:
                child.send_signal(signal.SIGKILL)
                child.wait(timeout=30)
                for line in child.stdout.read().splitlines():  # type: ignore[union-attr]
                    _, message_id, length = line.split()
                    committed[message_id] = max(committed.get(message_id, 0), int(length))
                child.stdout.close()  # type: ignore[union-attr]
                child.stderr.close()  # type: ignore[union-attr]
            totals = _check(database, committed)
    # the random moments really did hit both finished and cut answers
    assert totals["complete"] > 0
    assert totals["interrupted"] > 0
    assert totals["interrupted"] <= KILLS
    assert len(committed) > KILLS  # the durability check above really had batches to check
