"""`codeface chat`: stream an answer to stdout, saved as a session like in the window.

Everything is checked before a session is created, so a bad prompt leaves nothing behind:
a prompt that is empty, only whitespace, or not UTF-8 (argument or stdin) is refused. The
settings file is checked first; each problem is a warning line, and a file that cannot be
read keeps the answer on local models. When stdout goes away mid-answer (``| head``, a
full disk) the answer still streams into the store to the end.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from codeface.commands.common import (
    decode_input,
    notice,
    output_failure,
    read_app_settings,
    run_async,
    warn_read_problems,
)
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


def _read_stdin() -> str:
    stream = sys.stdin
    if stream is None or stream.isatty():
        return ""
    buffer = getattr(stream, "buffer", None)
    if buffer is None:  # already text (an embedding program's stream)
        return stream.read()
    return decode_input(buffer.read(), "the text on stdin")


def read_prompt(prompt: str | None) -> str:
    """The prompt from the argument and/or stdin; a `ConfigError` when there is nothing to ask."""
    from codeface.core.errors import ConfigError

    piped = _read_stdin().strip()
    if prompt in (None, "-"):
        text = piped
    else:
        assert prompt is not None
        text = f"{prompt}\n\n{piped}" if piped else prompt
    if not text.strip():
        raise ConfigError("Nothing to ask", hint='Give a prompt: codeface chat "your question"')
    return text


def handle(args: argparse.Namespace) -> int:
    """Run the chat command."""
    prompt = read_prompt(args.prompt)
    return run_async(_chat(args, prompt))


async def _chat(args: argparse.Namespace, prompt: str) -> int:
    from codeface.app import build_engine
    from codeface.commands.render import StreamPrinter
    from codeface.store import secrets

    report = read_app_settings()
    key_problem = secrets.key_file_problem()
    if key_problem is not None:
        notice(f"warning: {key_problem} (its keys are not used)")
    engine = build_engine(report.settings)
    printer = StreamPrinter(sys.stdout, sys.stderr)
    try:
        if args.no_save:
            code = await _chat_unsaved(engine, args, prompt, printer)
        else:
            code = await _chat_saved(engine, args, prompt, printer)
    finally:
        await engine.aclose()
    if printer.output_error is not None:
        failure = output_failure(printer.output_error)
        if failure is not None:
            raise failure
        return code or 1
    return code


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
    from contextlib import aclosing

    from codeface.application.conversation import Conversation
    from codeface.store.service import Store

    store = await Store.open()
    try:
        if store.notice is not None:
            notice(store.notice.message())
        if args.session:
            from codeface.store.sessions import ensure_not_trashed

            session_id = await store.resolve_session_id(args.session)
            ensure_not_trashed(await store.get_session(session_id))  # before changing it
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
        async with aclosing(Conversation(engine, store).send(session_id, prompt)) as events:
            async for event in events:
                printer.show(event)
        notice(
            f"session {session_id[:8]} (continue with: codeface chat --session {session_id[:8]})"
        )
        return int(printer.exit_code)
    finally:
        await warn_read_problems(store)
        await store.close()
