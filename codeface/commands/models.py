"""`codeface models`, `codeface pull NAME`, `codeface rm NAME`: manage the models you can use."""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from codeface.commands.common import human_bytes, notice, run_async

RESIDENCY_TEXT = {
    "gpu": "on GPU",
    "partial": "partly on GPU",
    "cpu": "on CPU",
    "not_loaded": "not loaded",
    "cloud": "cloud",
}


def register(subparsers: Any) -> None:
    """Add ``models``, ``pull`` and ``rm``."""
    models = subparsers.add_parser("models", help="list local and cloud models")
    models.set_defaults(handler=handle_models)
    pull = subparsers.add_parser("pull", help="download a model into Ollama, with progress")
    pull.add_argument("name", help="model name, e.g. qwen2.5-coder:7b")
    pull.add_argument("--host", help="Ollama host to pull into (default: the first)")
    pull.set_defaults(handler=handle_pull)
    remove = subparsers.add_parser("rm", help="delete a model from Ollama")
    remove.add_argument("name")
    remove.add_argument("--host", help="Ollama host (default: the first)")
    remove.add_argument("-y", "--yes", action="store_true", help="do not ask for confirmation")
    remove.set_defaults(handler=handle_rm)


def handle_models(args: argparse.Namespace) -> int:
    """List models of every provider."""
    return run_async(_models())


async def _models() -> int:
    from codeface.app import build_engine
    from codeface.core.errors import CodefaceError
    from codeface.core.selection import provider_label

    engine = build_engine()
    try:
        for provider in engine.providers:
            print(f"{provider_label(provider)} ({provider.tier})")
            try:
                models = await provider.list_models()
            except CodefaceError as error:
                print(f"  unavailable: {error.one_line()}")
                continue
            if not models:
                print("  no models installed — try: codeface pull qwen2.5-coder:7b")
            for model in models:
                print("  " + model_line(model))
        if not engine.providers:
            notice("no provider configured")
        return 0
    finally:
        await engine.aclose()


def model_line(model: Any) -> str:
    """One model described in a line: name, size, quantisation, context, where it runs."""
    details = [
        human_bytes(model.size_bytes) if model.size_bytes else None,
        model.parameter_size,
        model.quantization,
        f"ctx {model.context_length}" if model.context_length else None,
        RESIDENCY_TEXT.get(model.residency, model.residency),
    ]
    return f"{model.name:<32} " + "  ".join(part for part in details if part)


def _ollama(engine: Any, host: str | None) -> Any:
    from codeface.core.errors import NoProviderAvailable

    hosts = engine.ollama_providers()
    for provider in hosts:
        if host is None or host in (provider.host, provider.id, getattr(provider, "base_url", "")):
            return provider
    raise NoProviderAvailable(
        f"No Ollama host {host}" if host else "No Ollama host is configured",
        hint="Set [ollama] hosts in settings or OLLAMA_HOST.",
    )


def handle_pull(args: argparse.Namespace) -> int:
    """Pull a model with a progress bar."""
    return run_async(_pull(args.name, args.host))


async def _pull(name: str, host: str | None) -> int:
    from codeface.app import build_engine

    engine = build_engine()
    bar = ProgressBar(sys.stderr)
    try:
        async for progress in _ollama(engine, host).pull(name):
            bar.update(progress.status, progress.completed, progress.total)
        bar.close()
        notice(f"{name} is ready")
        return 0
    finally:
        bar.close()
        await engine.aclose()


def handle_rm(args: argparse.Namespace) -> int:
    """Delete a model after confirmation."""
    if not args.yes and sys.stdin is not None and sys.stdin.isatty():
        answer = input(f"Delete {args.name}? [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            notice("nothing deleted")
            return 1
    return run_async(_rm(args.name, args.host))


async def _rm(name: str, host: str | None) -> int:
    from codeface.app import build_engine

    engine = build_engine()
    try:
        await _ollama(engine, host).delete(name)
        notice(f"deleted {name}")
        return 0
    finally:
        await engine.aclose()


class ProgressBar:
    """A one-line progress bar: status, bytes, percent, speed and time left."""

    def __init__(self, stream: Any, width: int = 30) -> None:
        self.stream = stream
        self.width = width
        self.started = time.monotonic()
        self._open = False
        self._last_status = ""

    def update(self, status: str, completed: int | None, total: int | None) -> None:
        """Redraw with the latest progress."""
        if total:
            done = min(completed or 0, total)
            filled = int(self.width * done / total)
            elapsed = max(time.monotonic() - self.started, 1e-6)
            speed = done / elapsed
            eta = (total - done) / speed if speed > 0 else 0
            line = (
                f"\r{status[:24]:<24} [{'#' * filled}{'.' * (self.width - filled)}] "
                f"{human_bytes(done)}/{human_bytes(total)} {100 * done / total:5.1f}% "
                f"{human_bytes(speed)}/s ETA {eta:4.0f}s"
            )
        elif status != self._last_status:
            line = f"\r{status:<80}"
        else:
            return
        self._last_status = status
        self.stream.write(line)
        self.stream.flush()
        self._open = True

    def close(self) -> None:
        """End the line."""
        if self._open:
            self.stream.write("\n")
            self.stream.flush()
            self._open = False
