"""`ToolBox`: runs an agent's tool calls over the workspace, each checked by the approvals.

One call is an async iterator of agent events: started, approval asked and given, the
checkpoint saved before the turn's first change to a file, live command output, and
finished with the result the model gets. Every result is wrapped as data (file text and
command output can carry instructions; they are never followed). A failing tool is a
result the model reads, not an exception.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from codeface.agents.approvals import Allow, ApprovalGate, Ask, Deny, is_sensitive_path
from codeface.agents.command_risk import CommandRisk, assess_command
from codeface.agents.describe import describe_call
from codeface.agents.events import (
    AgentEvent,
    ApprovalGiven,
    ApprovalRequested,
    Approver,
    CheckpointSaved,
    CommandOutput,
    Decision,
    QuestionAsked,
    ToolCallFinished,
    ToolCallStarted,
    ToolKind,
    ToolStatus,
)
from codeface.agents.tool_specs import TOOL_KINDS, TOOL_SPECS, argument_problem
from codeface.core.errors import CodefaceError
from codeface.core.messages import ToolCall

if TYPE_CHECKING:  # the workspace package loads when a project is opened, not at start
    from codeface.workspace import Workspace

Remember = Callable[[str], Awaitable[None]]
ClaimPath = Callable[[str], Awaitable[str | None]]
"""Before a file is changed: waits until this agent may change it (another agent of the same
plan may be changing it); returns None, or why it may not (told to the model)."""
COMMAND_TIMEOUT = 120.0
MAX_RESULT_CHARS = 40_000


def as_data(source: str, body: str) -> str:
    """Tool output as data: framed, with its closing tag defused inside the body."""
    safe = body.replace("</data>", "<\\/data>")
    if len(safe) > MAX_RESULT_CHARS:
        cut = len(safe) - MAX_RESULT_CHARS
        safe = (
            safe[: MAX_RESULT_CHARS // 2]
            + f"\n… [{cut} characters cut] …\n"
            + safe[-MAX_RESULT_CHARS // 2 :]
        )
    return f'<data source="{source}">\n{safe}\n</data>'


@dataclass
class Outcome:
    """What running a tool produced."""

    status: ToolStatus
    result: str
    summary: str
    detail: str = ""
    changed: tuple[str, ...] = ()


@dataclass
class ToolBox:
    """The tools of one session's turn, over one workspace."""

    workspace: Workspace
    gate: ApprovalGate
    turn_id: str
    remember: Remember | None = None
    private_folders: tuple[Any, ...] = ()
    claim_path: ClaimPath | None = None
    read_versions: dict[str, Any] = field(default_factory=dict)
    checkpointed: set[str] = field(default_factory=set)
    changed: list[str] = field(default_factory=list)

    # ------------------------------------------------------------------ one call
    async def run(self, call: ToolCall) -> AsyncGenerator[AgentEvent, None]:
        """Check, run and report one call."""
        started = time.monotonic()
        kind: ToolKind = TOOL_KINDS.get(call.name, "read")
        description = describe_call(call, self.workspace.name)
        yield ToolCallStarted(call, kind, description)
        problem = self._problem(call)
        if problem is not None:
            yield self._finished(call, kind, Outcome("error", problem, problem), started)
            return
        detail, risk = await self._preview(call, kind)
        if isinstance(detail, Outcome):
            yield self._finished(call, kind, detail, started)
            return
        path = str(call.arguments.get("path", "") or "")
        verdict = self.gate.check(
            call,
            kind,
            description,
            detail,
            sensitive_path=bool(path) and is_sensitive_path(path),
            risk=risk,
        )
        approver: Approver
        decision: Decision | None = None
        match verdict:
            case Allow():
                approver = verdict.approver
            case Deny():
                yield ApprovalGiven(call.id, "deny", verdict.approver, verdict.reason)
                outcome = Outcome(
                    "denied", f"Denied: {verdict.reason}", f"denied: {verdict.reason}"
                )
                yield self._finished(call, kind, outcome, started, verdict.approver)
                return
            case Ask():
                yield ApprovalRequested(verdict.request)
                answer = await self.gate.wait(verdict.request, risk)
                yield ApprovalGiven(call.id, answer.decision, "user", answer.reason)
                if answer.decision == "deny":
                    why = f" ({answer.reason})" if answer.reason else ""
                    outcome = Outcome(
                        "denied",
                        f"The user denied this{why}. Do not try it again another way; "
                        "ask the user or continue without it.",
                        f"denied by the user{why}",
                    )
                    yield self._finished(call, kind, outcome, started, "user", "deny")
                    return
                approver, decision = "user", answer.decision
        if kind == "edit":
            async for event in self._checkpoint(path):
                yield event
        if call.name == "run_command":
            async for item in self._command(call):
                if isinstance(item, Outcome):
                    yield self._finished(call, kind, item, started, approver, decision)
                else:
                    yield item
            return
        if call.name == "ask_user":
            question_id = self.gate.new_question_id()
            yield QuestionAsked(question_id, call.id, str(call.arguments["question"]))
            reply = await self.gate.wait_question(question_id)
            outcome = Outcome("ok", as_data("the user's reply", reply), f"answered: {reply[:80]}")
            yield self._finished(call, kind, outcome, started, approver, decision)
            return
        outcome = await self._execute(call)
        yield self._finished(call, kind, outcome, started, approver, decision)

    def _finished(
        self,
        call: ToolCall,
        kind: ToolKind,
        outcome: Outcome,
        started: float,
        approver: Approver = "auto",
        decision: Decision | None = None,
    ) -> ToolCallFinished:
        return ToolCallFinished(
            call=call,
            kind=kind,
            status=outcome.status,
            result=outcome.result,
            summary=outcome.summary,
            detail=outcome.detail,
            duration=time.monotonic() - started,
            changed_paths=outcome.changed,
            approver=approver,
            decision=decision,
        )

    def _problem(self, call: ToolCall) -> str | None:
        spec = next((spec for spec in TOOL_SPECS if spec.name == call.name), None)
        if spec is None:
            names = ", ".join(s.name for s in TOOL_SPECS)
            return f"There is no tool {call.name!r}. Available tools: {names}."
        problem = argument_problem(spec, call.arguments)
        return f"Bad arguments for {call.name}: {problem}." if problem else None

    # ------------------------------------------------------------------ previews
    async def _preview(
        self, call: ToolCall, kind: ToolKind
    ) -> tuple[str | Outcome, CommandRisk | None]:
        """The detail an approval shows (diff, command line), or the error that ends the call."""
        args = call.arguments
        try:
            if call.name == "edit_file":
                preview = await self.workspace.preview_edit(
                    args["path"], args["old_text"], args["new_text"]
                )
                return preview.diff, None
            if call.name == "write_file":
                preview = await self.workspace.preview_write(args["path"], args["content"])
                return preview.diff, None
            if call.name == "run_command":
                risk = assess_command(
                    args["command"], self.workspace.root, private_folders=self.private_folders
                )
                return f"$ {args['command']}\n(in {self.workspace.root})", risk
            if kind == "read" and args.get("path"):
                self.workspace.resolve(str(args["path"]))
        except CodefaceError as error:
            return self._error_outcome(call, error), None
        return "", None

    def _error_outcome(self, call: ToolCall, error: CodefaceError) -> Outcome:
        text = error.user_message + (f" ({error.hint})" if error.hint else "")
        return Outcome("error", f"{call.name} failed: {text}", f"failed: {error.user_message}")

    # ------------------------------------------------------------------ running
    async def _checkpoint(self, path: str) -> AsyncIterator[AgentEvent]:
        if path in self.checkpointed:
            return
        await self.workspace.checkpoints.save(self.turn_id, [path])
        self.checkpointed.add(path)
        yield CheckpointSaved(self.turn_id, (path,))

    async def _execute(self, call: ToolCall) -> Outcome:
        try:
            return await self._dispatch(call)
        except CodefaceError as error:
            return self._error_outcome(call, error)

    async def _dispatch(self, call: ToolCall) -> Outcome:
        args = call.arguments
        ws = self.workspace
        match call.name:
            case "read_file":
                text = await ws.read_file(
                    args["path"], args.get("start_line"), args.get("end_line")
                )
                self.read_versions[text.path] = text.version
                span = f"lines {text.start_line}-{text.end_line} of {text.total_lines}"
                cut = " (cut: ask for a line range)" if text.truncated else ""
                return Outcome(
                    "ok",
                    as_data(f"file {text.path}, {span}{cut}", text.text),
                    f"{span}{cut}",
                    text.text,
                )
            case "list_dir":
                entries = await ws.list_dir(args.get("path") or "")
                lines = [
                    f"{entry.path}/" if entry.is_dir else f"{entry.path}  ({entry.description})"
                    for entry in entries
                    if not entry.ignored
                ]
                listing = "\n".join(lines) or "(empty)"
                return Outcome(
                    "ok",
                    as_data(f"listing of {args.get('path') or '.'}", listing),
                    f"{len(lines)} entries",
                    listing,
                )
            case "search":
                found = await ws.search(args["pattern"], args.get("path"))
                lines = [f"{hit.path}:{hit.line}: {hit.text}" for hit in found.hits]
                more = "\n(more matches were cut; narrow the search)" if found.truncated else ""
                body = ("\n".join(lines) or "(no matches)") + more
                return Outcome(
                    "ok",
                    as_data(f"search results for {args['pattern']!r}", body),
                    f"{len(lines)} match{'es' * (len(lines) != 1)}",
                    body,
                )
            case "repo_map":
                overview = await ws.repo_map()
                return Outcome(
                    "ok", as_data("repository map", overview), "repository map", overview
                )
            case "edit_file" | "write_file":
                return await self._write(call)
            case "remember":
                if self.remember is None:
                    return Outcome("error", "Project memory is not available here.", "no memory")
                await self.remember(str(args["note"]))
                return Outcome("ok", "Saved to the project's memory.", "saved")
        return Outcome("error", f"{call.name} cannot run here.", "not available")

    async def _write(self, call: ToolCall) -> Outcome:
        args = call.arguments
        path = self.workspace.relative(self.workspace.resolve(str(args["path"])))
        if self.claim_path is not None:
            refused = await self.claim_path(path)
            if refused is not None:
                return Outcome("error", f"{call.name} was not applied: {refused}", refused)
        expected = self.read_versions.get(path)
        if call.name == "edit_file":
            result = await self.workspace.edit_file(
                path, args["old_text"], args["new_text"], expected_version=expected
            )
        else:
            result = await self.workspace.write_file(
                path, args["content"], expected_version=expected
            )
        self.read_versions[result.path] = result.version
        if result.path not in self.changed:
            self.changed.append(result.path)
        return Outcome(
            "ok",
            f"{'Edited' if call.name == 'edit_file' else 'Wrote'} {result.path}.",
            f"changed {result.path}",
            result.diff,
            (result.path,),
        )

    async def _command(self, call: ToolCall) -> AsyncIterator[AgentEvent | Outcome]:
        queue: asyncio.Queue[str] = asyncio.Queue()
        loop = asyncio.get_running_loop()

        def on_output(text: str) -> None:
            loop.call_soon_threadsafe(queue.put_nowait, text)

        timeout = float(call.arguments.get("timeout_s") or COMMAND_TIMEOUT)
        task = asyncio.ensure_future(
            self.workspace.run_command(
                str(call.arguments["command"]), timeout_s=timeout, on_output=on_output
            )
        )
        try:
            while not task.done():
                getter = asyncio.ensure_future(queue.get())
                await asyncio.wait({task, getter}, return_when=asyncio.FIRST_COMPLETED)
                if getter.done():
                    yield CommandOutput(call.id, getter.result())
                else:
                    getter.cancel()
            while not queue.empty():
                yield CommandOutput(call.id, queue.get_nowait())
            try:
                result = task.result()
            except CodefaceError as error:
                yield self._error_outcome(call, error)
                return
        finally:
            if not task.done():
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
        status = "timed out" if result.timed_out else f"exit status {result.exit_code}"
        body = f"{status}\n{result.output}"
        yield Outcome(
            "ok" if result.exit_code == 0 and not result.timed_out else "error",
            as_data(f"output of `{call.arguments['command']}`", body),
            status,
            result.output,
        )
