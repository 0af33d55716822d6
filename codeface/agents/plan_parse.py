"""Reading a plan: from a model's answer (JSON, leniently) and from the editable plan file
(TOML), and writing that file.

Small local models are sloppy, so, as for tool calls (`codeface.core.tool_text`), the
answer may wrap the JSON in a fence or in prose, leave trailing commas, write Python
literals (single quotes, True/None), use ``"steps"`` for ``"tasks"``, ``"deps"`` or
``"after"`` for ``"depends_on"``, number their dependencies, or give a list as one
comma-separated string. What cannot be read is a `PlanParseError` saying where and why,
which goes back to the model once (`repair_prompt`).
"""

from __future__ import annotations

import ast
import json
import re
import tomllib
from collections.abc import Collection, Mapping
from typing import Any

from codeface.agents.plan import FAILURE_POLICIES, MANAGER_ROLE, Plan, PlanTask
from codeface.core.errors import CodefaceError

_FENCED = re.compile(r"```(?:json|JSON|javascript|js|python)?\s*\n(.*?)\n\s*```", re.DOTALL)
_TRAILING_COMMA = re.compile(r",(\s*[}\]])")
_SMART_QUOTES = str.maketrans({"\u201c": '"', "\u201d": '"', "\u2018": "'", "\u2019": "'"})
_KEYS = {
    "id": ("id", "key", "task_id"),
    "title": ("title", "name", "summary", "task"),
    "role": ("role", "agent", "assignee", "worker"),
    "brief": ("brief", "description", "instructions", "details", "task", "prompt"),
    "files": ("files", "paths", "expected_files", "touches", "file"),
    "depends_on": ("depends_on", "dependencies", "deps", "after", "requires", "needs"),
}
TITLE_LIMIT = 80


class PlanParseError(CodefaceError):
    """A plan that cannot be read at all (before its content is checked)."""

    kind_name = "unreadable_plan"
    exit_code = 2
    default_hint = "Write the plan as the JSON object described, or edit the plan file."


def plan_format(roles: Mapping[str, str]) -> str:
    """The answer format the manager is asked for, with the roles a task may have."""
    listed = "\n".join(
        f"- {name}: {description or 'no description'}"
        for name, description in sorted(roles.items())
        if name != MANAGER_ROLE
    )
    return (
        "Answer with one JSON object and nothing else, in this shape:\n"
        '{"tasks": [{"id": "t1", "title": "a short title", "role": "coder", '
        '"brief": "what to do, concretely, in a few sentences", '
        '"files": ["path/relative/to/the/project.py"], "depends_on": []}]}\n'
        "Rules:\n"
        "- ids are short and unique: t1, t2, t3…\n"
        "- role is one of these:\n"
        f"{listed}\n"
        "- files are the files the task expects to change (an empty list when none).\n"
        "- depends_on lists the ids of the tasks that must finish first; no circles.\n"
        "- Tasks that touch different files and do not depend on each other run at the "
        "same time, so keep tasks small and independent where you can.\n"
        "- Use as few tasks as the goal needs (one is fine for a small goal)."
    )


def repair_prompt(error: str, roles: Mapping[str, str]) -> str:
    """What the manager is told when its plan could not be used (one repair round)."""
    return (
        f"Your plan could not be used: {error}\n\n"
        "Answer again with the corrected plan only.\n\n" + plan_format(roles)
    )


# ---------------------------------------------------------------------- from model text
def _balanced(text: str, start: int) -> str | None:
    """The JSON value starting at ``text[start]`` (``{`` or ``[``) up to its closing bracket."""
    closing = {"{": "}", "[": "]"}
    stack: list[str] = []
    quote: str | None = None
    escaped = False
    for index in range(start, len(text)):
        char = text[index]
        if quote is not None:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == quote:
                quote = None
            continue
        if char in "\"'":
            quote = char
        elif char in closing:
            stack.append(closing[char])
        elif stack and char == stack[-1]:
            stack.pop()
            if not stack:
                return text[start : index + 1]
    return None


def _candidates(text: str) -> list[str]:
    found = [block.strip() for block in _FENCED.findall(text)]
    for index, char in enumerate(text):
        if char in "{[":
            value = _balanced(text, index)
            if value is not None:
                found.append(value)
                break
    stripped = text.strip()
    if stripped and stripped not in found:
        found.append(stripped)
    return found


def _load(raw: str) -> Any:
    """JSON, then JSON with trailing commas and smart quotes fixed, then a Python literal."""
    try:
        return json.loads(raw)
    except json.JSONDecodeError as error:
        first = error
    fixed = _TRAILING_COMMA.sub(r"\1", raw.translate(_SMART_QUOTES))
    try:
        return json.loads(fixed)
    except json.JSONDecodeError:
        pass
    try:
        return ast.literal_eval(fixed)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        raise first from None


def parse_plan_text(text: str, goal: str) -> Plan:
    """The plan written in a model's answer; `PlanParseError` saying why when none can be read."""
    if "{" not in text and "[" not in text:
        raise PlanParseError("the answer holds no JSON object")
    error: Exception | None = None
    for raw in _candidates(text):
        try:
            data = _load(raw)
        except json.JSONDecodeError as problem:
            error = problem
            continue
        return plan_from_data(data, goal)
    assert isinstance(error, json.JSONDecodeError)
    raise PlanParseError(
        f"the JSON is not valid ({error.msg} at line {error.lineno} column {error.colno})"
    )


# ---------------------------------------------------------------------- from data
def _pick(item: Mapping[str, Any], field: str, used: set[str]) -> Any:
    for key in _KEYS[field]:
        for actual in item:
            if actual.lower() == key and actual not in used:
                used.add(actual)
                return item[actual]
    return None


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "\n".join(_text(part) for part in value)
    return str(value).strip()


def _strings(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [part.strip() for part in re.split(r"[,\n]", value) if part.strip()]
    if isinstance(value, list | tuple):
        return [str(part).strip() for part in value if str(part).strip()]
    return [str(value).strip()]


def _path(text: str) -> str:
    text = text.strip().strip("`").replace("\\", "/")
    while text.startswith("./"):
        text = text[2:]
    return text


def _tasks_of(data: Any) -> tuple[list[Any], Mapping[str, Any]]:
    if isinstance(data, list):
        return data, {}
    if not isinstance(data, dict):
        raise PlanParseError("the plan must be a JSON object with a list of tasks")
    for key in ("tasks", "plan", "steps", "subtasks"):
        value = data.get(key)
        if isinstance(value, list):
            return value, data
        if isinstance(value, dict):
            return _tasks_of(value)
    if any(key in data for key in ("brief", "role", "description")):
        return [data], {}
    raise PlanParseError('the plan has no "tasks" list')


def plan_from_data(data: Any, goal: str) -> Plan:
    """A plan from parsed JSON or TOML (lenient about names and shapes; the content is
    checked later by `codeface.agents.plan.plan_problems`)."""
    items, top = _tasks_of(data)
    raw_tasks: list[tuple[str, PlanTask, list[str]]] = []
    for number, item in enumerate(items, start=1):
        if isinstance(item, str):
            item = {"brief": item}
        if not isinstance(item, dict):
            raise PlanParseError(f"task {number} is not an object with a role and a brief")
        used: set[str] = set()
        raw_id = _text(_pick(item, "id", used)) or f"t{number}"
        title = _text(_pick(item, "title", used))
        role = _text(_pick(item, "role", used)).lower()
        brief = _text(_pick(item, "brief", used)) or title
        if not role:
            raise PlanParseError(f'task {raw_id} has no "role"')
        if not brief:
            raise PlanParseError(f'task {raw_id} has no "brief"')
        title = title or brief.splitlines()[0]
        if len(title) > TITLE_LIMIT:
            title = title[: TITLE_LIMIT - 1].rstrip() + "…"
        files = tuple(dict.fromkeys(_path(f) for f in _strings(_pick(item, "files", used))))
        deps = _strings(_pick(item, "depends_on", used))
        raw_tasks.append((raw_id, PlanTask(raw_id, title, role, brief, files), deps))
    ids = [task.id for _, task, _ in raw_tasks]
    tasks = []
    for _, task, deps in raw_tasks:
        resolved = []
        for dep in deps:
            if dep not in ids and dep.isdigit() and 1 <= int(dep) <= len(ids):
                dep = ids[int(dep) - 1]  # "depends_on": [1] means the first task
            if dep not in resolved:
                resolved.append(dep)
        tasks.append(
            PlanTask(task.id, task.title, task.role, task.brief, task.files, tuple(resolved))
        )
    policy = _text(top.get("failure_policy") or top.get("on_failure")) or "stop"
    plan_goal = _text(top.get("goal")) or goal
    return Plan(plan_goal, tuple(tasks), policy)  # type: ignore[arg-type]


# ---------------------------------------------------------------------- the plan file
def plan_to_toml(plan: Plan, roles: Collection[str] = ()) -> str:
    """The editable plan file: comments saying how to edit it, then the plan as TOML."""
    import tomli_w

    document: dict[str, Any] = {
        "goal": plan.goal,
        "failure_policy": plan.failure_policy,
        "tasks": [
            {
                "id": task.id,
                "title": task.title,
                "role": task.role,
                "depends_on": list(task.depends_on),
                "files": list(task.files),
                "brief": task.brief,
            }
            for task in plan.tasks
        ],
    }
    allowed = ", ".join(sorted(r for r in roles if r != MANAGER_ROLE)) or "see resources/agents"
    header = (
        "# A CodeFace plan. Edit it, then save and close the file.\n"
        "# - Change any field; delete a [[tasks]] block to cut that task.\n"
        "# - The order of the blocks is the order ready tasks start in.\n"
        "# - depends_on: ids of the tasks that must finish first.\n"
        f"# - role: one of {allowed}.\n"
        f"# - failure_policy: {' or '.join(repr(p) for p in FAILURE_POLICIES)} "
        "(stop everything when a task fails for good, or carry on with independent tasks).\n\n"
    )
    return header + tomli_w.dumps(document, multiline_strings=True)


def plan_from_toml(text: str) -> Plan:
    """A plan from the plan file; `PlanParseError` naming the line when it is not TOML."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise PlanParseError(f"the plan file is not valid TOML ({error})") from error
    return plan_from_data(document, _text(document.get("goal")))
