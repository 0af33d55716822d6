"""`codeface agent` and `codeface undo` as a user runs them: a real child process against a
fake Ollama, approvals asked at a real terminal (a pty) or refused without one, a turn
killed with SIGKILL between steps and continued, and undo restoring bytes exactly."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from codeface.store.service import Store
from tests.application.conftest import BROKEN_CALC, PYTHON
from tests.core.hostile import child_environment, codeface
from tests.fakes.ollama_server import OllamaServer

FIX = {"path": "calc.py", "old_text": "return a - b", "new_text": "return a + b"}
RUN_TESTS = {"command": f"{PYTHON} -m pytest -q -p no:cacheprovider test_calc.py"}
FIXED = "def add(a, b):\n    return a + b\n"


def stored_session() -> tuple[str, list[tuple[str, str, tuple[str, ...]]]]:
    """The one session in this test's CODEFACE_HOME: its id and (role, status, tools)."""

    async def read() -> tuple[str, list[tuple[str, str, tuple[str, ...]]]]:
        store = await Store.open()
        try:
            [session] = await store.list_sessions()
            path = await store.path_to_leaf(session.id)
            return session.id, [
                (m.role, m.status, tuple(c.name for c in m.tool_calls)) for m in path
            ]
        finally:
            await store.close()

    return asyncio.run(read())


def test_without_a_terminal_only_what_is_allowed_runs(
    project: Path, ollama_server: OllamaServer
) -> None:
    ollama_server.tool_call("edit_file", FIX)
    ollama_server.tool_call("run_command", RUN_TESTS)
    ollama_server.reply_text("The edit is in; I could not run the tests.")

    run = codeface(
        "agent",
        "fix the test",
        "--project",
        str(project),
        "--allow",
        "edits",
        OLLAMA_HOST=ollama_server.url,
    )

    assert run.code == 0, run.err
    assert (project / "calc.py").read_text() == FIXED
    assert "→ edit calc.py (replace 1 line with 1)" in run.err
    assert "not allowed:" in run.err
    assert "⊘ denied" in run.err
    assert "The edit is in" in run.text
    assert "undo with: codeface undo --session" in run.err
    session_id, _ = stored_session()
    shown = codeface("sessions", "show", session_id[:8])
    assert shown.code == 0, shown.err
    audit = shown.text.split("## Tool calls (audit trail)", 1)[1]
    lines = [line for line in audit.splitlines() if line.startswith("- ")]
    assert "edit_file" in lines[0]
    assert "→ ok: changed calc.py · decided by allowed" in lines[0]
    assert "run_command" in lines[1]
    assert "→ denied:" in lines[1]
    assert "decided by no terminal" in lines[1]


def test_an_unknown_allow_or_role_is_refused_before_anything_runs(project: Path) -> None:
    bad_allow = codeface("agent", "x", "--project", str(project), "--allow", "network")
    assert bad_allow.code == 2
    assert "--allow 'network' is not one of edits, commands" in bad_allow.err
    bad_role = codeface("agent", "x", "--project", str(project), "--role", "wizard")
    assert bad_role.code == 2
    assert "There is no role 'wizard'" in bad_role.err
    assert (project / "calc.py").read_text() == BROKEN_CALC


class Terminal:
    """A child process on a real pseudo-terminal (started with subprocess: fork-safe)."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        import pty

        self.master, slave = pty.openpty()
        self.process = subprocess.Popen(
            argv, stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True
        )
        os.close(slave)
        self.seen = ""
        self.mark = 0

    def read_until(self, text: str, timeout: float = 60.0) -> str:
        """Everything shown since the last call, up to and including ``text``."""
        import select

        deadline = time.monotonic() + timeout
        while text not in self.seen[self.mark :]:
            left = deadline - time.monotonic()
            assert left > 0, self.seen[-2000:]
            ready, _, _ = select.select([self.master], [], [], left)
            if not ready:
                continue
            try:
                chunk = os.read(self.master, 4096)
            except OSError:
                chunk = b""
            if not chunk:
                pytest.fail(f"the agent ended before {text!r}: {self.seen[-2000:]}")
            self.seen += chunk.decode("utf-8", "replace")
        end = self.seen.index(text, self.mark) + len(text)
        shown, self.mark = self.seen[self.mark : end], end
        return shown

    def type(self, text: str) -> None:
        """Type at the terminal."""
        os.write(self.master, text.encode())

    def close(self) -> int:
        """Wait for the child (killed if it hangs) and close the terminal."""
        try:
            return self.process.wait(timeout=60)
        finally:
            if self.process.poll() is None:
                self.process.kill()
            os.close(self.master)


def test_approvals_are_asked_at_the_terminal(project: Path, ollama_server: OllamaServer) -> None:
    ollama_server.tool_call("edit_file", FIX)
    ollama_server.tool_call("run_command", RUN_TESTS)
    ollama_server.reply_text("Fixed and tested.")
    prompt = "Allow? [y] once, [s] for this session, [n] deny: "
    terminal = Terminal(
        [sys.executable, "-m", "codeface", "agent", "fix it", "--project", str(project)],
        child_environment(OLLAMA_HOST=ollama_server.url, TERM="dumb"),
    )
    try:
        asked = terminal.read_until(prompt)
        assert "+    return a + b" in asked  # the diff is shown before asking
        terminal.type("y\n")
        asked = terminal.read_until(prompt)
        assert "test_calc.py" in asked  # the command line and its folder
        terminal.type("n not now\n")
        terminal.read_until("session ")
    finally:
        code = terminal.close()
    assert code == 0, terminal.seen[-2000:]
    assert (project / "calc.py").read_text() == FIXED
    assert "denied by the user (not now)" in terminal.seen


def test_a_turn_killed_between_steps_continues_from_its_last_stored_step(
    project: Path, ollama_server: OllamaServer
) -> None:
    ollama_server.tool_call("read_file", {"path": "calc.py"})
    ollama_server.tool_call("edit_file", FIX)
    ollama_server.reply_text("never seen", held=True)
    child = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "codeface",
            "agent",
            "fix",
            "--project",
            str(project),
            "--allow",
            "edits",
        ],
        env=child_environment(OLLAMA_HOST=ollama_server.url),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert ollama_server.wait_requests("/api/chat", 3, timeout=60)
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
    ollama_server.release()
    session_id, steps = stored_session()
    assert [role for role, _, _ in steps] == [
        "user",
        "assistant",
        "tool",
        "assistant",
        "tool",
        "assistant",
    ]
    assert steps[1][2] == ("read_file",)
    assert steps[3][2] == ("edit_file",)
    assert steps[5][1] == "interrupted"  # the step that was waiting when it died
    assert (project / "calc.py").read_text() == FIXED

    ollama_server.reply_text("All fixed.")
    resumed = codeface(
        "agent",
        "--session",
        session_id[:8],
        "--project",
        str(project),
        "--allow",
        "edits",
        OLLAMA_HOST=ollama_server.url,
    )

    assert resumed.code == 0, resumed.err
    assert "All fixed." in resumed.text
    assert len(ollama_server.requests_to("/api/chat")) == 4  # only the missing step asked
    last = ollama_server.requests_to("/api/chat")[-1].json["messages"]
    assert [m["role"] for m in last][-4:] == ["assistant", "tool", "assistant", "tool"]
    _, after = stored_session()
    assert after[-1][:2] == ("assistant", "complete")
    edits = [step for step in after if step[2] == ("edit_file",)]
    assert len(edits) == 1  # the edit was not made twice


def test_undo_restores_the_files_of_the_last_turn_byte_for_byte(
    project: Path, ollama_server: OllamaServer
) -> None:
    (project / "calc.py").write_bytes(b"def add(a, b):\r\n    return a - b\r\n")  # CRLF
    before = (project / "calc.py").read_bytes()
    ollama_server.tool_call("edit_file", FIX)
    ollama_server.tool_call("write_file", {"path": "notes/new.md", "content": "new file\n"})
    ollama_server.reply_text("Done.")
    run = codeface(
        "agent",
        "fix",
        "--project",
        str(project),
        "--allow",
        "edits",
        OLLAMA_HOST=ollama_server.url,
    )
    assert run.code == 0, run.err
    assert (project / "calc.py").read_bytes() == b"def add(a, b):\r\n    return a + b\r\n"
    assert (project / "notes" / "new.md").exists()

    undo = codeface("undo", "--project", str(project))

    assert undo.code == 0, undo.err
    assert (project / "calc.py").read_bytes() == before
    assert not (project / "notes" / "new.md").exists()
    assert "restored calc.py" in undo.text
    assert "deleted notes/new.md (the turn created it)" in undo.text
    again = codeface("undo", "--project", str(project))
    assert again.code == 11
    assert "has no agent turn left to undo" in again.err
