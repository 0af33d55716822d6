"""The steps behind `codeface plan`: draft (or read) a plan, confirm or edit it, run it; and
the list, show, resume and cancel actions. Imported only when ``plan`` runs."""

from __future__ import annotations

import argparse
import asyncio
import os
import shlex
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from codeface.agents.events import ToolCallStarted
from codeface.agents.plan import Plan, PlanInvalid, check_plan
from codeface.agents.plan_events import PlanPlanned
from codeface.agents.plan_parse import PlanParseError, plan_from_toml, plan_to_toml
from codeface.agents.roles import Role
from codeface.application.agents_setup import load_project_roles, private_folders
from codeface.application.conversation import Conversation
from codeface.application.engine import Engine
from codeface.application.plan_options import PlanOptions, checked, options_from_settings
from codeface.application.plan_records import lock_folder, plan_from_record
from codeface.application.plans import PlanService, cancel_plan
from codeface.commands.agent import parse_allow, terminal_prompt
from codeface.commands.common import decode_input, notice, terminal_safe
from codeface.commands.plan import interactive
from codeface.commands.plan_render import PlanPrinter, brief_lines, plan_lines, write_lines
from codeface.commands.plan_show import list_lines, show_lines
from codeface.core.errors import ConfigError
from codeface.core.events import ProviderSwitched, Retrying, TurnFailed, TurnStarted
from codeface.store.service import Store
from codeface.workspace import Workspace

_ARG_LIMITS = {
    "attempts": (1, 20),
    "heartbeat": (0.05, 86_400),
    "local_parallel": (1, 64),
    "cloud_parallel": (1, 64),
}


@dataclass
class _Context:
    workspace: Workspace
    roles: dict[str, Role]
    engine: Engine
    store: Store
    service: PlanService


@asynccontextmanager
async def _opened(args: argparse.Namespace) -> AsyncIterator[_Context]:
    from codeface.app import build_engine

    workspace = Workspace.open(args.project or Path.cwd())
    roles, problems = load_project_roles(workspace)
    for problem in problems:
        notice(f"warning: role not loaded: {problem.one_line()}")
    engine = build_engine()
    store = await Store.open()
    try:
        if store.notice is not None:
            notice(store.notice.message())
        service = PlanService(
            Conversation(engine, store),
            workspace,
            roles,
            lock_folder=lock_folder(engine.paths.data),
            private_folders=private_folders(engine.paths),
        )
        yield _Context(workspace, roles, engine, store, service)
    finally:
        await store.close()
        await engine.aclose()


def run_options(args: argparse.Namespace, engine: Engine) -> PlanOptions:
    """The settings' ``[plans]`` defaults, then what the command line says."""
    for name, (low, high) in _ARG_LIMITS.items():
        value = getattr(args, name)
        if value is not None and not low <= value <= high:
            flag = "--" + name.replace("_", "-")
            raise ConfigError(f"{flag} {value} is out of range", hint=f"Use {low} to {high}.")
    allow = parse_allow(args.allow)
    changes: dict[str, object] = {
        "allow_edits": "edits" in allow,
        "allow_commands": "commands" in allow,
        "interactive": interactive(),
    }
    given = {
        "model": args.model,
        "policy": args.policy,
        "max_attempts": args.attempts,
        "heartbeat": args.heartbeat,
        "local_parallel": args.local_parallel,
        "cloud_parallel": args.cloud_parallel,
    }
    changes.update({name: value for name, value in given.items() if value is not None})
    return checked(replace(options_from_settings(engine.settings), **changes), "command line")  # type: ignore[arg-type]


def read_plan_file(path: Path, goal: str) -> Plan:
    """A plan file (TOML), the goal given on the command line winning over its own."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ConfigError(
            f"Cannot read the plan file {path}: {error.strerror or error}",
            hint="Check the path.",
        ) from error
    plan = plan_from_toml(decode_input(data, f"the plan file {path}"))
    return replace(plan, goal=goal) if goal else plan


# ---------------------------------------------------------------------- a new plan
async def new_plan(args: argparse.Namespace, goal: str) -> int:
    """Draft (or read) a plan, confirm it, run it."""
    async with _opened(args) as context:
        options = run_options(args, context.engine)
        if args.from_file is not None:
            plan = read_plan_file(args.from_file, goal)
            if args.on_failure:
                plan = replace(plan, failure_policy=args.on_failure)
            check_plan(plan, context.roles)
            plan_id = await context.service.save_draft(plan, options)
            write_lines(sys.stderr, plan_lines(plan))
        else:
            plan_id, plan = await _draft(context, goal, options, args.on_failure)
        notice(f"plan {plan_id[:8]} saved")
        if args.save is not None:
            args.save.write_text(plan_to_toml(plan, context.roles), encoding="utf-8")
            notice(f"wrote {args.save}; edit it, then run it: codeface plan --from {args.save}")
            return 0
        if not args.yes and not await _confirm(context, plan_id, plan):
            return 0
        return await _run(context, plan_id, options)


async def _draft(
    context: _Context, goal: str, options: PlanOptions, failure_policy: str | None
) -> tuple[str, Plan]:
    notice("the manager is planning…")
    model = ""
    async for item in context.service.draft(goal, options, failure_policy=failure_policy):  # type: ignore[arg-type]
        match item:
            case PlanPlanned():
                write_lines(sys.stderr, plan_lines(item.plan))
                return item.plan_id, item.plan
            case TurnStarted():
                if item.model != model:
                    model = item.model
                    notice(f"manager: {item.model} on {item.provider}")
            case ToolCallStarted():
                notice(f"manager → {item.description}")
            case Retrying() | ProviderSwitched():
                notice(f"manager: {item.reason}")
            case TurnFailed():
                notice(f"manager: {item.error.one_line()}")
            case _:
                pass
    raise PlanInvalid(["the manager gave no plan"])


async def _confirm(context: _Context, plan_id: str, plan: Plan) -> bool:
    short = plan_id[:8]
    if not interactive():
        raise ConfigError(
            f"Plan {short} was not run: there is no terminal to confirm it",
            hint=f"Run it with: codeface plan resume {short} --yes",
        )
    while True:
        question = "Run this plan? [y]es, [e]dit, [b]riefs, [n]o: "
        reply = (await asyncio.to_thread(terminal_prompt, question)).strip().lower()
        if reply in ("y", "yes"):
            return True
        if reply in ("n", "no"):
            notice(f"kept as draft {short}; run it later with: codeface plan resume {short}")
            return False
        if reply in ("b", "briefs"):
            write_lines(sys.stderr, brief_lines(plan))
        elif reply in ("e", "edit"):
            plan = await _edit(context, plan_id, plan)
            write_lines(sys.stderr, plan_lines(plan))


def _editor_command() -> list[str]:
    chosen = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    if chosen:
        return shlex.split(chosen)
    return ["notepad"] if os.name == "nt" else ["vi"]


async def _edit(context: _Context, plan_id: str, plan: Plan) -> Plan:
    """The user edits the plan file in their editor until it passes (or gives up)."""
    path = lock_folder(context.engine.paths.data) / f"{plan_id}.toml"
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    text = plan_to_toml(plan, context.roles)
    while True:
        path.write_text(text, encoding="utf-8")
        command = [*_editor_command(), str(path)]
        try:
            await asyncio.to_thread(subprocess.run, command, check=False)
        except OSError as error:
            raise ConfigError(
                f"Cannot start the editor {command[0]!r}: {error.strerror or error}",
                hint="Set VISUAL or EDITOR, or use --save FILE and --from FILE.",
            ) from error
        text = decode_input(path.read_bytes(), "the plan file")
        try:
            edited = plan_from_toml(text)
            await context.service.edit_draft(plan_id, edited)
        except (PlanParseError, PlanInvalid) as error:
            notice(error.one_line())
            again = await asyncio.to_thread(terminal_prompt, "Edit it again? [y/n]: ")
            if again.strip().lower() not in ("y", "yes"):
                return plan
            continue
        return edited


async def _run(context: _Context, plan_id: str, options: PlanOptions) -> int:
    short = plan_id[:8]
    run = context.service.run(plan_id, options)
    printer = PlanPrinter(
        sys.stdout, sys.stderr, run.gate, ask=terminal_prompt if options.interactive else None
    )
    notice(f"plan {short} runs; if it stops, go on with: codeface plan resume {short}")
    async for event in run.events():
        await printer.handle(event)
    if printer.status in ("failed", "cancelled"):
        notice(f"to run what is left again: codeface plan resume {short}")
    return printer.exit_code


# ---------------------------------------------------------------------- actions
async def run_action(args: argparse.Namespace, action: str, ident: str) -> int:
    """``list``, ``show ID``, ``resume ID`` or ``cancel ID``."""
    if action in ("list", "show", "cancel"):
        return await _look(args, action, ident)
    async with _opened(args) as context:
        record = await context.service.load(ident)
        short = record.id[:8]
        if record.project and record.project != context.workspace.key:
            raise ConfigError(
                f"Plan {short} belongs to the project {record.project}",
                hint=f"Run it there, or pass --project {record.project}",
            )
        if record.status == "done":
            notice(f"plan {short} is done; nothing is left to run")
            return 0
        options = run_options(args, context.engine)
        plan = plan_from_record(record)
        if record.status == "draft":
            write_lines(sys.stderr, plan_lines(plan))
            if not args.yes and not await _confirm(context, record.id, plan):
                return 0
        return await _run(context, record.id, options)


async def _look(args: argparse.Namespace, action: str, ident: str) -> int:
    from codeface.core.paths import app_paths

    store = await Store.open()
    try:
        if store.notice is not None:
            notice(store.notice.message())
        locks = lock_folder(app_paths().data)
        if action == "list":
            project = None if args.all else str(Workspace.open(args.project or Path.cwd()).key)
            plans = await store.list_plans(project=project)
            write_lines(sys.stdout, list_lines(plans, locks, time.time()))
            return 0
        plan_id = await store.resolve_plan_id(ident)
        if action == "show":
            record = await store.get_plan(plan_id)
            log = await store.plan_log(plan_id)
            write_lines(sys.stdout, show_lines(record, log, locks))
            return 0
        asked = await cancel_plan(store, locks, plan_id, args.task)
        what = f"task {args.task} of plan {plan_id[:8]}" if args.task else f"plan {plan_id[:8]}"
        if asked:
            notice(f"asked the process running {what} to cancel it")
        else:
            print(terminal_safe(f"cancelled {what}"))
        return 0
    finally:
        await store.close()
