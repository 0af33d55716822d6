"""Running the real ``python -m codeface`` as a child process, for the hostile-input tests.

Each run gets the test's own ``CODEFACE_HOME`` (set by the autouse fixture), a keyring
that fails (a headless machine: keys come from the environment or the key file), and no
inherited API keys or Ollama host (the fixture stripped them).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Run:
    """What one ``codeface`` process did."""

    code: int
    out: bytes
    err: str

    @property
    def text(self) -> str:
        """Stdout as text."""
        return self.out.decode("utf-8")

    @property
    def error_lines(self) -> list[str]:
        """The non-empty lines on stderr."""
        return [line for line in self.err.splitlines() if line.strip()]


def child_environment(**extra: str) -> dict[str, str]:
    """The environment for a child ``codeface``: this test's, a failing keyring, ``extra``."""
    environment = dict(os.environ)
    environment["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    environment.update(extra)
    return environment


def codeface(
    *args: str | bytes,
    stdin: bytes = b"",
    stdout: int | IO[Any] = subprocess.PIPE,
    env: Mapping[str, str] | None = None,
    **variables: str,
) -> Run:
    """Run ``python -m codeface ARGS`` to the end, with ``env`` and ``variables`` set."""
    result = subprocess.run(
        [sys.executable, "-m", "codeface", *args],
        input=stdin,
        stdout=stdout,
        stderr=subprocess.PIPE,
        cwd=ROOT,
        env=child_environment(**{**(env or {}), **variables}),
        timeout=120,
        check=False,
    )
    out = result.stdout if isinstance(result.stdout, bytes) else b""
    return Run(result.returncode, out, result.stderr.decode("utf-8", "replace"))


def start_codeface(*args: str, stdout: int | IO[Any], **env: str) -> subprocess.Popen[bytes]:
    """Start ``python -m codeface ARGS`` (the caller waits for it)."""
    return subprocess.Popen(
        [sys.executable, "-m", "codeface", *args],
        stdin=subprocess.DEVNULL,
        stdout=stdout,
        stderr=subprocess.PIPE,
        cwd=ROOT,
        env=child_environment(**env),
    )


def stored_sessions(**variables: str) -> list[dict[str, Any]]:
    """Every session in the store, as ``codeface sessions export --all --format json`` has it."""
    run = codeface("sessions", "export", "--all", "--format", "json", env=variables)
    assert run.code == 0, run.err
    sessions: list[dict[str, Any]] = json.loads(run.out)["sessions"]
    return sessions


def answers(**variables: str) -> list[dict[str, Any]]:
    """Every stored assistant message, oldest first."""
    return [
        message
        for session in stored_sessions(**variables)
        for message in session["messages"]
        if message["role"] == "assistant"
    ]


def assert_one_line_error(run: Run, code: int, *words: str) -> None:
    """The run failed with ``code`` and one line on stderr holding ``words``, no traceback."""
    assert run.code == code, run.err
    assert "Traceback" not in run.err, run.err
    assert len(run.error_lines) == 1, run.err
    for word in words:
        assert word in run.err, run.err
