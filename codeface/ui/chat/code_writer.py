""" "Save…" and "Apply…" on code blocks, written through the backend (the workspace).

Apply asks which file, gets `backend.preview_write`, shows the diff with per-hunk
accept/reject, and saves the merged text with the preview's version: when the file
changed on disk since the diff was shown, the backend refuses (EditConflict) and the
user is told, nothing is written. Save writes a new or chosen file of the project the
same way. A path outside the open project is refused with the reason.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from codeface.core.errors import CodefaceError, EditConflict
from codeface.ui.chat.code_block import suggested_file_name
from codeface.ui.diff.hunks import diff_hunks

if TYPE_CHECKING:
    from codeface.application.contract import ProjectView
    from codeface.ui.bridge import Bridge

Notify = Callable[[str, str, list[tuple[str, str]]], None]


def project_relative(path: Path | str, root: str) -> str | None:
    """``path`` relative to the project ``root`` (None when it lies outside). Pure path
    arithmetic: the backend resolves links and refuses escapes itself."""
    absolute = os.path.normpath(os.path.abspath(path))
    base = os.path.normpath(os.path.abspath(root))
    try:
        relative = os.path.relpath(absolute, base)
    except ValueError:  # another drive on Windows
        return None
    if relative == "." or relative.startswith(os.pardir + os.sep) or relative == os.pardir:
        return None
    return Path(relative).as_posix()


class CodeWriter:
    """Writes code blocks into the open project for one chat pane."""

    def __init__(
        self,
        bridge: Bridge,
        pane: Any,
        project: Callable[[], ProjectView | None],
        notify: Notify,
        open_project_action: tuple[str, str],
    ) -> None:
        self.bridge = bridge
        self.pane = pane
        self.project = project
        self.notify = notify
        self.open_project_action = open_project_action

    def _target(self, chosen: Path | None, project: ProjectView) -> str | None:
        if chosen is None:
            return None
        relative = project_relative(chosen, project.root)
        if relative is None:
            self.notify(
                "error",
                f"{chosen} is outside the project {project.name}: CodeFace writes only the "
                "open project's files. Choose a file inside it.",
                [],
            )
        return relative

    def _open_project(self, what: str) -> ProjectView | None:
        project = self.project()
        if project is None:
            self.notify("error", f"Open a project to {what} its files.", [self.open_project_action])
        return project

    def _destination(
        self, what: str, choose: Callable[[str, str], Path | None], language: str
    ) -> tuple[ProjectView, str] | None:
        """The open project and the file in it the user picks for a block (None: cancelled
        or refused, already said)."""
        project = self._open_project(what)
        if project is None:
            return None
        relative = self._target(choose(suggested_file_name(language), project.root), project)
        return None if relative is None else (project, relative)

    async def apply(self, code: str, language: str) -> bool:
        """Apply a code block to a project file after review; True when written."""
        services = self.pane.context.services
        target = self._destination("apply code to", services.apply_path, language)
        if target is None:
            return False
        project, relative = target
        text = code if code.endswith("\n") else code + "\n"
        backend = self.bridge.backend
        try:
            preview = await backend.preview_write(project.key, relative, text)
        except CodefaceError as error:
            self.notify("error", error.one_line(), [])
            return False
        if preview.old_text == preview.new_text:
            self.notify("info", f"{preview.path} already has this code.", [])
            return False
        hunks = await asyncio.to_thread(diff_hunks, preview.old_text, preview.new_text)
        merged = await services.review_change(
            preview.path,
            preview.old_text,
            preview.new_text,
            hunks,
            creates=preview.creates,
            theme=self.pane.context.theme,
        )
        if merged is None:
            return False
        try:
            await backend.save_file(project.key, preview.path, merged, preview.version)
        except EditConflict:
            self.notify(
                "error",
                f"{preview.path} changed on disk after the diff was shown, so nothing was "
                "written. Apply again to review the change against the new file.",
                [],
            )
            return False
        except CodefaceError as error:
            self.notify("error", error.one_line(), [])
            return False
        if preview.creates:
            words = f"Created {preview.path}."
        elif merged == preview.new_text:
            count = len(hunks)
            words = f"Applied {count} change{'s' * (count != 1)} to {preview.path}."
        else:
            words = f"Applied the accepted changes to {preview.path}; the rejected ones were left."
        self.notify("info", words, [])
        return True

    async def save(self, code: str, language: str) -> bool:
        """Save a code block as a file of the project; True when written."""
        target = self._destination("save code into", self.pane.context.services.save_path, language)
        if target is None:
            return False
        project, relative = target
        text = code if code.endswith("\n") else code + "\n"
        backend = self.bridge.backend
        try:
            preview = await backend.preview_write(project.key, relative, text)
            saved = await backend.save_file(project.key, preview.path, text, preview.version)
        except EditConflict:
            self.notify("error", f"{relative} changed on disk meanwhile; nothing was written.", [])
            return False
        except CodefaceError as error:
            self.notify("error", error.one_line(), [])
            return False
        self.notify("info", f"Saved {saved.path}", [])
        return True
