"""Logging to a rotating file in the logs folder, with API keys redacted everywhere.

The log is what a user attaches to a bug report, so every record passes through
`redact()` before it is written, to the file or (with ``--verbose``) to stderr.
"""

from __future__ import annotations

import logging
import re
import sys

from codeface.core.paths import app_paths

_KEY_PATTERNS = (
    re.compile(r"sk-ant-[A-Za-z0-9_\-]{8,}"),
    re.compile(r"sk-(?:proj-)?[A-Za-z0-9_\-]{16,}"),
    re.compile(r"(?i)(authorization\s*[:=]\s*bearer\s+)[^\s'\"]+"),
    re.compile(r"(?i)(x-api-key\s*[:=]\s*)[^\s'\"]+"),
    re.compile(r"(?i)((?:api[_-]?key|token|secret)[\"']?\s*[:=]\s*[\"']?)[^\s'\",}]{6,}"),
)
_known_secrets: set[str] = set()


def register_secret(value: str) -> None:
    """Make sure this exact value is redacted from every later log line."""
    if len(value) >= 6:
        _known_secrets.add(value)


def redact(text: str) -> str:
    """Replace anything shaped like an API key (or a registered secret) with ``[REDACTED]``."""
    for secret in _known_secrets:
        text = text.replace(secret, "[REDACTED]")
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


def setup_logging(*, verbose: bool = False) -> None:
    """Log to the rotating file (5 × 1 MB); mirror to stderr when ``verbose``."""
    import logging.handlers

    root = logging.getLogger()
    held = [handler for handler in root.handlers if isinstance(handler, _HeldRecords)]
    for handler in held:
        root.removeHandler(handler)
    if any(getattr(handler, "_codeface", False) for handler in root.handlers):
        return
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    formatter = RedactingFormatter(_FORMAT)
    try:
        paths = app_paths()
        paths.logs.mkdir(parents=True, exist_ok=True)
        file_handler: logging.Handler = logging.handlers.RotatingFileHandler(
            paths.log_file, maxBytes=1_000_000, backupCount=5, encoding="utf-8"
        )
    except OSError as error:
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
