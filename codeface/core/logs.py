"""Logging to a rotating file in the logs folder, with API keys redacted everywhere.

The log is what a user attaches to a bug report, so every record passes through
`redact()` before it is written, to the file or (with ``--verbose``) to stderr.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import sys
import threading
from collections.abc import Mapping
from io import TextIOWrapper
from pathlib import Path

from codeface.core.errors import CodefaceError
from codeface.core.paths import app_paths, make_private, make_private_folder

_KEY_PATTERNS = (
    re.compile(r"sk-ant-[A-Za-z0-9_\-]{8,}"),
    re.compile(r"sk-(?:proj-)?[A-Za-z0-9_\-]{16,}"),
    re.compile(r"(?i)(authorization\s*[:=]\s*bearer\s+)[^\s'\"]+"),
    re.compile(r"(?i)(x-api-key\s*[:=]\s*)[^\s'\"]+"),
    re.compile(r"(?i)((?:api[_-]?key|token|secret)[\"']?\s*[:=]\s*[\"']?)[^\s'\",}]{6,}"),
)
_MIN_BODY = 12
# "sk-", "sk-ant-api03-", "sk-proj-", "gsk_", "xai-": short words ending in - or _.
_KEY_PREFIX = re.compile(r"^[A-Za-z0-9]{1,5}[-_]")
_known_secrets: set[str] = set()
_secret_pattern: re.Pattern[str] | None = None
_secrets_lock = threading.Lock()


def key_body(value: str) -> str:
    """The distinctive part of a key: without its vendor prefix ("sk-ant-api03-", "sk-")."""
    body = value.strip()
    for _ in range(3):
        match = _KEY_PREFIX.match(body)
        if match is None or len(body) - match.end() < _MIN_BODY:
            break
        body = body[match.end() :]
    return body


def _distinctive(value: str) -> bool:
    """Long, or letters mixed with digits: a secret, not a placeholder like "ollama".

    Placeholder keys ("ollama", "not-needed", "sk-no-key-required") are common with local
    servers; redacting them would also blank every "Ollama" in a message.
    """
    if len(value) >= 16:
        return True
    mixed = any(c.isdigit() for c in value) and any(c.isalpha() for c in value)
    return len(value) >= 8 and mixed


def register_secret(value: str) -> None:
    """Redact this value from every later message, in any case and without its prefix.

    A server that echoes a key back (a 401 saying "Incorrect API key: ABC123…") often drops
    the "sk-" prefix or changes its case, so the key's body is what is matched.
    """
    global _secret_pattern
    value = value.strip()
    new = {secret.lower() for secret in (value, key_body(value)) if _distinctive(secret)}
    with _secrets_lock:
        if new <= _known_secrets:
            return
        _known_secrets.update(new)
        alternatives = sorted(_known_secrets, key=len, reverse=True)
        _secret_pattern = re.compile(
            "|".join(re.escape(secret) for secret in alternatives), re.IGNORECASE
        )


def register_environment_keys(environ: Mapping[str, str] | None = None) -> None:
    """Register the values of every ``*_API_KEY`` variable (they reach SDKs directly)."""
    for name, value in (os.environ if environ is None else environ).items():
        if name.upper().endswith(("_API_KEY", "_AUTH_TOKEN")) and value.strip():
            register_secret(value)


def redact(text: str) -> str:
    """Replace anything shaped like an API key (or a registered secret) with ``[REDACTED]``."""
    if _secret_pattern is not None:
        text = _secret_pattern.sub("[REDACTED]", text)
    for pattern in _KEY_PATTERNS:
        if pattern.groups:
            text = pattern.sub(lambda match: match.group(1) + "[REDACTED]", text)
        else:
            text = pattern.sub("[REDACTED]", text)
    return text


class RedactingFormatter(logging.Formatter):
    """A formatter whose output (message and traceback) has secrets removed."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class _HeldRecords(logging.Handler):
    """Keeps records logged before the log file is open; `setup_logging` writes them."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def hold_records() -> None:
    """Keep what is logged from now until `setup_logging` (which writes it to the file).

    Opening the log file costs start-up time (``logging.handlers`` and its imports), so the
    window opens it after its first paint; nothing logged before then is lost.
    """
    root = logging.getLogger()
    if not any(isinstance(handler, _HeldRecords) for handler in root.handlers):
        root.addHandler(_HeldRecords())
        root.setLevel(logging.DEBUG)  # `setup_logging` sets the real level and filters


def _private_file_handler(path: Path) -> logging.Handler:
    """A rotating file handler (5 × 1 MB) whose files are readable only by this user."""
    import logging.handlers

    def private_opener(name: str, flags: int) -> int:
        return os.open(name, flags, 0o600)

    class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
        def _open(self) -> TextIOWrapper:
            stream = open(  # noqa: SIM115 - the handler owns and closes it
                self.baseFilename,
                self.mode,
                encoding=self.encoding,
                errors=self.errors,
                opener=private_opener,
            )
            assert isinstance(stream, TextIOWrapper)
            return stream

    for existing in path.parent.glob(f"{path.name}*"):  # from a version that left them 0644
        make_private(existing)
    return PrivateRotatingFileHandler(path, maxBytes=1_000_000, backupCount=5, encoding="utf-8")


def setup_logging(*, verbose: bool = False) -> None:
    """Log to the rotating file (5 × 1 MB); mirror to stderr when ``verbose``.

    The data, config, cache and logs folders are made private to the user (0700) and the
    log files are 0600.
    """
    root = logging.getLogger()
    held = [handler for handler in root.handlers if isinstance(handler, _HeldRecords)]
    for handler in held:
        root.removeHandler(handler)
    if any(getattr(handler, "_codeface", False) for handler in root.handlers):
        return
    register_environment_keys()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    formatter = RedactingFormatter(_FORMAT)
    paths = app_paths()
    with contextlib.suppress(CodefaceError):  # the others are reported by who needs them
        paths.ensure()  # every folder of ours private, whoever writes to it first
    try:
        make_private_folder(paths.logs)
        file_handler = _private_file_handler(paths.log_file)
    except (OSError, CodefaceError) as error:
        print(f"codeface: cannot write the log file ({error}); logging to stderr", file=sys.stderr)
        file_handler = logging.StreamHandler(sys.stderr)
    file_handler.setFormatter(formatter)
    file_handler._codeface = True  # type: ignore[attr-defined]
    root.addHandler(file_handler)
    if verbose:
        stderr_handler = logging.StreamHandler(sys.stderr)
        stderr_handler.setFormatter(formatter)
        root.addHandler(stderr_handler)
    for noisy in ("httpx", "httpcore", "httpx2", "httpcore2"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    for record in (record for handler in held for record in handler.records):
        if record.levelno >= root.level:
            root.handle(record)
