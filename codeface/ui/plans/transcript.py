"""A plan task's transcript as read-only text: its brief, each step's words and tool
calls, each tool's result (long results cut), and its final answer."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

    from codeface.application.contract import MessageView

RESULT_LIMIT = 2_000


def _short(text: str, limit: int) -> str:
    text = text.rstrip()
    return text if len(text) <= limit else text[:limit] + f"\n… ({len(text) - limit} more)"


def transcript_text(messages: Sequence[MessageView]) -> str:
    """The steps of one task's session, as the transcript view shows them."""
    parts: list[str] = []
    step = 0
    for message in messages:
        match message.role:
            case "user":
                parts.append(f"▌ Brief\n{message.content.strip()}")
            case "assistant":
                step += 1
                lines = [f"▌ Step {step}" + (f" · {message.model}" if message.model else "")]
                if message.content.strip():
                    lines.append(message.content.strip())
                for call in message.tool_calls:
                    arguments = json.dumps(call.arguments, ensure_ascii=False)
                    lines.append(f"→ {call.name} {_short(arguments, 300)}")
                if message.error_text:
                    lines.append(f"(failed: {message.error_text})")
                parts.append("\n".join(lines))
            case "tool":
                name = message.tool_name or "tool"
                parts.append(f"← {name}\n{_short(message.content, RESULT_LIMIT)}")
            case _:
                pass
    return "\n\n".join(parts) if parts else "This task has no steps yet."
