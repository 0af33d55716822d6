"""The bridge turns backend event streams into signals: order, coalescing, stop, failures."""

from __future__ import annotations

import asyncio
import sys
from typing import Any

import pytest

from codeface.core.errors import Cancelled, ModelMissing, RateLimited
from codeface.core.events import ProviderSwitched
from codeface.ui.bridge import Bridge
from tests.ui.fake_backend import AnswerScript, FakeBackend


class Recorder:
    """Connects to every bridge signal and records (name, args)."""

    def __init__(self, bridge: Bridge) -> None:
        self.events: list[tuple[str, tuple[Any, ...]]] = []
        for name in dir(bridge):
            if name.startswith("sig_"):
                getattr(bridge, name).connect(
                    lambda *args, _name=name: self.events.append((_name, args))
                )

    def names(self) -> list[str]:
        return [name for name, _ in self.events]

    def args(self, name: str) -> list[tuple[Any, ...]]:
        return [args for event, args in self.events if event == name]

    def text(self) -> str:
        return "".join(args[1] for args in self.args("sig_text_delta"))


@pytest.fixture
def backend() -> FakeBackend:
    fake = FakeBackend()
    fake.add_session("Chat")
    return fake


@pytest.mark.asyncio
async def test_send_emits_user_message_answer_and_all_text_in_order(backend: FakeBackend) -> None:
    bridge = Bridge(backend)
    recorder = Recorder(bridge)
    session_id = next(iter(backend.sessions))
    text = "".join(f"word{i} " for i in range(500))
    backend.script(AnswerScript.text(text, pieces=500))

    assert bridge.send(session_id, "hello")
    await bridge.wait_turn()

    names = recorder.names()
    assert names[0] == "sig_streaming"
    assert recorder.args("sig_streaming")[0] == (True,)
    assert names.index("sig_message_saved") < names.index("sig_answer_started")
    assert names.index("sig_answer_started") < names.index("sig_text_delta")
    assert names.index("sig_text_delta") < names.index("sig_answer_finished")
    assert names[-1] == "sig_streaming"
    assert recorder.args("sig_streaming")[-1] == (False,)
    assert recorder.text() == text
    (user,) = recorder.args("sig_message_saved")[0]
    assert user.role == "user"
    assert user.content == "hello"
    (final,) = recorder.args("sig_answer_finished")[0]
    assert final.status == "complete"
    assert final.content == text


@pytest.mark.asyncio
async def test_many_small_deltas_are_coalesced(backend: FakeBackend) -> None:
    bridge = Bridge(backend)
    recorder = Recorder(bridge)
    session_id = next(iter(backend.sessions))
    backend.script(AnswerScript(chunks=["x"] * 2000))

    bridge.send(session_id, "go")
    await bridge.wait_turn()

    assert recorder.text() == "x" * 2000
    assert len(recorder.args("sig_text_delta")) < 50


@pytest.mark.asyncio
async def test_slow_stream_is_flushed_within_a_frame(backend: FakeBackend) -> None:
    """Deltas spread over time arrive in several flushes, not one at the end."""
    bridge = Bridge(backend)
    recorder = Recorder(bridge)
    backend.script(AnswerScript(chunks=[f"{i} " for i in range(10)], delay=0.03))

    bridge.send(next(iter(backend.sessions)), "go")
    await bridge.wait_turn()

    assert len(recorder.args("sig_text_delta")) >= 5
    assert recorder.text() == "".join(f"{i} " for i in range(10))


@pytest.mark.asyncio
async def test_stop_cancels_the_turn_and_keeps_the_partial_answer(backend: FakeBackend) -> None:
    bridge = Bridge(backend)
    recorder = Recorder(bridge)
    gate = asyncio.Event()
    backend.script(AnswerScript(chunks=["one ", "two ", "three"], hold_at=2, gate=gate))
    started = asyncio.Event()
    bridge.sig_text_delta.connect(lambda *_: started.set())

    bridge.send(next(iter(backend.sessions)), "count")
    await asyncio.wait_for(started.wait(), 5)
    assert bridge.streaming
    assert not bridge.send(next(iter(backend.sessions)), "again"), "one turn at a time"
    bridge.stop()
    await bridge.wait_turn()

    (answer_id, partial) = recorder.args("sig_turn_stopped")[0]
    assert partial == "one two "
    assert backend.messages[answer_id].status == "cancelled"
    assert backend.messages[answer_id].content == "one two "
    assert recorder.args("sig_streaming")[-1] == (False,)
    assert not bridge.streaming


@pytest.mark.asyncio
async def test_expected_failure_becomes_turn_failed(backend: FakeBackend) -> None:
    bridge = Bridge(backend)
    recorder = Recorder(bridge)
    error = RateLimited("Anthropic is rate limiting you", retryable=True)
    backend.script(AnswerScript(chunks=["a", "b", "c"], fail=error, fail_at=1))

    bridge.send(next(iter(backend.sessions)), "hi")
    await bridge.wait_turn()

    (failed,) = recorder.args("sig_turn_failed")[0]
    assert failed.error is error
    assert failed.partial_text == "a"
    assert recorder.args("sig_streaming")[-1] == (False,)


@pytest.mark.asyncio
async def test_error_raised_by_the_stream_still_ends_the_turn(backend: FakeBackend) -> None:
    bridge = Bridge(backend)
    recorder = Recorder(bridge)

    async def raises_codeface(*_args: Any) -> Any:
        raise ModelMissing("model x not found")
        yield  # pragma: no cover

    backend.send = raises_codeface  # type: ignore[method-assign]
    bridge.send("s", "hi")
    await bridge.wait_turn()
    (failed,) = recorder.args("sig_turn_failed")[0]
    assert isinstance(failed.error, ModelMissing)
    assert recorder.args("sig_streaming") == [(True,), (False,)]


@pytest.mark.asyncio
async def test_unexpected_exception_goes_to_the_central_handler(
    backend: FakeBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[BaseException] = []
    monkeypatch.setattr(sys, "excepthook", lambda _t, value, _tb: seen.append(value))
    bridge = Bridge(backend)
    recorder = Recorder(bridge)

    async def buggy(*_args: Any) -> Any:
        raise ZeroDivisionError("bug")
        yield  # pragma: no cover

    backend.send = buggy  # type: ignore[method-assign]
    bridge.send("s", "hi")
    await bridge.wait_turn()

    assert [type(error) for error in seen] == [ZeroDivisionError]
    assert recorder.args("sig_streaming")[-1] == (False,)
    assert not recorder.args("sig_turn_failed")


@pytest.mark.asyncio
async def test_provider_switch_is_signalled(backend: FakeBackend) -> None:
    bridge = Bridge(backend)
    recorder = Recorder(bridge)
    switch = ProviderSwitched("ollama@local", "anthropic", "claude-sonnet", "Ollama is not running")
    backend.script(AnswerScript(chunks=["a", "b"], switch=switch))

    bridge.send(next(iter(backend.sessions)), "hi")
    await bridge.wait_turn()

    assert recorder.args("sig_provider_switched") == [(switch,)]


@pytest.mark.asyncio
async def test_pull_reports_progress_and_success(backend: FakeBackend) -> None:
    bridge = Bridge(backend)
    recorder = Recorder(bridge)
    done = asyncio.Event()
    bridge.sig_pull_finished.connect(lambda *_: done.set())

    assert bridge.pull_model("qwen2.5-coder:3b")
    await asyncio.wait_for(done.wait(), 5)

    progress = [args[1] for args in recorder.args("sig_pull_progress")]
    assert progress[-1].status == "success"
    totals = [p.completed for p in progress if p.total]
    assert totals == sorted(totals)
    assert totals[-1] == progress[1].total
    assert recorder.args("sig_pull_finished") == [("qwen2.5-coder:3b", None)]


@pytest.mark.asyncio
async def test_pull_can_be_cancelled_and_failures_are_reported(backend: FakeBackend) -> None:
    bridge = Bridge(backend)
    recorder = Recorder(bridge)
    backend.pull_gate = asyncio.Event()
    finished = asyncio.Event()
    bridge.sig_pull_finished.connect(lambda *_: finished.set())
    first = asyncio.Event()
    bridge.sig_pull_progress.connect(lambda *_: first.set())

    bridge.pull_model("big:70b")
    await asyncio.wait_for(first.wait(), 5)
    bridge.cancel_pull("big:70b")
    await asyncio.wait_for(finished.wait(), 5)
    ((name, outcome),) = recorder.args("sig_pull_finished")
    assert name == "big:70b"
    assert isinstance(outcome, Cancelled)

    finished.clear()
    bridge.pull_model("missing-model")
    await asyncio.wait_for(finished.wait(), 5)
    assert isinstance(recorder.args("sig_pull_finished")[-1][1], ModelMissing)


@pytest.mark.asyncio
async def test_aclose_cancels_running_work_and_closes_the_backend(backend: FakeBackend) -> None:
    bridge = Bridge(backend)
    gate = asyncio.Event()
    backend.script(AnswerScript(chunks=["a", "b"], hold_at=1, gate=gate))
    started = asyncio.Event()
    bridge.sig_answer_started.connect(lambda *_: started.set())
    bridge.send(next(iter(backend.sessions)), "hi")
    await asyncio.wait_for(started.wait(), 5)

    await bridge.aclose()

    assert not bridge.streaming
    assert backend.closed
