"""Replace a file in one step: a reader sees the old text or the new, never half of either."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomically(
    path: Path, text: str, *, keep_mode: bool = False, folder_mode: int = 0o777
) -> None:
    """Write ``text`` to a temporary file beside ``path``, flush it to disk, then rename it.

    The new file is readable only by this user (``mkstemp``'s 0600) unless ``keep_mode``
    keeps the permission bits of the file it replaces. A missing folder is created with
    ``folder_mode``. Newlines are written as given.
    """
    path.parent.mkdir(parents=True, exist_ok=True, mode=folder_mode)
    mode = path.stat().st_mode & 0o7777 if keep_mode and path.exists() else None
    handle, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        if mode is not None:
            os.chmod(temp_name, mode)
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
