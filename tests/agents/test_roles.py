"""Roles are Markdown files; a malformed one names its file and line and the others load;
a project's role cannot loosen the user's privacy choice."""

from __future__ import annotations

from pathlib import Path

from codeface.agents.roles import effective_policy, load_roles, parse_role
from codeface.core.paths import resource_path

GOOD = """---
name: helper
description: Helps.
tools: [read_file, search]
model: qwen2.5-coder:7b
policy: local-only
max_steps: 5
---
You help.
"""


def test_the_shipped_roles_all_load() -> None:
    roles, problems = load_roles([(resource_path("agents"), "built-in")])
    assert problems == []
    assert {"coder", "architect", "reviewer", "tester", "explainer"} <= set(roles)
    assert "edit_file" not in roles["architect"].tools
    assert "edit_file" in roles["coder"].tools


def test_a_role_file_is_read_whole(tmp_path: Path) -> None:
    role = parse_role(GOOD, tmp_path / "helper.md", "user")
    assert (role.name, role.tools, role.model, role.policy, role.max_steps) == (
        "helper",
        ("read_file", "search"),
        "qwen2.5-coder:7b",
        "local-only",
        5,
    )
    assert role.system_prompt == "You help."


def test_block_lists_work_too(tmp_path: Path) -> None:
    text = "---\nname: x\ntools:\n  - read_file\n  - list_dir\n---\nBody\n"
    assert parse_role(text, tmp_path / "x.md", "user").tools == ("read_file", "list_dir")


def test_a_malformed_role_names_its_file_and_line_and_the_others_load(tmp_path: Path) -> None:
    (tmp_path / "good.md").write_text(GOOD)
    (tmp_path / "bad_tool.md").write_text(
        "---\nname: b\ndescription: d\ntools: [read_file, hack]\n---\nx\n"
    )
    (tmp_path / "no_close.md").write_text("---\nname: c\n")
    (tmp_path / "typo.md").write_text("---\nname: d\npolcy: local-only\n---\nx\n")
    (tmp_path / "empty_body.md").write_text("---\nname: e\n---\n\n")
    roles, problems = load_roles([(tmp_path, "user")])
    assert list(roles) == ["helper"]
    found = {problem.path.name: (problem.line, problem.message) for problem in problems}
    assert found["bad_tool.md"][0] == 4
    assert "hack" in found["bad_tool.md"][1]
    assert "closing" in found["no_close.md"][1]
    assert found["typo.md"] == (
        3,
        "unknown key 'polcy' (known: description, max_steps, model, name, policy, tools)",
    )
    assert found["empty_body.md"][0] == 4
    assert "system prompt" in found["empty_body.md"][1]
    assert all(":" in problem.one_line() for problem in problems)


def test_later_folders_replace_roles_of_the_same_name(tmp_path: Path) -> None:
    builtin, project = tmp_path / "a", tmp_path / "b"
    builtin.mkdir()
    project.mkdir()
    (builtin / "helper.md").write_text(GOOD)
    (project / "helper.md").write_text(GOOD.replace("You help.", "Project help."))
    roles, _ = load_roles([(builtin, "built-in"), (project, "project")])
    assert roles["helper"].system_prompt == "Project help."
    assert roles["helper"].source == "project"


def test_a_project_role_cannot_send_a_local_only_session_to_the_cloud(tmp_path: Path) -> None:
    loose = parse_role(GOOD.replace("local-only", "cloud-first"), tmp_path / "x.md", "project")
    assert effective_policy(loose, "local-only") == "local-only"
    strict = parse_role(GOOD, tmp_path / "x.md", "project")
    assert effective_policy(strict, "cloud-first") == "local-only"
    users = parse_role(GOOD.replace("local-only", "cloud-first"), tmp_path / "x.md", "user")
    assert effective_policy(users, "local-only") == "cloud-first"
