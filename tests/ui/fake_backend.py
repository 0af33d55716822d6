"""An in-memory `codeface.application.contract.Backend` with scripted answers, for widget tests and demos.

Sessions and messages live in dicts (a real tree: regenerate and edit make siblings);
answers come from `AnswerScript`s queued with `script()` (a default answer otherwise).
A script can hold its stream at a chunk until the test opens a gate, fail with a
`CodefaceError`, or switch provider half way, so tests wait on events, never on time.
"""

from __future__ import annotations

import asyncio
import itertools
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from types import EllipsisType
from typing import Literal

from codeface.application.contract import (
    Attachment,
    Backend,
    BackendState,
    ConversationEvent,
    MessageSaved,
    MessageStatus,
    MessageView,
    ProviderStatus,
    SearchHit,
    SessionView,
    StartupNotice,
)
from codeface.application.terminal_service import TerminalService
from codeface.core.errors import AuthenticationFailed, CodefaceError, ModelMissing
from codeface.core.events import (
    AnswerStats,
    Progress,
    ProviderSwitched,
    TextDelta,
    TurnDone,
    TurnFailed,
    TurnStarted,
)
from codeface.core.provider import Health, ModelInfo
from codeface.core.settings import Policy, Settings
from tests.ui.fake_agents import AgentScript, FakeAgents
from tests.ui.fake_engine import FakeEngine
from tests.ui.fake_plans import FakePlans
from tests.ui.fake_project import FakeProjects

DEFAULT_ANSWER = (
    "Here is a function that reverses a string:\n\n```python\ndef reverse(text: str) -> str:\n"
    '    """Return text backwards."""\n    return text[::-1]\n```\n\nCall `reverse("abc")`.'
)


@dataclass
class AnswerScript:
    """How the next answer streams."""

    chunks: list[str] = field(default_factory=lambda: [DEFAULT_ANSWER])
    delay: float = 0.0
    hold_at: int | None = None
    """Wait at this chunk index until `gate` is set (for stop tests)."""
    gate: asyncio.Event | None = None
    fail: CodefaceError | None = None
    fail_at: int | None = None
    switch: ProviderSwitched | None = None
    provider: str = "ollama@127.0.0.1:11434"
    model: str = "qwen2.5-coder:7b"
    tier: Literal["local", "cloud"] = "local"
    cost_usd: float | None = None

    @classmethod
    def text(cls, text: str, pieces: int = 1, **options: object) -> AnswerScript:
        """Split ``text`` into ``pieces`` chunks of about equal size."""
        size = max(1, -(-len(text) // pieces))
        chunks = [text[start : start + size] for start in range(0, len(text), size)]
        return cls(chunks=chunks, **options)  # type: ignore[arg-type]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class FakeBackend(FakeProjects, FakeAgents, FakeEngine, FakePlans, TerminalService, Backend):
    """Implements `Backend` in memory; every call is recorded in ``calls``."""

    def __init__(
        self,
        *,
        models: list[ModelInfo] | None = None,
        providers: list[ProviderStatus] | None = None,
        notices: list[StartupNotice] | None = None,
        settings: Settings | None = None,
    ) -> None:
        FakeProjects.__init__(self)
        FakeAgents.__init__(self)
        FakeEngine.__init__(self)
        FakePlans.__init__(self)
        TerminalService.__init__(self)  # real terminals: the terminal tests run real shells
        self._settings = settings or Settings()
        self.sessions: dict[str, SessionView] = {}
        self.messages: dict[str, MessageView] = {}
        self.message_session: dict[str, str] = {}
        self.leaf: dict[str, str | None] = {}
        self.trash: set[str] = set()
        self.scripts: deque[AnswerScript | AgentScript] = deque()
        self.calls: list[tuple[object, ...]] = []
        self.keys: dict[str, str] = {}
        self.valid_keys: set[str] = {"sk-good-key-123456"}
        self.models = (
            models
            if models is not None
            else [
                ModelInfo(
                    "qwen2.5-coder:7b",
                    "ollama@127.0.0.1:11434",
                    "local",
                    4_700_000_000,
                    "7.6B",
                    "Q4_K_M",
                    "qwen2",
                    32768,
                    ("completion", "tools"),
                    "gpu",
                    4_700_000_000,
                ),
                ModelInfo(
                    "llama3.2:3b",
                    "ollama@127.0.0.1:11434",
                    "local",
                    2_000_000_000,
                    "3.2B",
                    "Q4_K_M",
                    "llama",
                    131072,
                    ("completion",),
                    "not_loaded",
                ),
            ]
        )
        self.providers = (
            providers
            if providers is not None
            else [
                ProviderStatus(
                    "ollama@127.0.0.1:11434",
                    "ollama",
                    "local",
                    "127.0.0.1:11434",
                    Health(True, "Ollama 0.12.0", "0.12.0"),
                )
            ]
        )
        self.notices = notices or []
        self.pull_gate: asyncio.Event | None = None
        self.pull_steps = 5
        self.closed = False
        self._ids = itertools.count(1)

    # -------------------------------------------------------------- helpers for tests
    def script(self, *scripts: AnswerScript | AgentScript) -> None:
        """Queue answers for the next turns (an `AgentScript` plays an agent turn)."""
        self.scripts.extend(scripts)

    def add_session(self, title: str, messages: list[tuple[str, str]] = (), **flags: object) -> str:  # type: ignore[assignment]
        """A session with a linear conversation of (role, text) pairs; returns its id."""
        session = SessionView(self._id("s"), title, _now(), **flags)  # type: ignore[arg-type]
        self.sessions[session.id] = session
        self.leaf[session.id] = None
        for role, text in messages:
            self._add(session.id, role, text)  # type: ignore[arg-type]
        return session.id

    def _id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids)}"

    def _add(
        self,
        session_id: str,
        role: Literal["user", "assistant"],
        text: str,
        parent: str | EllipsisType | None = ...,
        status: MessageStatus = "complete",
        **extra: object,
    ) -> MessageView:
        parent_id = self.leaf[session_id] if isinstance(parent, EllipsisType) else parent
        message = MessageView(
            self._id("m"),
            role,
            text,
            status,
            parent_id,
            created_at=_now(),
            **extra,  # type: ignore[arg-type]
        )
        self.messages[message.id] = message
        self.message_session[message.id] = session_id
        self.leaf[session_id] = message.id
        return self._decorate(message)

    def _siblings(self, message_id: str) -> list[str]:
        message = self.messages[message_id]
        session_id = self.message_session[message_id]
        return [
            other.id
            for other in self.messages.values()
            if other.parent_id == message.parent_id and self.message_session[other.id] == session_id
        ]

    def _decorate(self, message: MessageView) -> MessageView:
        siblings = self._siblings(message.id)
        return replace(
            message, sibling_index=siblings.index(message.id), sibling_count=len(siblings)
        )

    def _branch(self, session_id: str) -> list[MessageView]:
        chain: list[MessageView] = []
        current = self.leaf.get(session_id)
        while current is not None:
            chain.append(self._decorate(self.messages[current]))
            current = self.messages[current].parent_id
        return chain[::-1]

    def _deepest(self, message_id: str) -> str:
        while True:
            children = [m.id for m in self.messages.values() if m.parent_id == message_id]
            if not children:
                return message_id
            message_id = children[-1]

    # -------------------------------------------------------------- Backend
    async def load_state(self) -> BackendState:
        self.calls.append(("load_state",))
        return BackendState(
            sessions=await self.list_sessions(),
            providers=list(self.providers),
            notices=list(self.notices),
            last_session_id=next(iter(self.sessions), None),
        )

    async def list_sessions(self, *, archived: bool = False) -> list[SessionView]:
        rows = [
            s for s in self.sessions.values() if s.archived == archived and s.id not in self.trash
        ]
        return sorted(rows, key=lambda s: (not s.pinned, s.updated_at), reverse=False)

    async def create_session(
        self,
        *,
        project: str | None = None,
        policy: Policy | None = None,
        role: str | None = None,
    ) -> SessionView:
        self.calls.append(("create_session", policy))
        session_id = self.add_session(
            "New chat", policy=policy or self.settings.general.policy, project=project, role=role
        )
        return self.sessions[session_id]

    async def rename_session(self, session_id: str, title: str) -> None:
        self.calls.append(("rename_session", session_id, title))
        self.sessions[session_id] = replace(self.sessions[session_id], title=title)

    async def set_pinned(self, session_id: str, pinned: bool) -> None:
        self.calls.append(("set_pinned", session_id, pinned))
        self.sessions[session_id] = replace(self.sessions[session_id], pinned=pinned)

    async def set_archived(self, session_id: str, archived: bool) -> None:
        self.calls.append(("set_archived", session_id, archived))
        self.sessions[session_id] = replace(self.sessions[session_id], archived=archived)

    async def delete_session(self, session_id: str) -> None:
        self.calls.append(("delete_session", session_id))
        self.trash.add(session_id)

    async def restore_session(self, session_id: str) -> None:
        self.calls.append(("restore_session", session_id))
        self.trash.discard(session_id)

    async def set_session_model(self, session_id: str, model: str | None, policy: Policy) -> None:
        self.calls.append(("set_session_model", session_id, model, policy))
        self.sessions[session_id] = replace(self.sessions[session_id], model=model, policy=policy)

    async def load_branch(self, session_id: str) -> list[MessageView]:
        self.calls.append(("load_branch", session_id))
        return self._branch(session_id)

    async def switch_sibling(self, message_id: str, step: int) -> list[MessageView]:
        self.calls.append(("switch_sibling", message_id, step))
        siblings = self._siblings(message_id)
        index = max(0, min(len(siblings) - 1, siblings.index(message_id) + step))
        session_id = self.message_session[message_id]
        self.leaf[session_id] = self._deepest(siblings[index])
        return self._branch(session_id)

    async def rate(self, message_id: str, rating: int | None) -> None:
        self.calls.append(("rate", message_id, rating))
        self.messages[message_id] = replace(self.messages[message_id], rating=rating)

    async def search(self, query: str, *, session_id: str | None = None) -> list[SearchHit]:
        self.calls.append(("search", query))
        hits: list[SearchHit] = []
        needle = query.casefold()
        for message in self.messages.values():
            owner = self.message_session[message.id]
            position = message.content.casefold().find(needle)
            if not needle or position < 0 or owner in self.trash:
                continue
            start = max(0, position - 30)
            snippet = message.content[start : position + len(query) + 30]
            offset = position - start
            hits.append(
                SearchHit(
                    owner,
                    self.sessions[owner].title,
                    message.id,
                    snippet,
                    ((offset, offset + len(query)),),
                )
            )
        return hits

    async def export_session(self, session_id: str, fmt: Literal["md", "json"]) -> str:
        return "\n\n".join(f"**{m.role}**: {m.content}" for m in self._branch(session_id))

    # -------------------------------------------------------------- conversation
    def send(
        self, session_id: str, text: str, attachments: tuple[Attachment, ...] = ()
    ) -> AsyncIterator[ConversationEvent]:
        self.calls.append(("send", session_id, text))
        return self._turn(session_id, text, parent=self.leaf[session_id])

    def regenerate(self, answer_id: str) -> AsyncIterator[ConversationEvent]:
        self.calls.append(("regenerate", answer_id))
        answer = self.messages[answer_id]
        session_id = self.message_session[answer_id]
        self.leaf[session_id] = answer.parent_id
        return self._turn(session_id, None, parent=answer.parent_id)

    def edit(self, message_id: str, text: str) -> AsyncIterator[ConversationEvent]:
        self.calls.append(("edit", message_id, text))
        message = self.messages[message_id]
        session_id = self.message_session[message_id]
        return self._turn(session_id, text, parent=message.parent_id)

    def continue_answer(self, answer_id: str) -> AsyncIterator[ConversationEvent]:
        self.calls.append(("continue", answer_id))
        session_id = self.message_session[answer_id]
        return self._turn(session_id, None, parent=answer_id)

    async def _turn(
        self, session_id: str, text: str | None, *, parent: str | None
    ) -> AsyncIterator[ConversationEvent]:
        script = self.scripts.popleft() if self.scripts else AnswerScript()
        if text is not None:
            user = self._add(session_id, "user", text, parent=parent)
            parent = user.id
            if self.sessions[session_id].title == "New chat":  # as the store: with the prompt
                self.sessions[session_id] = replace(self.sessions[session_id], title=text[:40])
            yield MessageSaved(user)
        if isinstance(script, AgentScript):
            async for event in self.play_agent_turn(session_id, parent or session_id, script):
                yield event
            return
        yield TurnStarted(script.provider, script.model, "127.0.0.1:11434", script.tier)
        answer = self._add(
            session_id,
            "assistant",
            "",
            parent=parent,
            status="streaming",
            provider=script.provider,
            model=script.model,
            tier=script.tier,
        )
        yield MessageSaved(answer)
        parts: list[str] = []
        status = "complete"
        try:
            for index, chunk in enumerate(script.chunks):
                if script.switch is not None and index == len(script.chunks) // 2:
                    yield script.switch
                if script.hold_at == index and script.gate is not None:
                    await script.gate.wait()
                if script.fail is not None and script.fail_at == index:
                    status = "error"
                    break
                if script.delay:
                    await asyncio.sleep(script.delay)
                parts.append(chunk)
                yield TextDelta(chunk)
        except (asyncio.CancelledError, GeneratorExit):
            self._finish(answer, "".join(parts), "cancelled", script)
            raise
        final = self._finish(answer, "".join(parts), status, script)
        stats = AnswerStats(
            script.provider,
            script.model,
            "127.0.0.1:11434",
            12,
            len(parts),
            0.05,
            42.0,
            script.cost_usd,
            "stop" if status == "complete" else "error",
        )
        if status == "error" and script.fail is not None:
            yield TurnFailed(script.fail, "".join(parts), stats)
        else:
            yield TurnDone("".join(parts), stats)
        yield MessageSaved(final)

    def _finish(
        self, answer: MessageView, text: str, status: str, script: AnswerScript
    ) -> MessageView:
        final = replace(
            self.messages[answer.id],
            content=text,
            status=status,  # type: ignore[arg-type]
            tokens_per_second=42.0,
            output_tokens=len(text.split()),
            cost_usd=script.cost_usd,
        )
        self.messages[answer.id] = final
        return self._decorate(final)

    # -------------------------------------------------------------- models
    async def prepare_to_send(self) -> None:
        self.calls.append(("prepare_to_send",))

    async def list_models(self) -> list[ModelInfo]:
        self.calls.append(("list_models",))
        return list(self.models)

    async def provider_status(self) -> list[ProviderStatus]:
        return list(self.providers)

    async def pull_model(self, name: str) -> AsyncIterator[Progress]:
        self.calls.append(("pull_model", name))
        if name.startswith("missing"):
            raise ModelMissing(f"Model {name} does not exist in the library")
        total = 1_000_000_000
        yield Progress("pulling manifest")
        for step in range(1, self.pull_steps + 1):
            if step == 2 and self.pull_gate is not None:
                await self.pull_gate.wait()
            yield Progress("downloading", total * step // self.pull_steps, total, "sha256:abc")
        yield Progress("success")
        self.models.append(ModelInfo(name, "ollama@127.0.0.1:11434", "local", total))

    async def delete_model(self, name: str) -> None:
        self.calls.append(("delete_model", name))
        self.models = [m for m in self.models if m.name != name]

    async def model_details(self, name: str) -> dict[str, object]:
        model = next(m for m in self.models if m.name == name)
        return {
            "context_length": model.context_length,
            "capabilities": list(model.capabilities),
            "family": model.family,
            "parameter_size": model.parameter_size,
            "quantization": model.quantization,
        }

    async def test_ollama_host(self, host: str) -> Health:
        self.calls.append(("test_ollama_host", host))
        if host.endswith(":11434"):
            return Health(True, "Ollama 0.12.0 is running", "0.12.0")
        return Health(False, f"Nothing answers at {host}")

    # -------------------------------------------------------------- settings and keys
    @property
    def settings(self) -> Settings:
        return self._settings

    async def save_settings(self, settings: Settings) -> None:
        self.calls.append(("save_settings",))
        self._settings = settings

    async def set_key(self, provider: str, key: str) -> None:
        self.calls.append(("set_key", provider))
        self.keys[provider] = key

    async def remove_key(self, provider: str) -> None:
        self.calls.append(("remove_key", provider))
        self.keys.pop(provider, None)

    async def test_key(self, provider: str, key: str | None = None) -> Health:
        self.calls.append(("test_key", provider))
        key = key if key is not None else self.keys.get(provider)
        if key in self.valid_keys:
            return Health(True, f"{provider} accepted the key")
        error = AuthenticationFailed(f"{provider} refused the key (401)")
        return Health(False, error.user_message, error=error)

    async def key_storage_description(self) -> str:
        return "In-memory keyring (tests)"

    async def aclose(self) -> None:
        self.close_all()
        self.closed = True


# ---------------------------------------------------------------------- a recording pane
from PySide6.QtCore import Signal  # noqa: E402
from PySide6.QtWidgets import QWidget  # noqa: E402


class RecordingChatPane(QWidget):
    """Implements the `ChatPane` API by recording calls and keeping each message's text.

    Window tests use it to check exactly what the window asked the pane to show, in which
    order, without depending on how the real pane renders.
    """

    sig_send = Signal(str, list)
    sig_stop = Signal()
    sig_regenerate = Signal(str)
    sig_edit = Signal(str, str)
    sig_switch_sibling = Signal(str, int)
    sig_rate = Signal(str, object)
    sig_continue = Signal(str)
    sig_action = Signal(str)
    sig_send_to_terminal = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[object, ...]] = []
        self.messages: list[MessageView] = []
        self.texts: dict[str, str] = {}
        self.notices: list[tuple[str, str, list[tuple[str, str]]]] = []
        self.streaming = False
        self.zoom_level = 0
        self.scrolled_to: tuple[str, str] | None = None
        self.theme: object = None
        self.enter_sends = True
        self.focused = 0
        self.project_name: str | None = None

    def show_project(self, name: str | None) -> None:
        self.project_name = name

    def _put(self, message: MessageView) -> None:
        for index, existing in enumerate(self.messages):
            if existing.id == message.id:
                self.messages[index] = message
                break
        else:
            self.messages.append(message)
        self.texts[message.id] = message.content

    def set_messages(self, messages: list[MessageView]) -> None:
        self.calls.append(("set_messages", [m.id for m in messages]))
        self.messages, self.texts = [], {}
        for message in messages:
            self._put(message)

    def add_message(self, message: MessageView) -> None:
        self.calls.append(("add_message", message.id))
        self._put(message)

    def update_message(self, message: MessageView) -> None:
        self.calls.append(("update_message", message.id))
        self._put(message)

    def begin_answer(self, message: MessageView) -> None:
        self.calls.append(("begin_answer", message.id))
        self._put(message)

    def append_answer_text(self, message_id: str, text: str) -> None:
        self.calls.append(("append_answer_text", message_id))
        self.texts[message_id] = self.texts.get(message_id, "") + text

    def end_answer(self, message: MessageView) -> None:
        self.calls.append(("end_answer", message.id, message.status))
        self._put(message)

    def show_notice(self, kind: str, text: str, actions: list[tuple[str, str]]) -> None:
        self.calls.append(("show_notice", kind))
        self.notices.append((kind, text, list(actions)))

    def set_streaming(self, streaming: bool) -> None:
        self.calls.append(("set_streaming", streaming))
        self.streaming = streaming

    def scroll_to_message(self, message_id: str, highlight: str) -> None:
        self.calls.append(("scroll_to_message", message_id, highlight))
        self.scrolled_to = (message_id, highlight)

    def set_theme(self, theme: object) -> None:
        self.theme = theme

    def zoom(self, step: int) -> None:
        self.zoom_level += step

    def set_enter_sends(self, enabled: bool) -> None:
        self.enter_sends = enabled

    def focus_composer(self) -> None:
        self.focused += 1

    def insert_into_composer(self, text: str) -> None:
        self.calls.append(("insert_into_composer", text))

    @property
    def shown_ids(self) -> list[str]:
        return [m.id for m in self.messages]
