"""The built-in engine half of the fake backend: an overview, scripted downloads (held at a
gate, failed on cue, resumed from where a cancelled one stopped) and registered models
that show up in ``list_models`` and ``provider_status`` as the real backend's do."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace

from codeface.application.contract import (
    BuiltinModelView,
    BuiltinOverview,
    CatalogModelView,
    DownloadProgress,
    ProviderStatus,
)
from codeface.core.errors import CodefaceError, ModelFileError, ModelMissing
from codeface.core.provider import Health, ModelInfo

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
WHERE_CPU = "on the CPU: this llama.cpp was built without GPU support"
BUILTIN_STATUS = ProviderStatus(
    "builtin", "builtin", "local", "this computer", Health(True, f"llama.cpp, {WHERE_CPU}")
)


class FakeEngine:
    """The built-in engine's models, in memory; downloads move in ``download_steps``."""

    models: list[ModelInfo]
    providers: list[ProviderStatus]
    calls: list[tuple[object, ...]]

    def __init__(self) -> None:
        self.builtin = BuiltinOverview(True, WHERE_CPU, (), CATALOG)
        self.download_gate: asyncio.Event | None = None
        """While set to an unset event, each download waits before its second report."""
        self.download_steps = 4
        self.download_failure: CodefaceError | None = None
        """Raised (once) by the next download after its first report, as a cut-off would."""
        self.download_starts: list[tuple[str, int]] = []
        """(name, bytes already there) of each download started: a resume starts above 0."""
        self._partial: dict[str, int] = {}

    async def builtin_overview(self) -> BuiltinOverview:
        return self.builtin

    async def download_builtin_model(self, name: str) -> AsyncIterator[DownloadProgress]:
        entry = next((item for item in self.builtin.catalog if item.name == name), None)
        if entry is None:
            raise ModelMissing(f"There is no catalog model {name!r}")
        size = entry.size_bytes
        step_size = size // self.download_steps
        start = self._partial.get(name, 0)
        self.download_starts.append((name, start))
        yield DownloadProgress(name, "checking")
        marks = [min(size, step * step_size) for step in range(1, self.download_steps + 1)]
        marks[-1] = size
        for index, completed in enumerate(mark for mark in marks if mark > start):
            if index > 0 and self.download_gate is not None:
                await self.download_gate.wait()
            if self.download_failure is not None:
                failure, self.download_failure = self.download_failure, None
                raise failure
            self._partial[name] = completed
            left = (size - completed) / 50_000_000.0
            yield DownloadProgress(name, "downloading", completed, size, 50_000_000.0, left)
        yield DownloadProgress(name, "verifying", size, size)
        self._partial.pop(name, None)
        model = BuiltinModelView(
            name, f"/models/{name}.gguf", size, "Q4_K_M", 32768, downloaded=True
        )
        catalog = tuple(
            replace(item, downloaded=True) if item.name == name else item
            for item in self.builtin.catalog
        )
        self._register(model)
        self.builtin = replace(self.builtin, catalog=catalog)
        yield DownloadProgress(name, "done", size, size, done=True)

    async def add_builtin_model(self, source: str, name: str | None = None) -> None:
        self.calls.append(("add_builtin_model", source, name))
        if source.startswith("ollama:") and source not in self.builtin.importable:
            raise ModelMissing(f"Ollama has no downloaded model called {source[7:]}")
        if not source.startswith("ollama:") and not source.endswith(".gguf"):
            raise ModelFileError(
                f"{source} is not a GGUF model file",
                hint="Choose a .gguf file (llama.cpp's model format).",
            )
        chosen = name or source.removeprefix("ollama:").rsplit("/", 1)[-1].removesuffix(".gguf")
        self._register(BuiltinModelView(chosen, source, 100_000_000, "Q4_0", 4096))
        importable = tuple(item for item in self.builtin.importable if item != source)
        self.builtin = replace(self.builtin, importable=importable)

    async def remove_builtin_model(self, name: str) -> None:
        self.calls.append(("remove_builtin_model", name))
        models = tuple(m for m in self.builtin.models if m.name != name)
        self.builtin = replace(self.builtin, models=models)
        self.models = [m for m in self.models if not (m.provider == "builtin" and m.name == name)]
        if not models:
            self.providers = [p for p in self.providers if p.kind != "builtin"]

    def _register(self, model: BuiltinModelView) -> None:
        """The model joins the overview, the model list and (healthy) the providers."""
        self.builtin = replace(self.builtin, models=(*self.builtin.models, model))
        self.models.append(
            ModelInfo(
                model.name,
                "builtin",
                "local",
                model.size_bytes,
                quantization=model.quantization,
                context_length=model.context_length,
                residency="not_loaded",
            )
        )
        if not any(p.kind == "builtin" for p in self.providers):
            self.providers.append(BUILTIN_STATUS)
