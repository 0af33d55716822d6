"""The step loop: ask the model, run the tools it calls, feed the results back, repeat.

Each step is a full routed answer (retries and fallback included), so the router keeps
choosing between steps. A model without native tool calling writes calls in the text
protocol (`codeface.core.tool_text`); the loop reads them from the answer, and the
`TurnDone` it passes on carries them, so whoever stores the step stores the calls.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Sequence
from contextlib import aclosing
from dataclasses import dataclass, replace

from codeface.agents.events import AgentEvent, AgentTurnDone, StepStarted, ToolCallFinished
from codeface.agents.tools import ToolBox
from codeface.core.events import TurnDone, TurnEvent, TurnFailed
from codeface.core.messages import ChatMessage, ChatRequest, ToolCall
from codeface.core.router import Router
from codeface.core.settings import Policy
from codeface.core.tool_text import parse_tool_calls

AgentTurnEvent = TurnEvent | AgentEvent

STEP_LIMIT_NOTE = (
    "The turn stopped after {steps} steps (the role's limit). Send a message to let it go on."
)


@dataclass
class _Totals:
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float | None = None
    models: tuple[str, ...] = ()

    def add(self, done: TurnDone) -> None:
        stats = done.stats
        self.input_tokens += stats.input_tokens or 0
        self.output_tokens += stats.output_tokens or 0
        if stats.cost_usd is not None:
            self.cost_usd = (self.cost_usd or 0.0) + stats.cost_usd
        if stats.model not in self.models:
            self.models = (*self.models, stats.model)


async def run_agent_turn(
    router: Router,
    request: ChatRequest,
    toolbox: ToolBox,
    *,
    policy: Policy | None = None,
    model: str | None = None,
    max_steps: int = 25,
    pending_calls: Sequence[ToolCall] = (),
) -> AsyncGenerator[AgentTurnEvent, None]:
    """Yield every event of the turn: per step a `StepStarted`, the router's events and the
    tool calls' events; the last is `AgentTurnDone`, or the `TurnFailed` that ended it.

    ``pending_calls`` are calls of an earlier, interrupted step that have no result yet:
    they run (and ask again) before the model is asked.
    """
    messages = list(request.messages)
    totals = _Totals()
    turn_id = toolbox.turn_id
    calls: tuple[ToolCall, ...] = tuple(pending_calls)
    step = 0
    while True:
        for call in calls:
            finished: ToolCallFinished | None = None
            async with aclosing(toolbox.run(call)) as tool_events:
                async for tool_event in tool_events:
                    yield tool_event
                    if isinstance(tool_event, ToolCallFinished):
                        finished = tool_event
            assert finished is not None
            messages.append(
                ChatMessage("tool", finished.result, tool_call_id=call.id, tool_name=call.name)
            )
        if step >= max_steps:
            yield AgentTurnDone(
                turn_id,
                step,
                totals.input_tokens,
                totals.output_tokens,
                totals.cost_usd,
                totals.models,
                stopped_at_step_limit=True,
                changed_paths=tuple(toolbox.changed),
            )
            return
        step += 1
        yield StepStarted(turn_id, step)
        done: TurnDone | None = None
        step_request = replace(request, messages=tuple(messages))
        stream = router.stream(step_request, policy=policy, model=model)
        async with aclosing(stream):
            async for event in stream:
                if isinstance(event, TurnDone):
                    found = event.tool_calls or parse_tool_calls(event.text, request.tools)
                    done = replace(event, tool_calls=found)
                    totals.add(done)
                    yield done
                    continue
                yield event
                if isinstance(event, TurnFailed):
                    return
        if done is None:
            return
        calls = done.tool_calls
        if not calls:
            yield AgentTurnDone(
                turn_id,
                step,
                totals.input_tokens,
                totals.output_tokens,
                totals.cost_usd,
                totals.models,
                changed_paths=tuple(toolbox.changed),
            )
            return
        messages.append(ChatMessage("assistant", done.text, tool_calls=calls))
