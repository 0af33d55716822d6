"""Checkpoints: the files an agent turn touches, saved before its first write, restorable byte for byte.

``save(turn_id, paths)`` copies each file into a shadow git repository in CodeFace's
data folder (see `shadow_git`), once per path and turn, and records the paths that did
not exist so that undo deletes them. A folder stands for its files that the ignore rules
keep. Files over `CHECKPOINT_FILE_LIMIT` are recorded but not copied, and reported.
Explicitly named files are saved even when ignored: undo must cover what the agent
changed, and only what it names is stored, so the repository stays small.

``restore(turn_id)`` first saves the current state of the same files as a new
checkpoint (so the restore can itself be undone), then puts back only those files and
reports what it restored, deleted, left alone, and which files changed after the
agent's last write to them. Nothing else in the project is touched, and the user's
``.git`` never is. Every method runs in a worker thread.
"""

from __future__ import annotations

import asyncio
import builtins
import difflib
import hashlib
import stat
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from codeface.core.errors import PathOutsideProject, WorkspaceError
from codeface.workspace.checkpoint_manifests import (
    CheckpointInfo,
    CheckpointKind,
    Manifest,
    ManifestStore,
    file_key,
)
from codeface.workspace.files import human_size, write_bytes_atomically
from codeface.workspace.shadow_git import ShadowRepo

__all__ = ["CHECKPOINT_FILE_LIMIT", "CheckpointInfo", "Checkpoints", "RestoreReport"]

CHECKPOINT_FILE_LIMIT = 10 * 1024 * 1024
_WRITERS = 8


@dataclass(frozen=True)
class RestoreReport:
    """What a restore did. ``undo_id`` names the checkpoint that undoes this restore."""

    turn_id: str
    restored: tuple[str, ...]
    deleted: tuple[str, ...]
    unchanged: tuple[str, ...]
    not_restored: tuple[tuple[str, str], ...]
    changed_since: tuple[str, ...]
    undo_id: str


def _git_mode(mode: int) -> int:
    return 0o100755 if mode & 0o111 else 0o100644


class Checkpoints:
    """The checkpoints of one project, kept under ``folder``.

    ``resolve`` confines a relative path to the project (raising `PathOutsideProject`);
    ``files_under`` lists the files a folder stands for (ignore rules applied).
    """

    def __init__(
        self,
        folder: Path,
        resolve: Callable[[str], Path],
        relative: Callable[[Path], str],
        files_under: Callable[[str], builtins.list[str]],
        file_limit: int = CHECKPOINT_FILE_LIMIT,
    ) -> None:
        self.folder = folder
        self.repo = ShadowRepo(folder / "shadow.git")
        self._resolve = resolve
        self._relative = relative
        self._files_under = files_under
        self.file_limit = file_limit
        self._manifests = ManifestStore(folder / "turns")
        self._lock = asyncio.Lock()

    # --- public API (async, off the event loop) ------------------------------------
    async def save(self, turn_id: str, paths: builtins.list[str]) -> CheckpointInfo:
        """Save ``paths`` (relative; folders stand for their listed files) for ``turn_id``.

        Idempotent per path within a turn: the first save of a path wins.
        """
        async with self._lock:
            return await asyncio.to_thread(self._save, turn_id, paths, "turn", None)

    async def restore(self, turn_id: str) -> RestoreReport:
        """Put back the files of ``turn_id`` as they were saved; see the module docstring."""
        async with self._lock:
            return await asyncio.to_thread(self._restore, turn_id)

    async def diff(self, turn_id: str) -> str:
        """A unified diff from the checkpoint of ``turn_id`` to the files as they are now."""
        async with self._lock:
            return await asyncio.to_thread(self._diff, turn_id)

    async def list(self) -> builtins.list[CheckpointInfo]:
        """Every checkpoint of this project, oldest first."""
        async with self._lock:
            return await asyncio.to_thread(self._list)

    async def discard(self, turn_id: str) -> None:
        """Forget a checkpoint (its stored copies are pruned later)."""
        async with self._lock:
            await asyncio.to_thread(self._discard, turn_id)

    async def note_written(self, relative: str, sha256: str, turn_id: str | None = None) -> None:
        """Record the agent's latest write of ``relative`` in ``turn_id`` (default: the
        newest checkpoint holding that path), so a restore can tell later changes."""
        async with self._lock:
            await asyncio.to_thread(self._note_written, relative, sha256, turn_id)

    # --- saving --------------------------------------------------------------------
    def _expand(self, paths: builtins.list[str]) -> builtins.list[str]:
        """Relative paths with folders replaced by their listed files, canonical, in order."""
        seen: dict[str, None] = {}
        for path in paths:
            real = self._resolve(path)
            relative = self._relative(real)
            if real.is_dir():
                for inner in self._files_under(relative):
                    seen.setdefault(inner, None)
            elif relative:
                seen.setdefault(relative, None)
        return list(seen)

    def _entry(self, relative: str) -> tuple[dict[str, Any], bytes | None]:
        real = self._resolve(relative)
        try:
            info = real.stat()
        except FileNotFoundError:
            return {"state": "absent", "created_dirs": self._first_missing(real)}, None
        if not stat.S_ISREG(info.st_mode):
            return {"state": "not_a_file"}, None
        mode = stat.S_IMODE(info.st_mode)
        if info.st_size > self.file_limit:
            return {"state": "too_large", "size": info.st_size, "mode": mode}, None
        data = real.read_bytes()
        entry = {
            "state": "file",
            "mode": mode,
            "size": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
            "written": None,
        }
        return entry, data

    def _first_missing(self, real: Path) -> str | None:
        """The outermost folder above ``real`` that does not exist yet (undo removes it)."""
        missing = None
        for parent in real.parents:
            if parent.exists():
                break
            missing = parent
        return self._relative(missing) if missing is not None else None

    def _save(
        self, turn_id: str, paths: builtins.list[str], kind: CheckpointKind, undoes: str | None
    ) -> CheckpointInfo:
        manifest = self._manifests.load(turn_id) or Manifest(
            turn_id, kind, time.time(), undoes=undoes
        )
        git_entries: list[tuple[int, str, str]] = []
        added = False
        for relative in self._expand(paths):
            if relative in manifest.entries:
                continue
            entry, data = self._entry(relative)
            if data is not None:
                self.repo.ensure()
                entry["blob"] = self.repo.write_blob(data)
                git_entries.append((_git_mode(entry["mode"]), entry["blob"], relative))
            manifest.entries[relative] = entry
            added = True
        if added:
            key = file_key(turn_id)
            self.repo.ensure()
            (self.folder / "index").mkdir(exist_ok=True, mode=0o700)
            message = f"{kind} {turn_id}: {len(manifest.entries)} files"
            manifest.commit = self.repo.commit(
                self.folder / "index" / key,
                git_entries,
                manifest.commit,
                message,
                f"refs/codeface/{key}",
            )
            self._manifests.store(manifest)
        elif manifest.commit is None and not manifest.entries:
            self._manifests.store(manifest)
        return manifest.info()

    def _note_written(self, relative: str, sha256: str, turn_id: str | None) -> None:
        manifest = self._manifests.load(turn_id) if turn_id else None
        if manifest is None:
            holders = [
                m for m in self._manifests.all() if m.kind == "turn" and relative in m.entries
            ]
            manifest = holders[-1] if holders else None
        if manifest is not None and relative in manifest.entries:
            manifest.entries[relative]["written"] = sha256
            self._manifests.store(manifest)

    # --- restoring -----------------------------------------------------------------
    def _require(self, turn_id: str) -> Manifest:
        manifest = self._manifests.load(turn_id)
        if manifest is None:
            raise WorkspaceError(
                f"There is no checkpoint for {turn_id}",
                hint="List the checkpoints to see what can be restored.",
            )
        return manifest

    def _restore(self, turn_id: str) -> RestoreReport:
        manifest = self._require(turn_id)
        undo_id = f"undo-{file_key(turn_id)}-{time.time_ns()}"
        self._save(undo_id, [p for p in manifest.entries if self._confined(p)], "undo", turn_id)
        blobs = self.repo.read_blobs([e["blob"] for e in manifest.entries.values() if "blob" in e])
        restored: list[str] = []
        deleted: list[str] = []
        unchanged: list[str] = []
        refused: list[tuple[str, str]] = []
        changed: list[str] = []
        writes: list[tuple[Path, bytes, int]] = []
        for relative, entry in manifest.entries.items():
            try:
                real = self._resolve(relative)
            except PathOutsideProject as error:
                refused.append((relative, error.user_message))
                continue
            current = real.read_bytes() if real.is_file() else None
            written = entry.get("written")
            if written and (current is None or hashlib.sha256(current).hexdigest() != written):
                changed.append(relative)
            state = entry["state"]
            if state == "file":
                data = blobs[entry["blob"]]
                mode = int(entry["mode"])
                if current == data and stat.S_IMODE(real.stat().st_mode) == mode:
                    unchanged.append(relative)
                elif real.is_dir():
                    refused.append((relative, "a folder is there now"))
                else:
                    writes.append((real, data, mode))
                    restored.append(relative)
            elif state == "absent":
                if current is None:
                    unchanged.append(relative)
                else:
                    real.unlink()
                    self._remove_created_dirs(real, entry.get("created_dirs"))
                    deleted.append(relative)
            elif state == "too_large":
                refused.append(
                    (relative, f"it was too large to save ({human_size(int(entry['size']))})")
                )
        _write_all(writes)
        return RestoreReport(
            turn_id,
            tuple(restored),
            tuple(deleted),
            tuple(unchanged),
            tuple(refused),
            tuple(changed),
            undo_id,
        )

    def _confined(self, relative: str) -> bool:
        try:
            self._resolve(relative)
        except PathOutsideProject:
            return False
        return True

    def _remove_created_dirs(self, real: Path, created: str | None) -> None:
        """Remove the folders the turn created for ``real``, as long as they are empty."""
        if not created:
            return
        top = self._resolve(created)
        folder = real.parent
        while folder.is_relative_to(top):
            try:
                folder.rmdir()
            except OSError:
                return
            if folder == top:
                return
            folder = folder.parent

    # --- inspecting ----------------------------------------------------------------
    def _diff(self, turn_id: str) -> str:
        manifest = self._require(turn_id)
        blobs = self.repo.read_blobs([e["blob"] for e in manifest.entries.values() if "blob" in e])
        parts: list[str] = []
        for relative, entry in sorted(manifest.entries.items()):
            if entry["state"] not in ("file", "absent"):
                parts.append(f"{relative}: not saved ({entry['state'].replace('_', ' ')})\n")
                continue
            before = blobs[entry["blob"]] if entry["state"] == "file" else None
            try:
                real = self._resolve(relative)
                now = real.read_bytes() if real.is_file() else None
            except (PathOutsideProject, OSError):
                now = None
            if before != now:
                parts.append(_file_diff(relative, before, now))
        return "".join(parts)

    def _list(self) -> builtins.list[CheckpointInfo]:
        return [manifest.info() for manifest in self._manifests.all()]

    def _discard(self, turn_id: str) -> None:
        manifest = self._require(turn_id)
        key = file_key(manifest.turn_id)
        if manifest.commit:
            self.repo.delete_ref(f"refs/codeface/{key}")
        self._manifests.remove(manifest.turn_id)
        (self.folder / "index" / key).unlink(missing_ok=True)


def _write_all(writes: list[tuple[Path, bytes, int]]) -> None:
    """Write files atomically, several at a time: most of the cost is waiting for the disk
    (fsync, rename), which threads overlap."""
    if len(writes) < 4:
        for real, data, mode in writes:
            write_bytes_atomically(real, data, mode)
        return
    with ThreadPoolExecutor(max_workers=_WRITERS, thread_name_prefix="checkpoint-restore") as pool:
        for future in [pool.submit(write_bytes_atomically, *write) for write in writes]:
            future.result()


def _as_text(data: bytes | None) -> str | None:
    if data is None:
        return ""
    if b"\x00" in data:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _file_diff(relative: str, before: bytes | None, now: bytes | None) -> str:
    """A git-style diff of one file between its checkpoint and now."""
    old_name = f"a/{relative}" if before is not None else "/dev/null"
    new_name = f"b/{relative}" if now is not None else "/dev/null"
    old_text, new_text = _as_text(before), _as_text(now)
    if old_text is None or new_text is None:
        return f"Binary files {old_name} and {new_name} differ\n"
    lines = difflib.unified_diff(
        old_text.splitlines(keepends=True), new_text.splitlines(keepends=True), old_name, new_name
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)
