"""Models Ollama has already downloaded, found on disk so the built-in engine can run them
without a second copy.

Ollama keeps ``manifests/<registry>/<namespace>/<model>/<tag>`` (JSON) and
``blobs/sha256-<hex>`` under ``$OLLAMA_MODELS``, ``~/.ollama/models``, or (the Linux
service) ``/usr/share/ollama/.ollama/models``. A manifest's layer of media type
``application/vnd.ollama.image.model`` names the blob holding the GGUF weights.

They are offered for import (``codeface models add ollama:NAME``), not listed as
built-in models directly: Ollama deletes a blob when its last model is removed or
re-pulled, so a registered copy is one the user chose knowingly, and while Ollama runs the
router already reaches the same model through it (on the GPU when it has one).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

MODEL_LAYER = "application/vnd.ollama.image.model"
DEFAULT_REGISTRY = "registry.ollama.ai"
PREFIX = "ollama:"


@dataclass(frozen=True)
class OllamaBlob:
    """One model Ollama downloaded: its name as Ollama shows it and its GGUF blob."""

    name: str
    path: Path
    size_bytes: int


def model_folders(env: Mapping[str, str] = os.environ) -> list[Path]:
    """Where Ollama may keep models: ``$OLLAMA_MODELS``, else the user's and the service's."""
    if env.get("OLLAMA_MODELS"):
        return [Path(env["OLLAMA_MODELS"]).expanduser()]
    return [Path.home() / ".ollama" / "models", Path("/usr/share/ollama/.ollama/models")]


def ollama_models(env: Mapping[str, str] = os.environ) -> list[OllamaBlob]:
    """Every model with a readable manifest and GGUF blob, sorted by name."""
    found: dict[str, OllamaBlob] = {}
    for folder in model_folders(env):
        manifests = folder / "manifests"
        try:
            files = [p for p in manifests.rglob("*") if p.is_file()]
        except OSError:
            continue
        for manifest in files:
            blob = _blob(folder, manifests, manifest)
            if blob is not None and blob.name not in found:
                found[blob.name] = blob
    return sorted(found.values(), key=lambda blob: blob.name)


def find_ollama_model(name: str, env: Mapping[str, str] = os.environ) -> OllamaBlob | None:
    """The blob of ``name`` (``qwen2.5-coder:7b``; ``:latest`` may be left out)."""
    wanted = name.removeprefix(PREFIX)
    candidates = {wanted, f"{wanted}:latest"}
    return next((b for b in ollama_models(env) if b.name in candidates), None)


def _blob(folder: Path, manifests: Path, manifest: Path) -> OllamaBlob | None:
    parts = manifest.relative_to(manifests).parts
    if len(parts) != 4:
        return None
    registry, namespace, model, tag = parts
    try:
        document = json.loads(manifest.read_text(encoding="utf-8"))
        layers = document["layers"]
        digest = next(
            layer["digest"]
            for layer in layers
            if isinstance(layer, dict) and layer.get("mediaType") == MODEL_LAYER
        )
    except (OSError, ValueError, KeyError, TypeError, StopIteration):
        return None
    if not isinstance(digest, str) or not digest.startswith("sha256:"):
        return None
    path = folder / "blobs" / digest.replace(":", "-", 1)
    try:
        size = path.stat().st_size
    except OSError:
        return None
    if registry == DEFAULT_REGISTRY:
        prefix = "" if namespace == "library" else f"{namespace}/"
    else:
        prefix = f"{registry}/{namespace}/"
    return OllamaBlob(f"{prefix}{model}:{tag}", path, size)
