"""Command-line entry point: no subcommand opens the window; subcommands run headless.

Each group of subcommands lives in a module of `codeface.commands` exposing
``register(subparsers)``; a handler returns the process exit code. Modules here import
nothing heavy at import time, so ``codeface --version`` stays instant.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from codeface import __version__
from codeface.core.errors import CodefaceError

if TYPE_CHECKING:
    import argparse

COMMAND_MODULES = (
    "codeface.commands.chat",
    "codeface.commands.models",
    "codeface.commands.doctor",
    "codeface.commands.sessions",
    "codeface.commands.keys",
)


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser with every subcommand registered."""
    import argparse

    parser = argparse.ArgumentParser(
        prog="codeface",
        description="CodeFace — a local-first AI coding assistant. "
        "Run without a subcommand to open the window.",
    )
    parser.add_argument("--version", action="version", version=f"codeface {__version__}")
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="mirror the log file to stderr"
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run CodeFace; returns the exit code."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    if all(argument in ("-v", "--verbose") for argument in arguments):
        # Opening the window: no parser, no subcommand modules, and the log file is opened
        # by the window after its first paint; it should show now.
        from codeface.ui.launch import run_window

        return run_window(verbose=bool(arguments))
    args = build_parser().parse_args(arguments)
    from codeface.core.logs import setup_logging

    setup_logging(verbose=args.verbose)
    if args.command is None:  # only options the window ignores, e.g. `codeface -v -v`
        from codeface.ui.launch import run_window

        return run_window(verbose=args.verbose)
    try:
        return int(args.handler(args))
    except CodefaceError as error:
        print(f"codeface: {error.one_line()}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("codeface: stopped", file=sys.stderr)
        return 130
