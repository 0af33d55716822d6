"""Printing an answer's events in a terminal: text to stdout, everything else to stderr."""

from __future__ import annotations

from typing import TextIO

from codeface.core.events import (
    AnswerStats,
    ProviderSwitched,
    Retrying,
    TextDelta,
    ToolCallRequested,
    TurnDone,
    TurnFailed,
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
        self._ends_with_newline = True

    def show(self, event: object) -> None:
        """Print one event."""
        if isinstance(event, TextDelta):
            self.out.write(event.text)
            self.out.flush()
            self._ends_with_newline = event.text.endswith("\n")
        elif isinstance(event, Retrying):
            self._note(f"{event.reason}; retrying in {event.delay:.1f} s")
        elif isinstance(event, ProviderSwitched):
            self._note(event.reason)
        elif isinstance(event, ToolCallRequested):
            self._note(f"the model asked for tool {event.call.name}({event.call.arguments})")
        elif isinstance(event, TurnDone):
            self._finish_line()
            self._note(stats_line(event.stats))
            if event.stats.finish_reason == "length":
                self._note("the answer hit the length limit")
        elif isinstance(event, TurnFailed):
            self._finish_line()
            if event.partial_text:
                self._note("the answer above is incomplete")
            self._note(event.error.one_line())
            self.exit_code = event.error.exit_code

    def _finish_line(self) -> None:
        if not self._ends_with_newline:
            self.out.write("\n")
            self.out.flush()
            self._ends_with_newline = True

    def _note(self, text: str) -> None:
        self._finish_line()
        print(f"codeface: {text}", file=self.err, flush=True)
