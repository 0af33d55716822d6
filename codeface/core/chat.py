"""One turn of a conversation: stream an answer, run the tools it asks for, repeat.

Without a tool runner a turn is a single answer. With one (agents), each answer that
ends in tool calls gets the results appended and is answered again, up to
``max_steps`` times, so multi-step turns reuse the same event stream.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from contextlib import aclosing
from dataclasses import replace

from codeface.core.errors import CodefaceError
from codeface.core.events import TurnDone, TurnEvent, TurnFailed
from codeface.core.messages import ChatMessage, ChatRequest, ToolCall
from codeface.core.router import Router
from codeface.core.settings import Policy

ToolRunner = Callable[[ToolCall], Awaitable[str]]


async def run_turn(
    router: Router,
    request: ChatRequest,
    *,
    policy: Policy | None = None,
    model: str | None = None,
    provider: str | None = None,
    run_tool: ToolRunner | None = None,
    max_steps: int = 8,
) -> AsyncGenerator[TurnEvent, None]:
    """Yield every event of the turn; the last is a `TurnDone` or `TurnFailed`."""
    messages = list(request.messages)
    for _ in range(max_steps):
        done: TurnDone | None = None
        step_request = replace(request, messages=tuple(messages))
        stream = router.stream(step_request, policy=policy, model=model, provider=provider)
        async with aclosing(stream):
            async for event in stream:
                yield event
                if isinstance(event, TurnFailed):
                    return
                if isinstance(event, TurnDone):
                    done = event
        if done is None or not done.tool_calls or run_tool is None:
            return
        messages.append(ChatMessage("assistant", done.text, tool_calls=done.tool_calls))
        for call in done.tool_calls:
            try:
                result = await run_tool(call)
            except CodefaceError as error:
                result = f"Tool {call.name} failed: {error.user_message}"
            messages.append(ChatMessage("tool", result, tool_call_id=call.id, tool_name=call.name))


async def collect_answer(events: AsyncIterator[TurnEvent]) -> TurnDone | TurnFailed:
    """Drain a turn and return its final event (for callers that do not stream)."""
    final: TurnDone | TurnFailed | None = None
    async for event in events:
        if isinstance(event, TurnDone | TurnFailed):
            final = event
    if final is None:
        raise RuntimeError("the turn ended without a final event")
    return final
