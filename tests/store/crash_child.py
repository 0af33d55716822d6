"""Child process for the crash test: streams answers from a (fake) Ollama into the store
forever, until the parent kills it with SIGKILL.

Usage: ``python -m tests.store.crash_child DATABASE OLLAMA_URL MODEL``. Prints ``ready``
once the store is open, then ``flushed MESSAGE_ID LENGTH`` after each committed batch;
the parent kills it at a random moment and checks that no committed batch was lost.
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

import ollama

from codeface.core.events import AnswerStats
from codeface.store import SyncStore, sessions, streaming


async def stream_forever(store: SyncStore, url: str, model: str) -> None:
    client = ollama.AsyncClient(host=url)
    session = sessions.create_session(store.conn, project="/crash")
    turn = 0
    while True:
        turn += 1
        sessions.add_user_message(store.conn, session.id, f"prompt {turn}")
        writer = streaming.begin_answer(
            store.conn, session.id, provider="ollama", model=model, host=url, flush_interval=0.01
        )
        started = time.monotonic()
        first: float | None = None
        output = 0
        received = 0
        flushes = 0
        async for part in await client.chat(
            model=model, messages=[{"role": "user", "content": f"prompt {turn}"}], stream=True
        ):
            if part.message.content:
                first = first if first is not None else time.monotonic() - started
                received += len(part.message.content)
                writer.append(part.message.content)
                if writer.flushes != flushes:  # a batch was committed: report how much
                    flushes = writer.flushes
                    written = received - len(writer.pending_text)
                    print(f"flushed {writer.message_id} {written}", flush=True)
            if part.done:
                output = part.eval_count or 0
        stats = AnswerStats("ollama", model, url, 12, output, first, None, 0.0, "stop")
        writer.finish(stats)


def main() -> None:
    database, url, model = sys.argv[1:4]
    store = SyncStore(Path(database))
    print("ready", flush=True)
    asyncio.run(stream_forever(store, url, model))


if __name__ == "__main__":
    main()
