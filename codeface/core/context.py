"""Token estimates and context budgets, without a tokenizer download.

The estimate (about four characters a token, never under a token per word) errs high
on code so a prompt judged to fit does fit.
"""

from __future__ import annotations

import re

from codeface.core.messages import ChatMessage, ChatRequest

_WORDS = re.compile(r"\S+")
PER_MESSAGE_OVERHEAD = 4


def estimate_tokens(text: str) -> int:
    """Roughly how many tokens ``text`` costs."""
    if not text:
        return 0
    by_chars = (len(text) + 3) // 4
    by_words = len(_WORDS.findall(text))
    return max(by_chars, by_words)


def estimate_message_tokens(message: ChatMessage) -> int:
    """Tokens for one message including its role overhead and tool calls."""
    total = PER_MESSAGE_OVERHEAD + estimate_tokens(message.content)
    for call in message.tool_calls:
        total += estimate_tokens(call.name) + estimate_tokens(str(call.arguments))
    return total


def estimate_request_tokens(request: ChatRequest) -> int:
    """Tokens the prompt of ``request`` costs (system, messages and tool schemas)."""
    total = estimate_tokens(request.system or "")
    total += sum(estimate_message_tokens(message) for message in request.messages)
    total += sum(
        estimate_tokens(tool.name + tool.description + str(tool.parameters))
        for tool in request.tools
    )
    return total


def fits_context(request: ChatRequest, context_length: int | None, reserve: int = 256) -> bool:
    """Whether the prompt plus ``reserve`` answer tokens fits ``context_length``."""
    if not context_length:
        return True
    return estimate_request_tokens(request) + reserve <= context_length
