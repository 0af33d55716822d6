"""The window's backend end to end (no Qt): prompts and answers land in the store as they
stream, branches work, a stopped answer keeps its text, search finds it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from codeface.app import build_engine
from codeface.application.backend import AppBackend
from codeface.application.contract import MessageSaved
from codeface.core.events import ProviderSwitched, TextDelta, TurnDone, TurnFailed
from codeface.core.settings import Settings
from tests.fakes.anthropic_server import AnthropicServer
from tests.fakes.ollama_server import OllamaServer

pytestmark = pytest.mark.asyncio


@pytest_asyncio.fixture
async def backend(
    ollama_server: OllamaServer, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[AppBackend]:
    monkeypatch.setenv("OLLAMA_HOST", ollama_server.url)
    value = AppBackend(build_engine(Settings()))
    yield value
    await value.aclose()


async def drain(events: AsyncIterator[object]) -> list[object]:
    return [event async for event in events]


async def test_send_saves_prompt_and_answer_with_stats(
    backend: AppBackend, ollama_server: OllamaServer
) -> None:
    ollama_server.reply_text("Use `sorted()`.", input_tokens=9, output_tokens=4)
    session = await backend.create_session()

    events = await drain(backend.send(session.id, "How do I sort a list?"))

    saved = [e.message for e in events if isinstance(e, MessageSaved)]
    assert [m.role for m in saved] == ["user", "assistant", "assistant"]
    assert saved[1].status == "streaming"
    final = saved[-1]
    assert (final.status, final.content, final.model) == (
        "complete",
        "Use `sorted()`.",
        "qwen2.5-coder:7b",
    )
    assert (final.input_tokens, final.output_tokens, final.tier) == (9, 4, "local")
    branch = await backend.load_branch(session.id)
    assert [m.content for m in branch] == ["How do I sort a list?", "Use `sorted()`."]
    sessions = await backend.list_sessions()
    assert sessions[0].title == "How do I sort a list?"


async def test_regenerate_and_edit_make_branches_that_stay_reachable(
    backend: AppBackend, ollama_server: OllamaServer
) -> None:
    session = await backend.create_session()
    ollama_server.reply_text("first answer")
    await drain(backend.send(session.id, "question"))
    first = (await backend.load_branch(session.id))[-1]

    ollama_server.reply_text("second answer")
    await drain(backend.regenerate(first.id))
    branch = await backend.load_branch(session.id)
    assert branch[-1].content == "second answer"
    assert (branch[-1].sibling_index, branch[-1].sibling_count) == (1, 2)

    back = await backend.switch_sibling(branch[-1].id, -1)
    assert back[-1].content == "first answer"

    ollama_server.reply_text("answer to the edit")
    await drain(backend.edit(back[0].id, "better question"))
    edited = await backend.load_branch(session.id)
    assert [m.content for m in edited] == ["better question", "answer to the edit"]
    assert (edited[0].sibling_index, edited[0].sibling_count) == (1, 2)
    sent = ollama_server.requests_to("/api/chat")[-1].json["messages"]
    assert [m["content"] for m in sent] == ["better question"]


async def test_stopping_keeps_the_partial_answer_marked_cancelled(
    backend: AppBackend, ollama_server: OllamaServer
) -> None:
    ollama_server.reply_text("word " * 100, chunks=100, chunk_delay=0.05)
    session = await backend.create_session()
    got_text = asyncio.Event()

    async def consume() -> None:
        async for event in backend.send(session.id, "long please"):
            if isinstance(event, TextDelta):
                got_text.set()

    task = asyncio.create_task(consume())
    await asyncio.wait_for(got_text.wait(), 5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    answer = (await backend.load_branch(session.id))[-1]
    assert answer.status == "cancelled"
    assert answer.content.startswith("word")
    assert answer.finish_reason == "cancelled"

    ollama_server.reply_text(" and the rest.")
    events = await drain(backend.continue_answer(answer.id))
    assert isinstance(next(e for e in events if isinstance(e, TurnDone)), TurnDone)
    continued = (await backend.load_branch(session.id))[-1]
    assert continued.id == answer.id
    assert continued.content.startswith(answer.content)
    assert continued.content.endswith(" and the rest.")


async def test_a_failed_answer_is_stored_with_its_reason(
    backend: AppBackend, ollama_server: OllamaServer
) -> None:
    ollama_server.status(500, times=None)
    backend.engine.settings.router.max_retries = 0
    session = await backend.create_session(policy="local-only")

    events = await drain(backend.send(session.id, "hello"))

    assert isinstance(next(e for e in events if isinstance(e, TurnFailed)), TurnFailed)
    answer = (await backend.load_branch(session.id))[-1]
    assert answer.status == "error"
    assert answer.error_text


async def test_fallback_is_visible_in_the_events(
    refused_url: str, anthropic_server: AnthropicServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OLLAMA_HOST", refused_url)
    monkeypatch.setenv("ANTHROPIC_API_KEY", "test-anthropic-key")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", anthropic_server.url)
    anthropic_server.reply_text("from the cloud")
    backend = AppBackend(build_engine(Settings()))
    try:
        session = await backend.create_session()
        events = await drain(backend.send(session.id, "hi"))
        switched = next(e for e in events if isinstance(e, ProviderSwitched))
        assert "not running" in switched.reason
        answer = (await backend.load_branch(session.id))[-1]
        assert (answer.content, answer.tier) == ("from the cloud", "cloud")
    finally:
        await backend.aclose()


async def test_search_finds_messages_and_the_sidebar_actions_work(
    backend: AppBackend, ollama_server: OllamaServer
) -> None:
    ollama_server.reply_text("A binary heap keeps the smallest item first.")
    session = await backend.create_session()
    await drain(backend.send(session.id, "explain heaps"))

    hits = await backend.search("heap")
    assert hits
    assert hits[0].session_id == session.id
    assert any(hit.message_id for hit in hits)

    await backend.rename_session(session.id, "Heaps")
    await backend.set_pinned(session.id, True)
    listed = await backend.list_sessions()
    assert (listed[0].title, listed[0].pinned) == ("Heaps", True)
    await backend.delete_session(session.id)
    assert await backend.list_sessions() == []
    await backend.restore_session(session.id)
    assert [s.id for s in await backend.list_sessions()] == [session.id]


async def test_load_state_reports_providers_and_models(
    backend: AppBackend, ollama_server: OllamaServer
) -> None:
    state = await backend.load_state()

    assert [p.kind for p in state.providers] == ["ollama"]
    assert state.providers[0].health.ok
    models = await backend.list_models()
    assert {m.name for m in models} >= {"qwen2.5-coder:7b", "llama3.2:3b"}
    details = await backend.model_details("qwen2.5-coder:7b")
    assert details["context_length"] == 32768
