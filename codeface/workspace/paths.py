"""Confinement: every path an agent names is resolved inside the project root, or refused.

A path is refused, with the reason, when it is empty of meaning (a NUL byte), absolute
(``/etc``, ``C:\\x``, ``\\\\server``), starts at a home folder (``~``), goes up with
``..``, names anything inside a ``.git`` folder, or leads out of the project through a
symlink at any depth (the last component and dangling links included). What comes back
is the real path, symlinks resolved, so a write through an inner link changes its target.

These checks are the application's; they are not an operating-system sandbox.
"""

from __future__ import annotations

import errno
import re
from pathlib import Path, PurePosixPath

from codeface.core.errors import PathOutsideProject

_DRIVE = re.compile(r"^[A-Za-z]:")
_GIT_FOLDER = ".git"


def _refuse(relative: str, reason: str) -> PathOutsideProject:
    shown = relative.replace("\x00", "\\0")
    return PathOutsideProject(f"{shown!r} cannot be used: {reason}.")


def _components(relative: str) -> list[str]:
    """The parts of ``relative`` split on both separators (a backslash is one on Windows)."""
    return [part for part in re.split(r"[\\/]", relative) if part not in ("", ".")]


def check_relative(relative: str) -> list[str]:
    """The components of a syntactically acceptable relative path; raises otherwise."""
    if not isinstance(relative, str):
        raise PathOutsideProject(f"A path must be text, not {type(relative).__name__}.")
    if "\x00" in relative:
        raise _refuse(relative, "it contains a NUL byte")
    if relative.startswith(("/", "\\")) or PurePosixPath(relative).is_absolute():
        raise _refuse(relative, "it is an absolute path; paths are relative to the project root")
    if _DRIVE.match(relative):
        raise _refuse(relative, "it names a drive; paths are relative to the project root")
    if relative.startswith("~"):
        raise _refuse(relative, "it starts at a home folder (~); paths are relative to the project")
    parts = _components(relative)
    if ".." in parts:
        raise _refuse(relative, 'it goes up with ".."; paths stay inside the project')
    if any(part.casefold() == _GIT_FOLDER for part in parts):
        raise _refuse(relative, "it is inside .git, which only git itself may change")
    return parts


def resolve_inside(root: Path, relative: str) -> Path:
    """The real path of ``relative`` under ``root`` (already resolved), or `PathOutsideProject`.

    ``""`` and ``"."`` give the root itself. The path need not exist; every existing
    symlink on the way is followed and must stay inside the root and outside ``.git``.
    """
    parts = check_relative(relative)
    candidate = root.joinpath(*parts)
    try:
        real = candidate.resolve(strict=False)
    except RuntimeError as error:  # Python 3.12 reports a symlink loop this way
        raise _refuse(relative, "it goes through a symlink loop") from error
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise _refuse(relative, "it goes through a symlink loop") from error
        raise _refuse(relative, f"it cannot be resolved ({error.strerror})") from error
    if real != root and not real.is_relative_to(root):
        raise _refuse(relative, f"a symlink leads out of the project (to {real})")
    inner = real.relative_to(root).parts
    if any(part.casefold() == _GIT_FOLDER for part in inner):
        raise _refuse(relative, "a symlink leads into .git, which only git itself may change")
    return real


def relative_to_root(root: Path, real: Path) -> str:
    """``real`` (inside ``root``) as a POSIX path relative to the root; ``""`` for the root."""
    inner = real.relative_to(root)
    return "" if inner == Path() else inner.as_posix()
