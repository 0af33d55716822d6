"""`codeface plan` at the command line: a plan file that cannot run is refused with the
reason, nothing runs unconfirmed, a plan saved to a file runs from it, and list, show and
cancel work on stored plans."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from codeface.cli import main
from codeface.core.errors import ConfigError
from tests.application.plan_rig import TaskScripts, call, text
from tests.fakes.ollama_server import OllamaServer

CYCLE = """\
goal = "circle"
[[tasks]]
id = "t1"
role = "coder"
brief = "a"
depends_on = ["t2"]
[[tasks]]
id = "t2"
role = "wizard"
brief = "b"
depends_on = ["t1"]
"""


@pytest.fixture
def env(
    ollama_server: OllamaServer, monkeypatch: pytest.MonkeyPatch, project: Path
) -> OllamaServer:
    """The fake Ollama for the CLI, no terminal, and the project as the working folder."""
    monkeypatch.setenv("OLLAMA_HOST", ollama_server.url)
    stream = io.StringIO("")
    stream.isatty = lambda: False  # type: ignore[method-assign]
    monkeypatch.setattr(sys, "stdin", stream)
    monkeypatch.chdir(project)
    return ollama_server


def test_a_plan_file_with_a_circle_and_an_unknown_role_is_refused(
    env: OllamaServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = tmp_path / "plan.toml"
    plan.write_text(CYCLE)

    code = main(["plan", "--from", str(plan), "--yes"])

    err = capsys.readouterr().err
    assert code == 2
    assert "task t2 has the unknown role 'wizard'" in err
    assert "tasks depend on each other in a circle: t1 → t2 → t1" in err
    assert env.requests_to("/api/chat") == []
    assert main(["plan", "list"]) == 0
    assert "No plans yet" in capsys.readouterr().out


def test_nothing_runs_without_confirmation_and_the_draft_can_be_cancelled(
    env: OllamaServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = tmp_path / "plan.toml"
    plan.write_text('goal = "g"\n[[tasks]]\nid = "t1"\nrole = "coder"\nbrief = "fix calc"\n')

    code = main(["plan", "--from", str(plan)])

    err = capsys.readouterr().err
    assert code == ConfigError.exit_code
    assert "was not run: there is no terminal to confirm it" in err
    assert env.requests_to("/api/chat") == []
    assert main(["plan", "list"]) == 0
    listed = capsys.readouterr().out
    assert "draft" in listed
    assert "0/1 done" in listed
    plan_id = listed.split()[0]

    assert main(["plan", "show", plan_id]) == 0
    shown = capsys.readouterr().out
    assert "t1  coder  fix calc" in shown
    assert "not started" in shown

    assert main(["plan", "cancel", plan_id]) == 0
    assert f"cancelled plan {plan_id}" in capsys.readouterr().out
    assert main(["plan", "list"]) == 0
    assert "cancelled" in capsys.readouterr().out


def test_a_plan_saved_to_a_file_runs_from_it(
    env: OllamaServer, tmp_path: Path, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scripts = TaskScripts(env)
    drafted = {
        "tasks": [
            {"id": "fix", "role": "coder", "brief": "Make add() add.", "files": ["calc.py"]},
            {"id": "check", "role": "reviewer", "brief": "Check it.", "depends_on": ["fix"]},
        ]
    }
    scripts.add("manager", text(json.dumps(drafted)))
    scripts.add(
        "fix",
        call(
            "edit_file",
            {"path": "calc.py", "old_text": "return a - b", "new_text": "return a + b"},
        ),
        text("add() adds now."),
    )
    scripts.add("check", text("Correct."))
    saved = tmp_path / "saved.toml"

    assert main(["plan", "fix the adder", "--save", str(saved)]) == 0
    assert "run it: codeface plan --from" in capsys.readouterr().err
    assert 'brief = "Make add() add."' in saved.read_text()

    code = main(["plan", "--from", str(saved), "--yes", "--allow", "edits"])

    out, err = capsys.readouterr()
    assert code == 0, err
    assert "[fix] → edit calc.py" in err
    assert "[fix] done" in err
    assert "changed calc.py" in err
    assert "2 done" in err
    assert "## fix\nadd() adds now." in out
    assert "## check\nCorrect." in out
    assert (project / "calc.py").read_text() == "def add(a, b):\n    return a + b\n"
    assert main(["plan", "list"]) == 0
    assert "2/2 done" in capsys.readouterr().out


def test_plan_without_a_goal_says_what_to_give(
    env: OllamaServer, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["plan"]) == ConfigError.exit_code
    assert "Nothing to plan" in capsys.readouterr().err
    assert main(["plan", "show"]) == ConfigError.exit_code
    assert "needs one plan id" in capsys.readouterr().err
    assert main(["plan", "resume", "nosuchplan"]) != 0
    assert "No plan 'nosuchplan'" in capsys.readouterr().err


EDITOR_SCRIPT = """\
import pathlib, sys
plan = pathlib.Path(sys.argv[1])
count = pathlib.Path(__file__).with_suffix(".count")
edits = int(count.read_text()) + 1 if count.exists() else 1
count.write_text(str(edits))
assert "delete a [[tasks]] block to cut that task" in plan.read_text()
if edits == 1:  # a slip: t3 now waits for itself
    plan.write_text(plan.read_text().replace('depends_on = [\\n    "t2",\\n]', 'depends_on = ["t3"]'))
else:  # t2 cut, t3 moved first and freed
    plan.write_text(
        'goal = "g"\\n[[tasks]]\\nid = "t3"\\nrole = "coder"\\nbrief = "third, now first"\\n'
        '[[tasks]]\\nid = "t1"\\nrole = "coder"\\nbrief = "first"\\n'
    )
"""


def test_the_plan_can_be_edited_reordered_and_cut_before_it_runs(
    env: OllamaServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from codeface.commands import plan_flows

    scripts = TaskScripts(env)
    plan = tmp_path / "plan.toml"
    plan.write_text(
        'goal = "g"\n'
        '[[tasks]]\nid = "t1"\nrole = "coder"\nbrief = "first"\n'
        '[[tasks]]\nid = "t2"\nrole = "coder"\nbrief = "second"\n'
        '[[tasks]]\nid = "t3"\nrole = "coder"\nbrief = "third"\ndepends_on = ["t2"]\n'
    )
    editor = tmp_path / "editor.py"
    editor.write_text(EDITOR_SCRIPT)
    monkeypatch.setenv("VISUAL", f"{sys.executable} {editor}")
    answers = iter(["e", "y", "y"])  # edit; (bad edit) edit again; run
    monkeypatch.setattr(plan_flows, "interactive", lambda: True)
    monkeypatch.setattr(plan_flows, "terminal_prompt", lambda question: next(answers))

    code = main(["plan", "--from", str(plan)])

    err = capsys.readouterr().err
    assert code == 0, err
    assert "task t3 depends on itself" in err  # the slip was shown, nothing ran yet
    assert scripts.order == ["t3", "t1"]
    assert scripts.counts["t2"] == 0
    assert main(["plan", "list"]) == 0
    plan_id = capsys.readouterr().out.split()[0]
    assert main(["plan", "show", plan_id]) == 0
    shown = capsys.readouterr().out
    assert shown.index("t3  coder") < shown.index("t1  coder")
    assert "t2  coder" not in shown
