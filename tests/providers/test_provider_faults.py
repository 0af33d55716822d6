"""Every fault a server can produce reaches the caller as the right `CodefaceError`."""

from __future__ import annotations

import pytest

from codeface.core.errors import (
    AuthenticationFailed,
    CodefaceError,
    ContextTooLong,
    InvalidRequest,
    MalformedResponse,
    ModelMissing,
    Overloaded,
    ProviderUnavailable,
    RateLimited,
    ServerError,
    StreamInterrupted,
)
from codeface.core.events import TextDelta
from tests.providers.conftest import KINDS, MODELS, Rig, make_provider


async def failure_of(rig: Rig, **request_fields: object) -> tuple[CodefaceError, str]:
    """The error an answer ends with, and the text that arrived before it."""
    text = ""

    async def consume() -> None:
        nonlocal text
        async for event in rig.provider.stream_chat(rig.request(**request_fields)):
            if isinstance(event, TextDelta):
                text += event.text

    with pytest.raises(CodefaceError) as caught:
        await consume()
    return caught.value, text


@pytest.mark.asyncio
@pytest.mark.parametrize("kind", KINDS)
async def test_connection_refused_while_streaming_is_unavailable(
    kind: str, refused_url: str
) -> None:
    provider = make_provider(kind, refused_url)
    rig = Rig(kind, None, provider, MODELS[kind])  # type: ignore[arg-type]
    error, _ = await failure_of(rig)
    assert isinstance(error, ProviderUnavailable)
    assert error.retryable
    assert refused_url.removeprefix("http://") in error.user_message
    if kind == "ollama":
        assert error.user_message.startswith("Ollama is not running at 127.0.0.1:")
    await provider.aclose()


@pytest.mark.asyncio
@pytest.mark.parametrize("kind", KINDS)
async def test_connection_refused_in_health_is_reported_not_raised(
    kind: str, refused_url: str
) -> None:
    provider = make_provider(kind, refused_url)
    health = await provider.health()
    assert not health.ok
    assert isinstance(health.error, ProviderUnavailable)
    assert refused_url.removeprefix("http://") in health.detail
    await provider.aclose()


@pytest.mark.asyncio
async def test_ollama_non_streaming_refusal_is_unavailable(refused_url: str) -> None:
    provider = make_provider("ollama", refused_url)
    with pytest.raises(ProviderUnavailable, match="Ollama is not running"):
        await provider.list_models()
    await provider.aclose()


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("status", "expected", "retryable"),
    [
        (500, ServerError, True),
        (502, ServerError, True),
        (503, Overloaded, True),
        (529, Overloaded, True),
        (429, RateLimited, True),
        (401, AuthenticationFailed, False),
        (403, AuthenticationFailed, False),
        (404, ModelMissing, False),
        (413, ContextTooLong, False),
        (400, InvalidRequest, False),
        (422, InvalidRequest, False),
    ],
)
async def test_http_status_maps_to_error(
    rig: Rig, status: int, expected: type[CodefaceError], retryable: bool
) -> None:
    rig.server.status(status)
    error, _ = await failure_of(rig)
    assert type(error) is expected
    assert error.retryable is retryable
    assert error.provider == rig.provider.id


@pytest.mark.asyncio
async def test_context_length_message_in_400_is_context_too_long(rig: Rig) -> None:
    rig.server.status(400, "prompt is too long: 250000 tokens > 200000 maximum")
    error, _ = await failure_of(rig)
    assert isinstance(error, ContextTooLong)


@pytest.mark.asyncio
async def test_retry_after_seconds_reaches_the_error(cloud_rig: Rig) -> None:
    # (The ollama client drops response headers, so Ollama errors carry no retry_after.)
    rig = cloud_rig
    rig.server.status(429, retry_after=7)
    error, _ = await failure_of(rig)
    assert isinstance(error, RateLimited)
    assert error.retry_after == 7.0


@pytest.mark.asyncio
async def test_retry_after_ms_wins_over_seconds(cloud_rig: Rig) -> None:
    rig = cloud_rig
    rig.server.status(529, retry_after=9, retry_after_ms=1500)
    error, _ = await failure_of(rig)
    assert isinstance(error, Overloaded)
    assert error.retry_after == 1.5


@pytest.mark.asyncio
async def test_unauthorized_names_the_keys_command_and_hides_the_key(rig: Rig) -> None:
    leaked = "sk-proj-ABCDEFGHIJKLMNOPQRSTUVWXYZ123456"
    rig.server.status(401, f"Incorrect API key provided: {leaked}")
    error, _ = await failure_of(rig)
    assert isinstance(error, AuthenticationFailed)
    assert leaked not in error.one_line()
    if rig.kind != "ollama":
        assert f"codeface keys set {rig.kind}" in error.hint


@pytest.mark.asyncio
async def test_own_key_never_appears_in_a_message(anthropic_server) -> None:  # type: ignore[no-untyped-def]
    from codeface.providers.anthropic_provider import AnthropicProvider

    key = "odd-shaped-key-1234"
    provider = AnthropicProvider(key, base_url=anthropic_server.url)
    anthropic_server.status(400, f"bad header value {key}")
    rig = Rig("anthropic", anthropic_server, provider, MODELS["anthropic"])
    error, _ = await failure_of(rig)
    assert key not in error.one_line()
    await provider.aclose()


@pytest.mark.asyncio
async def test_drop_mid_stream_is_interrupted_and_keeps_partial_text(rig: Rig) -> None:
    rig.server.drop_after(3, text="one two three four five six")
    error, text = await failure_of(rig)
    assert isinstance(error, StreamInterrupted)
    assert error.retryable
    assert text == "one two three "


@pytest.mark.asyncio
async def test_stream_that_ends_without_its_final_frame_is_interrupted(rig: Rig) -> None:
    frames_without_end = {
        "ollama": b'{"model":"m","created_at":"x","message":{"role":"assistant","content":"hi"},'
        b'"done":false}\n',
        "anthropic": b'event: message_start\ndata: {"type":"message_start","message":{"id":"m",'
        b'"type":"message","role":"assistant","model":"m","content":[],"stop_reason":null,'
        b'"stop_sequence":null,"usage":{"input_tokens":1,"output_tokens":1}}}\n\n',
        "openai": b'data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m",'
        b'"choices":[{"index":0,"delta":{"content":"hi"},"finish_reason":null}]}\n\n',
    }
    rig.server.raw(frames_without_end[rig.kind])
    error, _ = await failure_of(rig)
    assert isinstance(error, StreamInterrupted)


@pytest.mark.asyncio
@pytest.mark.parametrize("kind", ["bad_json", "partial_json"])
async def test_malformed_line_is_malformed_response(rig: Rig, kind: str) -> None:
    rig.server.malformed(kind, after=2)
    error, text = await failure_of(rig)
    assert isinstance(error, MalformedResponse)
    assert text  # the good chunks before it still arrived


@pytest.mark.asyncio
async def test_mid_stream_error_frame(rig: Rig) -> None:
    rig.server.error_frame_after(2, message="Overloaded")
    error, text = await failure_of(rig)
    assert text
    if rig.kind == "anthropic":  # event: error with overloaded_error
        assert isinstance(error, Overloaded)
    else:
        assert isinstance(error, StreamInterrupted)
    assert error.retryable
    assert "Overloaded" in error.user_message


@pytest.mark.asyncio
async def test_anthropic_mid_stream_rate_limit_frame(anthropic_server) -> None:  # type: ignore[no-untyped-def]
    rig = Rig(
        "anthropic",
        anthropic_server,
        make_provider("anthropic", anthropic_server.url),
        MODELS["anthropic"],
    )
    anthropic_server.error_frame_after(1, error_type="rate_limit_error", message="slow down")
    error, _ = await failure_of(rig)
    assert isinstance(error, RateLimited)


@pytest.mark.asyncio
async def test_invalid_tool_arguments_are_malformed(cloud_rig: Rig) -> None:
    # Ollama sends arguments as objects, so only the cloud protocols can break them.
    from tests.fakes.scripted import Script, ToolCallScript

    broken = ToolCallScript("read_file", {}, raw_arguments='{"path": "a.p', pieces=2)
    cloud_rig.server.reply(Script(tool_calls=[broken]))
    error, _ = await failure_of(cloud_rig)
    assert isinstance(error, MalformedResponse)
    assert "read_file" in error.user_message


@pytest.mark.asyncio
async def test_unknown_ollama_model_is_model_missing(ollama_server) -> None:  # type: ignore[no-untyped-def]
    provider = make_provider("ollama", ollama_server.url)
    rig = Rig("ollama", ollama_server, provider, "nonexistent:1b")
    error, _ = await failure_of(rig)
    assert isinstance(error, ModelMissing)
    assert "nonexistent:1b" in error.user_message
    assert "pull" in error.hint
    await provider.aclose()


@pytest.mark.asyncio
async def test_stall_hits_the_read_timeout_as_interrupted(rig: Rig) -> None:
    rig.provider = make_provider(rig.kind, rig.server.url, read_timeout=0.3)
    rig.server.stall_after(2)
    error, text = await failure_of(rig)
    assert isinstance(error, StreamInterrupted)
    assert text
    await rig.provider.aclose()
