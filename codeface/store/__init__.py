"""Everything a user creates, kept on their machine: sessions, messages, notes, keys.

No Qt here. The engine and the window use the async `Store`; the CLI and tests may use
`SyncStore` with the synchronous functions of `sessions`, `streaming`, `search`,
`export` and `memory`. API keys live in `secrets`, never in the database.
"""

from __future__ import annotations

from codeface.store.connection import ReadProblem
from codeface.store.db import RecoveryNotice, moved_aside_files
from codeface.store.export import ImportResult
from codeface.store.models import BranchPoint, Message, ProjectNote, Session
from codeface.store.search import SearchHit
from codeface.store.service import AsyncAnswerWriter, Store, SyncStore
from codeface.store.streaming import AnswerWriter

__all__ = [
    "AnswerWriter",
    "AsyncAnswerWriter",
    "BranchPoint",
    "ImportResult",
    "Message",
    "ProjectNote",
    "ReadProblem",
    "RecoveryNotice",
    "SearchHit",
    "Session",
    "Store",
    "SyncStore",
    "moved_aside_files",
]
