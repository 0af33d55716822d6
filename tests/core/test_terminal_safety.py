"""Text from outside never drives the user's terminal: escape sequences in answers, imported
titles, server errors and model names are shown (``^[``), not obeyed.

OSC 52 writes the clipboard, OSC 0 sets the window title, ``ESC[2J`` clears the screen;
a model or an imported file must not be able to do any of that through ``codeface``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from codeface.commands.common import message_safe, terminal_safe
from codeface.core.logs import register_secret
from codeface.store import SyncStore, export, sessions, streaming
from tests.core.hostile import codeface
from tests.fakes.ollama_server import OllamaServer

CLIPBOARD = "\x1b]52;c;cm0gLXJmIH4=\x07"  # OSC 52: put "rm -rf ~" on the clipboard
TITLE = "\x1b]0;pwned\x1b\\"  # OSC 0 ended by ST: rename the terminal window
CLEAR = "\x1b[2J\x1b[H"
C1_CSI = "\x9b31m"  # the 8-bit form of ESC[
HOSTILE = f"{CLIPBOARD}before{TITLE}{CLEAR}after{C1_CSI}"
KEPT = "tab\there, accents é ü, 漢字, emoji 🙂 👩‍💻\nnext line"
RAW_CONTROLS = ("\x1b", "\x07", "\x9b", "\x9c")


def assert_inert(text: str) -> None:
    """No control character a terminal would act on (newlines and tabs are fine)."""
    for control in RAW_CONTROLS:
        assert control not in text, repr(text)


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        (CLIPBOARD, "^[]52;c;cm0gLXJmIH4=^G"),
        (TITLE, "^[]0;pwned^[\\"),
        (CLEAR, "^[[2J^[[H"),
        (C1_CSI, "<U+009B>31m"),
        ("safe\rrm -rf /", "safe^Mrm -rf /"),
        ("windows\r\nline", "windows\nline"),
        ("\u202eevil\u202c", "<U+202E>evil<U+202C>"),
        ("nul\x00del\x7f", "nul^@del^?"),
        ("bad byte \udcff", "bad byte \ufffd"),
        (KEPT, KEPT),
    ],
)
def test_terminal_safe_shows_controls_and_keeps_text(raw: str, shown: str) -> None:
    assert terminal_safe(raw) == shown


def test_message_safe_also_redacts_keys() -> None:
    register_secret("sk-Tq4wE8rY2uI6oP0aS3dF7g")
    assert message_safe("bad key TQ4WE8RY2UI6OP0AS3DF7G\x1b[2J") == "bad key [REDACTED]^[[2J"


def test_an_answer_with_escape_sequences_prints_them_visibly(
    ollama_server: OllamaServer,
) -> None:
    ollama_server.reply_text(f"{HOSTILE}\n{KEPT}", chunks=7)

    run = codeface("chat", "--no-save", "hi", OLLAMA_HOST=ollama_server.url)

    assert run.code == 0, run.err
    assert_inert(run.text)
    assert run.text == terminal_safe(f"{HOSTILE}\n{KEPT}") + "\n"
    assert KEPT in run.text


def test_a_carriage_return_split_from_its_newline_is_still_a_line_end(
    ollama_server: OllamaServer,
) -> None:
    ollama_server.reply_text("one\r\ntwo\r\nthree", chunks=["one\r", "\ntwo\r", "\nthree"])

    run = codeface("chat", "--no-save", "hi", OLLAMA_HOST=ollama_server.url)

    assert run.text == "one\ntwo\nthree\n"


def test_error_text_and_model_names_from_a_server_are_inert(
    ollama_server: OllamaServer,
) -> None:
    ollama_server.status(500, f"internal {TITLE}{CLEAR} error", times=None)
    failed = codeface("chat", "--no-save", "hi", OLLAMA_HOST=ollama_server.url)
    assert failed.code != 0
    assert "internal ^[]0;pwned" in failed.err
    assert_inert(failed.err)

    ollama_server.clear()
    name = f"evil{CLEAR}:1b"
    ollama_server.add_model(name)
    ollama_server.reply_text("fine")
    pinned = codeface(
        "chat",
        "--no-save",
        "--policy",
        "pinned",
        "--model",
        name,
        "hi",
        OLLAMA_HOST=ollama_server.url,
    )
    assert pinned.code == 0, pinned.err
    assert "evil^[[2J^[[H:1b" in pinned.err
    assert_inert(pinned.err)


def _hostile_export(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, str]:
    """A JSON export (made in another home) whose title and messages carry escapes."""
    with monkeypatch.context() as patch:
        patch.setenv("CODEFACE_HOME", str(tmp_path / "elsewhere"))
        with SyncStore() as store:
            session = sessions.create_session(store.conn, title=f"Report {HOSTILE}")
            sessions.add_user_message(store.conn, session.id, f"findme {TITLE} question")
            writer = streaming.begin_answer(store.conn, session.id, model=f"m{CLEAR}")
            writer.append(f"findme answer {CLIPBOARD} done")
            writer.finish()
            text = export.export_json(store.conn)
    path = tmp_path / "import.json"
    path.write_text(text, encoding="utf-8")
    return path, session.id


def test_imported_titles_and_messages_are_inert_in_every_listing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, session_id = _hostile_export(tmp_path, monkeypatch)
    assert codeface("sessions", "import", str(path)).code == 0

    listing = codeface("sessions", "list")
    found = codeface("sessions", "search", "findme")
    shown = codeface("sessions", "show", session_id[:8])
    assert codeface("sessions", "rm", session_id[:8]).code == 0
    trash = codeface("sessions", "list", "--trash")
    restored = codeface("sessions", "restore", session_id[:8])

    for run in (listing, found, shown, trash, restored):
        assert run.code == 0, run.err
        assert_inert(run.text)
        assert_inert(run.err)
    assert "Report ^[]52;c;" in listing.text
    assert "^[]0;pwned" in found.text
    assert "findme answer ^[]52;c;" in shown.text
    assert "Report ^[]52;c;" in restored.text


def test_an_export_redirected_to_a_file_is_the_data_as_stored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, session_id = _hostile_export(tmp_path, monkeypatch)
    assert codeface("sessions", "import", str(path)).code == 0

    exported = codeface("sessions", "export", session_id[:8], "--format", "json")

    assert exported.code == 0
    [document] = json.loads(exported.out)["sessions"]
    assert document["title"] == f"Report {HOSTILE}"  # JSON escapes the controls itself
