"""Store fixtures: a real SQLite file under the test's CODEFACE_HOME."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from codeface.store import SyncStore


@pytest.fixture
def store(codeface_home: Path) -> Iterator[SyncStore]:
    """An open store on a fresh database file."""
    opened = SyncStore()
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def conn(store: SyncStore) -> sqlite3.Connection:
    """The store's connection, for the synchronous module functions."""
    return store.conn
