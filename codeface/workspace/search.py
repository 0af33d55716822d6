"""Search the project's files for a regular expression: ripgrep when installed, Python otherwise.

Both engines get the same files (the workspace's listing: ignore rules applied, huge
files left out, in path order) and give the same result: one hit per matching line
(path, line, column of the first match, the line's text), files in path order, lines in
order, cut at ``max_results``. Binary files (a NUL byte) are skipped; text that is not
UTF-8 is searched with invalid bytes read as U+FFFD, as ripgrep does. Lines end at
``\\n``, and a ``\\r`` before it is not part of the line (ripgrep's ``--crlf``).

The two regex dialects differ at the edges (Rust's regex has no look-around): when
ripgrep refuses a pattern that Python accepts, the Python engine runs instead.
"""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from codeface.core.errors import WorkspaceError

SearchEngine = Literal["ripgrep", "python"]
LINE_TEXT_LIMIT = 400
_ARGV_BUDGET = 100_000


@dataclass(frozen=True)
class SearchHit:
    """One matching line: 1-based line and column (characters), and the line's text."""

    path: str
    line: int
    column: int
    text: str


@dataclass(frozen=True)
class SearchResult:
    """The hits in order, which engine found them, and whether more were left out."""

    pattern: str
    hits: tuple[SearchHit, ...]
    engine: SearchEngine
    truncated: bool
    files_searched: int


class _RipgrepRefused(Exception):
    """ripgrep rejected the pattern (its message is the argument)."""


def find_ripgrep() -> str | None:
    """The ``rg`` executable, or None."""
    return shutil.which("rg")


def _hit(path: str, number: int, line: str, column: int) -> SearchHit:
    """A hit with the line's text cut to `LINE_TEXT_LIMIT` characters around the match."""
    if len(line) > LINE_TEXT_LIMIT:
        begin = max(0, min(column - 1 - LINE_TEXT_LIMIT // 4, len(line) - LINE_TEXT_LIMIT))
        shown = line[begin : begin + LINE_TEXT_LIMIT]
        line = ("…" if begin else "") + shown + ("…" if begin + LINE_TEXT_LIMIT < len(line) else "")
    return SearchHit(path, number, column, line)


def compile_pattern(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    """The pattern compiled for Python, or a `WorkspaceError` quoting the regex error."""
    if not pattern:
        raise WorkspaceError(
            "The search pattern is empty", hint="Give a word or a regular expression."
        )
    try:
        return re.compile(pattern, re.IGNORECASE if ignore_case else 0)
    except re.error as error:
        raise WorkspaceError(
            f"The search pattern is not a valid regular expression: {error}",
            hint="Escape special characters such as ( [ . * with a backslash.",
        ) from error


def search_python(
    pattern: str,
    files: Sequence[tuple[str, Path]],
    max_results: int,
    ignore_case: bool = False,
) -> SearchResult:
    """Search ``files`` (relative path, real path) in order with Python's ``re``."""
    regex = compile_pattern(pattern, ignore_case)
    whole_file = None
    if "\\A" not in pattern and "\\Z" not in pattern:
        whole_file = re.compile(pattern, regex.flags | re.MULTILINE)
    hits: list[SearchHit] = []
    for relative, real in files:
        try:
            data = real.read_bytes()
        except OSError:
            continue
        if b"\x00" in data:
            continue
        text = data.decode("utf-8", "replace")
        if "\r" in text:
            text = text.replace("\r\n", "\n")
        if whole_file is not None and whole_file.search(text) is None:
            continue
        lines = text.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        for number, line in enumerate(lines, 1):
            found = regex.search(line)
            if found is None:
                continue
            if len(hits) == max_results:
                return SearchResult(pattern, tuple(hits), "python", True, len(files))
            hits.append(_hit(relative, number, line, found.start() + 1))
    return SearchResult(pattern, tuple(hits), "python", False, len(files))


def _chunks(files: Sequence[tuple[str, Path]]) -> list[list[tuple[str, Path]]]:
    """Split the file list so no ripgrep command line grows past `_ARGV_BUDGET` bytes."""
    chunks: list[list[tuple[str, Path]]] = [[]]
    used = 0
    for item in files:
        size = len(item[0].encode("utf-8", "surrogateescape")) + 1
        if chunks[-1] and used + size > _ARGV_BUDGET:
            chunks.append([])
            used = 0
        chunks[-1].append(item)
        used += size
    return chunks


def _line_of(data: dict[str, Any]) -> bytes:
    lines = data["lines"]
    if "text" in lines:
        return str(lines["text"]).encode("utf-8", "surrogateescape")
    return base64.b64decode(lines["bytes"])


def _run_ripgrep(
    binary: str,
    pattern: str,
    chunk: list[tuple[str, Path]],
    root: Path,
    room: int,
    ignore_case: bool,
) -> tuple[list[SearchHit], bool]:
    """One ripgrep run over ``chunk``: up to ``room`` hits, and whether there were more."""
    argv = [binary, "--json", "--no-config", "--crlf", "--sort", "path", "--no-messages"]
    if ignore_case:
        argv.append("--ignore-case")
    argv += ["-e", pattern, "--", *(relative for relative, _ in chunk)]
    hits: list[SearchHit] = []
    pending: list[SearchHit] = []
    more = False
    process = subprocess.Popen(
        argv, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL
    )
    assert process.stdout is not None
    assert process.stderr is not None
    try:
        for raw in process.stdout:
            message = json.loads(raw)
            kind, data = message.get("type"), message.get("data", {})
            if kind == "match":
                line = _line_of(data)
                start = int(data["submatches"][0]["start"]) if data["submatches"] else 0
                text = line.decode("utf-8", "replace").removesuffix("\n").removesuffix("\r")
                column = len(line[:start].decode("utf-8", "replace")) + 1
                relative = str(data["path"].get("text", ""))
                pending.append(_hit(relative, int(data["line_number"]), text, column))
            elif kind == "end":
                if data.get("binary_offset") is None:
                    hits.extend(pending)
                pending = []
                if len(hits) > room:
                    more = True
                    break
    finally:
        if process.poll() is None:
            process.kill()
        stderr = process.stderr.read().decode("utf-8", "replace")
        process.wait()
    if process.returncode == 2 and "regex" in stderr:
        raise _RipgrepRefused(stderr.strip())
    return hits[:room], more


def search_ripgrep(
    binary: str,
    pattern: str,
    files: Sequence[tuple[str, Path]],
    root: Path,
    max_results: int,
    ignore_case: bool = False,
) -> SearchResult:
    """Search ``files`` with ripgrep; the Python engine when ripgrep refuses the pattern."""
    if not pattern:
        compile_pattern(pattern, ignore_case)  # raises: an empty pattern matches everything
    regex_error: WorkspaceError | None = None
    try:
        compile_pattern(pattern, ignore_case)
    except WorkspaceError as error:
        regex_error = error
    hits: list[SearchHit] = []
    try:
        for chunk in _chunks(files):
            if not chunk:
                continue
            found, more = _run_ripgrep(
                binary, pattern, chunk, root, max_results - len(hits), ignore_case
            )
            hits.extend(found)
            if more:
                return SearchResult(pattern, tuple(hits), "ripgrep", True, len(files))
    except _RipgrepRefused as refused:
        if regex_error is None:
            return search_python(pattern, files, max_results, ignore_case)
        raise WorkspaceError(
            f"The search pattern is not a valid regular expression: {refused}",
            hint=regex_error.hint,
        ) from refused
    return SearchResult(pattern, tuple(hits), "ripgrep", False, len(files))
