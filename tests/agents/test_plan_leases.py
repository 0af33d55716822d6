"""File leases: one task changes a file at a time; a second waits until the first ends; a
wait that would never end (two tasks each waiting for the other's file) is refused."""

from __future__ import annotations

import asyncio

import pytest

from codeface.agents.file_leases import FileLeases

pytestmark = pytest.mark.asyncio


async def test_a_free_file_is_held_at_once_and_again_by_the_same_task() -> None:
    leases = FileLeases()

    assert await leases.claim("t1", "a.py") is None
    assert await leases.claim("t1", "a.py") is None
    assert leases.holder("a.py") == "t1"
    assert leases.blocking("t2", ["a.py", "b.py"]) == {"a.py": "t1"}
    assert leases.blocking("t1", ["a.py"]) == {}


async def test_a_held_file_waits_until_its_task_ends() -> None:
    leases = FileLeases()
    leases.take("t1", ["a.py", "b.py"])

    waiting = asyncio.ensure_future(leases.claim("t2", "a.py"))
    await asyncio.sleep(0)  # let it start waiting (one loop turn, not a time wait)
    assert not waiting.done()

    assert leases.release_all("t1") == ("a.py", "b.py")
    assert await asyncio.wait_for(waiting, 5) is None
    assert leases.holder("a.py") == "t2"
    assert leases.holder("b.py") is None


async def test_two_tasks_waiting_for_each_other_is_refused_not_a_deadlock() -> None:
    leases = FileLeases()
    leases.take("t1", ["a.py"])
    leases.take("t2", ["b.py"])
    first = asyncio.ensure_future(leases.claim("t1", "b.py"))
    await asyncio.sleep(0)

    refused = await asyncio.wait_for(leases.claim("t2", "a.py"), 5)

    assert refused is not None
    assert (
        "a.py is being changed by task t1, which is waiting for a file this task changed" in refused
    )
    leases.release_all("t2")  # t2 ends without a.py: t1 gets b.py
    assert await asyncio.wait_for(first, 5) is None
    assert leases.held_by("t1") == ("a.py", "b.py")


async def test_a_longer_circle_is_found_too() -> None:
    leases = FileLeases()
    for task, path in (("t1", "a"), ("t2", "b"), ("t3", "c")):
        leases.take(task, [path])
    waits = [
        asyncio.ensure_future(leases.claim("t1", "b")),
        asyncio.ensure_future(leases.claim("t2", "c")),
    ]
    await asyncio.sleep(0)

    assert await asyncio.wait_for(leases.claim("t3", "a"), 5) is not None
    for wait in waits:
        wait.cancel()
    await asyncio.gather(*waits, return_exceptions=True)
