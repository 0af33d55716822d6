"""Command-line entry point: no subcommand opens the window; subcommands run headless.

Each group of subcommands lives in a module of `codeface.commands` exposing
``register(subparsers)``; a handler returns the process exit code. Modules here import
nothing heavy at import time, so ``codeface --version`` stays instant.
"""

from __future__ import annotations

import contextlib
import importlib
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, TextIO, cast

from codeface import __version__
from codeface.core.errors import CodefaceError

if TYPE_CHECKING:
    import argparse

# Subcommands that build providers (and so read OLLAMA_HOST and the base URLs).
CONNECTING_COMMANDS = frozenset({"chat", "agent", "plan", "models", "pull", "rm", "doctor"})
KNOWN_COMMANDS = frozenset(
    {"chat", "agent", "undo", "models", "pull", "rm", "doctor", "sessions", "keys", "plan"}
)
"""Subcommand names, so a folder named like one is still read as the subcommand."""
COMMAND_MODULES = (
    "codeface.commands.chat",
    "codeface.commands.agent",
    "codeface.commands.plan",
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


def looks_like_folder(argument: str) -> bool:
    """``codeface PATH``: an argument that names an existing folder and no subcommand."""
    from pathlib import Path

    if argument.startswith("-") or argument in KNOWN_COMMANDS:
        return False
    return Path(argument).expanduser().is_dir()


def main(argv: Sequence[str] | None = None) -> int:
    """Run CodeFace; returns the exit code."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    verbose = [argument for argument in arguments if argument in ("-v", "--verbose")]
    rest = [argument for argument in arguments if argument not in ("-v", "--verbose")]
    project = rest[0] if len(rest) == 1 and looks_like_folder(rest[0]) else None
    if not rest or project is not None:
        # Opening the window (on a project folder): no parser, no subcommand modules, and
        # the log file is opened by the window after its first paint; it should show now.
        from codeface.ui.launch import run_window

        return run_window(verbose=bool(verbose), project=project)
    args = build_parser().parse_args(arguments)
    if args.command is None:  # only options the window ignores, e.g. `codeface -v -v`
        from codeface.core.logs import setup_logging

        setup_logging(verbose=args.verbose)
        from codeface.ui.launch import run_window

        return run_window(verbose=args.verbose)
    return run_command(args)


def run_command(args: argparse.Namespace) -> int:
    """Run a parsed subcommand: every expected failure is one line on stderr and an exit code.

    Arguments, the environment and the data folders are checked (the folders made private)
    before the command starts. Stdout is watched and flushed here, so a closed pipe ends the
    output quietly and a full disk is reported like any other failure.
    """
    from codeface.commands.common import (
        WatchedOutput,
        check_environment,
        check_text_arguments,
        message_safe,
        output_failure,
    )
    from codeface.core.logs import setup_logging
    from codeface.core.paths import app_paths

    watched = WatchedOutput(sys.stdout)
    sys.stdout = cast(TextIO, watched)
    try:
        check_text_arguments(args)
        if args.command in CONNECTING_COMMANDS:
            check_environment(("OLLAMA_HOST", "ANTHROPIC_BASE_URL", "OPENAI_BASE_URL"))
        app_paths().ensure()
        setup_logging(verbose=args.verbose)
        code = int(args.handler(args))
        sys.stdout.flush()
        return code
    except CodefaceError as error:
        _print_error(message_safe(error.one_line()))
        return error.exit_code
    except KeyboardInterrupt:
        _print_error("stopped")
        return 130
    except OSError as error:
        if error is not watched.failure:
            return _unexpected(error)
        failure = output_failure(error)
        if failure is not None:
            _print_error(message_safe(failure.one_line()))
        return 1
    except Exception as error:  # the one place a bug ends: logged whole, shown in one line
        return _unexpected(error)
    finally:
        sys.stdout = watched.stream


def _unexpected(error: BaseException) -> int:
    """Log a bug with its traceback (redacted) and tell the user where the details are."""
    import logging

    from codeface.commands.common import message_safe
    from codeface.core.logs import setup_logging
    from codeface.core.paths import app_paths

    setup_logging()  # already done unless the bug came first; never Python's bare stderr
    logging.getLogger("codeface.cli").error("Unexpected error", exc_info=error)
    summary = f"{type(error).__name__}: {error}".splitlines()[0][:300]
    _print_error(
        message_safe(
            f"unexpected error ({summary}). This is a bug; please report it with the log file "
            f"{app_paths().log_file} (run with -v to see the details here)"
        )
    )
    return CodefaceError.exit_code


def _print_error(text: str) -> None:
    with contextlib.suppress(OSError, ValueError):  # stderr is gone as well
        print(f"codeface: {text}", file=sys.stderr, flush=True)
