"""What a project is: one root folder, resolved once, and everything an agent may do in it.

Sessions, the terminal's tabs, project memory and agents all name a project by
`Workspace.key`, so "project" means one thing everywhere. `Workspace` is also the only
way CodeFace reads, changes or runs anything in the project for an agent: every path
goes through `resolve` (confinement), files through `read_file` / `edit_file` /
`write_file`, commands through `run_command`, and undo through `checkpoints`. Each job
lives in its own module; this class only ties them to the root. Blocking work runs in
worker threads, so every ``async`` method is safe to await from the GUI loop.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Literal

from codeface.core.errors import WorkspaceError
from codeface.core.paths import app_paths
from codeface.terminal.tmux import DEFAULT_SOCKET, TmuxController
from codeface.workspace import commands, edits, listing, search
from codeface.workspace.checkpoints import CHECKPOINT_FILE_LIMIT, Checkpoints
from codeface.workspace.commands import CommandResult, TerminalChoice
from codeface.workspace.edits import EditPreview, EditResult
from codeface.workspace.files import (
    HUGE_BYTES,
    READ_CHAR_LIMIT,
    VIEW_LIMIT_BYTES,
    FileEntry,
    FileText,
    FileVersion,
    read_text_bytes,
    slice_lines,
)
from codeface.workspace.ignore import git_prefix, git_status
from codeface.workspace.listing import DirEntry
from codeface.workspace.paths import relative_to_root, resolve_inside
from codeface.workspace.repo_map import RepoMapper
from codeface.workspace.search import SearchResult


@dataclass(frozen=True)
class WorkspaceOptions:
    """Choices and seams: where commands run, which search engine, where checkpoints live.

    ``secrets`` are key values (from the keyring) that no command's environment may hold.
    """

    terminal: TerminalChoice = "auto"
    tmux_socket: str = DEFAULT_SOCKET
    search_engine: Literal["auto", "ripgrep", "python"] = "auto"
    checkpoint_folder: Path | None = None
    checkpoint_file_limit: int = CHECKPOINT_FILE_LIMIT
    read_char_limit: int = READ_CHAR_LIMIT
    secrets: tuple[str, ...] = ()


@dataclass(frozen=True)
class Workspace:
    """A project folder. Build it with `Workspace.open`, which resolves and checks the root."""

    root: Path
    options: WorkspaceOptions = field(default_factory=WorkspaceOptions, compare=False, repr=False)

    @classmethod
    def open(cls, folder: str | Path, *, options: WorkspaceOptions | None = None) -> Workspace:
        """The project rooted at ``folder`` (``~`` expanded, symlinks resolved)."""
        try:
            root = Path(folder).expanduser().resolve(strict=True)
        except (OSError, RuntimeError) as error:
            raise WorkspaceError(
                f"The project folder {folder} does not exist",
                hint="Open an existing folder.",
            ) from error
        if not root.is_dir():
            raise WorkspaceError(
                f"{root} is not a folder", hint="Open the project's folder, not a file in it."
            )
        return cls(root, options or WorkspaceOptions())

    @property
    def key(self) -> str:
        """The stable text that names this project in the store and in state files."""
        return str(self.root)

    @property
    def name(self) -> str:
        """The folder's name, as shown to the user."""
        return self.root.name or str(self.root)

    # --- confinement ---------------------------------------------------------------
    def resolve(self, relative: str) -> Path:
        """The real path of ``relative`` inside the project; `PathOutsideProject` (with the
        reason) for ``..``, absolute paths, ``~``, NUL bytes, ``.git`` and links that lead out."""
        return resolve_inside(self.root, relative)

    def relative(self, real: Path) -> str:
        """A real path inside the project as a POSIX path relative to the root."""
        return relative_to_root(self.root, real)

    # --- reading -------------------------------------------------------------------
    async def list_files(self) -> list[FileEntry]:
        """Every file that counts (git's ignore rules; ``.git`` skipped), sorted by path."""
        return await asyncio.to_thread(listing.list_files, self.root)

    async def list_dir(self, path: str = "") -> list[DirEntry]:
        """One folder's entries, ignored ones included and marked, with their git status."""
        real = self.resolve(path)
        return await asyncio.to_thread(listing.list_dir, self.root, real, self.relative(real))

    async def git_status(self) -> dict[str, str]:
        """Changed, new and ignored paths (relative to the root); empty outside git."""

        def status() -> dict[str, str]:
            prefix = git_prefix(self.root)
            return {} if prefix is None else git_status(self.root, prefix)

        return await asyncio.to_thread(status)

    async def read_file(
        self, path: str, start_line: int | None = None, end_line: int | None = None
    ) -> FileText:
        """Lines of a text file (1-based, inclusive), cut at ``read_char_limit`` characters.

        Binary, huge and non-UTF-8 files raise `WorkspaceError` describing them instead.
        """
        real = self.resolve(path)
        relative = self.relative(real)

        def read() -> FileText:
            text, _, version = read_text_bytes(real, relative, HUGE_BYTES)
            return slice_lines(
                relative, text, version, start_line, end_line, self.options.read_char_limit
            )

        return await asyncio.to_thread(read)

    async def read_whole(
        self, path: str, max_bytes: int = VIEW_LIMIT_BYTES
    ) -> tuple[str, FileVersion]:
        """A whole text file (up to ``max_bytes``) and its version, for a person to read or
        edit; binary, larger and non-UTF-8 files raise `WorkspaceError` describing them."""
        real = self.resolve(path)
        relative = self.relative(real)

        def read() -> tuple[str, FileVersion]:
            text, _, version = read_text_bytes(real, relative, max_bytes)
            return text, version

        return await asyncio.to_thread(read)

    async def search(
        self,
        pattern: str,
        path: str | None = None,
        *,
        max_results: int = 200,
        ignore_case: bool = False,
    ) -> SearchResult:
        """Lines matching the regular expression ``pattern`` in the listed files (below
        ``path`` when given), ripgrep when installed, else Python; same result either way."""
        if max_results < 1:
            raise WorkspaceError("max_results must be 1 or more")
        real = self.resolve(path or "")
        relative = self.relative(real)
        engine = self.options.search_engine
        binary = search.find_ripgrep() if engine != "python" else None
        if engine == "ripgrep" and binary is None:
            raise WorkspaceError("ripgrep (rg) is not installed", hint="Install ripgrep.")

        def run() -> SearchResult:
            if real.is_file():
                files = [(relative, real)]
            else:
                files = [
                    (rel, file_real)
                    for rel, file_real, info in listing.candidates(self.root, relative)
                    if info.st_size <= HUGE_BYTES
                ]
            if binary is not None:
                return search.search_ripgrep(
                    binary, pattern, files, self.root, max_results, ignore_case
                )
            return search.search_python(pattern, files, max_results, ignore_case)

        return await asyncio.to_thread(run)

    @cached_property
    def _mapper(self) -> RepoMapper:
        return RepoMapper()

    async def repo_map(self, token_budget: int = 2000) -> str:
        """The project's symbols, most referenced first, cut to about ``token_budget`` tokens."""

        def build() -> str:
            return self._mapper.build(listing.candidates(self.root), token_budget)

        return await asyncio.to_thread(build)

    # --- changing files ------------------------------------------------------------
    @cached_property
    def _write_lock(self) -> asyncio.Lock:
        return asyncio.Lock()

    async def preview_edit(self, path: str, old_text: str, new_text: str) -> EditPreview:
        """The diff `edit_file` would make (for an approval card), checked the same way
        (match count, placeholders, syntax), without writing."""
        real = self.resolve(path)
        relative = self.relative(real)
        plan = await asyncio.to_thread(edits.plan_edit, real, relative, old_text, new_text)
        return plan.preview

    async def preview_write(self, path: str, content: str, *, checks: bool = True) -> EditPreview:
        """The diff `write_file` would make, checked the same way, without writing."""
        real = self.resolve(path)
        plan = await asyncio.to_thread(
            lambda: edits.plan_write(real, self.relative(real), content, checks=checks)
        )
        return plan.preview

    async def edit_file(
        self,
        path: str,
        old_text: str,
        new_text: str,
        *,
        expected_version: FileVersion | None = None,
        turn_id: str | None = None,
    ) -> EditResult:
        """Replace the one occurrence of ``old_text`` with ``new_text``, atomically.

        With ``turn_id`` the file is saved in that turn's checkpoint first.
        """
        real = self.resolve(path)
        relative = self.relative(real)
        return await self._apply(
            lambda: edits.plan_edit(real, relative, old_text, new_text, expected_version),
            relative,
            turn_id,
        )

    async def write_file(
        self,
        path: str,
        content: str,
        *,
        expected_version: FileVersion | None = None,
        turn_id: str | None = None,
        checks: bool = True,
    ) -> EditResult:
        """Write the whole file (creating folders as needed), atomically.

        With ``turn_id`` the file is saved in that turn's checkpoint first; ``checks=False``
        is for a person saving their own text (no syntax or placeholder refusal).
        """
        real = self.resolve(path)
        relative = self.relative(real)
        return await self._apply(
            lambda: edits.plan_write(real, relative, content, expected_version, checks=checks),
            relative,
            turn_id,
        )

    async def _apply(
        self, plan: Callable[[], edits.EditPlan], relative: str, turn_id: str | None
    ) -> EditResult:
        async with self._write_lock:
            planned = await asyncio.to_thread(plan)
            if turn_id is not None:
                await self.checkpoints.save(turn_id, [relative])
            result = await asyncio.to_thread(edits.apply_plan, planned)
            await self.checkpoints.note_written(relative, result.version.sha256, turn_id)
            return result

    @cached_property
    def checkpoints(self) -> Checkpoints:
        """This project's checkpoints, in CodeFace's data folder (never the project's .git)."""
        base = self.options.checkpoint_folder or app_paths().data / "checkpoints"
        slug = re.sub(r"[^A-Za-z0-9_-]+", "-", self.name).strip("-")[:40] or "project"
        digest = hashlib.sha256(self.key.encode("utf-8", "surrogateescape")).hexdigest()[:16]
        return Checkpoints(
            base / f"{slug}-{digest}",
            self.resolve,
            self.relative,
            lambda under: [rel for rel, _, _ in listing.candidates(self.root, under)],
            self.options.checkpoint_file_limit,
        )

    # --- commands ------------------------------------------------------------------
    @cached_property
    def _command_lock(self) -> asyncio.Lock:
        return asyncio.Lock()

    async def run_command(
        self,
        command: str,
        *,
        timeout_s: float = 120,
        on_output: Callable[[str], None] | None = None,
    ) -> CommandResult:
        """Run a shell command in the project root (tmux agent window, else a pty), one at
        a time; ``on_output`` receives clean text as it arrives."""
        controller = TmuxController(self.options.tmux_socket)
        async with self._command_lock:
            return await commands.run_command(
                self.root,
                command,
                timeout_s=timeout_s,
                on_output=on_output,
                terminal=self.options.terminal,
                controller=controller,
                secrets=self.options.secrets,
            )
