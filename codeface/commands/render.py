"""Printing an answer's events in a terminal: text to stdout, everything else to stderr.

Everything printed passes `terminal_safe` (a model's escape sequences are shown, not
obeyed); notes on stderr also have API keys redacted. A stdout that fails (a closed pipe, a full disk) stops the printing only: the
caller keeps consuming the events, so the answer is still stored whole, and reads
`output_error` afterwards.
"""

from __future__ import annotations

from typing import TextIO, assert_never

from codeface.agents.events import (
    AgentTurnDone,
    ApprovalGiven,
    ApprovalRequested,
    CheckpointSaved,
    CommandOutput,
    QuestionAsked,
    StepStarted,
    ToolCallFinished,
    ToolCallStarted,
)
from codeface.application.contract import ConversationEvent, MessageSaved
from codeface.commands.common import guarded_write, message_safe, terminal_safe
from codeface.core.events import (
    AnswerStats,
    Finished,
    Notice,
    Progress,
    ProviderSwitched,
    Retrying,
    TextDelta,
    ThinkingDelta,
    ToolCallRequested,
    TurnDone,
    TurnFailed,
    TurnStarted,
    Usage,
)


def stats_line(stats: AnswerStats) -> str:
    """'qwen2.5-coder:7b · ollama@127.0.0.1:11434 · 120 tokens · 45.1 tok/s · $0.0000'."""
    parts = [stats.model, stats.provider]
    if stats.output_tokens is not None:
        parts.append(f"{stats.input_tokens or 0} in / {stats.output_tokens} out tokens")
    if stats.tokens_per_second:
        parts.append(f"{stats.tokens_per_second:.1f} tok/s")
    if stats.time_to_first_token is not None:
        parts.append(f"first token {stats.time_to_first_token * 1000:.0f} ms")
    if stats.cost_usd is not None:
        parts.append(f"${stats.cost_usd:.4f}")
    return " · ".join(parts)


class StreamPrinter:
    """Shows one turn's events as they arrive and remembers the exit code."""

    def __init__(self, out: TextIO, err: TextIO) -> None:
        self.out = out
        self.err = err
        self.exit_code = 0
        self.output_error: OSError | None = None
        self._ends_with_newline = True
        self._held_return = False  # a "\r" that may be the first half of "\r\n"

    def show(self, event: ConversationEvent) -> None:
        """Print one event (events only the window shows are passed over)."""
        match event:
            case TextDelta():
                self._write_answer(event.text)
            case Retrying():
                self._note(f"{event.reason}; retrying in {event.delay:.1f} s")
            case ProviderSwitched():
                self._note(event.reason)
            case Progress():
                self._note(event.status)
            case Notice():
                self._note(event.text)
            case ToolCallRequested():
                self._note(f"the model asked for tool {event.call.name}({event.call.arguments})")
            case TurnDone():
                self._finish_line()
                self._note(stats_line(event.stats))
                if event.stats.finish_reason == "length":
                    self._note("the answer hit the length limit")
            case TurnFailed():
                self._finish_line()
                if event.partial_text:
                    self._note("the answer above is incomplete")
                self._note(event.error.one_line())
                self.exit_code = event.error.exit_code
            case ThinkingDelta() | Usage() | Finished() | TurnStarted() | MessageSaved():
                pass
            case (
                StepStarted()
                | ToolCallStarted()
                | ApprovalRequested()
                | ApprovalGiven()
                | QuestionAsked()
                | CommandOutput()
                | CheckpointSaved()
                | ToolCallFinished()
                | AgentTurnDone()
            ):
                pass  # agent turns are printed by `agent_render.AgentPrinter`
            case _:
                assert_never(event)

    def _write_answer(self, text: str) -> None:
        if not text:
            return
        if self._held_return:
            text = "\r" + text
        self._held_return = text.endswith("\r")
        if self._held_return:
            text = text[:-1]
        if text:
            self._write(terminal_safe(text))
            self._ends_with_newline = text.endswith("\n")

    def _write(self, text: str) -> None:
        if self.output_error is None:
            self.output_error = guarded_write(self.out, text)

    def _finish_line(self) -> None:
        if self._held_return:
            self._held_return = False
            self._write(terminal_safe("\r"))
            self._ends_with_newline = False
        if not self._ends_with_newline:
            self._write("\n")
            self._ends_with_newline = True

    def _note(self, text: str) -> None:
        self._finish_line()
        guarded_write(self.err, f"codeface: {message_safe(text)}\n")
