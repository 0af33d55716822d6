"""`codeface plan "goal"`: a manager agent plans, you confirm (or edit), agents carry it out.

    codeface plan "add pagination to the API and its tests" [--project DIR] [--allow …] [--yes]
    codeface plan --from plan.toml          run a plan file (edit one made with --save)
    codeface plan list | show ID | resume ID | cancel ID [--task T]

The plan is printed and confirmed before anything runs: answer y to run it, e to edit it
in $VISUAL/$EDITOR (the plan file: change, reorder or delete tasks), n to keep it as a
draft. An editor, rather than questions at a prompt, because briefs are paragraphs and a
plan is easier to reorder and cut as text; the same file works without a terminal
(``--save`` then ``--from``). Progress is one line per transition on stderr; approvals
are asked at the terminal as for ``codeface agent``, and without one ``--allow`` decides.
A plan interrupted in any way (Ctrl+C, a crash, kill -9) goes on with ``plan resume``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from codeface.commands.agent import parse_allow
from codeface.commands.common import notice, run_async
from codeface.core.errors import ConfigError
from codeface.core.settings import POLICIES

ACTIONS = ("list", "show", "resume", "cancel")


def register(subparsers: Any) -> None:
    """Add the ``plan`` subcommand."""
    parser = subparsers.add_parser(
        "plan",
        help="plan a larger change as tasks and let several agents carry it out",
        description="A manager agent turns the goal into tasks (a role, a brief, the files "
        "each expects to touch, what each waits for). You confirm or edit the plan; then "
        "agents run every ready task in parallel, retrying failures, and the plan survives "
        "a crash (codeface plan resume ID). Actions: list | show ID | resume ID | cancel ID.",
    )
    parser.add_argument("words", nargs="*", help="the goal, or an action and a plan id")
    parser.add_argument("--goal", help="the goal (when it starts with an action's name)")
    parser.add_argument("--project", type=Path, help="the project folder (default: here)")
    parser.add_argument("--allow", default="", help="allow without asking: edits,commands")
    parser.add_argument("-y", "--yes", action="store_true", help="run without confirming")
    parser.add_argument("--from", dest="from_file", type=Path, help="run this plan file")
    parser.add_argument("--save", type=Path, help="write the plan to this file and stop")
    parser.add_argument("-m", "--model", help="model to prefer for every task")
    parser.add_argument("--policy", choices=POLICIES, help="where the answers may come from")
    parser.add_argument(
        "--on-failure", choices=("stop", "continue"), help="when a task fails for good"
    )
    parser.add_argument("--attempts", type=int, help="attempts per task (default 3)")
    parser.add_argument("--heartbeat", type=float, help="seconds of silence before a retry")
    parser.add_argument("--local-parallel", type=int, help="tasks at once on a local model")
    parser.add_argument("--cloud-parallel", type=int, help="tasks at once per cloud provider")
    parser.add_argument("--task", help="with cancel: only this task")
    parser.add_argument("--all", action="store_true", help="with list: every project's plans")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Run the plan command."""
    words = list(args.words)
    parse_allow(args.allow)
    if args.goal is None and words and words[0] in ACTIONS:
        action, rest = words[0], words[1:]
        if action == "list":
            if rest:
                raise ConfigError("`plan list` takes no id", hint="codeface plan list [--all]")
        elif len(rest) != 1:
            raise ConfigError(f"`plan {action}` needs one plan id", hint="See: codeface plan list")
        from codeface.commands.plan_flows import run_action

        return run_async(run_action(args, action, rest[0] if rest else ""))
    goal = (args.goal if args.goal is not None else " ".join(words)).strip()
    if not goal and args.from_file is None:
        raise ConfigError(
            "Nothing to plan", hint='Give a goal: codeface plan "add pagination to the API"'
        )
    from codeface.commands.plan_flows import new_plan

    return run_async(new_plan(args, goal))


def interactive() -> bool:
    """Whether someone at a terminal can be asked."""
    return sys.stdin is not None and sys.stdin.isatty()


def say(text: str) -> None:
    """A notice line on stderr."""
    notice(text)
