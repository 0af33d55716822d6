"""Leak test: set keys, use every store feature, export everything, then scan the data
folder, the config folder and the logs for the key bytes: there must be none."""

from __future__ import annotations

import io
import logging
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from codeface.cli import main
from codeface.core.events import AnswerStats
from codeface.core.logs import setup_logging
from codeface.core.paths import app_paths
from codeface.store import SyncStore, export, memory, search, secrets, sessions, streaming

KEYS = {
    "anthropic": "sk-ant-api03-LEAKTEST-" + "A" * 40,
    "openai": "sk-proj-LEAKTEST" + "B" * 40,
    "lmstudio": "plain-LEAKTEST-" + "C" * 20,
}


@pytest.fixture
def fresh_logging(codeface_home: Path) -> Iterator[None]:
    """Route logging to this test's logs folder, whatever earlier tests set up."""
    root = logging.getLogger()
    saved = root.handlers[:]
    root.handlers = [h for h in saved if not getattr(h, "_codeface", False)]
    setup_logging()
    try:
        yield
    finally:
        for handler in root.handlers:
            if getattr(handler, "_codeface", False):
                handler.close()
        root.handlers = saved


def _files(*folders: Path) -> list[Path]:
    return [
        path
        for folder in folders
        if folder.exists()
        for path in folder.rglob("*")
        if path.is_file()
    ]


def test_no_key_bytes_anywhere_on_disk(
    fresh_logging: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, codeface_home: Path
) -> None:
    for provider, key in KEYS.items():
        monkeypatch.setattr(sys, "stdin", io.StringIO(key + "\n"))
        assert main(["keys", "set", provider]) == 0
    assert main(["keys", "list"]) == 0
    log = logging.getLogger("codeface.test")
    for provider in KEYS:
        key = secrets.get_key(provider)
        assert key == KEYS[provider]
        # what an SDK error or a careless debug line might carry
        log.error("request failed: Incorrect API key provided: %s (provider %s)", key, provider)
        try:
            raise RuntimeError(f"401 for key {key}")
        except RuntimeError:
            log.exception("unexpected failure")

    with SyncStore() as store:
        conn = store.conn
        session = sessions.create_session(conn, project=str(tmp_path), system_prompt="Be kind.")
        prompt = sessions.add_user_message(conn, session.id, "How do I set an API key?")
        writer = streaming.begin_answer(conn, session.id, provider="anthropic", model="claude")
        writer.append("Use `codeface keys set anthropic`.")
        answer = writer.finish(
            AnswerStats("anthropic", "claude", "api.anthropic.com", 10, 8, 0.3, 30.0, 0.001, "stop")
        )
        streaming.regenerate(conn, answer.id).fail("401 Unauthorized")
        sessions.edit_message(conn, prompt.id, "How do I store an API key?")
        sessions.rate_message(conn, answer.id, 1)
        sessions.rename_session(conn, session.id, "Keys")
        memory.add_note(conn, tmp_path, "Keys live in the keyring.")
        search.search(conn, "API key")
        (app_paths().data / "all.json").write_text(export.export_json(conn))
        (app_paths().data / "all.md").write_text(export.export_markdown(conn))
        sessions.trash_session(conn, session.id)
    assert (
        main(
            [
                "sessions",
                "export",
                "--all",
                "--format",
                "json",
                "-o",
                str(app_paths().data / "cli.json"),
            ]
        )
        == 0
    )
    assert main(["sessions", "import", str(app_paths().data / "all.json")]) == 0
    for handler in logging.getLogger().handlers:
        handler.flush()

    paths = app_paths()
    scanned = _files(paths.data, paths.config, paths.logs, paths.cache)
    assert any(p.name == "codeface.log" for p in scanned)
    assert any(p.name == "codeface.db" for p in scanned)
    log_text = (paths.logs / "codeface.log").read_text()
    assert "Incorrect API key provided" in log_text
    assert "[REDACTED]" in log_text
    hits = [
        (path, provider)
        for path in scanned
        for provider, key in KEYS.items()
        if key.encode() in path.read_bytes() or key[-16:].encode() in path.read_bytes()
    ]
    assert hits == []
