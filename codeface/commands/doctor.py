"""`codeface doctor`: what works, what does not, and where everything is kept.

It never prints a key: only which providers have one and where it is stored. For the
built-in engine it says whether it is installed, where it runs (GPU or CPU, and why on
the CPU), and which registered models are usable or what is wrong with each.
"""

from __future__ import annotations

import argparse
import platform
import shutil
import sys
from typing import Any

from codeface.commands.common import run_async


def register(subparsers: Any) -> None:
    """Add the ``doctor`` subcommand."""
    parser = subparsers.add_parser("doctor", help="check Ollama, models, keys, paths and storage")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Print the report; exit 0 when at least one provider can answer."""
    return run_async(_doctor())


def _line(ok: bool | None, text: str) -> None:
    mark = {True: "ok  ", False: "FAIL", None: "note"}[ok]
    print(f"[{mark}] {text}")


async def _doctor() -> int:
    import asyncio

    from codeface import __version__
    from codeface.app import build_engine
    from codeface.commands.models import model_line
    from codeface.core.errors import CodefaceError
    from codeface.core.selection import BUILTIN, provider_label
    from codeface.providers.builtin_engine import overview
    from codeface.store import secrets
    from codeface.store.db import moved_aside_files

    engine = build_engine()
    paths = engine.paths
    print(f"CodeFace {__version__} · Python {platform.python_version()} · {platform.platform()}")
    for problem in engine.settings_problems:
        _line(False, f"settings: {problem.one_line()}")
    usable = 0
    try:
        for provider in engine.providers:
            if provider.id == BUILTIN:
                continue  # reported below, with what is wrong with each model
            health = await provider.health()
            _line(health.ok, f"{provider_label(provider)}: {health.detail}")
            if not health.ok:
                continue
            try:
                models = await provider.list_models()
            except CodefaceError as error:
                _line(False, f"  models: {error.one_line()}")
                continue
            usable += 1 if models or provider.tier == "cloud" else 0
            if provider.kind == "ollama" and not models:
                _line(None, "  no models installed — try: codeface pull qwen2.5-coder:7b")
            for model in models[:20]:
                print(f"         {model_line(model)}")
        builtin = await asyncio.to_thread(overview, engine.settings, engine.paths)
        usable += _report_builtin(builtin, any(p.id == BUILTIN for p in engine.providers))
    finally:
        await engine.aclose()
    keys = secrets.list_keys()
    if keys:
        for info in keys:
            _line(True, f"key for {info.provider}: stored in {info.detail}")
    else:
        _line(None, "no cloud keys (add one with: codeface keys set anthropic)")
    working, detail = secrets.keyring_works()
    _line(working, f"keyring: {secrets.backend_description()}")
    if not working:
        _line(None, f"  {detail}")
    _line(None, f"settings: {paths.settings_file}")
    _line(None, f"data:     {paths.data}")
    _line(None, f"logs:     {paths.log_file}")
    for moved in moved_aside_files(paths.database):
        _line(False, f"a corrupt database was moved aside to {moved}")
    tmux = shutil.which("tmux")
    _line(tmux is not None, f"tmux: {tmux or 'not installed (the tmux panel needs it)'}")
    if usable == 0:
        print(
            "No model can answer yet: start Ollama and pull a model, download a model for the"
            " built-in engine (codeface models download), or add a cloud key.",
            file=sys.stderr,
        )
        return 3
    return 0


def _report_builtin(builtin: Any, built: bool) -> int:
    """Print the built-in engine's lines; 1 when it can answer, else 0."""
    from codeface.commands.common import human_bytes, terminal_safe
    from codeface.providers.llama_errors import INSTALL_HINT

    if not builtin.installed:
        _line(None, f"built-in engine: not installed — {INSTALL_HINT}")
        return 0
    where = builtin.placement.describe() if builtin.placement else "?"
    usable = [status for status in builtin.models if status.info is not None]
    _line(bool(usable) and built, f"built-in engine: runs {where}")
    if builtin.problem is not None:
        _line(False, f"  {builtin.problem.one_line()}")
    for status in builtin.models:
        name = terminal_safe(status.model.name)
        if status.info is None:
            problem = status.problem.one_line() if status.problem else "unusable"
            _line(False, f"  {name}: {terminal_safe(problem)}")
            continue
        info = status.info
        details = [human_bytes(info.size_bytes), info.parameter_size, info.quantization]
        if info.context_length:
            details.append(f"ctx {info.context_length}")
        print(f"         {name:<32} " + "  ".join(d for d in details if d))
    if not usable:
        best = next((c.entry for c in builtin.catalog if c.recommended), None)
        size = f", about {human_bytes(best.approx_size)}" if best else ""
        name = f" {best.name}" if best else ""
        _line(None, f"  no built-in model yet — try: codeface models download{name}{size}")
    return 1 if usable and built else 0
