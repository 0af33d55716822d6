"""What each checkpoint holds: one small JSON manifest per turn beside the shadow repository.

A manifest names the turn, its kind (``undo`` for the state saved before a restore),
the commit in the shadow repository, and one entry per path: ``file`` (with the blob,
mode, size, SHA-256 and the agent's last write), ``absent`` (the turn created it; with
the first folder it created), ``too_large`` or ``not_a_file``. Manifests are cached in
memory once read and written atomically.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from codeface.core.atomic import write_atomically
from codeface.core.errors import WorkspaceError

CheckpointKind = Literal["turn", "undo"]
_SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,80}")


@dataclass(frozen=True)
class CheckpointInfo:
    """A saved checkpoint: its id, kind (``undo`` = the state before a restore), and files."""

    turn_id: str
    kind: CheckpointKind
    created_at: float
    paths: tuple[str, ...]
    too_large: tuple[str, ...]
    commit: str | None
    undoes: str | None = None


@dataclass
class Manifest:
    """The mutable record of one checkpoint (see the module docstring for ``entries``)."""

    turn_id: str
    kind: CheckpointKind
    created_at: float
    entries: dict[str, dict[str, Any]] = field(default_factory=dict)
    commit: str | None = None
    undoes: str | None = None

    def info(self) -> CheckpointInfo:
        """The public, frozen view of this checkpoint."""
        large = tuple(path for path, entry in self.entries.items() if entry["state"] == "too_large")
        return CheckpointInfo(
            self.turn_id,
            self.kind,
            self.created_at,
            tuple(self.entries),
            large,
            self.commit,
            self.undoes,
        )


def file_key(turn_id: str) -> str:
    """A name for ``turn_id`` that is safe as a file name and a git ref."""
    if _SAFE_ID.fullmatch(turn_id):
        return turn_id
    return "h-" + hashlib.sha256(turn_id.encode("utf-8", "surrogatepass")).hexdigest()[:32]


class ManifestStore:
    """The manifests in ``folder``, one ``<key>.json`` per checkpoint."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._cache: dict[str, Manifest] = {}

    def _path(self, key: str) -> Path:
        return self.folder / f"{key}.json"

    def load(self, turn_id: str) -> Manifest | None:
        """The manifest of ``turn_id``, or None when there is no such checkpoint."""
        key = file_key(turn_id)
        if key in self._cache:
            return self._cache[key]
        try:
            raw = json.loads(self._path(key).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as error:
            raise WorkspaceError(f"The checkpoint of {turn_id} cannot be read: {error}") from error
        manifest = Manifest(
            raw["turn_id"],
            raw["kind"],
            raw["created_at"],
            raw["entries"],
            raw.get("commit"),
            raw.get("undoes"),
        )
        self._cache[key] = manifest
        return manifest

    def store(self, manifest: Manifest) -> None:
        """Write ``manifest`` (atomically, user-only) and keep it cached."""
        key = file_key(manifest.turn_id)
        self._cache[key] = manifest
        data = {
            "turn_id": manifest.turn_id,
            "kind": manifest.kind,
            "created_at": manifest.created_at,
            "commit": manifest.commit,
            "undoes": manifest.undoes,
            "entries": manifest.entries,
        }
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        write_atomically(
            self._path(key), json.dumps(data, indent=1, sort_keys=True), folder_mode=0o700
        )

    def all(self) -> list[Manifest]:
        """Every readable manifest, oldest first."""
        found: list[Manifest] = []
        if self.folder.is_dir():
            for path in sorted(self.folder.glob("*.json")):
                manifest = self._cache.get(path.stem) or self._read_any(path)
                if manifest is not None:
                    found.append(manifest)
        return sorted(found, key=lambda manifest: manifest.created_at)

    def _read_any(self, path: Path) -> Manifest | None:
        try:
            turn_id = json.loads(path.read_text(encoding="utf-8"))["turn_id"]
            return self.load(str(turn_id))
        except (OSError, ValueError, KeyError, WorkspaceError):
            return None

    def remove(self, turn_id: str) -> None:
        """Forget the manifest of ``turn_id``."""
        key = file_key(turn_id)
        self._path(key).unlink(missing_ok=True)
        self._cache.pop(key, None)
