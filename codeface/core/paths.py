"""Where CodeFace keeps its files: platformdirs, or everything under ``CODEFACE_HOME``.

``CODEFACE_HOME`` (for tests and portable installs) puts data, config, cache and logs in
one folder. Nothing here creates folders at import time; `ensure()` does on request, and
makes each of the four private to the user (0700), tightening any that an older version
left readable by others.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from codeface.core.errors import ConfigError

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
        """Create the folders (user-only permissions) and return self.

        Raises `ConfigError` when one cannot be made (``CODEFACE_HOME`` is a file, a
        read-only disk), naming the folder.
        """
        for folder in (self.data, self.config, self.cache, self.logs):
            make_private_folder(folder)
        return self


def make_private_folder(folder: Path) -> None:
    """Create ``folder`` readable only by this user, or make an existing one so (0700)."""
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not folder.is_dir():
            raise NotADirectoryError(f"{folder} is not a folder")
    except OSError as error:
        message, hint = _folder_problem(folder, error)
        raise ConfigError(message, hint=hint) from error
    make_private(folder, 0o700)


def make_private(path: Path, mode: int = 0o600) -> None:
    """Remove group and other permissions from ``path`` (best effort; POSIX only)."""
    if os.name != "posix":
        return
    try:
        if path.stat().st_mode & 0o077:
            path.chmod(mode)
    except OSError:
        pass  # not ours to change (a shared folder): it keeps its permissions


def _folder_problem(folder: Path, error: OSError) -> tuple[str, str]:
    home = os.environ.get("CODEFACE_HOME")
    if home:
        root = Path(home).expanduser()
        if root.exists() and not root.is_dir():
            return (
                f"CODEFACE_HOME={home} is a file, not a folder",
                "Point CODEFACE_HOME at a folder (it is created if missing), or unset it.",
            )
    reason = error.strerror or str(error)
    return (
        f"Cannot create the folder {folder}: {reason}",
        "Check that it is writable, or set CODEFACE_HOME to a folder that is.",
    )


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
