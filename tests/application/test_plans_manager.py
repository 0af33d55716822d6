"""The manager turns a goal into a plan through a real model turn: a plan that cannot be
used gets one repair round naming the problem; a second failure is a clear error."""

from __future__ import annotations

import json

import pytest

from codeface.agents.plan import PlanInvalid
from codeface.agents.plan_events import PlanPlanned
from codeface.core.errors import ConfigError
from tests.application.conftest import AgentRig
from tests.application.plan_rig import TaskScripts, call, plan_service, text

pytestmark = pytest.mark.asyncio


def plan_json(*tasks: dict[str, object]) -> str:
    return json.dumps({"tasks": list(tasks)})


async def test_a_plan_with_an_unknown_role_and_a_circle_is_repaired_once(
    ollama_rig: AgentRig,
) -> None:
    scripts = TaskScripts(ollama_rig.server)
    bad = plan_json(
        {"id": "t1", "role": "developer", "brief": "a", "depends_on": ["t2"]},
        {"id": "t2", "role": "coder", "brief": "b", "depends_on": ["t1"]},
    )
    # a small model's second try: a Python-ish literal with a trailing comma, numbered deps
    good = "Fixed:\n{'tasks': [{'id': 't1', 'role': 'Coder', 'brief': 'a'}, " + (
        "{'id': 't2', 'role': 'tester', 'brief': 'b', 'depends_on': [1]},]}"
    )
    scripts.add("manager", call("repo_map", {}), text(bad), text(good))
    service = plan_service(ollama_rig)

    events = [event async for event in service.draft("split the work")]

    planned = events[-1]
    assert isinstance(planned, PlanPlanned)
    assert [(t.id, t.role, t.depends_on) for t in planned.plan.tasks] == [
        ("t1", "coder", ()),
        ("t2", "tester", ("t1",)),
    ]
    requests = ollama_rig.server.requests_to("/api/chat")
    assert len(requests) == 3
    repair = requests[2].json["messages"][-1]["content"]
    assert "task t1 has the unknown role 'developer'" in repair
    assert "t1 → t2 → t1" in repair
    offered = {tool["function"]["name"] for tool in requests[0].json["tools"]}
    assert "write_file" not in offered
    assert "repo_map" in offered
    stored = await ollama_rig.store.get_plan(planned.plan_id)
    assert (stored.status, stored.goal) == ("draft", "split the work")


async def test_a_plan_that_cannot_be_read_twice_is_a_clear_error(ollama_rig: AgentRig) -> None:
    scripts = TaskScripts(ollama_rig.server)
    scripts.add("manager", text("I would start with the API."), text('{"tasks": [{"id": '))
    service = plan_service(ollama_rig)

    with pytest.raises(PlanInvalid) as raised:
        _ = [event async for event in service.draft("do it")]

    message = raised.value.one_line()
    assert "could not be used" in message
    assert "not valid" in message
    assert "codeface plan --from FILE" in message
    assert scripts.counts["manager"] == 2
    assert await ollama_rig.store.list_plans() == []


async def test_without_a_manager_role_planning_says_what_to_do(ollama_rig: AgentRig) -> None:
    service = plan_service(ollama_rig)
    service.roles = {name: role for name, role in service.roles.items() if name != "manager"}

    with pytest.raises(ConfigError, match="no manager role"):
        _ = [event async for event in service.draft("do it")]
