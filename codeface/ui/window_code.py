"""The Code dock: the project's file tree, quick open and code views."""

from __future__ import annotations

from typing import Any

from codeface.ui.widgets.docks import DockArea


def install_code_panel(window: Any, docks: DockArea) -> None:
    """Fill the Code dock for ``window`` (the dock keeps its empty state until then)."""
