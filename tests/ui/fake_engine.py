"""The built-in engine half of the fake backend: an overview and scripted downloads."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from codeface.application.contract import (
    BuiltinModelView,
    BuiltinOverview,
    CatalogModelView,
    DownloadProgress,
)

CATALOG = (
    CatalogModelView(
        "qwen2.5-coder-0.5b", "Qwen2.5-Coder 0.5B Instruct", 398_000_000, True, False, False
    ),
    CatalogModelView(
        "qwen2.5-coder-1.5b", "Qwen2.5-Coder 1.5B Instruct", 986_000_000, True, True, False
    ),
    CatalogModelView(
        "qwen2.5-coder-7b", "Qwen2.5-Coder 7B Instruct", 4_680_000_000, False, False, False
    ),
)


class FakeEngine:
    """The built-in engine's models, in memory; downloads move in ``download_steps``."""

    def __init__(self) -> None:
        self.builtin = BuiltinOverview(
            True, "on the CPU: this llama.cpp was built without GPU support", (), CATALOG
        )
        self.download_gate: asyncio.Event | None = None
        self.download_steps = 4

    async def builtin_overview(self) -> BuiltinOverview:
        return self.builtin

    async def download_builtin_model(self, name: str) -> AsyncIterator[DownloadProgress]:
        entry = next(item for item in self.builtin.catalog if item.name == name)
        for step in range(1, self.download_steps + 1):
            if self.download_gate is not None:
                await self.download_gate.wait()
            done = step == self.download_steps
            yield DownloadProgress(
                name,
                "done" if done else "downloading",
                entry.size_bytes * step // self.download_steps,
                entry.size_bytes,
                50_000_000.0,
                (self.download_steps - step) * 2.0,
                done,
            )
        model = BuiltinModelView(name, f"/models/{name}.gguf", entry.size_bytes, "Q4_K_M", 32768)
        self.builtin = BuiltinOverview(
            True, self.builtin.where, (*self.builtin.models, model), self.builtin.catalog
        )

    async def add_builtin_model(self, source: str, name: str | None = None) -> None:
        model = BuiltinModelView(name or source, source, 100_000_000)
        self.builtin = BuiltinOverview(
            True, self.builtin.where, (*self.builtin.models, model), self.builtin.catalog
        )

    async def remove_builtin_model(self, name: str) -> None:
        models = tuple(m for m in self.builtin.models if m.name != name)
        self.builtin = BuiltinOverview(True, self.builtin.where, models, self.builtin.catalog)
