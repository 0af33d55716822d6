"""Several processes opening one fresh data folder at once (two `codeface chat` started
together): each one's conversation is kept, and none mistakes the other's work for a
corrupt database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from codeface.core.paths import app_paths
from codeface.store import SyncStore, moved_aside_files, sessions

ROOT = Path(__file__).resolve().parents[2]
CHILDREN = 8


def _start_together(count: int) -> list[str]:
    children = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.store.concurrent_child", str(index)],
            cwd=ROOT,
            env=os.environ.copy(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for index in range(count)
    ]
    outputs = []
    try:
        for child in children:  # every child has imported everything and waits
            assert child.stdout is not None
            assert child.stdout.readline().strip() == "ready"
        for child in children:  # ... then all of them open the store at once
            assert child.stdin is not None
            child.stdin.write("go\n")
            child.stdin.close()
        for child in children:
            assert child.stdout is not None
            assert child.stderr is not None
            out, err = child.stdout.read(), child.stderr.read()
            assert child.wait(timeout=120) == 0, out + err
            outputs.append(out)
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
                child.wait()
            for stream in (child.stdout, child.stderr):
                if stream is not None:
                    stream.close()
    return outputs


@pytest.mark.timeout(180)
@pytest.mark.parametrize("round_", range(5))
def test_processes_starting_together_on_a_fresh_folder_keep_every_conversation(
    codeface_home: Path, round_: int
) -> None:
    outputs = _start_together(CHILDREN)
    assert not [line for out in outputs for line in out.splitlines() if line.startswith("notice")]
    saved = {out.split()[-1] for out in outputs}
    assert len(saved) == CHILDREN
    path = app_paths().database
    assert moved_aside_files(path) == []
    assert not list(path.parent.glob("*corrupt*"))
    with SyncStore() as store:
        assert store.notice is None
        stored = {session.id: session for session in sessions.list_sessions(store.conn)}
        assert set(stored) == saved
        texts = sorted(
            tuple(message.content for message in sessions.path_to_leaf(store.conn, session_id))
            for session_id in saved
        )
    assert texts == sorted((f"prompt {i}", f"answer {i}") for i in range(CHILDREN))
