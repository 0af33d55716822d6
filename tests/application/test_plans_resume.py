"""A plan survives ``kill -9``: a real ``codeface plan`` process is killed while a task waits
for the model mid-turn; ``codeface plan resume`` then runs only what is left. The finished
task is not asked again, the interrupted one continues from its last stored step (its
file is not written twice), and the one after it runs once."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from codeface.cli import main
from codeface.store import SyncStore
from codeface.store import plans as stored_plans
from codeface.store import sessions as stored_sessions
from codeface.store import tool_runs as audit
from tests.application.plan_rig import TaskScripts, call, silent, text
from tests.fakes.ollama_server import OllamaServer

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = """\
[general]
policy = "local-only"

[builtin]
enabled = false

[router]
max_retries = 0
"""
PLAN = """\
goal = "three steps"

[[tasks]]
id = "t1"
role = "coder"
brief = "Read calc.py."

[[tasks]]
id = "t2"
role = "coder"
brief = "Write notes.txt."
depends_on = ["t1"]

[[tasks]]
id = "t3"
role = "coder"
brief = "Check the notes."
depends_on = ["t2"]
"""


def _no_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    stream = io.StringIO("")
    stream.isatty = lambda: False  # type: ignore[method-assign]
    monkeypatch.setattr(sys, "stdin", stream)


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_resume_after_kill_9_runs_only_what_was_left(
    codeface_home: Path,
    project: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    (codeface_home / "config").mkdir()
    (codeface_home / "config" / "settings.toml").write_text(SETTINGS)
    plan_file = tmp_path / "plan.toml"
    plan_file.write_text(PLAN)
    server = OllamaServer()
    # the window has the store open all along, so no opener recovers answers by itself
    with SyncStore() as window, server:
        scripts = TaskScripts(server)
        scripts.add("t1", call("read_file", {"path": "calc.py"}), text("calc.py subtracts."))
        scripts.add(
            "t2",
            call("write_file", {"path": "notes.txt", "content": "from t2\n"}),
            silent(),  # step 2 hangs: the process is killed while it waits
            text("Wrote the notes."),
        )
        environment = {**os.environ, "OLLAMA_HOST": server.url}
        command = [sys.executable, "-m", "codeface", "plan", "--from", str(plan_file)]
        child = subprocess.Popen(
            [*command, "--yes", "--allow", "edits", "--project", str(project)],
            cwd=ROOT,
            env=environment,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        try:
            assert scripts.wait_for("t2", 2, timeout=90), child.stderr.read()  # type: ignore[union-attr]
        finally:
            child.send_signal(signal.SIGKILL)
            child.communicate(timeout=30)

        [record] = stored_plans.list_plans(window.conn)
        assert [(t.task_id, t.status) for t in record.tasks] == [
            ("t1", "done"),
            ("t2", "running"),
            ("t3", "queued"),
        ]
        cut = "SELECT count(*) FROM messages WHERE status = 'streaming'"
        assert window.conn.execute(cut).fetchone()[0] == 1  # t2's step, cut by the kill
        assert (project / "notes.txt").read_text() == "from t2\n"

        monkeypatch.setenv("OLLAMA_HOST", server.url)
        _no_terminal(monkeypatch)
        resume = ["plan", "resume", record.id[:8], "--allow", "edits", "--project", str(project)]
        code = main(resume)
        assert window.conn.execute(cut).fetchone()[0] == 0  # the resume marked it interrupted

        out, err = capsys.readouterr()
        assert code == 0, err
        assert "already done, not run again: t1" in err
        assert "[t2] started (coder, attempt 2 of 3) · continues its stored turn" in err
        assert dict(scripts.counts) == {"t1": 2, "t2": 3, "t3": 1}
        resumed_request = [
            r for r in server.requests_to("/api/chat") if "Plan task t2:" in str(r.json)
        ][-1]
        assert resumed_request.json["messages"][-1]["role"] == "tool"  # from its last step
        assert "## t3" in out

    with SyncStore() as store:
        record = stored_plans.get_plan(store.conn, record.id)
        assert record.status == "done"
        assert [(t.status, t.attempts) for t in record.tasks] == [
            ("done", 1),
            ("done", 2),
            ("done", 1),
        ]
        for row in record.tasks:
            assert row.session_id is not None
            messages = stored_sessions.session_messages(store.conn, row.session_id)
            answers = [
                m
                for m in messages
                if m.role == "assistant" and m.status == "complete" and not m.tool_calls
            ]
            assert [m.role for m in messages].count("user") == 1  # one turn per task
            assert len(answers) == 1  # and one final answer: no task ran twice
        t2_runs = audit.tool_runs(store.conn, record.tasks[1].session_id or "")
        assert [run.tool for run in t2_runs] == ["write_file"]  # not written again
        kinds = [(e.task_id, e.kind) for e in stored_plans.plan_log(store.conn, record.id)]
        assert ("t2", "resumed") in kinds
        assert kinds.count(("t1", "started")) == 1
