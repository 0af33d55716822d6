"""The project watcher on a real folder: changes arrive as relative paths, folders like
.git are left out, closing the iterator stops its thread, a folder that cannot be
watched is an error on the caller's side, not a silent dead thread."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from codeface.application.file_watch import follow_changes

DEBOUNCE_MS = 50


def watcher_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "codeface-file-watch"]


def outside_git(_change: object, path: str) -> bool:
    return ".git" not in Path(path).parts


async def first_batch(root: Path, touch: Callable[[int], None]) -> set[str]:
    """The first batch the watcher reports while ``touch`` keeps changing files (the
    watcher starts in its thread: what changed before it was ready is not seen)."""
    changes = follow_changes(root, outside_git, DEBOUNCE_MS)
    pending = asyncio.ensure_future(anext(changes))
    try:
        for attempt in range(200):
            touch(attempt)
            done, _ = await asyncio.wait({pending}, timeout=0.05)
            if done:
                return pending.result()
        raise AssertionError("no change seen")
    finally:
        pending.cancel()
        await changes.aclose()


@pytest.mark.asyncio
async def test_a_written_file_is_reported_and_closing_stops_the_thread(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    source = tmp_path / "src" / "app.py"
    paths = await first_batch(tmp_path, lambda n: source.write_text(f"change {n}\n"))
    assert str(source) in paths
    await asyncio.to_thread(lambda: [t.join(5) for t in watcher_threads()])
    assert watcher_threads() == []


@pytest.mark.asyncio
async def test_changes_the_filter_refuses_are_not_reported(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()

    def touch(attempt: int) -> None:
        (tmp_path / ".git" / "index").write_text(f"index {attempt}")
        (tmp_path / "seen.txt").write_text(f"seen {attempt}")

    batch = await first_batch(tmp_path, touch)
    assert str(tmp_path / "seen.txt") in batch
    assert not [path for path in batch if ".git" in Path(path).parts]


@pytest.mark.asyncio
async def test_a_missing_folder_raises_for_the_caller(tmp_path: Path) -> None:
    changes = follow_changes(tmp_path / "gone", lambda _c, _p: True, DEBOUNCE_MS)
    with pytest.raises(FileNotFoundError):
        await anext(changes)
