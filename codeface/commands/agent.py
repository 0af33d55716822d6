"""`codeface agent "goal"`: an agent works on the project, step by step, in the terminal.

`codeface undo`: restore the files the last agent turn changed.

Steps stream as they happen. With a terminal, approvals and questions are asked there;
without one (stdin not a TTY), anything ``--allow`` does not cover is denied and the
model is told so. The turn is stored as a session of the project, like in the window.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from codeface.commands.common import notice, run_async, warn_read_problems
from codeface.core.errors import ConfigError
from codeface.core.settings import POLICIES

ALLOWABLE = ("edits", "commands")


def register(subparsers: Any) -> None:
    """Add the ``agent`` and ``undo`` subcommands."""
    parser = subparsers.add_parser(
        "agent",
        help="let an agent work on the project (read, edit, run commands, with approval)",
        description="An agent reads the project, changes it and runs commands to reach the "
        "goal. Reads run freely; edits and commands ask first (at the terminal), unless "
        "--allow covers them. Commands that reach the network, leave the project or touch "
        "credentials always ask.",
    )
    parser.add_argument(
        "goal", nargs="?", help="what to do; omit with --session to continue an interrupted turn"
    )
    parser.add_argument("--project", type=Path, help="the project folder (default: here)")
    parser.add_argument("--role", help="the agent role (default: coder; see resources/agents)")
    parser.add_argument("--allow", default="", help="allow without asking: edits,commands")
    parser.add_argument("--plan", action="store_true", help="plan only: change and run nothing")
    parser.add_argument("--session", help="continue this session (id or unique prefix)")
    parser.add_argument("-m", "--model", help="model to prefer")
    parser.add_argument("--policy", choices=POLICIES, help="where the answers may come from")
    parser.set_defaults(handler=handle)

    undo = subparsers.add_parser(
        "undo",
        help="restore the files the last agent turn changed",
        description="Restore, byte for byte, the files the last agent turn of a session "
        "changed (default: the latest session of this project). The current state is saved "
        "first, so an undo can itself be undone.",
    )
    undo.add_argument("--session", help="the session (id or unique prefix)")
    undo.add_argument("--project", type=Path, help="the project folder (default: here)")
    undo.add_argument("--turn", help="a specific turn (the id of its prompt)")
    undo.set_defaults(handler=handle_undo)


def parse_allow(text: str) -> set[str]:
    """``edits,commands`` → {"edits", "commands"}; anything else is a ConfigError."""
    chosen = {part.strip() for part in text.split(",") if part.strip()}
    unknown = sorted(chosen - set(ALLOWABLE))
    if unknown:
        raise ConfigError(
            f"--allow {unknown[0]!r} is not one of {', '.join(ALLOWABLE)}",
            hint="Use --allow edits, --allow commands or --allow edits,commands.",
        )
    return chosen


def terminal_prompt(question: str) -> str:
    """Ask at the terminal; end of input counts as "no"."""
    try:
        return input(question)
    except EOFError:
        return "n"


def handle(args: argparse.Namespace) -> int:
    """Run the agent command."""
    goal = (args.goal or "").strip()
    if not goal and not args.session:
        raise ConfigError("Nothing to do", hint='Give a goal: codeface agent "fix the tests"')
    parse_allow(args.allow)
    return run_async(_agent(args, goal))


async def _agent(args: argparse.Namespace, goal: str) -> int:
    from codeface.agents.approvals import ApprovalGate, ApprovalPolicy
    from codeface.app import build_engine
    from codeface.application.agent_turn import AgentSetup
    from codeface.application.agents_setup import load_project_roles, private_folders
    from codeface.application.conversation import Conversation
    from codeface.commands.agent_render import AgentPrinter
    from codeface.store.service import Store
    from codeface.workspace import Workspace

    workspace = Workspace.open(args.project or Path.cwd())
    allow = parse_allow(args.allow)
    roles, problems = load_project_roles(workspace)
    for problem in problems:
        notice(f"warning: role not loaded: {problem.one_line()}")
    interactive = sys.stdin is not None and sys.stdin.isatty()
    engine = build_engine()
    store = await Store.open()
    try:
        if store.notice is not None:
            notice(store.notice.message())
        session = await _session(store, args, workspace, goal)
        role_name = args.role or session.role or "coder"
        if role_name not in roles:
            raise ConfigError(
                f"There is no role {role_name!r}",
                hint=f"Choose one of: {', '.join(sorted(roles))}",
            )
        if session.role != role_name:
            await store.update_session(session.id, role=role_name)
        gate = ApprovalGate(
            ApprovalPolicy(
                allow_edits="edits" in allow,
                allow_commands="commands" in allow,
                plan_only=args.plan,
                interactive=interactive,
            )
        )
        setup = AgentSetup(workspace, roles[role_name], gate, private_folders(engine.paths))
        printer = AgentPrinter(
            sys.stdout, sys.stderr, gate, ask=terminal_prompt if interactive else None
        )
        printer.undo_hint = f"undo with: codeface undo --session {session.id[:8]}"
        conversation = Conversation(engine, store)
        events = (
            conversation.send(session.id, goal, agent=setup)
            if goal
            else conversation.continue_turn(session.id, setup)
        )
        async for event in events:
            await printer.handle(event)
        notice(
            f"session {session.id[:8]} (continue with: codeface agent --session {session.id[:8]})"
        )
        return int(printer.exit_code)
    finally:
        await warn_read_problems(store)
        await store.close()
        await engine.aclose()


async def _session(store: Any, args: argparse.Namespace, workspace: Any, goal: str) -> Any:
    if not args.session:
        return await store.create_session(
            project=workspace.key, role=args.role or "coder", model=args.model, policy=args.policy
        )
    session_id = await store.resolve_session_id(args.session)
    session = await store.get_session(session_id)
    if session.project and session.project != workspace.key:
        raise ConfigError(
            f"Session {session_id[:8]} belongs to the project {session.project}",
            hint=f"Run it there, or pass --project {session.project}",
        )
    changes = {k: v for k, v in (("model", args.model), ("policy", args.policy)) if v}
    if not session.project:
        changes["project"] = workspace.key
    if changes:
        session = await store.update_session(session_id, **changes)
    return session


def handle_undo(args: argparse.Namespace) -> int:
    """Run the undo command."""
    return run_async(_undo(args))


async def _undo(args: argparse.Namespace) -> int:
    from codeface.application.undo import undo_last_turn
    from codeface.commands.common import terminal_safe
    from codeface.store.service import Store
    from codeface.workspace import Workspace

    workspace = Workspace.open(args.project or Path.cwd())
    store = await Store.open()
    try:
        report = await undo_last_turn(store, workspace, session=args.session, turn=args.turn)
    finally:
        await store.close()
    for line in report.lines():
        print(terminal_safe(line))
    return 0
