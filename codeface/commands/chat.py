"""`codeface chat`: stream an answer to stdout, saved as a session like in the window."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from codeface.commands.common import notice, run_async
from codeface.core.settings import POLICIES


def register(subparsers: Any) -> None:
    """Add the ``chat`` subcommand."""
    parser = subparsers.add_parser(
        "chat",
        help="ask a question and stream the answer (stdin is appended to the prompt)",
        description="Ask a model; the answer streams to stdout. Text piped on stdin is "
        "appended to the prompt. The conversation is saved as a session.",
    )
    parser.add_argument("prompt", nargs="?", default=None, help="the question ('-' reads stdin)")
    parser.add_argument("-m", "--model", help="model to prefer (or to use, with --policy pinned)")
    parser.add_argument("--policy", choices=POLICIES, help="where the answer may come from")
    parser.add_argument("--session", help="continue this session (id or unique prefix)")
    parser.add_argument("--system", help="system prompt for a new session")
    parser.add_argument("--no-save", action="store_true", help="do not keep this conversation")
    parser.set_defaults(handler=handle)


def read_prompt(prompt: str | None) -> str:
    """The prompt from the argument and/or stdin."""
    piped = "" if sys.stdin is None or sys.stdin.isatty() else sys.stdin.read()
    if prompt in (None, "-"):
        return piped.strip()
    return f"{prompt}\n\n{piped.strip()}" if piped.strip() else prompt


def handle(args: argparse.Namespace) -> int:
    """Run the chat command."""
    from codeface.core.errors import ConfigError

    prompt = read_prompt(args.prompt)
    if not prompt:
        raise ConfigError("Nothing to ask", hint='Give a prompt: codeface chat "your question"')
    return run_async(_chat(args, prompt))


async def _chat(args: argparse.Namespace, prompt: str) -> int:
    from codeface.app import build_engine
    from codeface.commands.render import StreamPrinter

    engine = build_engine()
    printer = StreamPrinter(sys.stdout, sys.stderr)
    try:
        if args.no_save:
            return await _chat_unsaved(engine, args, prompt, printer)
        return await _chat_saved(engine, args, prompt, printer)
    finally:
        await engine.aclose()


async def _chat_unsaved(engine: Any, args: argparse.Namespace, prompt: str, printer: Any) -> int:
    from codeface.core.chat import run_turn
    from codeface.core.messages import ChatMessage, ChatRequest

    request = ChatRequest(
        model=args.model or "", messages=(ChatMessage("user", prompt),), system=args.system
    )
    async for event in run_turn(engine.router, request, policy=args.policy, model=args.model):
        printer.show(event)
    return int(printer.exit_code)


async def _chat_saved(engine: Any, args: argparse.Namespace, prompt: str, printer: Any) -> int:
    from codeface.conversation import Conversation
    from codeface.store.service import Store

    store = await Store.open()
    try:
        if store.notice is not None:
            notice(store.notice.message())
        if args.session:
            session_id = await store.resolve_session_id(args.session)
            if args.model or args.policy:
                await store.update_session(
                    session_id,
                    **{k: v for k, v in (("model", args.model), ("policy", args.policy)) if v},
                )
        else:
            session = await store.create_session(
                system_prompt=args.system, model=args.model, policy=args.policy
            )
            session_id = session.id
        async for event in Conversation(engine, store).send(session_id, prompt):
            printer.show(event)
        notice(
            f"session {session_id[:8]} (continue with: codeface chat --session {session_id[:8]})"
        )
        return int(printer.exit_code)
    finally:
        await store.close()
