"""Roles are Markdown files: front matter (name, description, tools, model, policy) and a
system prompt. CodeFace ships coder, architect, reviewer, tester and explainer in
``resources/agents/``; users add their own in the config folder's ``agents/`` and in
``<project>/.codeface/agents/``; a later file with the same name replaces an earlier one.

A malformed role is reported with its file and line, and the others still load. A role
from the project cannot make its sessions less private than the user chose: its policy
is honoured only when it keeps the prompt at least as local.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from codeface.agents.frontmatter import FrontMatter, FrontMatterError, split_front_matter
from codeface.agents.tool_specs import TOOL_NAMES
from codeface.core.settings import POLICIES, Policy

PRIVACY_ORDER: tuple[str, ...] = ("local-only", "local-first", "pinned", "cloud-first")
_KNOWN_KEYS = {"name", "description", "tools", "model", "policy", "max_steps"}


@dataclass(frozen=True)
class Role:
    """An agent role."""

    name: str
    description: str
    system_prompt: str
    tools: tuple[str, ...]
    model: str | None = None
    policy: Policy | None = None
    max_steps: int = 25
    source: str = "built-in"
    path: Path | None = None


@dataclass(frozen=True)
class RoleProblem:
    """A role file that could not be loaded, and why (with its line)."""

    path: Path
    line: int
    message: str

    def one_line(self) -> str:
        """``path:line: message``, as an editor understands it."""
        return f"{self.path}:{self.line}: {self.message}"


def _text(matter: FrontMatter, key: str, *, required: bool = False) -> str | None:
    value = matter.values.get(key)
    if value is None:
        if required:
            raise FrontMatterError(matter.line(key), f"the role needs a {key!r}")
        return None
    if not isinstance(value, str) or not value.strip():
        raise FrontMatterError(matter.line(key), f"{key!r} must be text")
    return value.strip()


def _tools(matter: FrontMatter) -> tuple[str, ...]:
    value = matter.values.get("tools", list(TOOL_NAMES))
    if not isinstance(value, list):
        raise FrontMatterError(matter.line("tools"), "'tools' must be a list, e.g. [read_file]")
    unknown = [tool for tool in value if tool not in TOOL_NAMES]
    if unknown:
        raise FrontMatterError(
            matter.line("tools"), f"unknown tool {unknown[0]!r} (known: {', '.join(TOOL_NAMES)})"
        )
    return tuple(value)


def _policy(matter: FrontMatter) -> Policy | None:
    policy = _text(matter, "policy")
    if policy is None:
        return None
    if policy not in POLICIES:
        raise FrontMatterError(
            matter.line("policy"), f"policy {policy!r} is not one of {', '.join(POLICIES)}"
        )
    return policy  # type: ignore[return-value]


def parse_role(text: str, path: Path, source: str) -> Role:
    """One role from a file's text; raises `FrontMatterError` naming the line."""
    matter = split_front_matter(text)
    for key in matter.values:
        if key not in _KNOWN_KEYS:
            known = ", ".join(sorted(_KNOWN_KEYS))
            raise FrontMatterError(matter.line(key), f"unknown key {key!r} (known: {known})")
    name = _text(matter, "name", required=True)
    assert name is not None
    max_steps = matter.values.get("max_steps", 25)
    if isinstance(max_steps, bool) or not isinstance(max_steps, int) or not 1 <= max_steps <= 200:
        raise FrontMatterError(
            matter.line("max_steps"), "'max_steps' must be a whole number from 1 to 200"
        )
    if not matter.body:
        raise FrontMatterError(
            matter.body_line, "the role has no system prompt after the front matter"
        )
    return Role(
        name=name,
        description=_text(matter, "description") or "",
        system_prompt=matter.body,
        tools=_tools(matter),
        model=_text(matter, "model"),
        policy=_policy(matter),
        max_steps=max_steps,
        source=source,
        path=path,
    )


def role_folders(builtin: Path, config: Path, project: Path | None) -> list[tuple[Path, str]]:
    """Where roles are read from, lowest priority first."""
    folders = [(builtin, "built-in"), (config, "user")]
    if project is not None:
        folders.append((project / ".codeface" / "agents", "project"))
    return folders


def load_roles(folders: list[tuple[Path, str]]) -> tuple[dict[str, Role], list[RoleProblem]]:
    """Every role by name (later folders win) and the files that could not be loaded."""
    roles: dict[str, Role] = {}
    problems: list[RoleProblem] = []
    for folder, source in folders:
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.md")):
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as error:
                problems.append(RoleProblem(path, 1, f"cannot be read: {error}"))
                continue
            try:
                role = parse_role(text, path, source)
            except FrontMatterError as error:
                problems.append(RoleProblem(path, error.line, error.message))
                continue
            roles[role.name] = role
    return roles, problems


def effective_policy(role: Role, chosen: Policy) -> Policy:
    """The role's policy when it is a built-in or user role, or when it is at least as
    private as ``chosen``; ``chosen`` otherwise."""
    if role.policy is None:
        return chosen
    if role.source != "project":
        return role.policy
    if PRIVACY_ORDER.index(role.policy) <= PRIVACY_ORDER.index(chosen):
        return role.policy
    return chosen
