"""Reads run freely; edits and commands ask; "for this session" remembers a rule that is
compared with every part of what runs; risky commands always ask; without anyone to ask,
what is not allowed is denied with a reason the model reads."""

from __future__ import annotations

from pathlib import Path

import pytest

from codeface.agents.approvals import Allow, ApprovalGate, ApprovalPolicy, Ask, Deny
from codeface.agents.command_risk import assess_command
from codeface.agents.events import ToolKind
from codeface.core.messages import ToolCall

ROOT = Path("/work/project")
pytestmark = pytest.mark.asyncio


def check(gate: ApprovalGate, name: str, kind: ToolKind, **arguments: object):  # type: ignore[no-untyped-def]
    call = ToolCall("c1", name, dict(arguments))
    risk = assess_command(str(arguments["command"]), ROOT) if kind == "command" else None
    path = str(arguments.get("path", ""))
    sensitive = path.endswith(".env")
    return gate.check(call, kind, name, "", sensitive_path=sensitive, risk=risk), risk


async def test_reads_run_freely_but_credential_files_ask() -> None:
    gate = ApprovalGate()
    assert check(gate, "read_file", "read", path="src/app.py")[0] == Allow("auto")
    verdict, _ = check(gate, "read_file", "read", path="config/.env")
    assert isinstance(verdict, Ask)
    assert verdict.request.reasons == ("the file may hold credentials",)
    assert not verdict.request.can_allow_for_session


async def test_an_edit_asks_and_allow_for_session_covers_later_edits() -> None:
    gate = ApprovalGate()
    verdict, _ = check(gate, "edit_file", "edit", path="a.py")
    assert isinstance(verdict, Ask)
    gate.answer(verdict.request.id, "session")
    assert (await gate.wait(verdict.request)).decision == "session"
    assert check(gate, "write_file", "edit", path="b.py")[0] == Allow("session rule")


async def test_allow_once_is_not_remembered() -> None:
    gate = ApprovalGate()
    verdict, risk = check(gate, "run_command", "command", command="pytest -q")
    assert isinstance(verdict, Ask)
    gate.answer(verdict.request.id, "once")
    await gate.wait(verdict.request, risk)
    assert isinstance(check(gate, "run_command", "command", command="pytest -q")[0], Ask)


async def test_a_session_rule_for_a_command_does_not_cover_a_chain_with_another() -> None:
    gate = ApprovalGate()
    verdict, risk = check(gate, "run_command", "command", command="pytest -q")
    assert isinstance(verdict, Ask)
    gate.answer(verdict.request.id, "session")
    await gate.wait(verdict.request, risk)
    assert check(gate, "run_command", "command", command="pytest tests/x.py")[0] == Allow(
        "session rule"
    )
    chained, _ = check(gate, "run_command", "command", command="pytest && rm -rf build")
    assert isinstance(chained, Ask)


async def test_risky_commands_ask_even_when_commands_are_allowed() -> None:
    gate = ApprovalGate(ApprovalPolicy(allow_commands=True))
    assert check(gate, "run_command", "command", command="pytest")[0] == Allow("allowed")
    verdict, _ = check(gate, "run_command", "command", command="curl http://x.example")
    assert isinstance(verdict, Ask)
    assert any("network" in reason for reason in verdict.request.reasons)
    assert not verdict.request.can_allow_for_session


@pytest.mark.parametrize(
    ("name", "kind", "arguments"),
    [
        ("edit_file", "edit", {"path": "a.py"}),
        ("run_command", "command", {"command": "pytest"}),
        ("run_command", "command", {"command": "curl http://x"}),
    ],
)
async def test_without_a_terminal_what_is_not_allowed_is_denied(
    name: str, kind: ToolKind, arguments: dict[str, object]
) -> None:
    gate = ApprovalGate(ApprovalPolicy(interactive=False))
    verdict, _ = check(gate, name, kind, **arguments)
    assert isinstance(verdict, Deny)
    assert "no one to ask" in verdict.reason


async def test_plan_only_mode_denies_every_side_effect() -> None:
    gate = ApprovalGate(ApprovalPolicy(plan_only=True, allow_edits=True, allow_commands=True))
    for name, kind, arguments in [
        ("edit_file", "edit", {"path": "a.py"}),
        ("run_command", "command", {"command": "ls"}),
        ("remember", "memory", {"note": "x"}),
    ]:
        verdict, _ = check(gate, name, kind, **arguments)
        assert isinstance(verdict, Deny), name
    assert check(gate, "read_file", "read", path="a.py")[0] == Allow("auto")


async def test_an_answer_that_arrives_before_the_wait_is_kept() -> None:
    gate = ApprovalGate()
    verdict, _ = check(gate, "edit_file", "edit", path="a.py")
    assert isinstance(verdict, Ask)
    assert gate.answer(verdict.request.id, "deny", "not now")
    answer = await gate.wait(verdict.request)
    assert (answer.decision, answer.reason) == ("deny", "not now")
    assert not gate.answer(verdict.request.id, "once")
