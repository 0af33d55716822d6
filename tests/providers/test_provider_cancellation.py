"""Stopping an answer closes the HTTP response at once, for every protocol."""

from __future__ import annotations

import asyncio
import time
from contextlib import aclosing

import pytest

from codeface.core.events import TextDelta
from tests.fakes.loopback import END_CLIENT_CLOSED
from tests.providers.conftest import Rig

SLOW = 2.0  # seconds between chunks: a lazy close would only be noticed at the next write


@pytest.mark.asyncio
async def test_cancelling_the_consumer_closes_the_connection_promptly(rig: Rig) -> None:
    rig.server.reply_text("one two three four five", chunk_delay=SLOW)
    first = asyncio.Event()

    async def consume() -> None:
        async for event in rig.provider.stream_chat(rig.request()):
            if isinstance(event, TextDelta):
                first.set()

    task = asyncio.create_task(consume())
    await asyncio.wait_for(first.wait(), 10)
    loop = asyncio.get_running_loop()
    cancelled_at, cancelled_wall = loop.time(), time.monotonic()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert loop.time() - cancelled_at < 0.1
    end = await asyncio.to_thread(rig.server.wait_stream_end, 1, 10.0)
    assert end is not None
    assert end.how == END_CLIENT_CLOSED
    assert end.at - cancelled_wall < SLOW / 2


@pytest.mark.asyncio
async def test_leaving_the_loop_early_closes_the_connection(rig: Rig) -> None:
    rig.server.reply_text("one two three four five", chunk_delay=SLOW)
    left_at = 0.0
    async with aclosing(rig.provider.stream_chat(rig.request())) as events:  # type: ignore[type-var]
        async for event in events:
            if isinstance(event, TextDelta):
                left_at = time.monotonic()
                break
    end = await asyncio.to_thread(rig.server.wait_stream_end, 1, 10.0)
    assert end is not None
    assert end.how == END_CLIENT_CLOSED
    assert end.at - left_at < SLOW / 2
