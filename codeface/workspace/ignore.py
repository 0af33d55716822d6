"""Which project files count: git's own ignore rules, or .gitignore files read with pathspec.

In a git work tree the listing is ``git ls-files --cached --others --exclude-standard``
(tracked files, plus untracked ones that no ignore rule hides), so it agrees with git
exactly. Elsewhere every ``.gitignore`` on the way down is applied with pathspec's
gitignore semantics (deeper files win, ``!`` re-includes, an ignored folder hides all
below it). ``.git`` folders are always skipped. git runs with optional locks off and
fsmonitor disabled, so listing never writes the user's index or runs a repo's hook.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pathspec


GIT_SAFE_OPTIONS = ("-c", "core.fsmonitor=false", "-c", "core.quotepath=off")
_GIT_TIMEOUT_S = 60


def git_environment() -> dict[str, str]:
    """Our environment for read-only git calls: no optional locks, no pager, no prompts."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("GIT_")}
    env.update({"GIT_OPTIONAL_LOCKS": "0", "GIT_TERMINAL_PROMPT": "0", "GIT_PAGER": "cat"})
    return env


def run_git(root: Path, *args: str, stdin: bytes | None = None) -> bytes | None:
    """Run a read-only git command in ``root``; its stdout, or None when git fails or is absent."""
    binary = shutil.which("git")
    if binary is None:
        return None
    try:
        done = subprocess.run(
            [binary, *GIT_SAFE_OPTIONS, *args],
            cwd=root,
            input=stdin,
            capture_output=True,
            env=git_environment(),
            timeout=_GIT_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def git_prefix(root: Path) -> str | None:
    """Where ``root`` sits in its git work tree (``""`` at the top, ``"sub/"`` below it);
    None when it is not in one, or git cannot be used there."""
    out = run_git(root, "rev-parse", "--is-inside-work-tree", "--show-prefix")
    if out is None:
        return None
    lines = out.decode("utf-8", "surrogateescape").splitlines()
    if not lines or lines[0].strip() != "true":
        return None
    return lines[1].strip() if len(lines) > 1 else ""


def _split_z(data: bytes) -> list[str]:
    return [item.decode("utf-8", "surrogateescape") for item in data.split(b"\0") if item]


def git_listed_files(root: Path) -> list[str] | None:
    """Files git would show (tracked, and untracked not ignored), sorted; None if git fails.

    Tracked files deleted from the work tree and submodule folders are still named here;
    callers that stat the files leave them out.
    """
    out = run_git(root, "ls-files", "--cached", "--others", "--exclude-standard", "-z")
    if out is None:
        return None
    # "name/" is an embedded repository: its files are its own
    return sorted({item for item in _split_z(out) if not item.endswith("/")})


def git_ignored(root: Path, relatives: list[str]) -> set[str]:
    """Which of ``relatives`` git's rules ignore (tracked files never are)."""
    if not relatives:
        return set()
    stdin = b"\0".join(path.encode("utf-8", "surrogateescape") for path in relatives) + b"\0"
    out = run_git(root, "check-ignore", "--stdin", "-z", stdin=stdin)
    return set(_split_z(out)) if out is not None else set()


_STATUS_NAMES = {
    "M": "modified",
    "A": "new",
    "D": "deleted",
    "R": "renamed",
    "C": "new",
    "T": "modified",
}


def git_status(root: Path, prefix: str, under: str = "") -> dict[str, str]:
    """Paths (relative to ``root``, which is ``prefix`` in its repository) with a git status:
    ``modified``, ``new``, ``deleted``, ``renamed``, ``conflict`` or ``ignored``. A folder
    ignored whole appears once, without a trailing slash."""
    args = ["status", "--porcelain=v1", "-z", "--ignored=matching", "--untracked-files=all"]
    if under:
        args += ["--", under]
    out = run_git(root, *args)
    if out is None:
        return {}
    statuses: dict[str, str] = {}
    items = _split_z(out)
    index = 0
    while index < len(items):
        entry = items[index]
        index += 1
        code, path = entry[:2], entry[3:].rstrip("/")
        if code.startswith(("R", "C")):
            index += 1  # the old name follows a rename or copy
        if not path.startswith(prefix):
            continue
        path = path[len(prefix) :]
        if code == "??":
            statuses[path] = "new"
        elif code == "!!":
            statuses[path] = "ignored"
        elif "U" in code or code in ("AA", "DD"):
            statuses[path] = "conflict"
        else:
            letter = code[1] if code[1] != " " else code[0]
            statuses[path] = _STATUS_NAMES.get(letter, "modified")
    return statuses


@dataclass
class GitignoreRules:
    """The .gitignore files of a folder tree that is not a git repository."""

    root: Path
    _specs: dict[str, pathspec.GitIgnoreSpec | None] = field(default_factory=dict)

    def _spec(self, folder: str) -> pathspec.GitIgnoreSpec | None:
        if folder not in self._specs:
            source = self.root / folder / ".gitignore"
            try:
                lines = source.read_text(encoding="utf-8", errors="replace").splitlines()
            except OSError:
                self._specs[folder] = None
            else:
                import pathspec  # only projects that are not git repositories need it

                self._specs[folder] = pathspec.GitIgnoreSpec.from_lines(lines)
        return self._specs[folder]

    def _own_rule(self, relative: str, is_dir: bool) -> bool:
        """The verdict of the deepest .gitignore with a rule for ``relative`` itself."""
        parts = relative.split("/")
        for depth in range(len(parts) - 1, -1, -1):
            folder = "/".join(parts[:depth])
            spec = self._spec(folder)
            if spec is None:
                continue
            inner = "/".join(parts[depth:]) + ("/" if is_dir else "")
            include = spec.check_file(inner).include
            if include is not None:
                return bool(include)
        return False

    def ignored(self, relative: str, is_dir: bool) -> bool:
        """True when ``relative`` or a folder above it is ignored."""
        parts = relative.split("/")
        for depth in range(1, len(parts)):
            if self._own_rule("/".join(parts[:depth]), True):
                return True
        return self._own_rule(relative, is_dir)

    def listed_files(self) -> list[str]:
        """Every file not ignored, skipping ignored folders and ``.git`` without entering them."""
        found: list[str] = []
        pending = [""]
        while pending:
            folder = pending.pop()
            try:
                entries = list(os.scandir(self.root / folder))
            except OSError:
                continue
            for entry in entries:
                if entry.name == ".git":
                    continue
                relative = f"{folder}/{entry.name}" if folder else entry.name
                is_dir = entry.is_dir(follow_symlinks=False)
                if self._own_rule(relative, is_dir):
                    continue
                if is_dir:
                    pending.append(relative)
                else:
                    found.append(relative)
        return sorted(found)
