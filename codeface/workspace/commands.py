"""Running an agent's shell command in the project: tmux when there is one, else a pty.

In tmux the command is visible to the user, live, in the project session's agent window
(`tmux_runner`); without tmux it runs on a private pty (`pty_runner`). Either way it
starts in the project root with CodeFace's keys removed from its environment
(`command_output.command_environment`), is killed with its whole process group when it
runs past its timeout or the turn is cancelled, and comes back as a `CommandResult`
whose output is cut to a head and a tail for the model.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from codeface.core.errors import WorkspaceError
from codeface.terminal.tmux import TmuxController, TmuxMissing
from codeface.workspace.command_output import OutputCollector, command_environment
from codeface.workspace.pty_runner import RunOutcome, run_in_pty
from codeface.workspace.tmux_runner import run_in_tmux

RanIn = Literal["tmux", "pty"]
TerminalChoice = Literal["auto", "tmux", "pty"]
MAX_TIMEOUT_S = 3600.0


@dataclass(frozen=True)
class CommandResult:
    """How a command went.

    ``exit_code`` is None when it was killed for running past ``timeout_s``
    (``timed_out``); negative when a signal ended it. ``output`` is stdout and stderr
    together, escape sequences removed, cut in the middle (marked) when long;
    ``output_cut`` says so. ``location`` says where it ran, for the user.
    """

    command: str
    exit_code: int | None
    output: str
    output_cut: bool
    timed_out: bool
    duration_s: float
    ran_in: RanIn
    location: str
    cwd: str


def tmux_usable(controller: TmuxController) -> bool:
    """True when tmux 3.2 or newer is installed."""
    try:
        controller.check()
    except TmuxMissing:
        return False
    return True


async def run_command(
    root: Path,
    command: str,
    *,
    timeout_s: float,
    on_output: Callable[[str], None] | None,
    terminal: TerminalChoice,
    controller: TmuxController,
    secrets: Iterable[str] = (),
) -> CommandResult:
    """Run ``command`` in ``root``; ``on_output`` gets clean text chunks as they arrive."""
    if not command.strip():
        raise WorkspaceError("The command is empty", hint="Give the shell command to run.")
    if "\x00" in command:
        raise WorkspaceError("The command contains a NUL byte")
    if not 0 < timeout_s <= MAX_TIMEOUT_S:
        raise WorkspaceError(f"timeout_s must be between 0 and {MAX_TIMEOUT_S:.0f} seconds")
    env = command_environment(secrets=secrets)
    env["PWD"] = str(root)
    collector = OutputCollector()

    def deliver(data: bytes) -> None:
        text = collector.feed(data)
        if text and on_output is not None:
            on_output(text)

    use_tmux = terminal == "tmux" or (
        terminal == "auto" and await asyncio.to_thread(tmux_usable, controller)
    )
    started = time.monotonic()
    outcome: RunOutcome
    if use_tmux:
        outcome = await run_in_tmux(controller, root, command, env, timeout_s, deliver)
    else:
        outcome = await run_in_pty(command, root, env, timeout_s, deliver)
    tail = collector.feed(b"", final=True)
    if tail and on_output is not None:
        on_output(tail)
    return CommandResult(
        command=command,
        exit_code=outcome.exit_code,
        output=collector.text(),
        output_cut=collector.cut,
        timed_out=outcome.timed_out,
        duration_s=time.monotonic() - started,
        ran_in="tmux" if use_tmux else "pty",
        location=outcome.location,
        cwd=str(root),
    )
