"""hypothesis: random send/edit/regenerate/switch/delete/restore keep the tree consistent,
nothing is ever added to a session in the trash, and every state survives export → import
→ export byte for byte."""

from __future__ import annotations

import itertools
import sqlite3
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from codeface.core.errors import StoreError
from codeface.store import export, sessions, streaming
from codeface.store.db import open_database
from tests.store.fts_check import index_mismatches

OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(
            ["send", "edit", "regenerate", "switch", "interrupt", "trash", "restore", "project"]
        ),
        st.integers(min_value=0, max_value=1000),
        st.text(max_size=12),
    ),
    max_size=25,
)


def _check_tree(conn: sqlite3.Connection, session_id: str, expected: dict[str, str | None]) -> None:
    messages = {m.id: m for m in sessions.session_messages(conn, session_id)}
    assert {mid: m.parent_id for mid, m in messages.items()} == expected
    for message in messages.values():  # every message reaches a root: no cycles, no orphans
        seen = set()
        current: str | None = message.id
        while current is not None:
            assert current not in seen
            seen.add(current)
            current = messages[current].parent_id
    leaf = sessions.get_session(conn, session_id).active_leaf_id
    path = sessions.path_to_leaf(conn, session_id)
    if not messages:
        assert leaf is None
        assert path == []
        return
    assert leaf in messages
    assert path[-1].id == leaf
    assert path[0].parent_id is None
    assert all(b.parent_id == a.id for a, b in itertools.pairwise(path))
    assert sessions.children(conn, leaf) == []  # the active leaf is always a leaf
    for point in sessions.active_path(conn, session_id):
        group = sessions.siblings(conn, point.message.id)
        assert group[point.index].id == point.message.id
        assert len(group) == point.count


def _add(
    conn: sqlite3.Connection,
    session_id: str,
    name: str,
    chosen: str | None,
    text: str,
    parents: dict[str, str | None],
) -> None:
    """The operations that add messages to the session."""
    if name == "send" or chosen is None:
        user = sessions.add_user_message(conn, session_id, text or "hi")
        parents[user.id] = user.parent_id
        writer = streaming.begin_answer(conn, session_id)
        writer.append(text)
        parents[writer.finish().id] = user.id
    elif name == "edit":
        edited = sessions.edit_message(conn, chosen, text)
        parents[edited.id] = parents[chosen]
    elif name == "regenerate":
        message = sessions.get_message(conn, chosen)
        writer = streaming.regenerate(conn, chosen)
        writer.append(text)
        parents[writer.cancel().id] = message.parent_id
    elif name == "interrupt":
        writer = streaming.begin_answer(conn, session_id, flush_interval=0)
        writer.append(text or "partial")
        parents[writer.message_id] = sessions.get_message(conn, writer.message_id).parent_id
        assert sessions.mark_interrupted(conn) == 1


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(OPERATIONS)
def test_random_operations_keep_the_tree_consistent(operations: list[tuple[str, int, str]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        opened = open_database(Path(folder) / "a" / "codeface.db")
        conn = opened.conn
        session_id = sessions.create_session(conn).id
        parents: dict[str, str | None] = {}
        for name, pick, text in operations:
            ids = sorted(parents)
            chosen = ids[pick % len(ids)] if ids else None
            trashed = sessions.get_session(conn, session_id).deleted_at is not None
            regenerating = name == "regenerate" and chosen is not None
            if regenerating and sessions.get_message(conn, chosen).role != "assistant":
                name = "nothing"  # only an answer can be regenerated
            if name in ("send", "edit", "regenerate", "interrupt") or chosen is None:
                if trashed:  # nothing is ever added to a session in the trash
                    with pytest.raises(StoreError, match="is in the trash"):
                        _add(conn, session_id, name, chosen, text, parents)
                else:
                    _add(conn, session_id, name, chosen, text, parents)
            elif name == "switch":
                sessions.set_active(conn, chosen)
            elif name == "trash":
                sessions.trash_session(conn, session_id)
            elif name == "restore" and trashed:
                sessions.restore_session(conn, session_id)
            elif name == "project":
                sessions.update_session(conn, session_id, project=[None, "/p/a", "/p/b"][pick % 3])
            _check_tree(conn, session_id, parents)
            assert index_mismatches(conn) == set()
        exported = export.export_json(conn, [session_id])
        target = open_database(Path(folder) / "b" / "codeface.db")
        other = target.conn
        export.import_json(other, exported)
        assert export.export_json(other, [session_id]) == exported
        _check_tree(other, session_id, parents)
        assert other.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert index_mismatches(other) == set()
        sessions.trash_session(conn, session_id)
        assert sessions.purge_trash(conn, now=time.time() + 31 * 86400) == 1
        assert index_mismatches(conn) == set()
        assert conn.execute("SELECT count(*) FROM messages").fetchone()[0] == 0
        opened.close()
        target.close()
