"""Hostile input to the real ``codeface`` process: bad bytes, bad paths, broken outputs.

Each case runs ``python -m codeface`` in a child process with the test's fresh
``CODEFACE_HOME``, and checks what a user would see: one line on stderr, the exit code of
the error table, no traceback, and nothing half-written (no empty session, no partial
file, an answer stored whole even when stdout went away).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from codeface.core.errors import CodefaceError, ConfigError, StoreError
from tests.core.hostile import (
    answers,
    assert_one_line_error,
    codeface,
    start_codeface,
    stored_sessions,
)
from tests.fakes.ollama_server import OllamaServer

LONG_ANSWER = "".join(f"line {number:05d} of a long answer\n" for number in range(8000))


# ---------------------------------------------------------------- bad text in, nothing saved


@pytest.mark.parametrize(
    ("args", "stdin", "named"),
    [
        ((b"chat", b"explain \xff\xfe this"), b"", "prompt argument"),
        ((b"chat", b"-"), b"def f():\n    return '\xe9t\xe9'\n", "stdin"),
        ((b"chat", b"explain"), b"\x80 trailing", "stdin"),
        ((b"chat", b"--system", b"be \xc3 brief", b"hi"), b"", "system argument"),
        ((b"chat", b"--session", b"\xff\xff", b"hi"), b"", "session argument"),
    ],
)
def test_invalid_utf8_is_one_line_and_leaves_no_session(
    ollama_server: OllamaServer, args: tuple[bytes, ...], stdin: bytes, named: str
) -> None:
    run = codeface(*args, stdin=stdin, OLLAMA_HOST=ollama_server.url)

    assert_one_line_error(run, ConfigError.exit_code, named, "not valid UTF-8")
    assert ollama_server.requests_to("/api/chat") == []
    assert stored_sessions() == []


def test_a_session_id_that_is_not_utf8_is_refused_by_sessions_commands() -> None:
    for action in (b"show", b"rm", b"restore"):
        run = codeface(b"sessions", action, b"ab\xffcd")
        assert_one_line_error(run, ConfigError.exit_code, "not valid UTF-8", "byte 0xff")


@pytest.mark.parametrize("prompt", ["   ", "\n\t \n", "-"])
def test_a_blank_prompt_is_not_sent(ollama_server: OllamaServer, prompt: str) -> None:
    run = codeface("chat", prompt, stdin=b"  \n \t\n", OLLAMA_HOST=ollama_server.url)

    assert_one_line_error(run, ConfigError.exit_code, "Nothing to ask")
    assert ollama_server.requests_to("/api/chat") == []
    assert stored_sessions() == []


# ---------------------------------------------------------------- bad places


def test_an_unusable_ollama_host_is_named_not_a_traceback() -> None:
    for command in (["chat", "--no-save", "hi"], ["models"], ["doctor"]):
        run = codeface(*command, OLLAMA_HOST="http://[::1")
        assert_one_line_error(run, ConfigError.exit_code, "OLLAMA_HOST", "http://[::1")


def test_codeface_home_that_is_a_file_is_named(tmp_path: Path) -> None:
    home_file = tmp_path / "not-a-folder"
    home_file.write_text("x")
    for command in (["sessions", "list"], ["chat", "--no-save", "hi"], ["keys", "list"]):
        run = codeface(*command, CODEFACE_HOME=str(home_file))
        assert_one_line_error(run, ConfigError.exit_code, "CODEFACE_HOME", "is a file")
    assert home_file.read_text() == "x"


def _one_session(ollama_server: OllamaServer) -> None:
    ollama_server.reply_text("an answer worth keeping")
    assert codeface("chat", "a question", OLLAMA_HOST=ollama_server.url).code == 0


def test_export_to_a_missing_folder_or_a_folder_writes_nothing(
    ollama_server: OllamaServer, tmp_path: Path
) -> None:
    _one_session(ollama_server)
    missing = tmp_path / "no-such-folder" / "x.md"

    run = codeface("sessions", "export", "--all", "-o", str(missing))
    assert_one_line_error(run, StoreError.exit_code, "does not exist", str(missing.parent))
    assert not missing.parent.exists()

    run = codeface("sessions", "export", "--all", "-o", str(tmp_path))
    assert_one_line_error(run, StoreError.exit_code, "is a folder")
    assert list(tmp_path.iterdir()) == [tmp_path / "codeface-home"]

    target = tmp_path / "backup.md"
    assert codeface("sessions", "export", "--all", "-o", str(target)).code == 0
    assert "an answer worth keeping" in target.read_text(encoding="utf-8")


# ---------------------------------------------------------------- stdout goes away


def test_stdout_closed_before_the_answer_still_stores_it_whole(
    ollama_server: OllamaServer,
) -> None:
    ollama_server.reply_text(LONG_ANSWER, chunks=400, fast=True)
    reader, writer = os.pipe()
    os.close(reader)  # nobody will ever read: the first write fails with EPIPE
    try:
        run = codeface("chat", "tell me a lot", stdout=writer, OLLAMA_HOST=ollama_server.url)
    finally:
        os.close(writer)

    assert "Traceback" not in run.err
    assert "Broken pipe" not in run.err
    assert run.code == CodefaceError.exit_code
    assert "session " in run.err  # where the answer is, on stderr that still works
    [answer] = answers()
    assert answer["status"] == "complete"
    assert answer["content"] == LONG_ANSWER


def test_head_reading_a_little_then_leaving_keeps_the_whole_answer(
    ollama_server: OllamaServer,
) -> None:
    # Far more than a pipe holds: the writer is still writing when the reader leaves.
    ollama_server.reply_text(LONG_ANSWER, chunks=400, fast=True)
    process = start_codeface(
        "chat", "tell me a lot", stdout=subprocess.PIPE, OLLAMA_HOST=ollama_server.url
    )
    assert process.stdout is not None
    assert process.stderr is not None
    first = process.stdout.read(20)
    process.stdout.close()  # like `| head -c 20`
    err = process.stderr.read().decode()
    code = process.wait(timeout=60)

    assert first == LONG_ANSWER.encode()[:20]
    assert "Traceback" not in err
    assert "Exception ignored" not in err
    assert code == CodefaceError.exit_code
    [answer] = answers()
    assert (answer["status"], answer["content"]) == ("complete", LONG_ANSWER)


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="/dev/full is Linux's")
def test_stdout_on_a_full_device_says_so_and_stores_the_answer(
    ollama_server: OllamaServer,
) -> None:
    ollama_server.reply_text("a short answer\n")
    with open("/dev/full", "wb") as full:
        run = codeface("chat", "hi", stdout=full, OLLAMA_HOST=ollama_server.url)
        listed = codeface("sessions", "list", stdout=full)

    assert "Traceback" not in run.err
    assert run.code == CodefaceError.exit_code
    assert "No space left on device" in run.err
    [answer] = answers()
    assert (answer["status"], answer["content"]) == ("complete", "a short answer\n")
    assert_one_line_error(listed, CodefaceError.exit_code, "No space left on device")


def test_sessions_list_into_a_closed_pipe_is_quiet(ollama_server: OllamaServer) -> None:
    for number in range(3):
        ollama_server.reply_text("ok")
        assert codeface("chat", f"question {number}", OLLAMA_HOST=ollama_server.url).code == 0
    reader, writer = os.pipe()
    os.close(reader)
    try:
        run = codeface("sessions", "list", stdout=writer)
    finally:
        os.close(writer)

    assert run.code == CodefaceError.exit_code
    assert run.err == ""


# ---------------------------------------------------------------- small answers, honest stats


def test_a_tiny_answer_shows_no_speed(ollama_server: OllamaServer) -> None:
    ollama_server.reply_text("yes", output_tokens=5)

    run = codeface("chat", "--no-save", "ok?", OLLAMA_HOST=ollama_server.url)

    assert run.code == 0
    stats = run.error_lines[-1]
    assert "5 out tokens" in stats
    assert "tok/s" not in stats


def test_chatting_into_a_trashed_session_is_refused_and_writes_nothing(
    ollama_server: OllamaServer,
) -> None:
    _one_session(ollama_server)
    [session] = stored_sessions()
    assert codeface("sessions", "rm", session["id"][:8]).code == 0
    requests_before = len(ollama_server.requests_to("/api/chat"))

    run = codeface(
        "chat",
        "--session",
        session["id"][:8],
        "--model",
        "llama3.2:3b",
        "more",
        OLLAMA_HOST=ollama_server.url,
    )

    assert_one_line_error(run, StoreError.exit_code, "trash", "codeface sessions restore")
    assert len(ollama_server.requests_to("/api/chat")) == requests_before
    assert codeface("sessions", "restore", session["id"][:8]).code == 0
    [again] = stored_sessions()
    assert again["messages"] == session["messages"]
    assert again["model"] == session["model"]
