"""A bare git repository in CodeFace's data folder that keeps copies of project files.

It never has a work tree and git is never run in the project: file contents are written
as git loose objects straight from the bytes CodeFace read (so what is stored is exactly
what was on disk, with no filters or line-ending conversion), then a tree and a commit
are made from a private index file. The user's own ``.git``, configuration and hooks
are never involved: every call runs with ``GIT_DIR`` set, no system or global config,
and no other ``GIT_*`` variable from our environment.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
import zlib
from pathlib import Path

from codeface.core.errors import WorkspaceError

_IDENTITY = {
    "GIT_AUTHOR_NAME": "CodeFace",
    "GIT_AUTHOR_EMAIL": "checkpoints@codeface.invalid",
    "GIT_COMMITTER_NAME": "CodeFace",
    "GIT_COMMITTER_EMAIL": "checkpoints@codeface.invalid",
}


class ShadowRepo:
    """The checkpoint repository at ``git_dir`` (created on first use)."""

    def __init__(self, git_dir: Path) -> None:
        self.git_dir = git_dir
        self._ready = False

    def _environment(self, index: Path | None = None) -> dict[str, str]:
        env = {name: value for name, value in os.environ.items() if not name.startswith("GIT_")}
        env.update(_IDENTITY)
        env.update(
            {
                "GIT_DIR": str(self.git_dir),
                "GIT_CONFIG_NOSYSTEM": "1",
                "GIT_CONFIG_GLOBAL": os.devnull,
                "GIT_TERMINAL_PROMPT": "0",
            }
        )
        if index is not None:
            env["GIT_INDEX_FILE"] = str(index)
        return env

    def git(self, *args: str, stdin: bytes | None = None, index: Path | None = None) -> bytes:
        """Run git on this repository; its stdout, or a `WorkspaceError` with git's message."""
        binary = shutil.which("git")
        if binary is None:
            raise WorkspaceError(
                "Checkpoints need git, which is not installed",
                hint="Install git so CodeFace can save files before an agent changes them.",
            )
        try:
            done = subprocess.run(
                [binary, *args],
                cwd=self.git_dir if self.git_dir.is_dir() else None,
                input=stdin,
                capture_output=True,
                env=self._environment(index),
                timeout=120,
                check=False,
            )
        except (OSError, subprocess.SubprocessError) as error:
            raise WorkspaceError(f"git {args[0]} could not run for checkpoints: {error}") from error
        if done.returncode != 0:
            message = done.stderr.decode("utf-8", "replace").strip() or f"git {args[0]} failed"
            raise WorkspaceError(f"Checkpoint storage failed: {message}")
        return done.stdout

    def ensure(self) -> None:
        """Create the bare repository (user-only permissions) unless it exists."""
        if self._ready or (self.git_dir / "HEAD").is_file():
            self._ready = True
            return
        self.git_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.git("init", "--quiet", "--bare", str(self.git_dir))
        self.git("config", "gc.auto", "0")
        self.git("config", "core.autocrlf", "false")
        self._ready = True

    def write_blob(self, data: bytes) -> str:
        """Store ``data`` as a loose blob object (unless present); its object id."""
        header = b"blob %d\0" % len(data)
        object_id = hashlib.sha1(header + data, usedforsecurity=False).hexdigest()
        target = self.git_dir / "objects" / object_id[:2] / object_id[2:]
        if target.exists():
            return object_id
        target.parent.mkdir(exist_ok=True)
        handle, temp_name = tempfile.mkstemp(dir=target.parent, prefix="tmp_obj_")
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(zlib.compress(header + data, 1))
            os.chmod(temp_name, 0o444)
            os.replace(temp_name, target)
        except BaseException:
            Path(temp_name).unlink(missing_ok=True)
            raise
        return object_id

    def commit(
        self,
        index: Path,
        entries: list[tuple[int, str, str]],
        parent: str | None,
        message: str,
        ref: str,
    ) -> str:
        """Add (mode, object id, path) entries to ``index``, commit its tree, point ``ref`` at it."""
        if entries:
            lines = "".join(f"{mode:o} {oid}\t{path}\n" for mode, oid, path in entries)
            self.git("update-index", "--add", "--index-info", stdin=lines.encode(), index=index)
        tree = self.git("write-tree", index=index).decode().strip()
        argv = ["commit-tree", tree, "-m", message]
        if parent:
            argv += ["-p", parent]
        commit = self.git(*argv).decode().strip()
        self.git("update-ref", ref, commit)
        return commit

    def read_blobs(self, object_ids: list[str]) -> dict[str, bytes]:
        """The contents of the given blobs (one ``git cat-file --batch``)."""
        wanted = sorted(set(object_ids))
        if not wanted:
            return {}
        out = self.git("cat-file", "--batch", stdin="".join(f"{oid}\n" for oid in wanted).encode())
        blobs: dict[str, bytes] = {}
        position = 0
        for oid in wanted:
            end = out.index(b"\n", position)
            header = out[position:end].split()
            if len(header) < 3 or header[1] != b"blob":
                raise WorkspaceError(f"Checkpoint storage is missing object {oid}")
            size = int(header[2])
            blobs[oid] = out[end + 1 : end + 1 + size]
            position = end + 1 + size + 1
        return blobs

    def delete_ref(self, ref: str) -> None:
        """Forget a checkpoint's ref (its objects go at the next prune)."""
        self.git("update-ref", "-d", ref)
