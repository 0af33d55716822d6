"""What the terminal room remembers per project between runs (a small JSON file).

For each project folder: the tmux session attached beside the chat (reattached on the
next start, since tmux sessions outlive CodeFace), whether the split view was shown, and
the working directories of the open terminal tabs. Written atomically.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from codeface.core.atomic import write_atomically
from codeface.core.paths import app_paths

log = logging.getLogger(__name__)

STATE_FILE = "terminal-state.json"


@dataclass
class ProjectTerminalState:
    """The terminal choices for one project."""

    tmux_session: str | None = None
    split_view: bool = False
    tabs: list[str] = field(default_factory=list)


def _state_path() -> Path:
    return app_paths().data / STATE_FILE


def _read_all() -> dict[str, Any]:
    path = _state_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError):
        log.warning("Ignoring unreadable terminal state file %s", path)
        return {}
    return data if isinstance(data, dict) else {}


def _key(project: str | Path) -> str:
    return str(Path(project).expanduser().resolve())


def load_project_state(project: str | Path) -> ProjectTerminalState:
    """The remembered state for ``project`` (defaults when nothing was saved)."""
    entry = _read_all().get(_key(project))
    if not isinstance(entry, dict):
        return ProjectTerminalState()
    session = entry.get("tmux_session")
    tabs = entry.get("tabs")
    return ProjectTerminalState(
        tmux_session=session if isinstance(session, str) and session else None,
        split_view=bool(entry.get("split_view", False)),
        tabs=[tab for tab in tabs if isinstance(tab, str)] if isinstance(tabs, list) else [],
    )


def save_project_state(project: str | Path, state: ProjectTerminalState) -> None:
    """Remember ``state`` for ``project`` (other projects' entries are kept)."""
    data = _read_all()
    data[_key(project)] = asdict(state)
    write_atomically(_state_path(), json.dumps(data, indent=2, sort_keys=True))
