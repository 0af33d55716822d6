"""What the built-in engine has and could have: one overview for `codeface models`,
`codeface doctor` and the window's model manager, and adding a model by path or name.

Blocking (it reads GGUF headers and may import llama.cpp to learn where models run):
call it from a worker thread (``asyncio.to_thread``) in an async context.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from codeface.core.errors import CodefaceError, ModelFileError, ModelMissing
from codeface.core.paths import AppPaths
from codeface.core.settings import Settings
from codeface.providers import llama_runtime, machine, model_catalog
from codeface.providers.gguf import GGUFInfo, read_gguf_cached
from codeface.providers.local_models import (
    LocalModel,
    ModelRegistry,
    default_name,
    packaged_models,
)
from codeface.providers.model_catalog import CatalogEntry
from codeface.providers.ollama_files import PREFIX as OLLAMA_PREFIX
from codeface.providers.ollama_files import find_ollama_model, ollama_models


@dataclass(frozen=True)
class ModelStatus:
    """A registered model with its header, or the reason it cannot be used now."""

    model: LocalModel
    info: GGUFInfo | None
    problem: CodefaceError | None
    loaded_on: Literal["gpu", "cpu"] | None = None


@dataclass(frozen=True)
class Importable:
    """A GGUF already on disk that `add_model` can register without copying."""

    name: str
    """What to pass to ``codeface models add``: ``ollama:NAME`` or a packaged model's name."""
    path: Path
    size_bytes: int
    source: Literal["ollama", "package"]


@dataclass(frozen=True)
class CatalogChoice:
    """A downloadable model, judged for this machine."""

    entry: CatalogEntry
    fits: bool
    recommended: bool
    downloaded: bool


@dataclass
class Overview:
    """The built-in engine's state: installed, where it runs and why, and its models."""

    installed: bool
    placement: llama_runtime.Placement | None
    models: list[ModelStatus] = field(default_factory=list)
    importable: list[Importable] = field(default_factory=list)
    catalog: list[CatalogChoice] = field(default_factory=list)
    problem: CodefaceError | None = None
    """Why the model list could not be read (a damaged registry), if so."""


def statuses(registry: ModelRegistry, loaded: tuple[str, str] | None = None) -> list[ModelStatus]:
    """Every registered model checked; ``loaded`` is (name, "gpu"/"cpu") of the one in memory."""
    found = []
    for model in registry.models():
        if not model.present:
            found.append(ModelStatus(model, None, model.missing_error()))
            continue
        try:
            info = read_gguf_cached(model.path)
        except ModelFileError as error:
            found.append(ModelStatus(model, None, error))
            continue
        where = loaded[1] if loaded and loaded[0] == model.name else None
        found.append(ModelStatus(model, info, None, where))  # type: ignore[arg-type]
    return found


def overview(
    settings: Settings,
    paths: AppPaths,
    env: Mapping[str, str] = os.environ,
    *,
    memory: machine.MemoryProbe = machine.memory,
) -> Overview:
    """Everything about the built-in engine, checked now."""
    installed = llama_runtime.installed()
    where = llama_runtime.placement(settings.builtin.gpu_offload) if installed else None
    result = Overview(installed, where)
    registry = ModelRegistry.at(paths)
    try:
        result.models = statuses(registry)
    except CodefaceError as error:
        result.problem = error
    registered = {status.model.path.resolve() for status in result.models}
    result.importable = [item for item in importable(env) if item.path.resolve() not in registered]
    found = memory()
    best = model_catalog.recommended(found, on_gpu=where is not None and where.device == "gpu")
    fits = model_catalog.fitting(found)
    names = {status.model.name for status in result.models if status.info is not None}
    result.catalog = [
        CatalogChoice(entry, entry in fits, entry == best, entry.name in names)
        for entry in model_catalog.CATALOG
    ]
    return result


def importable(env: Mapping[str, str] = os.environ) -> list[Importable]:
    """Ollama's downloaded models and models shipped in installed packages."""
    found = [
        Importable(f"{OLLAMA_PREFIX}{blob.name}", blob.path, blob.size_bytes, "ollama")
        for blob in ollama_models(env)
    ]
    found += [
        Importable(model.name, model.path, model.path.stat().st_size, "package")
        for model in packaged_models()
    ]
    return found


def add_model(
    registry: ModelRegistry,
    source: str,
    *,
    name: str | None = None,
    env: Mapping[str, str] = os.environ,
) -> tuple[LocalModel, GGUFInfo]:
    """Register ``source``: a path to a .gguf file, ``ollama:NAME``, or a packaged model's
    name. The file is checked and never copied."""
    if source.startswith(OLLAMA_PREFIX):
        blob = find_ollama_model(source, env)
        if blob is None:
            raise ModelMissing(
                f"Ollama has no downloaded model called {source.removeprefix(OLLAMA_PREFIX)}",
                hint="`codeface models` lists the ones it has under 'can be added'.",
            )
        chosen = name or blob.name.replace("/", "-")
        return registry.add(blob.path, name=chosen, source="ollama", origin=source)
    packaged = next((model for model in packaged_models() if model.name == source), None)
    if packaged is not None and not Path(source).exists():
        return registry.add(
            packaged.path, name=name or packaged.name, source="package", origin=packaged.origin
        )
    path = Path(source).expanduser()
    return registry.add(path, name=name or default_name(path))
