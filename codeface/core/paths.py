"""Where CodeFace keeps its files: platformdirs, or everything under ``CODEFACE_HOME``.

``CODEFACE_HOME`` (for tests and portable installs) puts data, config, cache and logs in
one folder. Nothing here creates folders at import time; `ensure()` does on request.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

APP_NAME = "codeface"


@dataclass(frozen=True)
class AppPaths:
    """The folders CodeFace writes to."""

    data: Path
    config: Path
    cache: Path
    logs: Path

    @property
    def database(self) -> Path:
        """The SQLite database with sessions and messages."""
        return self.data / "codeface.db"

    @property
    def settings_file(self) -> Path:
        """The TOML settings file."""
        return self.config / "settings.toml"

    @property
    def log_file(self) -> Path:
        """The rotating log file a user attaches to a bug report."""
        return self.logs / "codeface.log"

    def ensure(self) -> AppPaths:
        """Create the folders (user-only permissions) and return self."""
        for folder in (self.data, self.config, self.cache, self.logs):
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        return self


def app_paths() -> AppPaths:
    """The paths in force now (reads ``CODEFACE_HOME`` each call)."""
    home = os.environ.get("CODEFACE_HOME")
    if home:
        root = Path(home).expanduser()
        return AppPaths(root / "data", root / "config", root / "cache", root / "logs")
    import platformdirs

    return AppPaths(
        Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)),
        Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)),
        Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False)),
        Path(platformdirs.user_log_dir(APP_NAME, appauthor=False)),
    )


def resource_root() -> Path:
    """The folder holding ``resources/`` and ``themes/`` (the bundle root when frozen)."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root)
    return Path(__file__).resolve().parents[2]


def resource_path(*parts: str) -> Path:
    """A file under ``resources/``."""
    return resource_root().joinpath("resources", *parts)


def themes_dir() -> Path:
    """The bundled ``themes/`` folder."""
    return resource_root() / "themes"
