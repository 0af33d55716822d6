"""Project files as an agent sees them: what kind each is, its version, and its text.

Text is UTF-8 without NUL bytes and at most `HUGE_BYTES`; anything else (binary, huge,
not UTF-8) is described ("logo.png is a binary file, 1.2 MB: not shown"), never
returned as text, so it cannot end up in a prompt. A `FileVersion` (mtime, size,
SHA-256) is what an edit quotes to prove it saw the file as it is now.
"""

from __future__ import annotations

import hashlib
import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from codeface.core.errors import WorkspaceError

FileKind = Literal["text", "binary", "huge", "not_utf8"]

HUGE_BYTES = 2 * 1024 * 1024
VIEW_LIMIT_BYTES = 20 * 1024 * 1024
"""The largest file the code view opens (a 20,000-line file is about 1 MB)."""
SAMPLE_BYTES = 8192
READ_CHAR_LIMIT = 60_000


@dataclass(frozen=True)
class FileVersion:
    """A file's state when it was read: an edit applies only while its content is the same."""

    mtime_ns: int
    size: int
    sha256: str

    def same_content(self, other: FileVersion) -> bool:
        """True when both name the same bytes (a touch that changed only mtime still matches)."""
        return self.size == other.size and self.sha256 == other.sha256


@dataclass(frozen=True)
class FileEntry:
    """A listed file: its path relative to the root, size and kind (from its first 8 KiB)."""

    path: str
    size: int
    kind: FileKind


@dataclass(frozen=True)
class FileText:
    """Lines ``start_line``..``end_line`` (1-based, inclusive) of a text file.

    ``truncated`` is True when the character limit cut the range short; ``end_line``
    is then the last line returned (possibly in part).
    """

    path: str
    text: str
    start_line: int
    end_line: int
    total_lines: int
    version: FileVersion
    truncated: bool


def human_size(size: int) -> str:
    """``532 bytes``, ``12.4 KB``, ``1.2 MB``."""
    if size < 1024:
        return "1 byte" if size == 1 else f"{size} bytes"
    value = float(size)
    for unit in ("KB", "MB", "GB", "TB"):
        value /= 1024
        if value < 1024 or unit == "TB":
            return f"{value:.1f} {unit}"
    return f"{size} bytes"  # unreachable


def classify_bytes(data: bytes, *, complete: bool) -> FileKind:
    """The kind of a file from its bytes (``complete``: all of it, not a leading sample)."""
    if b"\x00" in data:
        return "binary"
    try:
        data.decode("utf-8") if complete else _decode_prefix(data)
    except UnicodeDecodeError:
        return "not_utf8"
    return "text"


def _decode_prefix(data: bytes) -> str:
    """Decode a leading sample, allowing a multi-byte character cut at its end."""
    import codecs

    return codecs.getincrementaldecoder("utf-8")().decode(data, final=False)


def classify_file(path: Path, size: int, huge_bytes: int = HUGE_BYTES) -> FileKind:
    """The kind of the file at ``path`` (``size`` from its stat), reading at most 8 KiB."""
    if size > huge_bytes:
        return "huge"
    with path.open("rb") as stream:
        sample = stream.read(SAMPLE_BYTES)
    return classify_bytes(sample, complete=size <= SAMPLE_BYTES)


def describe(relative: str, kind: FileKind, size: int, detail: str = "") -> str:
    """What the model is told instead of a file's content."""
    shown = human_size(size)
    match kind:
        case "binary":
            return f"{relative} is a binary file ({shown}): not shown"
        case "huge":
            return f"{relative} is too large to show ({shown}, over {human_size(HUGE_BYTES)})"
        case "not_utf8":
            extra = f", {detail}" if detail else ""
            return f"{relative} is not UTF-8 text ({shown}{extra}): not shown"
        case "text":
            return f"{relative} is a text file ({shown})"


def version_of(data: bytes, info: os.stat_result) -> FileVersion:
    """The version token of bytes just read from a file with this stat."""
    return FileVersion(info.st_mtime_ns, len(data), hashlib.sha256(data).hexdigest())


def regular_file_stat(real: Path, relative: str) -> os.stat_result:
    """``real``'s stat, or a `WorkspaceError` saying why it cannot be read as a file."""
    try:
        info = real.stat()
    except FileNotFoundError as error:
        raise WorkspaceError(
            f"{relative} does not exist", hint="List the folder to see what is there."
        ) from error
    except OSError as error:
        raise WorkspaceError(f"{relative} cannot be read: {error.strerror}") from error
    if stat.S_ISDIR(info.st_mode):
        raise WorkspaceError(f"{relative} is a folder", hint="Use list_dir to see what is in it.")
    if not stat.S_ISREG(info.st_mode):
        raise WorkspaceError(f"{relative} is not a regular file (a device, socket or pipe)")
    return info


def read_text_bytes(
    real: Path, relative: str, huge_bytes: int = HUGE_BYTES
) -> tuple[str, bytes, FileVersion]:
    """The text, raw bytes and version of a text file; `WorkspaceError` for any other kind."""
    info = regular_file_stat(real, relative)
    if info.st_size > huge_bytes:
        raise WorkspaceError(
            describe(relative, "huge", info.st_size),
            hint="Search it, or read it with a command such as head or grep.",
        )
    try:
        data = real.read_bytes()
    except OSError as error:
        raise WorkspaceError(f"{relative} cannot be read: {error.strerror}") from error
    if b"\x00" in data:
        raise WorkspaceError(describe(relative, "binary", len(data)), hint="It is not text.")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        detail = f"byte 0x{data[error.start]:02x} at offset {error.start}"
        raise WorkspaceError(
            describe(relative, "not_utf8", len(data), detail),
            hint="Convert it to UTF-8 to work on it here.",
        ) from error
    return text, data, version_of(data, info)


def count_lines(text: str) -> int:
    """Lines as editors count them: ``"a\\nb"`` and ``"a\\nb\\n"`` both have 2; ``""`` has 0."""
    if not text:
        return 0
    return text.count("\n") + (0 if text.endswith("\n") else 1)


def split_lines(text: str) -> list[str]:
    """The lines of ``text`` with their ``\\n`` kept (only ``\\n`` ends a line)."""
    lines = text.split("\n")
    result = [line + "\n" for line in lines[:-1]]
    if lines[-1]:
        result.append(lines[-1])
    return result


def slice_lines(
    relative: str,
    text: str,
    version: FileVersion,
    start_line: int | None,
    end_line: int | None,
    char_limit: int = READ_CHAR_LIMIT,
) -> FileText:
    """Lines ``start_line``..``end_line`` of ``text``, cut at ``char_limit`` characters."""
    lines = split_lines(text)
    total = len(lines)
    start = 1 if start_line is None else start_line
    end = total if end_line is None else min(end_line, total)
    if start < 1:
        raise WorkspaceError(f"start_line must be 1 or more, not {start}")
    if end_line is not None and end_line < start:
        raise WorkspaceError(f"end_line {end_line} is before start_line {start}")
    if total == 0:
        return FileText(relative, "", 0, 0, 0, version, False)
    if start > total:
        raise WorkspaceError(
            f"{relative} has {total} lines; line {start} does not exist",
            hint=f"Ask for lines 1 to {total}.",
        )
    parts: list[str] = []
    used = 0
    last = start - 1
    truncated = False
    for number in range(start, end + 1):
        line = lines[number - 1]
        if used + len(line) > char_limit:
            if not parts:
                parts.append(line[:char_limit])
                last = number
            truncated = True
            break
        parts.append(line)
        used += len(line)
        last = number
    return FileText(relative, "".join(parts), start, last, total, version, truncated)


def _umask() -> int:
    """The process umask, read without changing it (Linux); 0o022 elsewhere."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    return 0o022


def write_bytes_atomically(path: Path, data: bytes, mode: int | None = None) -> None:
    """Replace ``path`` with ``data`` in one step (temp file beside it, fsync, rename).

    ``mode`` sets the permission bits; by default an existing file keeps its own and a
    new file gets the usual ``0o666`` less the umask (not ``mkstemp``'s 0600).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    if mode is None:
        try:
            mode = path.stat().st_mode & 0o7777
        except FileNotFoundError:
            mode = 0o666 & ~_umask()
    handle, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temp_name, mode)
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
