"""``codeface sessions ...`` and ``codeface keys ...`` as a user types them."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from codeface.cli import main
from codeface.store import SyncStore, sessions, streaming
from tests.fakes.memory_keyring import MemoryKeyring
from tests.fakes.ollama_server import OllamaServer

KEY = "cli-key-Hf83kLm29XcV0b"


def _seed() -> tuple[str, str]:
    with SyncStore() as store:
        first = sessions.create_session(store.conn, project="/src/app")
        sessions.add_user_message(store.conn, first.id, "Explain the borrow checker")
        writer = streaming.begin_answer(store.conn, first.id, model="qwen")
        writer.append("The borrow checker enforces ownership rules.")
        writer.finish()
        second = sessions.create_session(store.conn, title="Shell tricks")
        return first.id, second.id


def test_list_show_search(capsys: pytest.CaptureFixture[str]) -> None:
    first, _second = _seed()
    assert main(["sessions", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["ID", "UPDATED", "MSGS", "FLAGS", "TITLE"]
    assert any(first[:12] in line and "Explain the borrow checker" in line for line in lines)
    assert main(["sessions", "show", first[:8]]) == 0
    shown = capsys.readouterr().out
    assert "## User\n\nExplain the borrow checker" in shown
    assert "ownership rules" in shown
    assert main(["sessions", "search", "ownership", "--model", "qwen"]) == 0
    found = capsys.readouterr().out
    assert "[ownership]" in found
    assert first[:12] in found
    assert main(["sessions", "search", "nothing-like-this"]) == 1
    assert main(["sessions", "show", "zzzz"]) == 10
    assert "No session 'zzzz'" in capsys.readouterr().err


def test_rm_restore_export_import(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    first, second = _seed()
    assert main(["sessions", "rm", second[:10]]) == 0
    assert "trash" in capsys.readouterr().out
    main(["sessions", "list"])
    assert "Shell tricks" not in capsys.readouterr().out
    main(["sessions", "list", "--trash"])
    assert "Shell tricks" in capsys.readouterr().out
    assert main(["sessions", "restore", second]) == 0
    capsys.readouterr()

    out = tmp_path / "all.json"
    assert main(["sessions", "export", "--all", "--format", "json", "-o", str(out)]) == 0
    assert {s["id"] for s in json.loads(out.read_text())["sessions"]} == {first, second}
    assert main(["sessions", "export", first, "--format", "md"]) == 0
    assert capsys.readouterr().out.startswith("# Explain the borrow checker")
    assert main(["sessions", "export"]) == 10  # neither a session nor --all

    broken = tmp_path / "broken.json"
    broken.write_text('{"format": "something else"}')
    assert main(["sessions", "import", str(broken)]) == 10
    assert "Nothing was imported" in capsys.readouterr().err
    assert main(["sessions", "import", str(out)]) == 0
    assert "Imported 0 session(s)" in capsys.readouterr().out


def test_keys_never_take_or_print_the_value(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    isolated_environment: MemoryKeyring,
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(KEY + "\n"))
    assert main(["keys", "set", "anthropic"]) == 0
    assert "OS keyring" in capsys.readouterr().out
    assert isolated_environment.passwords[("codeface", "anthropic")] == KEY
    assert main(["keys", "list"]) == 0
    listed = capsys.readouterr().out
    assert "anthropic" in listed
    assert KEY not in listed
    assert main(["keys", "rm", "anthropic"]) == 0
    assert "Removed" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["keys", "set", "anthropic", KEY])  # a key on the command line is refused


def test_cli_in_a_real_process(codeface_home: Path) -> None:
    first, _ = _seed()
    env = {
        **os.environ,
        "CODEFACE_HOME": str(codeface_home),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
    }
    root = Path(__file__).resolve().parents[2]
    keys = subprocess.run(
        [sys.executable, "-m", "codeface", "keys", "set", "openai"],
        input=KEY,
        env=env,
        cwd=root,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert keys.returncode == 0, keys.stderr
    assert "UNENCRYPTED" in keys.stdout  # no keyring here: said plainly
    listing = subprocess.run(
        [sys.executable, "-m", "codeface", "sessions", "list"],
        env=env,
        cwd=root,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert listing.returncode == 0, listing.stderr
    assert first[:12] in listing.stdout


def test_one_bad_row_never_stops_list_search_show_or_export(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    first, second = _seed()
    with SyncStore() as store:  # as an older CodeFace's import and an outside tool left them
        store.conn.execute("UPDATE sessions SET created_at = 1e300 WHERE id = ?", (second,))
        answer = sessions.session_messages(store.conn, first)[-1]
        store.conn.execute(
            "UPDATE messages SET content = CAST(? AS TEXT) WHERE id = ?",
            (b"The borrow checker \xff enforces ownership rules.", answer.id),
        )
    assert main(["sessions", "list"]) == 0
    listed = capsys.readouterr().out
    assert "Explain the borrow checker" in listed
    assert "Shell tricks" in listed
    assert main(["sessions", "search", "borrow"]) == 0
    assert first[:12] in capsys.readouterr().out
    assert main(["sessions", "show", first[:8]]) == 0
    assert "The borrow checker \ufffd enforces ownership rules." in capsys.readouterr().out
    backup = tmp_path / "all.json"
    assert main(["sessions", "export", "--all", "--format", "json", "-o", str(backup)]) == 0
    assert {s["id"] for s in json.loads(backup.read_text())["sessions"]} == {first, second}
    assert main(["sessions", "export", "--all"]) == 0
    assert "# Shell tricks" in capsys.readouterr().out


def test_chat_into_a_session_in_the_trash_is_refused(
    capsys: pytest.CaptureFixture[str], ollama_server: OllamaServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OLLAMA_HOST", ollama_server.url)
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    first, _second = _seed()
    assert main(["sessions", "rm", first]) == 0
    capsys.readouterr()
    ollama_server.reply_text("should not be asked")
    assert main(["chat", "--session", first[:10], "one more question"]) == 10
    err = capsys.readouterr().err
    assert f"Session {first} is in the trash" in err
    assert f"codeface sessions restore {first}" in err
    assert ollama_server.requests_to("/api/chat") == []
    with SyncStore() as store:
        assert len(sessions.session_messages(store.conn, first)) == 2


def test_chat_continues_a_session_holding_bytes_that_are_not_utf8(
    capsys: pytest.CaptureFixture[str], ollama_server: OllamaServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OLLAMA_HOST", ollama_server.url)
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    first, _second = _seed()
    with SyncStore() as store:
        answer = sessions.session_messages(store.conn, first)[-1]
        store.conn.execute(
            "UPDATE messages SET content = CAST(? AS TEXT) WHERE id = ?",
            (b"ownership \xfe rules", answer.id),
        )
    ollama_server.reply_text("Lifetimes next.")
    assert main(["chat", "--session", first[:10], "and lifetimes?"]) == 0
    assert "Lifetimes next." in capsys.readouterr().out
    sent = ollama_server.requests_to("/api/chat")[-1].json["messages"]
    assert [m["content"] for m in sent][-2:] == ["ownership \ufffd rules", "and lifetimes?"]
