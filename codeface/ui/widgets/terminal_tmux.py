"""The terminal panel's tmux half: the bar (sessions on CodeFace's tmux server, attach,
the project's session), and the agent's tab.

Every tmux call goes through the terminal service (`TerminalContract`), which runs it off
the event loop; nothing here starts a process. The agent's tab is a read-only tmux
client on the project's agent window, where the commands the agent runs appear live; its
title and colour mark it as the agent's.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QColor

from codeface.core.errors import CodefaceError
from codeface.terminal.tmux import SessionInfo, session_name_for

if TYPE_CHECKING:
    from PySide6.QtWidgets import QComboBox, QLabel, QPushButton, QTabWidget, QToolButton

    from codeface.application.contract import TerminalContract
    from codeface.ui.widgets.terminal_view import TerminalView

log = logging.getLogger(__name__)
AGENT_TAB_COLOR = QColor(214, 140, 20)
AGENT_PROPERTY = "agent_view"


class TmuxActions:
    """tmux for `TerminalPanel` (a mixin: it uses the panel's widgets and tabs)."""

    terminals: TerminalContract
    project_dir: Path
    shell_argv: list[str] | None
    tabs: QTabWidget
    tmux_label: QLabel
    session_combo: QComboBox
    attach_button: QPushButton
    create_button: QPushButton
    refresh_button: QToolButton
    tmux_available: bool | None
    attached_session: str | None
    _tasks: set[asyncio.Task[Any]]

    if TYPE_CHECKING:
        sig_tmux_status: Any
        sig_sessions_changed: Any
        sig_attached: Any
        sig_agent_tab: Any

        def new_tab(
            self,
            cwd: str | Path | None = None,
            argv: Any = None,
            title: str = "",
            *,
            opener: Any = None,
            focus: bool = True,
        ) -> TerminalView: ...
        def views(self) -> list[TerminalView]: ...
        def save_state(self) -> None: ...

    # --- plumbing ------------------------------------------------------------------------
    def _spawn(
        self,
        work: Coroutine[Any, Any, Any],
        on_error: Callable[[CodefaceError], None] | None = None,
    ) -> asyncio.Task[Any]:
        """Run tmux work as a task the panel cancels on shutdown; expected failures go to
        ``on_error`` (default: the tmux status line)."""
        report = on_error or self._on_tmux_error

        async def guarded() -> Any:
            try:
                return await work
            except CodefaceError as error:
                report(error)
                return None

        task = asyncio.ensure_future(guarded())
        self._tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("terminal tmux work failed", exc_info=task.exception())

    def _set_tmux_controls(self, enabled: bool) -> None:
        for widget in (
            self.session_combo,
            self.attach_button,
            self.create_button,
            self.refresh_button,
        ):
            widget.setEnabled(enabled)

    def _on_tmux_error(self, error: CodefaceError) -> None:
        self._status(error.one_line())

    def _status(self, text: str) -> None:
        self.tmux_label.setText(text)
        self.sig_tmux_status.emit(text)

    # --- the bar -------------------------------------------------------------------------
    def check_tmux(self, reattach: str | None = None) -> asyncio.Task[Any]:
        """Detect tmux; then list sessions and maybe reattach."""

        async def work() -> None:
            version = await self.terminals.tmux_check()
            self.tmux_available = True
            self._set_tmux_controls(True)
            self._status(f"tmux {version[0]}.{version[1]} ready")
            await self._refresh(reattach)

        def missing(error: CodefaceError) -> None:
            self.tmux_available = False
            self._set_tmux_controls(False)
            self._status(error.one_line())

        return self._spawn(work(), missing)

    def refresh_sessions(self, reattach: str | None = None) -> asyncio.Task[Any]:
        """Reload the session list."""
        return self._spawn(self._refresh(reattach))

    async def _refresh(self, reattach: str | None = None) -> None:
        sessions: list[SessionInfo] = await self.terminals.tmux_sessions()
        self.session_combo.clear()
        for session in sessions:
            self.session_combo.addItem(session.name)
        self.sig_sessions_changed.emit(sessions)
        if reattach and any(session.name == reattach for session in sessions):
            self.attach_session(reattach)

    def _on_attach_clicked(self) -> None:
        name = self.session_combo.currentText()
        if name:
            self.attach_session(name)

    def project_session_name(self) -> str:
        """``codeface-<project>``."""
        return session_name_for(self.project_dir)

    def attach_project_session(self) -> asyncio.Task[Any]:
        """Attach ``codeface-<project>``, creating it with the default layout if needed."""
        shell = " ".join(self.shell_argv) if self.shell_argv else None
        root = str(self.project_dir)

        async def work() -> None:
            name = await self.terminals.project_tmux_session(root, shell=shell)
            self.attach_session(name)

        return self._spawn(work())

    def attach_session(self, name: str) -> TerminalView:
        """Run ``tmux attach`` for ``name`` in a tab (reusing its tab if already open)."""
        for view in self.views():
            if view.property("tmux_session") == name and view.running:
                self.tabs.setCurrentWidget(view)
                return view
        cwd = str(self.project_dir)
        terminals = self.terminals

        async def opener(rows: int, columns: int) -> str:
            return await terminals.open_tmux_terminal(name, cwd=cwd, rows=rows, columns=columns)

        view = self.new_tab(self.project_dir, opener=opener, title=f"tmux: {name}")
        view.setProperty("tmux_session", name)
        self.attached_session = name
        self.save_state()
        self._status(f"Attached tmux session {name}")
        self.sig_attached.emit(name)
        return view

    # --- the agent's tab -----------------------------------------------------------------
    def agent_view(self) -> TerminalView | None:
        """The tab showing the agent's window of the current project, if open."""
        for view in self.views():
            if view.property(AGENT_PROPERTY) == str(self.project_dir) and view.running:
                return view
        return None

    def watch_agent(self, *, focus: bool = True) -> TerminalView | None:
        """Open (or show) the agent's tab: a read-only view of the project's tmux window
        where the agent's commands run. Without tmux, says where commands run instead."""
        if self.tmux_available is False:
            self._status(
                "tmux is not available: the agent's commands run on a private pty; "
                "their output is in the Agents panel (Open on the step)."
            )
            return None
        view = self.agent_view()
        if view is not None:
            if focus:
                self.tabs.setCurrentWidget(view)
            return view
        root = str(self.project_dir)
        terminals = self.terminals

        async def opener(rows: int, columns: int) -> str:
            return await terminals.open_agent_terminal(root, rows=rows, columns=columns)

        title = f"agent ▸ {self.project_session_name()}"
        view = self.new_tab(self.project_dir, opener=opener, title=title, focus=focus)
        view.setProperty(AGENT_PROPERTY, root)
        index = self.tabs.indexOf(view)
        self.tabs.tabBar().setTabTextColor(index, AGENT_TAB_COLOR)
        self.tabs.setTabToolTip(
            index,
            "Commands CodeFace agents run in this project, live (read-only: tmux window "
            f"'agent' of {self.project_session_name()}). Cancel a command from the Agents panel.",
        )
        view.setAccessibleName("Agent commands terminal (read-only)")
        self.sig_agent_tab.emit(view)
        return view
