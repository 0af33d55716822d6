"""The Agents dock: the live progress of agent turns, roles, approvals, undo and memory.

`install_agents_panel` gives the dock a builder: the `AgentsPanel` (and its modules) is
built the first time the dock is shown, ``window.agents_panel`` is asked for, a turn
starts (its Turn tab follows every turn from the first event), or the project has plans
that stopped midway (the Plans tab offers to resume them). Built, it is wired to the
window: the
project (`sig_project_changed`), the open session and its branch (`sig_session_opened`),
a role change in the dock or by "@role" in the composer (both learn it), "New agent
session", and the terminal — a command the agent starts shows in the project's terminal,
in its agent tab.
"""

from __future__ import annotations

import asyncio
import dataclasses
import importlib
import logging
from typing import TYPE_CHECKING, Any

from codeface.core.errors import CodefaceError

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from codeface.ui.widgets.docks import DockArea

log = logging.getLogger("codeface.ui.window")


def install_agents_panel(window: Any, docks: DockArea) -> None:
    """Give the Agents dock its panel's builder and the moments it must exist by."""
    docks.set_builder("agents", lambda: build_agents_panel(window, docks))

    def on_streaming(streaming: bool) -> None:
        # The first signal of every turn: the Turn tab is connected before an agent turn's
        # events. A plain chat's answer has nothing to show there: it builds nothing.
        if streaming and _open_session_has_role(window):
            docks.panel("agents")

    def on_project(project: Any) -> None:
        if project is not None and "agents" not in docks.panels:
            window.bridge.spawn(_build_for_unfinished_plans(window, docks, project.key))

    window.bridge.sig_streaming.connect(on_streaming)
    window.sig_project_changed.connect(on_project)
    if getattr(window, "project", None) is not None:
        on_project(window.project)


def _open_session_has_role(window: Any) -> bool:
    conversation = getattr(window, "conversation", None)
    session_id = getattr(conversation, "session_id", None)
    session = window.sessions.get(session_id) if session_id else None
    return session is not None and bool(session.role)


AGENTS_PANEL_MODULES = ("codeface.ui.agents", "codeface.ui.window_plans")
"""What building the Agents panel imports (~22 ms): `prepare_agents_panel` loads it in a
worker thread while the user types, so the first answer only builds widgets (~9 ms)."""


def prepare_agents_panel(window: Any) -> None:
    """The user is writing a message: import the Agents panel's modules off the GUI thread
    (once), ahead of the answer that builds the panel."""
    docks = getattr(window, "docks", None)
    if docks is None or "agents" in docks.panels or getattr(window, "_agents_prepared", False):
        return
    window._agents_prepared = True
    window.bridge.spawn(asyncio.to_thread(_import_all, AGENTS_PANEL_MODULES))


def _import_all(names: tuple[str, ...]) -> None:
    for name in names:
        importlib.import_module(name)


async def _build_for_unfinished_plans(window: Any, docks: DockArea, project_key: str) -> None:
    """Build the Agents panel if the project has plans that stopped midway: its Plans tab
    says so and offers to resume them."""
    try:
        unfinished = await window.bridge.backend.unfinished_plans(project_key)
    except CodefaceError as error:
        log.warning("cannot look for unfinished plans: %s", error.one_line())
        return
    project = getattr(window, "project", None)
    if unfinished and project is not None and project.key == project_key:
        docks.panel("agents")


def build_agents_panel(window: Any, docks: DockArea) -> QWidget:
    """The Agents dock's panel for ``window``, wired to its project, session and terminal."""
    from codeface.ui.agents import AgentsPanel
    from codeface.ui.window_plans import install_plans

    panel = AgentsPanel(window.bridge)
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
    return panel


def role_typed(window: Any, session_id: str, role: str) -> None:
    """The composer's "@role" changed a session's role: the session list and the dock
    learn it."""
    known = window.sessions.get(session_id)
    if known is None:
        return
    session = dataclasses.replace(known, role=role or None)
    window.sessions[session_id] = session
    docks = getattr(window, "docks", None)
    panel = docks.panels.get("agents") if docks is not None else None  # built ones only
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
