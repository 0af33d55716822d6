"""Helpers shared by the headless commands: safe printing, notices, settings, running a coroutine.

Everything the CLI prints that came from outside (answers, titles, model names, search
snippets) goes through `terminal_safe`: terminal control sequences are made visible instead
of acted on. Messages (errors, notices) go through `message_safe`, which also redacts API
keys, as the log does. Writing to stdout goes
through `guarded_write`, so a reader that went away (``| head``) or a full disk ends the
output, never the work (an answer still streams into the store whole).
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import os
import re
import sys
from collections.abc import Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from codeface.core.errors import CodefaceError, ConfigError

if TYPE_CHECKING:
    from codeface.core.settings import SettingsReport

# C0 controls but tab and newline, DEL, C1 controls (U+0080-U+009F, 8-bit CSI/OSC), bidi
# overrides and isolates (text that displays in another order than it reads), and lone
# surrogates (undecodable bytes, which cannot be written as UTF-8).
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def _visible(match: re.Match[str]) -> str:
    character = match.group()
    code = ord(character)
    if code < 0x20:
        return "^" + chr(code + 0x40)  # ESC → ^[, BEL → ^G, as `cat -v` shows them
    if code == 0x7F:
        return "^?"
    if 0xD800 <= code <= 0xDFFF:
        return "\ufffd"
    return f"<U+{code:04X}>"


def terminal_safe(text: str) -> str:
    """``text`` fit for a terminal: control sequences made visible, not obeyed.

    Newlines, tabs and ordinary Unicode (accents, CJK, emoji) are kept; ``\\r\\n`` becomes
    ``\\n``; ``ESC[2J`` prints as ``^[[2J`` and clears nothing.
    """
    return _UNSAFE.sub(_visible, text.replace("\r\n", "\n"))


def message_safe(text: str) -> str:
    """An error or notice fit for a terminal: `terminal_safe`, with API keys redacted."""
    from codeface.core.logs import redact

    return terminal_safe(redact(text))


def notice(text: str, stream: TextIO | None = None) -> None:
    """A one-line notice on stderr (never mixed into an answer on stdout)."""
    target = stream or sys.stderr
    with contextlib.suppress(OSError, ValueError):  # stderr is gone too: nothing to tell
        print(f"codeface: {message_safe(text)}", file=target, flush=True)


def warn_settings(report: SettingsReport) -> None:
    """One warning line on stderr per settings problem, naming the key and the file."""
    for problem in report.problems:
        notice(f"warning: settings: {problem.one_line()}")


def read_app_settings() -> SettingsReport:
    """The settings file checked (problems printed as warnings); never raises."""
    from codeface.core.paths import app_paths
    from codeface.core.settings import read_settings

    report = read_settings(app_paths().settings_file)
    warn_settings(report)
    return report


def silence_stdout() -> None:
    """Point stdout at the null device, so that Python's flush at exit cannot fail again."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)
    except (OSError, ValueError, AttributeError):
        pass  # no real file descriptor (a test's StringIO): nothing is flushed at exit


def output_failure(error: OSError) -> CodefaceError | None:
    """None for a reader that went away (EPIPE: not worth a word); else the error to show."""
    silence_stdout()
    if isinstance(error, BrokenPipeError) or error.errno == errno.EPIPE:
        return None
    return CodefaceError(
        f"Cannot write to the output: {error.strerror or error}",
        hint="Free some space or write somewhere else (codeface … > file).",
    )


def guarded_write(stream: TextIO, text: str) -> OSError | None:
    """Write and flush; the `OSError` instead of raising it (the caller stops writing)."""
    try:
        stream.write(text)
        stream.flush()
    except OSError as error:
        return error
    return None


class WatchedOutput:
    """Stands in for stdout and remembers the error of a failed write or flush.

    Lets the CLI tell "stdout went away" from any other `OSError` a command raises.
    """

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.failure: OSError | None = None

    def write(self, text: str) -> int:
        """Write to the real stream."""
        try:
            return self.stream.write(text)
        except OSError as error:
            self.failure = error
            raise

    def flush(self) -> None:
        """Flush the real stream."""
        try:
            self.stream.flush()
        except OSError as error:
            self.failure = error
            raise

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


def check_environment(names: tuple[str, ...] = ("OLLAMA_HOST",)) -> None:
    """Refuse an address in the environment that no client could use, naming the variable."""
    from codeface.core.setting_checks import is_ollama_host, is_web_address

    checks = {
        "OLLAMA_HOST": (is_ollama_host, "an Ollama address: host, host:port or http://host:port"),
        "ANTHROPIC_BASE_URL": (is_web_address, "an http:// or https:// address"),
        "OPENAI_BASE_URL": (is_web_address, "an http:// or https:// address"),
    }
    for name in names:
        value = os.environ.get(name)
        accepts, wanted = checks[name]
        if value and not accepts(value):
            raise ConfigError(f"{name}={value!r} is not {wanted}", hint=f"Fix {name}, or unset it.")


def check_text_arguments(args: argparse.Namespace) -> None:
    """Refuse an argument that is not valid UTF-8 (Python keeps its bytes as surrogates).

    Paths are left alone: a file name may be any bytes.
    """
    for name, value in vars(args).items():
        values = value if isinstance(value, list) else [value]
        for item in values:
            if isinstance(item, str) and not isinstance(item, Path):
                _check_utf8(item, f"the {name.replace('_', ' ')} argument")


def _check_utf8(text: str, what: str) -> None:
    for index, character in enumerate(text):
        if "\ud800" <= character <= "\udfff":
            byte = ord(character) - 0xDC00 if ord(character) >= 0xDC80 else None
            shown = f" (byte 0x{byte:02x} at character {index + 1})" if byte is not None else ""
            raise ConfigError(
                f"{what.capitalize()} is not valid UTF-8 text{shown}",
                hint="Pass text encoded as UTF-8 (check the terminal's or file's encoding).",
            )


def decode_input(data: bytes, what: str) -> str:
    """Bytes read from stdin or a file as UTF-8, or a `ConfigError` saying where it breaks."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ConfigError(
            f"{what.capitalize()} is not valid UTF-8 text (byte 0x{data[error.start]:02x} at "
            f"offset {error.start})",
            hint="Convert it to UTF-8 first, e.g. with iconv.",
        ) from error


async def warn_read_problems(store: Any) -> None:
    """One warning line per stored value the store had to read around (a bad byte, a bad
    date): the output is complete, but the user should know."""
    for problem in await store.take_problems():
        notice(f"warning: {problem.message()}")


def run_async(coroutine: Coroutine[Any, Any, int]) -> int:
    """Run a command's coroutine on a fresh event loop and return its exit code."""
    import asyncio

    return asyncio.run(coroutine)


def human_bytes(size: float | None) -> str:
    """1536 → '1.5 KB'; None → '?'."""
    if size is None:
        return "?"
    for unit in ("B", "KB", "MB", "GB"):
        if abs(size) < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GB"  # pragma: no cover
