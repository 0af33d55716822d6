"""The Agents dock: the live progress of the open session's agent turn, its role and
approval switches, the turns that can be undone, and the project's memory."""

from __future__ import annotations

from codeface.ui.agents.panel import AgentsPanel

__all__ = ["AgentsPanel"]
