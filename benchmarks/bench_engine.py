"""Engine overhead: the router vs the raw `ollama.AsyncClient` on the same loopback stream,
and the cost of starting CodeFace's command line vs a bare Python.

    python -m benchmarks.bench_engine
"""

from __future__ import annotations

import asyncio
import statistics
import subprocess
import sys
import time
from typing import Any

from codeface.core.events import TextDelta
from codeface.core.messages import ChatMessage, ChatRequest
from codeface.core.router import Router
from codeface.core.settings import Settings
from codeface.providers.ollama_provider import OllamaProvider
from tests.fakes.ollama_server import OllamaServer

CHUNKS = 10_000
RUNS = 9
TTFT_RUNS = 30
MODEL = "qwen2.5-coder:7b"


async def _raw_stream(url: str) -> tuple[float, float, int]:
    """(first chunk seconds, total seconds, characters) through the raw ollama client."""
    import httpx
    import ollama

    client = ollama.AsyncClient(host=url, timeout=httpx.Timeout(60, connect=5))
    start = time.perf_counter()
    first = None
    characters = 0
    async for part in await client.chat(
        model=MODEL, messages=[{"role": "user", "content": "go"}], stream=True
    ):
        if first is None:
            first = time.perf_counter() - start
        characters += len(part.message.content or "")
    total = time.perf_counter() - start
    await client._client.aclose()
    return first or total, total, characters


async def _engine_stream(router: Router) -> tuple[float, float, int]:
    """The same measurement through `Router.stream` (routing, breaker, stall guard, stats)."""
    request = ChatRequest(model="", messages=(ChatMessage("user", "go"),))
    start = time.perf_counter()
    first = None
    characters = 0
    async for event in router.stream(request, policy="local-only"):
        if isinstance(event, TextDelta):
            if first is None:
                first = time.perf_counter() - start
            characters += len(event.text)
    return first or 0.0, time.perf_counter() - start, characters


async def _measure() -> list[dict[str, Any]]:
    text = "x" * CHUNKS
    with OllamaServer() as server:
        provider = OllamaProvider(server.url)
        router = Router([provider], Settings())
        raw_totals, engine_totals = [], []
        for _ in range(RUNS):
            server.reply_text(text, chunks=CHUNKS, fast=True)
            raw = await _raw_stream(server.url)
            server.reply_text(text, chunks=CHUNKS, fast=True)
            engine = await _engine_stream(router)
            assert raw[2] == engine[2] == CHUNKS, "every character must arrive"
            raw_totals.append(raw[1])
            engine_totals.append(engine[1])
        raw_first, engine_first = [], []
        for _ in range(TTFT_RUNS):
            server.reply_text("hello world", chunks=2, fast=True)
            raw_first.append((await _raw_stream(server.url))[0])
            server.reply_text("hello world", chunks=2, fast=True)
            engine_first.append((await _engine_stream(router))[0])
        await provider.aclose()
    raw_total = statistics.median(raw_totals)
    engine_total = statistics.median(engine_totals)
    raw_ttft = statistics.median(raw_first) * 1000
    engine_ttft = statistics.median(engine_first) * 1000
    return [
        {
            "name": f"engine: {CHUNKS:,} chunks from loopback Ollama (median of {RUNS})",
            "value": engine_total,
            "unit": "s",
            "budget": 1.1,
            "budget_on": "ratio",
            "baseline": raw_total,
            "ratio": engine_total / raw_total,
        },
        {
            "name": "router time to first token added vs raw client",
            "value": engine_ttft - raw_ttft,
            "unit": "ms",
            "budget": 5.0,
            "baseline": raw_ttft,
            "ratio": engine_ttft / raw_ttft if raw_ttft else None,
        },
    ]


def _child(code: str) -> tuple[float, int]:
    """(wall seconds, peak RSS in MB) of a Python child running ``code``."""
    probe = (
        "import sys\n"
        "try:\n"
        f"    exec({code!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        "peak = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1]\n"
        "sys.stderr.write('RSS=%s\\n' % peak)\n"
    )
    samples = []
    rss = 0
    for _ in range(5):
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", probe], capture_output=True, text=True, check=True
        )
        samples.append(time.perf_counter() - start)
        rss = int(done.stderr.rsplit("RSS=", 1)[1].split()[0]) // 1024
    return statistics.median(samples), rss


def _startup_rows() -> list[dict[str, Any]]:
    bare_time, bare_rss = _child("pass")
    rows = []
    for name, code in (
        ("`codeface --version`", "from codeface.cli import main; main(['--version'])"),
        (
            "`import codeface.core` (router, chat)",
            "import codeface.core.router, codeface.core.chat",
        ),
    ):
        wall, rss = _child(code)
        rows.append(
            {
                "name": f"{name} wall time",
                "value": wall * 1000,
                "unit": "ms",
                "budget": None,
                "baseline": bare_time * 1000,
                "ratio": wall / bare_time,
            }
        )
        rows.append(
            {
                "name": f"{name} peak RSS",
                "value": rss,
                "unit": "MB",
                "budget": None,
                "baseline": bare_rss,
                "ratio": rss / bare_rss if bare_rss else None,
            }
        )
    return rows


def run() -> list[dict[str, Any]]:
    """All engine figures."""
    return asyncio.run(_measure()) + _startup_rows()


if __name__ == "__main__":
    from benchmarks.run import print_rows

    print_rows("engine", run())
