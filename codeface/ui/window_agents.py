"""The Agents dock: the live progress of agent turns, roles, approvals, undo and memory.

`install_agents_panel` puts an `AgentsPanel` in the dock and wires it to the window: the
project (`sig_project_changed`), the open session and its branch (`sig_session_opened`),
a role change in the dock or by "@role" in the composer (both learn it), "New agent
session", and the terminal — a command the agent starts shows in the project's terminal,
in its agent tab.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

from codeface.core.errors import CodefaceError
from codeface.ui.widgets.docks import DockArea

log = logging.getLogger("codeface.ui.window")


def install_agents_panel(window: Any, docks: DockArea) -> None:
    """Fill the Agents dock for ``window`` (the dock keeps its empty state until then)."""
    from codeface.ui.agents import AgentsPanel
    from codeface.ui.window_plans import install_plans

    panel = AgentsPanel(window.bridge)
    docks.set_panel("agents", panel)
    window.agents_panel = panel
    install_plans(window, panel)

    def session_opened(session_id: str) -> None:
        conversation = getattr(window, "conversation", None)
        branch = list(conversation.branch) if conversation is not None else []
        panel.set_session(window.sessions.get(session_id), branch)

    def session_changed(session: Any) -> None:
        window.sessions[session.id] = session

    window.sig_project_changed.connect(panel.set_project)
    window.sig_session_opened.connect(session_opened)
    panel.sig_session_changed.connect(session_changed)
    panel.sig_new_agent_session.connect(lambda role: new_agent_session(window, role))
    # Once the command prints, its tmux window exists: opening the view earlier would race
    # the workspace creating that window.
    panel.sig_agent_command_output.connect(lambda _call: follow_agent_command(docks, show=False))
    panel.sig_watch_terminal.connect(lambda: follow_agent_command(docks, show=True))
    panel.sig_files_restored.connect(
        lambda report: window.status.showMessage(
            f"Undo restored {len(report.restored)} file(s)", 8000
        )
    )
    if getattr(window, "project", None) is not None:
        panel.set_project(window.project)
    conversation = getattr(window, "conversation", None)
    if conversation is not None and conversation.session_id:
        session_opened(conversation.session_id)


def role_typed(window: Any, session_id: str, role: str) -> None:
    """The composer's "@role" changed a session's role: the session list and the dock
    learn it."""
    known = window.sessions.get(session_id)
    if known is None:
        return
    session = dataclasses.replace(known, role=role or None)
    window.sessions[session_id] = session
    panel = getattr(window, "agents_panel", None)
    if panel is not None:
        panel.session_role_changed(session)


def new_agent_session(window: Any, role: str) -> None:
    """Create a session of the open project answered by ``role``, and open it."""

    async def work() -> None:
        await window.ready.wait()
        session = await window.bridge.backend.create_session(
            project=window.project_key(), role=role
        )
        window.sessions[session.id] = session
        await window.reload_sessions()
        await window.open_session(session.id)

    async def guarded() -> None:
        try:
            await work()
        except CodefaceError as error:
            window.status.showMessage(error.one_line(), 8000)

    window.bridge.spawn(guarded())


def follow_agent_command(docks: DockArea, *, show: bool) -> None:
    """Show the project's agent window in the terminal: always when the user asks
    (``show``), else only when the terminal is already open (nothing starts unasked)."""
    if show:
        dock = docks.docks["terminal"]
        dock.show()
        dock.raise_()
    terminal = docks.ensure_terminal() if show else docks.terminal
    watch = getattr(terminal, "watch_agent", None)
    if callable(watch):
        watch(focus=show)
