"""Everything a user creates, kept on their machine: sessions, messages, notes, keys.

No Qt here. The engine and the window use the async `Store`; the CLI and tests may use
`SyncStore` with the synchronous functions of `sessions`, `streaming`, `search`,
`export` and `memory`. API keys live in `secrets`, never in the database.

The names below load with their module on first use (a module `__getattr__`), so that
importing one part of the store (`codeface.store.models`, say) does not import all of it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from codeface.core.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from codeface.store.connection import ReadProblem
    from codeface.store.db import RecoveryNotice, moved_aside_files
    from codeface.store.export import ImportResult
    from codeface.store.models import BranchPoint, Message, ProjectNote, Session
    from codeface.store.search import SearchHit
    from codeface.store.service import AsyncAnswerWriter, Store, SyncStore
    from codeface.store.streaming import AnswerWriter

_HOMES = {
    "AnswerWriter": "streaming",
    "AsyncAnswerWriter": "service",
    "BranchPoint": "models",
    "ImportResult": "export",
    "Message": "models",
    "ProjectNote": "models",
    "ReadProblem": "connection",
    "RecoveryNotice": "db",
    "SearchHit": "search",
    "Session": "models",
    "Store": "service",
    "SyncStore": "service",
    "moved_aside_files": "db",
}

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

__getattr__ = lazy_exports(__name__, _HOMES, globals())
