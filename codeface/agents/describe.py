"""Tool calls in words, for cards, progress panels, approvals and the audit trail."""

from __future__ import annotations

from typing import Any

from codeface.core.messages import ToolCall


def _quote(text: str, limit: int = 80) -> str:
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _lines(text: Any) -> int:
    return str(text).count("\n") + 1 if text else 0


def describe_call(call: ToolCall, project_name: str = "the project") -> str:
    """``read src/app.py lines 1–80``, ``run `pytest -q` in myproject``…"""
    args = call.arguments
    path = str(args.get("path", "") or "")
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
            return f"search for `{_quote(args.get('pattern', ''), 60)}`{where}"
        case "repo_map":
            return "map the project's files and symbols"
        case "edit_file":
            old, new = _lines(args.get("old_text")), _lines(args.get("new_text"))
            return f"edit {path} (replace {old} line{'s' * (old != 1)} with {new})"
        case "write_file":
            count = _lines(args.get("content"))
            return f"write {path} ({count} line{'s' * (count != 1)})"
        case "run_command":
            return f"run `{_quote(args.get('command', ''))}` in {project_name}"
        case "ask_user":
            return f"ask: {_quote(args.get('question', ''))}"
        case "remember":
            return f"remember: {_quote(args.get('note', ''))}"
        case _:
            return f"{call.name}({_quote(', '.join(f'{k}={v!r}' for k, v in args.items()))})"
