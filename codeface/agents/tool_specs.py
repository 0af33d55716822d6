"""The tools an agent may call: names, JSON Schemas (sent natively to providers that take
tools) and what kind of action each is (which decides whether it asks first)."""

from __future__ import annotations

from typing import Any

from codeface.agents.events import ToolKind
from codeface.core.messages import ToolSpec


def _schema(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }


_PATH = {"type": "string", "description": "A path relative to the project root."}

TOOL_SPECS: tuple[ToolSpec, ...] = (
    ToolSpec(
        "read_file",
        "Read a text file of the project, optionally only some lines (1-based, inclusive).",
        _schema(
            {
                "path": _PATH,
                "start_line": {"type": "integer", "minimum": 1},
                "end_line": {"type": "integer", "minimum": 1},
            },
            ["path"],
        ),
    ),
    ToolSpec(
        "list_dir",
        "List a folder of the project (the root when no path is given), ignored files left out.",
        _schema({"path": _PATH}, []),
    ),
    ToolSpec(
        "search",
        "Search the project's files for a regular expression; returns path:line: text hits.",
        _schema(
            {
                "pattern": {"type": "string", "description": "A regular expression."},
                "path": _PATH,
            },
            ["pattern"],
        ),
    ),
    ToolSpec(
        "repo_map",
        "An overview of the project: its files and their main symbols, most referenced first.",
        _schema({}, []),
    ),
    ToolSpec(
        "edit_file",
        "Replace old_text with new_text in a file. old_text must appear exactly once; copy it "
        "exactly, with its indentation, and include enough lines to make it unique.",
        _schema(
            {"path": _PATH, "old_text": {"type": "string"}, "new_text": {"type": "string"}},
            ["path", "old_text", "new_text"],
        ),
    ),
    ToolSpec(
        "write_file",
        "Create a file, or replace a whole file, with this content (the complete text).",
        _schema({"path": _PATH, "content": {"type": "string"}}, ["path", "content"]),
    ),
    ToolSpec(
        "run_command",
        "Run a shell command in the project folder and return its exit status and output.",
        _schema(
            {
                "command": {"type": "string"},
                "timeout_s": {"type": "number", "minimum": 1, "maximum": 3600},
            },
            ["command"],
        ),
    ),
    ToolSpec(
        "ask_user",
        "Ask the user a question when you cannot go on without their answer.",
        _schema({"question": {"type": "string"}}, ["question"]),
    ),
    ToolSpec(
        "remember",
        "Save a short note about this project for later sessions (e.g. how to run its tests).",
        _schema({"note": {"type": "string"}}, ["note"]),
    ),
)

TOOL_NAMES: tuple[str, ...] = tuple(spec.name for spec in TOOL_SPECS)
TOOL_KINDS: dict[str, ToolKind] = {
    "read_file": "read",
    "list_dir": "read",
    "search": "read",
    "repo_map": "read",
    "edit_file": "edit",
    "write_file": "edit",
    "run_command": "command",
    "ask_user": "question",
    "remember": "memory",
}
READ_ONLY_TOOLS: tuple[str, ...] = tuple(
    name for name in TOOL_NAMES if TOOL_KINDS[name] in ("read", "question")
)


def specs_for(names: tuple[str, ...], *, plan_only: bool = False) -> tuple[ToolSpec, ...]:
    """The specs of the named tools (read-only ones only, in plan-only mode)."""
    allowed = set(READ_ONLY_TOOLS) if plan_only else set(TOOL_NAMES)
    return tuple(spec for spec in TOOL_SPECS if spec.name in names and spec.name in allowed)


def argument_problem(spec: ToolSpec, arguments: dict[str, Any]) -> str | None:
    """What is wrong with the arguments for ``spec`` (None when they fit its schema)."""
    properties: dict[str, Any] = spec.parameters.get("properties", {})
    for name in spec.parameters.get("required", []):
        if name not in arguments:
            return f"missing required argument {name!r}"
    for name, value in arguments.items():
        if name not in properties:
            return f"unknown argument {name!r} (expected: {', '.join(properties) or 'none'})"
        expected = properties[name].get("type")
        if expected == "string" and not isinstance(value, str):
            return f"argument {name!r} must be a string"
        if expected == "integer" and (isinstance(value, bool) or not isinstance(value, int)):
            return f"argument {name!r} must be a whole number"
        if expected == "number" and (isinstance(value, bool) or not isinstance(value, int | float)):
            return f"argument {name!r} must be a number"
        minimum = properties[name].get("minimum")
        if minimum is not None and isinstance(value, int | float) and value < minimum:
            return f"argument {name!r} must be at least {minimum}"
        maximum = properties[name].get("maximum")
        if maximum is not None and isinstance(value, int | float) and value > maximum:
            return f"argument {name!r} must be at most {maximum}"
    return None
