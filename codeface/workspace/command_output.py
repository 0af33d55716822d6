"""What an agent's command sees and leaves behind: a clean environment and its output, cut.

The environment is ours minus every credential: provider keys (``ANTHROPIC_API_KEY``,
``OPENAI_API_KEY``, ``*_API_KEY``, tokens), anything named ``CODEFACE_*KEY*`` or
``CODEFACE_*SECRET*``, and any variable whose *value* is one of those secrets or a key
CodeFace holds (so a key copied into ``MY_TOKEN`` does not leak either). Pagers are
``cat`` and prompts fail, since nobody can answer them.

Output is decoded incrementally (invalid UTF-8 becomes U+FFFD), stripped of terminal
escape sequences, and kept as a head and a tail: the model sees the start and the end of
a long log with the cut marked, and memory stays bounded whatever the command prints.
"""

from __future__ import annotations

import codecs
import os
import re
from collections.abc import Iterable, Mapping

from codeface.terminal.pty_session import clean_environment, is_secret_name

HEAD_CHARS = 8_000
TAIL_CHARS = 8_000
_MIN_SECRET_LENGTH = 8

_ESCAPE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI: colours, cursor movement
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"  # OSC: titles, links
    r"|\x1b[PX^_][^\x1b]*\x1b\\"  # DCS, SOS, PM, APC
    r"|\x1b[@-Z\\-_]"  # two-character escapes
    r"|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"  # other control characters (not \t \n \r)
)
# An escape sequence that may continue in the next chunk.
_UNFINISHED = re.compile(r"\x1b(?:\[[0-?]*[ -/]*|\][^\x07\x1b]*|[PX^_][^\x1b]*|\x1b?)?$")


def _is_codeface_secret(name: str) -> bool:
    upper = name.upper()
    return upper.startswith("CODEFACE_") and (
        "KEY" in upper or "SECRET" in upper or "TOKEN" in upper
    )


def command_environment(
    base: Mapping[str, str] | None = None, secrets: Iterable[str] = ()
) -> dict[str, str]:
    """The environment for an agent's command: ``base`` (default ours) minus credentials.

    ``secrets`` are further values (keys from the keyring) that no variable may carry.
    """
    source = dict(os.environ if base is None else base)
    values = {value for value in secrets if len(value) >= _MIN_SECRET_LENGTH}
    for name, value in source.items():
        if (is_secret_name(name) or _is_codeface_secret(name)) and len(value) >= _MIN_SECRET_LENGTH:
            values.add(value)
    env = clean_environment(
        {
            name: value
            for name, value in source.items()
            if not is_secret_name(name)
            and not _is_codeface_secret(name)
            and not any(secret in value for secret in values)
        }
    )
    env.pop("COLORTERM", None)
    env.update(
        {
            "TERM": "dumb",
            "NO_COLOR": "1",
            "PAGER": "cat",
            "GIT_PAGER": "cat",
            "GIT_TERMINAL_PROMPT": "0",
            "CODEFACE_AGENT": "1",
        }
    )
    return env


class OutputCollector:
    """Decodes, cleans and keeps a command's output as a head and a tail."""

    def __init__(self, head_chars: int = HEAD_CHARS, tail_chars: int = TAIL_CHARS) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._head_chars = head_chars
        self._tail_chars = tail_chars
        self._head: list[str] = []
        self._head_size = 0
        self._tail = ""
        self._pending = ""
        self.total_chars = 0
        self.total_lines = 0

    def feed(self, data: bytes, *, final: bool = False) -> str:
        """Take raw output; return the clean text it adds (for live display)."""
        text = self._pending + self._decoder.decode(data, final=final)
        self._pending = ""
        if not final:
            unfinished = _UNFINISHED.search(text)
            if unfinished is not None and unfinished.group(0):
                self._pending = unfinished.group(0)
                text = text[: unfinished.start()]
        clean = _ESCAPE.sub("", text.replace("\r\n", "\n"))
        clean = _carriage_returns(clean)
        self._keep(clean)
        return clean

    def _keep(self, text: str) -> None:
        if not text:
            return
        self.total_chars += len(text)
        self.total_lines += text.count("\n")
        room = self._head_chars - self._head_size
        if room > 0:
            self._head.append(text[:room])
            self._head_size += min(room, len(text))
            text = text[room:]
        if text:
            self._tail = (self._tail + text)[-self._tail_chars :]

    @property
    def cut(self) -> bool:
        """True when the middle of the output was left out."""
        return self.total_chars > self._head_chars + self._tail_chars

    def text(self) -> str:
        """The output for the model: all of it, or head + a marked cut + tail."""
        head = "".join(self._head)
        if not self.cut:
            return head + self._tail
        left_out = self.total_chars - len(head) - len(self._tail)
        marker = f"\n[… {left_out:,} characters of output cut here …]\n"
        return head + marker + self._tail


def _carriage_returns(text: str) -> str:
    """A progress bar's ``\\r`` redraws collapsed to the last state of each line."""
    if "\r" not in text:
        return text
    lines = [line.rstrip("\r") for line in text.split("\n")]
    return "\n".join(line.rsplit("\r", 1)[-1] for line in lines)
