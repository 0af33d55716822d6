"""Helpers shared by the providers: error translation around streams and calls.

`guarded` wraps a provider's raw event generator so that every SDK or transport failure
leaves as a `CodefaceError` (a lost connection after the first event is reported as an
interrupted stream, not as "unreachable"), and so that closing or cancelling the consumer
closes the inner generator — and with it the HTTP response — at once.

The cloud SDKs build their stream events and pages without validating them, so a field
may hold any JSON value (``data: 0`` arrives as the number 0). `record`, `optional_record`,
`optional_text` and `optional_list` check one field each and turn a wrong type into a
`MalformedResponse` naming the server (`malformed`), never an ``AttributeError``.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncGenerator, Awaitable
from contextlib import aclosing
from typing import Any, Literal

from codeface.core.errors import CodefaceError, MalformedResponse, ServerError
from codeface.providers.errors import ErrorContext, translate

logger = logging.getLogger(__name__)


def failure(error: BaseException, context: ErrorContext, *, started: bool = False) -> CodefaceError:
    """The `CodefaceError` for ``error``; unknown exceptions are logged and reported as such."""
    translated = translate(error, context, started=started)
    if translated is not None:
        logger.debug("%s: %r -> %s", context.provider, error, translated.kind)
        return translated
    logger.error("%s: unexpected %s", context.provider, type(error).__name__, exc_info=error)
    return ServerError(
        f"{context.name} failed unexpectedly ({type(error).__name__})",
        provider=context.provider,
        hint="See the log file for details.",
    )


class Translating:
    """A ``with`` block that turns SDK/transport failures into `CodefaceError`s.

    Used inside a provider's own async generator (no extra generator layer per event);
    set ``started`` once the first event has been yielded.
    """

    def __init__(self, context: ErrorContext) -> None:
        self.context = context
        self.started = False

    def __enter__(self) -> Translating:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: object
    ) -> Literal[False]:
        if error is None or not isinstance(error, Exception) or isinstance(error, CodefaceError):
            return False  # cancellation, generator close and our own errors pass through
        raise failure(error, self.context, started=self.started) from error


async def guarded[E](
    events: AsyncGenerator[E, None], context: ErrorContext
) -> AsyncGenerator[E, None]:
    """Re-yield ``events``, translating failures; closes ``events`` when the consumer stops."""
    started = False
    async with aclosing(events) as inner:
        try:
            async for event in inner:
                started = True
                yield event
        except (asyncio.CancelledError, GeneratorExit, CodefaceError):
            raise
        except Exception as error:
            raise failure(error, context, started=started) from error


async def call[T](awaitable: Awaitable[T], context: ErrorContext) -> T:
    """Await ``awaitable``, translating any SDK/transport failure into a `CodefaceError`."""
    try:
        return await awaitable
    except (asyncio.CancelledError, CodefaceError):
        raise
    except Exception as error:
        raise failure(error, context) from error


def parse_arguments(text: str, tool: str, context: ErrorContext) -> dict[str, Any]:
    """Tool-call arguments from a JSON string (empty means no arguments)."""
    if not text.strip():
        return {}
    try:
        value = json.loads(text)
    except ValueError as error:
        raise MalformedResponse(
            f"{context.name} sent unreadable arguments for tool {tool}",
            provider=context.provider,
            hint="Retry; if it keeps happening, choose another model.",
        ) from error
    if not isinstance(value, dict):
        raise MalformedResponse(
            f"{context.name} sent arguments for tool {tool} that are not an object",
            provider=context.provider,
        )
    return value


def count_or_none(value: object) -> int | None:
    """A token count as the SDK reported it, or None when it sent something else."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


_JSON_VALUES = (str, int, float, list, dict, type(None))
"""What an SDK leaves as is where it expected an object (it builds models from dicts only)."""


def malformed(context: ErrorContext, what: str) -> MalformedResponse:
    """The error for a response of the wrong shape: the server, its address and what was wrong."""
    return MalformedResponse(
        f"{context.name} at {context.host} sent a response CodeFace cannot read ({what})",
        provider=context.provider,
    )


def record(value: Any, what: str, context: ErrorContext) -> Any:
    """``value`` when the SDK built it from a JSON object; else `MalformedResponse`."""
    if isinstance(value, _JSON_VALUES):
        raise malformed(context, f"{what} is not an object")
    return value


def optional_record(value: Any, what: str, context: ErrorContext) -> Any:
    """Like `record`, but a missing or null field is None."""
    return None if value is None else record(value, what, context)


def optional_text(value: object, what: str, context: ErrorContext) -> str | None:
    """A string field (missing or null: None); anything else is `MalformedResponse`."""
    if value is None or isinstance(value, str):
        return value
    raise malformed(context, f"{what} is not text")


def optional_list(value: object, what: str, context: ErrorContext) -> list[Any]:
    """A list field (missing or null: empty); anything else is `MalformedResponse`."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    raise malformed(context, f"{what} is not a list")
