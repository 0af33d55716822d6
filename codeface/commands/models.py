"""`codeface models` (list, add, download), `codeface pull NAME`, `codeface rm NAME`.

The list shows every provider's models — Ollama's, the built-in engine's and the
cloud's — with size, quantisation and where each runs; then GGUF files already on disk
that can be added (Ollama's downloads, packaged models) and the catalog of recommended
models for this machine. ``models add`` registers a GGUF file without copying it;
``models download`` fetches a catalog model from Hugging Face; ``rm`` removes a built-in
model (deleting the file only when CodeFace downloaded it) or deletes an Ollama model.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from typing import Any

from codeface.commands.common import human_bytes, notice, run_async, terminal_safe

RESIDENCY_TEXT = {
    "gpu": "on GPU",
    "partial": "partly on GPU",
    "cpu": "on CPU",
    "not_loaded": "not loaded",
    "cloud": "cloud",
}


def register(subparsers: Any) -> None:
    """Add ``models`` (with ``add`` and ``download``), ``pull`` and ``rm``."""
    models = subparsers.add_parser(
        "models", help="list models; add or download models for the built-in engine"
    )
    models.set_defaults(handler=handle_models)
    actions = models.add_subparsers(dest="models_action", metavar="{add,download}")
    add = actions.add_parser(
        "add", help="register a GGUF file for the built-in engine (it is not copied)"
    )
    add.add_argument(
        "source",
        help="PATH.gguf, ollama:NAME (a model Ollama downloaded) or a packaged model's name",
    )
    add.add_argument("--name", help="the name to use it by (default: from the file name)")
    add.set_defaults(handler=handle_add)
    download = actions.add_parser(
        "download", help="download a recommended coding model from Hugging Face"
    )
    download.add_argument(
        "name", nargs="?", help="a catalog model (default: the one recommended for this computer)"
    )
    download.set_defaults(handler=handle_download)
    pull = subparsers.add_parser("pull", help="download a model into Ollama, with progress")
    pull.add_argument("name", help="model name, e.g. qwen2.5-coder:7b")
    pull.add_argument("--host", help="Ollama host to pull into (default: the first)")
    pull.set_defaults(handler=handle_pull)
    remove = subparsers.add_parser(
        "rm", help="remove a built-in model, or delete a model from Ollama"
    )
    remove.add_argument("name")
    remove.add_argument("--host", help="delete from this Ollama host (default: the first)")
    remove.add_argument("-y", "--yes", action="store_true", help="do not ask for confirmation")
    remove.set_defaults(handler=handle_rm)


# ---------------------------------------------------------------- listing
def handle_models(args: argparse.Namespace) -> int:
    """List models of every provider, what can be added, and what can be downloaded."""
    return run_async(_models())


async def _models() -> int:
    import asyncio

    from codeface.app import build_engine
    from codeface.core.errors import CodefaceError
    from codeface.core.selection import provider_label
    from codeface.providers.builtin_engine import overview

    engine = build_engine()
    try:
        builtin = await asyncio.to_thread(overview, engine.settings, engine.paths)
        for provider in engine.providers:
            print(f"{terminal_safe(provider_label(provider))} ({provider.tier})")
            if provider.id == "builtin":
                print_builtin_models(builtin)
                continue
            try:
                models = await provider.list_models()
            except CodefaceError as error:
                print(f"  unavailable: {terminal_safe(error.one_line())}")
                continue
            if not models:
                print("  no models installed — try: codeface pull qwen2.5-coder:7b")
            for model in models:
                print("  " + model_line(model))
        if not any(p.id == "builtin" for p in engine.providers):
            print("Built-in engine (local)")
            print_builtin_models(builtin)
        print_builtin_offers(builtin)
        return 0
    finally:
        await engine.aclose()


def print_builtin_models(builtin: Any) -> None:
    """The built-in engine's state and registered models, indented under its heading."""
    from codeface.providers.llama_errors import INSTALL_HINT

    if not builtin.installed:
        print(f"  not installed — {INSTALL_HINT}")
        return
    where = builtin.placement.describe() if builtin.placement else "?"
    print(f"  runs {where}")
    if builtin.problem is not None:
        print(f"  unavailable: {terminal_safe(builtin.problem.one_line())}")
    if not builtin.models and builtin.problem is None:
        print("  no models yet — try: codeface models download")
    for status in builtin.models:
        if status.info is None:
            problem = status.problem.user_message if status.problem else "unusable"
            print(f"  {terminal_safe(status.model.name):<32} {terminal_safe(problem)}")
            continue
        info = status.info
        details = [
            human_bytes(info.size_bytes),
            info.parameter_size,
            info.quantization,
            f"ctx {info.context_length}" if info.context_length else None,
            "tools" if "<tool_call>" in (info.chat_template or "") else None,
            status.model.source,
        ]
        line = "  ".join(part for part in details if part)
        print(f"  {terminal_safe(status.model.name):<32} {line}")


def print_builtin_offers(builtin: Any) -> None:
    """GGUF files on disk that can be added, and the downloadable catalog."""
    if builtin.importable:
        print("Can be added to the built-in engine without copying (codeface models add NAME)")
        for item in builtin.importable:
            print(f"  {terminal_safe(item.name):<32} {human_bytes(item.size_bytes)}  {item.path}")
    print("Can be downloaded (codeface models download NAME)")
    for choice in builtin.catalog:
        entry = choice.entry
        notes = [
            f"about {human_bytes(entry.approx_size)}",
            f"needs {entry.min_memory // 1000**3} GB of memory",
            "recommended for this computer" if choice.recommended else None,
            "too large for this computer" if not choice.fits else None,
            "downloaded" if choice.downloaded else None,
        ]
        print(f"  {entry.name:<32} " + "  ".join(note for note in notes if note))


def model_line(model: Any) -> str:
    """One model described in a line: name, size, quantisation, context, where it runs."""
    details = [
        human_bytes(model.size_bytes) if model.size_bytes else None,
        model.parameter_size,
        model.quantization,
        f"ctx {model.context_length}" if model.context_length else None,
        RESIDENCY_TEXT.get(model.residency, model.residency),
    ]
    return f"{terminal_safe(model.name):<32} " + "  ".join(
        terminal_safe(part) for part in details if part
    )


# ---------------------------------------------------------------- built-in models
def handle_add(args: argparse.Namespace) -> int:
    """Register a GGUF file (path, ollama:NAME or a packaged model) without copying it."""
    from codeface.core.paths import app_paths
    from codeface.providers.builtin_engine import add_model
    from codeface.providers.local_models import ModelRegistry

    model, info = add_model(ModelRegistry.at(app_paths()), args.source, name=args.name)
    details = [
        info.name,
        human_bytes(info.size_bytes),
        info.parameter_size,
        info.quantization,
        f"ctx {info.context_length}" if info.context_length else None,
    ]
    notice(
        f"added {terminal_safe(model.name)} ({terminal_safe(', '.join(d for d in details if d))})"
        f" from {model.path}"
    )
    notice(f"use it with: codeface chat --policy local-only --model {terminal_safe(model.name)}")
    return 0


def handle_download(args: argparse.Namespace) -> int:
    """Download a catalog model with a progress bar (Ctrl-C stops; running again resumes)."""
    return run_async(_download(args.name))


def recommended_here() -> Any:
    """The catalog model for this machine: by memory, and small when it would run on the CPU
    (asks llama.cpp where it runs, when it is installed)."""
    from codeface.core.paths import app_paths
    from codeface.core.settings import load_settings
    from codeface.providers import llama_runtime, machine, model_catalog

    on_gpu = False
    if llama_runtime.installed():
        offload = load_settings(app_paths().settings_file).builtin.gpu_offload
        on_gpu = llama_runtime.placement(offload).device == "gpu"
    return model_catalog.recommended(machine.memory(), on_gpu=on_gpu)


async def _download(name: str | None) -> int:
    from codeface.core.errors import ConfigError
    from codeface.core.paths import app_paths
    from codeface.providers import model_catalog
    from codeface.providers.local_models import ModelRegistry
    from codeface.providers.model_download import ModelDownloader

    entry = model_catalog.find(name) if name else await asyncio.to_thread(recommended_here)
    if entry is None:
        names = ", ".join(choice.name for choice in model_catalog.CATALOG)
        raise ConfigError(f"{name} is not in the catalog", hint=f"Choose one of: {names}.")
    registry = ModelRegistry.at(app_paths())
    existing = registry.find(entry.name)
    if existing is not None and existing.present:
        notice(f"{entry.name} is already downloaded ({existing.path})")
        return 0
    notice(
        f"downloading {entry.title}, about {human_bytes(entry.approx_size)}, from {entry.repo_id}"
    )
    bar = ProgressBar(sys.stderr)
    try:
        async for progress in ModelDownloader(registry).download(entry):
            bar.update(
                progress.status,
                progress.completed,
                progress.total,
                speed=progress.speed,
                seconds_left=progress.seconds_left,
            )
    finally:
        bar.close()
    notice(f"{entry.name} is ready: codeface chat --policy local-only --model {entry.name}")
    return 0


# ---------------------------------------------------------------- Ollama and removal
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
    """Remove a built-in model (unless --host names an Ollama host), else delete from Ollama."""
    from codeface.core.paths import app_paths
    from codeface.providers.local_models import ModelRegistry

    registry = ModelRegistry.at(app_paths())
    model = registry.find(args.name) if args.host is None else None
    if model is not None:
        deletes = model.source == "downloaded"
        what = f"Remove the built-in model {args.name}" + (
            " and delete its file" if deletes else f" (its file stays at {model.path})"
        )
        if not _confirmed(args, what):
            return 1
        registry.remove(args.name)
        notice(
            f"removed {terminal_safe(args.name)}"
            + (f" and deleted {model.path}" if deletes else "")
        )
        return 0
    if not _confirmed(args, f"Delete {args.name} from Ollama"):
        return 1
    return run_async(_rm(args.name, args.host))


def _confirmed(args: argparse.Namespace, question: str) -> bool:
    if args.yes or sys.stdin is None or not sys.stdin.isatty():
        return True
    answer = input(f"{terminal_safe(question)}? [y/N] ")
    if answer.strip().lower() in ("y", "yes"):
        return True
    notice("nothing removed")
    return False


async def _rm(name: str, host: str | None) -> int:
    from codeface.app import build_engine

    engine = build_engine()
    try:
        await _ollama(engine, host).delete(name)
        notice(f"deleted {terminal_safe(name)}")
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

    def update(
        self,
        status: str,
        completed: int | None,
        total: int | None,
        *,
        speed: float | None = None,
        seconds_left: float | None = None,
    ) -> None:
        """Redraw with the latest progress (speed and time left computed when not given)."""
        if total:
            done = min(completed or 0, total)
            filled = int(self.width * done / total)
            if speed is None:
                elapsed = max(time.monotonic() - self.started, 1e-6)
                speed = done / elapsed
            if seconds_left is None and speed > 0:
                seconds_left = (total - done) / speed
            eta = f"{seconds_left:4.0f}s" if seconds_left is not None else "   ?s"
            line = (
                f"\r{status[:24]:<24} [{'#' * filled}{'.' * (self.width - filled)}] "
                f"{human_bytes(done)}/{human_bytes(total)} {100 * done / total:5.1f}% "
                f"{human_bytes(speed)}/s ETA {eta}"
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
