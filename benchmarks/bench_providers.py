"""Provider overhead: OllamaProvider vs the raw ``ollama.AsyncClient`` on the same stream.

Both consume 10,000 NDJSON chunks from the loopback fake Ollama in the same run; the
figure is the ratio of their times (budget: at most 1.1). Also: importing the provider
registry must not pull in the heavy cloud SDKs (time measured in a fresh interpreter,
against a bare interpreter start as the baseline).

    python -m benchmarks.bench_providers
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
from codeface.providers.ollama_provider import OllamaProvider
from tests.fakes.ollama_server import OllamaServer

CHUNKS = 10_000
ROUNDS = 7
MODEL = "qwen2.5-coder:7b"


async def _provider_once(server: OllamaServer, provider: OllamaProvider) -> float:
    server.reply_text("x" * CHUNKS, chunks=CHUNKS, fast=True)
    request = ChatRequest(MODEL, (ChatMessage("user", "go"),))
    started = time.perf_counter()
    count = 0
    async for event in provider.stream_chat(request):
        if isinstance(event, TextDelta):
            count += 1
    elapsed = time.perf_counter() - started
    assert count == CHUNKS, count
    return elapsed


async def _raw_once(server: OllamaServer, client: Any) -> float:
    server.reply_text("x" * CHUNKS, chunks=CHUNKS, fast=True)
    started = time.perf_counter()
    count = 0
    parts = await client.chat(
        model=MODEL, messages=[{"role": "user", "content": "go"}], stream=True, keep_alive="10m"
    )
    async for part in parts:
        if part.message.content:
            count += 1
    elapsed = time.perf_counter() - started
    assert count == CHUNKS, count
    return elapsed


async def _stream_overhead() -> tuple[float, float]:
    import httpx
    import ollama

    with OllamaServer() as server:
        provider = OllamaProvider(server.url)
        client = ollama.AsyncClient(host=server.url, timeout=httpx.Timeout(600, connect=5))
        await _provider_once(server, provider)  # warm both connection pools and imports
        await _raw_once(server, client)
        ours, raw = [], []
        for _ in range(ROUNDS):  # interleaved so drift affects both alike
            ours.append(await _provider_once(server, provider))
            raw.append(await _raw_once(server, client))
        await provider.aclose()
        await client.close()  # type: ignore[no-untyped-call]
    return statistics.median(ours), statistics.median(raw)


def _import_seconds(code: str) -> float:
    times = []
    for _ in range(3):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        times.append(time.perf_counter() - started)
    return min(times)


def run() -> list[dict[str, Any]]:
    """Measure and return the rows (name, value, unit, budget, baseline, ratio)."""
    ours, raw = asyncio.run(_stream_overhead())
    bare = _import_seconds("pass")
    registry = _import_seconds(
        "import sys, codeface.providers.registry\n"
        "assert not {'anthropic', 'openai'} & set(sys.modules)"
    )
    return [
        {
            "name": f"OllamaProvider: {CHUNKS} chunks (vs raw ollama.AsyncClient)",
            "value": round(ours * 1000, 1),
            "unit": "ms",
            "budget": 1.1,
            "budget_on": "ratio",
            "baseline": round(raw * 1000, 1),
            "ratio": round(ours / raw, 3),
        },
        {
            "name": "per-chunk overhead of the provider layer",
            "value": round((ours - raw) / CHUNKS * 1e6, 2),
            "unit": "us/chunk",
            "budget": None,
            "baseline": None,
            "ratio": None,
        },
        {
            "name": "start + import codeface.providers.registry (vs bare interpreter)",
            "value": round(registry * 1000, 1),
            "unit": "ms",
            "budget": None,
            "baseline": round(bare * 1000, 1),
            "ratio": round(registry / bare, 2),
        },
    ]


def main() -> None:
    """Print each figure beside its budget and baseline."""
    for row in run():
        print(
            f"{row['name']}: {row['value']} {row['unit']}"
            f"  budget={row['budget']}  baseline={row['baseline']}  ratio={row['ratio']}"
        )


if __name__ == "__main__":
    main()
