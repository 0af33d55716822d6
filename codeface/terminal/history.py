"""Recent commands and their exit statuses, offered to the chat as context — opt-in.

Off by default (``[terminal] share_history_with_chat``): nothing is recorded until the
user consents. Sources: commands run through `TmuxController.run_and_wait` (its
``on_command`` hook) and OSC 133;D marks printed by the shell hook in `shell_hook_env`
inside CodeFace's own terminals. Kept in memory only, never written to disk.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass

# bash: after each command, print OSC 133;D;<status>;<command> (FinalTerm/iTerm2 marks).
_BASH_HOOK = (
    "__cf_status=$?; printf '\\033]133;D;%s;%s\\007' \"$__cf_status\" "
    "\"$(HISTTIMEFORMAT= history 1 | sed 's/^ *[0-9]*[* ]*//')\"; "
)


@dataclass(frozen=True)
class CommandRecord:
    """One finished command: where it ran, what it was, how it ended."""

    where: str
    command: str
    exit_status: int | None
    finished_at: float


class CommandHistory:
    """A bounded list of recent commands, recording only while ``enabled``."""

    def __init__(self, enabled: bool = False, limit: int = 50) -> None:
        self.enabled = enabled
        self._records: deque[CommandRecord] = deque(maxlen=limit)

    def record(self, where: str, command: str, exit_status: int | None) -> None:
        """Remember a finished command (ignored while disabled or for empty commands)."""
        if self.enabled and command.strip():
            self._records.append(CommandRecord(where, command.strip(), exit_status, time.time()))

    def recent(self, count: int = 10) -> list[CommandRecord]:
        """The last ``count`` records, oldest first (empty while disabled)."""
        if not self.enabled:
            return []
        return list(self._records)[-count:]

    def clear(self) -> None:
        """Forget everything (also done when the user withdraws consent)."""
        self._records.clear()

    def set_enabled(self, enabled: bool) -> None:
        """Give or withdraw consent; withdrawing forgets what was recorded."""
        self.enabled = enabled
        if not enabled:
            self.clear()

    def as_context(self, count: int = 10) -> str:
        """The recent commands as a short text block for the composer ("" if none)."""
        lines = []
        for item in self.recent(count):
            status = "timed out" if item.exit_status is None else f"exit {item.exit_status}"
            lines.append(f"[{item.where}] $ {item.command}  ({status})")
        return "Recent terminal commands:\n" + "\n".join(lines) if lines else ""


def shell_hook_env(shell: str, existing_prompt_command: str = "") -> dict[str, str]:
    """Environment additions that make bash report each command (empty for other shells).

    Used only when the user enabled history sharing.
    """
    if not shell.endswith("bash"):
        return {}
    return {"PROMPT_COMMAND": _BASH_HOOK + existing_prompt_command}
