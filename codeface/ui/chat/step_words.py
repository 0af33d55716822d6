"""A stored tool call said in words, for the cards of a session loaded from the store.

Live events carry the engine's own description; a message loaded with `load_branch`
carries only the call (name and arguments), so the card builds the same kind of words
here ("read src/app.py lines 1–80", "run `pytest -q`"). Pure Python, no Qt.
"""

from __future__ import annotations

from typing import Any, Literal

from codeface.core.messages import ToolCall

StepKind = Literal["read", "edit", "command", "question", "memory"]

_KINDS: dict[str, StepKind] = {
    "edit_file": "edit",
    "write_file": "edit",
    "run_command": "command",
    "ask_user": "question",
    "remember": "memory",
}


def step_kind(tool: str) -> StepKind:
    """What kind of step a tool is (anything unknown reads)."""
    return _KINDS.get(tool, "read")


def _short(text: Any, limit: int = 80) -> str:
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _count(text: Any, noun: str = "line") -> str:
    number = str(text).count("\n") + 1 if text else 0
    return f"{number} {noun}{'' if number == 1 else 's'}"


def describe_step(call: ToolCall) -> str:
    """The call in a few words a person reads on a card."""
    args = call.arguments
    path = str(args.get("path") or "")
    match call.name:
        case "read_file":
            start, end = args.get("start_line"), args.get("end_line")
            if start or end:
                return f"read {path} lines {start or 1}–{end or 'end'}"
            return f"read {path}"
        case "list_dir":
            return f"list {path.rstrip('/') + '/' if path else 'the project root'}"
        case "search":
            where = f" in {path}" if path else ""
            return f"search for `{_short(args.get('pattern', ''), 60)}`{where}"
        case "repo_map":
            return "map the project's files and symbols"
        case "edit_file":
            return (
                f"edit {path} (replace {_count(args.get('old_text'))} "
                f"with {_count(args.get('new_text')).split()[0]})"
            )
        case "write_file":
            return f"write {path} ({_count(args.get('content'))})"
        case "run_command":
            return f"run `{_short(args.get('command', ''))}`"
        case "ask_user":
            return f"ask: {_short(args.get('question', ''))}"
        case "remember":
            return f"remember: {_short(args.get('note', ''))}"
        case _:
            listed = ", ".join(f"{key}={value!r}" for key, value in args.items())
            return f"{call.name}({_short(listed)})"


def touched_path(call: ToolCall) -> str:
    """The project file a call reads or changes ("" when it names none)."""
    if call.name in ("read_file", "edit_file", "write_file"):
        return str(call.arguments.get("path") or "")
    return ""


def first_line(call: ToolCall) -> int:
    """The line a card opens its file at (the first line read, else 1)."""
    start = call.arguments.get("start_line") if call.name == "read_file" else None
    return start if isinstance(start, int) and start > 0 else 1
