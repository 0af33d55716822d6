"""Changing a project file: exact search/replace and whole-file writes, previewed or applied.

An edit is planned first (the new text, its unified diff) and only then written, so an
approval card can show exactly what will happen. Planning refuses, with a message the
model can act on:
- an old text that occurs zero or several times (`EditConflict`, with the count or the
  closest lines, whitespace made visible);
- a file that changed since the version the model read (`EditConflict`);
- placeholder lines such as "... existing code ..." that were not in the file;
- a result that no longer parses when the original did (`WorkspaceError` with the
  first error), and a new file that does not parse.
Writing is atomic, keeps the file's permission bits, its CRLF line endings and its
byte-order mark, and checks once more that the file is still the one planned on.
"""

from __future__ import annotations

import difflib
import hashlib
from dataclasses import dataclass
from pathlib import Path

from codeface.core.errors import EditConflict, WorkspaceError
from codeface.workspace import matching
from codeface.workspace.files import (
    HUGE_BYTES,
    VIEW_LIMIT_BYTES,
    FileVersion,
    human_size,
    read_text_bytes,
    version_of,
    write_bytes_atomically,
)
from codeface.workspace.syntax import new_placeholders, syntax_error

_BOM = "\ufeff"


@dataclass(frozen=True)
class EditPreview:
    """What an edit would do: the unified diff and its size, without writing anything.

    ``version`` is the file as it is now (None when the write creates it).
    """

    path: str
    diff: str
    creates: bool
    lines_added: int
    lines_removed: int
    version: FileVersion | None


@dataclass(frozen=True)
class EditResult:
    """What an applied edit did; ``version`` is the file's new version."""

    path: str
    diff: str
    created: bool
    lines_added: int
    lines_removed: int
    version: FileVersion


@dataclass(frozen=True)
class EditPlan:
    """A checked edit ready to write: where, what, and the bytes it was planned on."""

    real: Path
    preview: EditPreview
    new_bytes: bytes
    base_sha256: str | None


def _is_crlf(text: str) -> bool:
    """True when every line of ``text`` ends in CRLF (and there is at least one)."""
    crlf = text.count("\r\n")
    return crlf > 0 and crlf == text.count("\n")


def unified_diff(relative: str, before: str | None, after: str) -> tuple[str, int, int]:
    """The unified diff from ``before`` (None: the file is new) to ``after``, and +/- counts."""
    old_lines = (before or "").replace("\r\n", "\n").splitlines(keepends=True)
    new_lines = after.replace("\r\n", "\n").splitlines(keepends=True)
    lines = list(
        difflib.unified_diff(
            old_lines,
            new_lines,
            fromfile="/dev/null" if before is None else f"a/{relative}",
            tofile=f"b/{relative}",
        )
    )
    added = sum(1 for line in lines if line.startswith("+") and not line.startswith("+++"))
    removed = sum(1 for line in lines if line.startswith("-") and not line.startswith("---"))
    text = "".join(
        line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines
    )
    return text, added, removed


def _check_version(
    relative: str, current: FileVersion | None, expected: FileVersion | None
) -> None:
    if expected is None:
        return
    if current is None:
        raise EditConflict(f"{relative} was deleted since you read it; the edit was not applied.")
    if not current.same_content(expected):
        raise EditConflict(
            f"{relative} changed since you read it (now {human_size(current.size)}); "
            "the edit was not applied."
        )


def _check_result(relative: str, before: str | None, after: str) -> None:
    """Refuse placeholder lines and syntax errors the change would introduce."""
    placeholders = new_placeholders(before or "", after)
    if placeholders:
        raise WorkspaceError(
            f"The change to {relative} was not applied: it contains a placeholder instead of "
            f"code ({placeholders[0]!r}). Nothing may be left out: give the complete text.",
            hint="Send the full text of what the file should contain.",
        )
    error_after = syntax_error(relative, after)
    if error_after is None:
        return
    if before is not None and syntax_error(relative, before) is not None:
        return  # the file did not parse before either; do not block fixing it
    raise WorkspaceError(
        f"The change to {relative} was not applied: the result would not parse "
        f"({error_after}). The file is unchanged.",
        hint="Fix the syntax in your change and try again.",
    )


def _plan(
    real: Path,
    relative: str,
    before: str | None,
    after: str,
    base: FileVersion | None,
    *,
    checks: bool = True,
) -> EditPlan:
    if checks:
        _check_result(relative, before, after)
    diff, added, removed = unified_diff(relative, before, after)
    preview = EditPreview(relative, diff, before is None, added, removed, base)
    return EditPlan(real, preview, after.encode("utf-8"), base.sha256 if base else None)


def plan_edit(
    real: Path,
    relative: str,
    old_text: str,
    new_text: str,
    expected_version: FileVersion | None = None,
) -> EditPlan:
    """Plan replacing the one occurrence of ``old_text`` in the file with ``new_text``."""
    if not old_text:
        raise WorkspaceError(
            "old_text is empty", hint="Quote the exact lines to replace, or use write_file."
        )
    text, _, version = read_text_bytes(real, relative)
    _check_version(relative, version, expected_version)
    crlf = _is_crlf(text)
    work = text.replace("\r\n", "\n") if crlf else text
    old = old_text.replace("\r\n", "\n") if crlf else old_text
    new = new_text.replace("\r\n", "\n") if crlf else new_text
    if old == new:
        raise WorkspaceError("old_text and new_text are the same: there is nothing to change")
    found = matching.positions(work, old)
    if not found:
        raise EditConflict(matching.not_found_message(relative, work, old))
    if len(found) > 1:
        raise EditConflict(matching.several_matches_message(relative, work, old, found))
    after = work[: found[0]] + new + work[found[0] + len(old) :]
    if crlf:
        after = after.replace("\n", "\r\n")
    return _plan(real, relative, text, after, version)


def plan_write(
    real: Path,
    relative: str,
    content: str,
    expected_version: FileVersion | None = None,
    *,
    checks: bool = True,
) -> EditPlan:
    """Plan replacing (or creating) the whole file with ``content``. ``checks=False`` (a
    person saving their own text) skips the syntax and placeholder checks meant for models
    and accepts files up to the code view's limit."""
    if real.exists():
        try:
            limit = HUGE_BYTES if checks else VIEW_LIMIT_BYTES
            text, _, version = read_text_bytes(real, relative, limit)
        except WorkspaceError as error:
            raise WorkspaceError(
                f"{error.user_message}; write_file replaces text files only",
                hint="Write to another path, or remove the file with a command first.",
            ) from error
        _check_version(relative, version, expected_version)
        after = content
        if _is_crlf(text):
            after = content.replace("\r\n", "\n").replace("\n", "\r\n")
        if text.startswith(_BOM) and not after.startswith(_BOM):
            after = _BOM + after
        return _plan(real, relative, text, after, version, checks=checks)
    _check_version(relative, None, expected_version)
    return _plan(real, relative, None, content, None, checks=checks)


def apply_plan(plan: EditPlan) -> EditResult:
    """Write a planned edit atomically, unless the file changed since it was planned."""
    relative = plan.preview.path
    try:
        current = plan.real.read_bytes()
    except FileNotFoundError:
        current = None
    except OSError as error:
        raise WorkspaceError(f"{relative} cannot be read: {error.strerror}") from error
    now = hashlib.sha256(current).hexdigest() if current is not None else None
    if now != plan.base_sha256:
        raise EditConflict(
            f"{relative} changed while the edit was being prepared; the edit was not applied."
        )
    try:
        write_bytes_atomically(plan.real, plan.new_bytes)
        info = plan.real.stat()
    except OSError as error:
        raise WorkspaceError(f"{relative} could not be written: {error.strerror}") from error
    preview = plan.preview
    return EditResult(
        relative,
        preview.diff,
        preview.creates,
        preview.lines_added,
        preview.lines_removed,
        version_of(plan.new_bytes, info),
    )
