"""The manager: an agent turn (read-only tools) that turns a goal into a plan.

Its answer is parsed leniently (`codeface.agents.plan_parse`) and checked against the roles
there are. A plan that cannot be read or does not pass gets one repair round in the same
session, with the exact problem; a second failure is a clear `PlanInvalid`.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Mapping
from contextlib import aclosing
from dataclasses import replace
from pathlib import Path

from codeface.agents.approvals import ApprovalGate, ApprovalPolicy
from codeface.agents.plan import MANAGER_ROLE, Plan, PlanInvalid, check_plan
from codeface.agents.plan_parse import PlanParseError, parse_plan_text, plan_format, repair_prompt
from codeface.agents.roles import Role
from codeface.application.agent_turn import AgentSetup
from codeface.application.contract import ConversationEvent
from codeface.application.conversation import Conversation
from codeface.application.plan_attempt import final_answer
from codeface.core.errors import CodefaceError, ConfigError
from codeface.core.events import TurnFailed
from codeface.core.settings import Policy
from codeface.workspace import Workspace

ROUNDS = 2
GIVE_UP_HINT = (
    "Try again with a clearer goal or a stronger model (-m), or write the plan yourself "
    "and run it with: codeface plan --from FILE"
)


def goal_prompt(goal: str, roles: Mapping[str, str]) -> str:
    """The manager's first message: the user's goal and the answer format."""
    return f"The goal:\n{goal.strip()}\n\n{plan_format(roles)}"


async def draft_plan(
    conversation: Conversation,
    workspace: Workspace,
    roles: Mapping[str, Role],
    goal: str,
    *,
    model: str | None = None,
    policy: Policy | None = None,
    private_folders: tuple[Path, ...] = (),
) -> AsyncGenerator[ConversationEvent | tuple[Plan, str], None]:
    """The manager's events, then ``(plan, manager session id)`` once a plan passes."""
    manager = roles.get(MANAGER_ROLE)
    if manager is None:
        raise ConfigError(
            "There is no manager role to plan with",
            hint="Restore resources/agents/manager.md, or add a manager.md role of your own.",
        )
    store = conversation.store
    session = await store.create_session(
        title=f"plan: {goal.strip()}"[:60],
        project=workspace.key,
        role=MANAGER_ROLE,
        model=model,
        policy=policy,
    )
    gate = ApprovalGate(ApprovalPolicy(plan_only=True, interactive=False))
    setup = AgentSetup(workspace, manager, gate, private_folders)
    described = {name: role.description for name, role in roles.items()}
    prompt = goal_prompt(goal, described)
    problem = ""
    for _ in range(ROUNDS):
        failure: CodefaceError | None = None
        async with aclosing(conversation.send(session.id, prompt, agent=setup)) as events:
            async for event in events:
                if isinstance(event, TurnFailed):
                    failure = event.error
                yield event
        answer = final_answer(await store.path_to_leaf(session.id))
        if answer is None:
            if failure is not None:
                raise failure
            raise PlanInvalid(["the manager stopped before it wrote a plan"], hint=GIVE_UP_HINT)
        try:
            parsed = replace(parse_plan_text(answer, goal.strip()), goal=goal.strip())
            plan = check_plan(parsed, roles)
        except PlanParseError as error:
            problem = error.user_message
        except PlanInvalid as error:
            problem = "; ".join(error.problems)
        else:
            yield plan, session.id
            return
        prompt = repair_prompt(problem, described)
    raise PlanInvalid([f"the manager's plan could not be used: {problem}"], hint=GIVE_UP_HINT)
