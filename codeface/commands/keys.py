"""``codeface keys set|rm|list``: API keys in the OS keyring, never on the command line.

``set`` reads the key from a hidden prompt, or from stdin when stdin is not a terminal
(``pass show x | codeface keys set anthropic``); it never takes the key as an argument,
so it cannot land in shell history or ``ps``. ``list`` shows where keys are, never values.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any


def register(subparsers: Any) -> None:
    """Add the ``keys`` command group."""
    parser = subparsers.add_parser("keys", help="manage API keys (kept in the OS keyring)")
    parser.set_defaults(handler=lambda args: _usage(parser))
    commands = parser.add_subparsers(dest="keys_command", metavar="ACTION")

    setter = commands.add_parser("set", help="save a provider's key (read from a prompt or stdin)")
    setter.add_argument("provider", help="anthropic, openai, or a compatible server's name")
    setter.set_defaults(handler=_set)

    remove = commands.add_parser("rm", help="remove a provider's key")
    remove.add_argument("provider")
    remove.set_defaults(handler=_remove)

    listing = commands.add_parser("list", help="which providers have a key, and where")
    listing.set_defaults(handler=_list)


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return 2


def _compatible_names() -> list[str]:
    from codeface.core.paths import app_paths
    from codeface.core.settings import load_settings

    settings = load_settings(app_paths().settings_file)
    return [server.name for server in settings.compatible if server.name]


def _read_key(provider: str) -> str:
    from codeface.commands.common import decode_input

    if sys.stdin.isatty():
        import getpass

        return getpass.getpass(f"API key for {provider} (input hidden): ")
    buffer = getattr(sys.stdin, "buffer", None)
    if buffer is None:
        return sys.stdin.readline()
    return decode_input(buffer.readline(), "the key on stdin")


def _set(args: argparse.Namespace) -> int:
    from codeface.store import secrets

    value = _read_key(args.provider)
    location = secrets.set_key(args.provider, value)
    if location == "keyring":
        print(f"Saved the {args.provider} key in the OS keyring.")
    else:
        print(
            f"Saved the {args.provider} key in {secrets.key_file()} (UNENCRYPTED, readable "
            "only by you) because no OS keyring is available."
        )
    return 0


def _remove(args: argparse.Namespace) -> int:
    from codeface.commands.common import terminal_safe
    from codeface.store import secrets

    name = terminal_safe(args.provider)
    removed = secrets.delete_key(args.provider)
    if removed:
        print(f"Removed the {name} key from: {', '.join(removed)}.")
    else:
        print(f"No stored key for {name}.")
    if secrets.get_key(args.provider) is not None:
        print(
            f"Note: {secrets.env_var(args.provider)} is still set in the environment.",
            file=sys.stderr,
        )
    return 0


def _list(args: argparse.Namespace) -> int:
    from codeface.commands.common import notice, terminal_safe
    from codeface.store import secrets

    found = secrets.list_keys(_compatible_names())
    print(secrets.backend_description())
    problem = secrets.key_file_problem()
    if problem is not None:
        notice(f"warning: {problem} (its keys are not used)")
    if not found:
        print("No API keys set. Add one with `codeface keys set PROVIDER`.")
        return 0
    width = max(len(info.provider) for info in found)
    for info in found:
        print(f"  {terminal_safe(info.provider.ljust(width))}  {terminal_safe(info.detail)}")
    return 0
