"""The Agents dock: the live progress of agent turns, roles, approvals, undo and memory."""

from __future__ import annotations

from typing import Any

from codeface.ui.widgets.docks import DockArea


def install_agents_panel(window: Any, docks: DockArea) -> None:
    """Fill the Agents dock for ``window`` (the dock keeps its empty state until then)."""
