"""Helpers shared by the headless commands: running a coroutine, printing notices."""

from __future__ import annotations

import sys
from collections.abc import Coroutine
from typing import Any, TextIO


def run_async(coroutine: Coroutine[Any, Any, int]) -> int:
    """Run a command's coroutine on a fresh event loop and return its exit code."""
    import asyncio

    return asyncio.run(coroutine)


def notice(text: str, stream: TextIO | None = None) -> None:
    """A one-line notice on stderr (never mixed into an answer on stdout)."""
    target = stream or sys.stderr
    print(f"codeface: {text}", file=target, flush=True)


def human_bytes(size: float | None) -> str:
    """1536 → '1.5 KB'; None → '?'."""
    if size is None:
        return "?"
    for unit in ("B", "KB", "MB", "GB"):
        if abs(size) < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GB"  # pragma: no cover
