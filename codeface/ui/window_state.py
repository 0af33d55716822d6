"""The window's layout and open session, kept in a small JSON file (no QSettings).

Geometry, dock layout and splitter sizes are Qt's own byte blobs stored as base64; the
file lives under ``app_paths().config`` (so ``CODEFACE_HOME`` isolates tests) and is
written atomically. A missing or broken file means "start with the default layout".
"""

from __future__ import annotations

import base64
import json
import logging
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from codeface.core.atomic import write_atomically
from codeface.core.paths import app_paths

log = logging.getLogger("codeface.ui.state")
STATE_FILE_NAME = "window-state.json"
_OPTIONAL_TEXT = ("session_id", "project")
"""Fields that are text when set and ``None`` by default."""


@dataclass
class WindowState:
    """What is restored on the next start."""

    geometry: str = ""
    dock_state: str = ""
    splitter: str = ""
    session_id: str | None = None
    project: str | None = None
    """The key (root folder) of the project open at the last close."""
    zoom: int = 0
    sidebar_visible: bool = True
    os_scheme: str = ""
    """The OS colour scheme last seen ("dark", "light" or ""): the first paint uses it,
    because asking Qt costs 15-25 ms there; the real answer is checked right after."""
    look: dict[str, Any] = field(default_factory=dict)
    """The theme colours and font last shown (`codeface.ui.palette.remembered_look`)."""

    @staticmethod
    def encode(blob: bytes) -> str:
        """Qt byte blob -> text for the JSON file."""
        return base64.b64encode(blob).decode("ascii")

    @staticmethod
    def decode(text: str) -> bytes:
        """Text from the JSON file -> Qt byte blob (empty when broken)."""
        try:
            return base64.b64decode(text.encode("ascii"), validate=True)
        except ValueError:
            return b""


def state_file() -> Path:
    """Where the window state is kept."""
    return app_paths().config / STATE_FILE_NAME


def load_window_state(path: Path | None = None) -> WindowState:
    """Read the saved state; defaults when it is missing or unreadable."""
    path = path or state_file()
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return WindowState()
    except (OSError, ValueError) as error:
        log.warning("ignoring unreadable window state %s: %s", path, error)
        return WindowState()
    if not isinstance(document, dict):
        return WindowState()
    state = WindowState()
    for item in fields(WindowState):
        value = document.get(item.name)
        expected = str if item.name in _OPTIONAL_TEXT else type(getattr(state, item.name))
        if type(value) is expected:
            setattr(state, item.name, value)
    return state


def save_window_state(state: WindowState, path: Path | None = None) -> None:
    """Write the state atomically (temp file, then ``os.replace``)."""
    write_atomically(path or state_file(), json.dumps(asdict(state), indent=2))
