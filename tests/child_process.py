"""Run a Python snippet in a fresh interpreter (imports and start-up are per process) and
read the JSON object its last line prints."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_json_child(
    code: str, *args: str, env: Mapping[str, str] | None = None, timeout: float = 60
) -> dict[str, object]:
    """``python -c code args…`` in the repository root; fails the test with the child's
    stderr when it exits with an error."""
    result = subprocess.run(
        [sys.executable, "-c", code, *args],
        env=None if env is None else dict(env),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    seen: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
    return seen
