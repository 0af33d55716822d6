"""Model choice on one provider: a model the user asked for is never replaced silently."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from codeface.core.errors import ContextTooLong, ModelMissing
from codeface.core.messages import ChatMessage, ChatRequest, ToolSpec
from codeface.core.provider import ModelInfo
from codeface.core.selection import choose_cloud_model, choose_local_model, provider_label


@dataclass
class FakeProvider:
    """Only what selection reads of a provider."""

    id: str
    kind: str
    tier: str = "local"
    host: str = "127.0.0.1:11434"
    default_model: str | None = None


OLLAMA = FakeProvider("ollama@127.0.0.1:11434", "ollama")
CODER = ModelInfo("qwen2.5-coder:7b", OLLAMA.id, "local", context_length=32768, residency="gpu")
LLAMA = ModelInfo(
    "llama3.2:3b", OLLAMA.id, "local", context_length=8192, capabilities=("completion",)
)
REQUEST = ChatRequest("", (ChatMessage("user", "hi"),))


def choose(
    preferred: str | None, *, strict: bool = False, request: ChatRequest = REQUEST
) -> object:
    return choose_local_model(
        OLLAMA,  # type: ignore[arg-type]
        [CODER, LLAMA],
        request,
        preferred=preferred,
        context_size=8192,
        strict=strict,
    )


def test_an_installed_preferred_model_is_used_without_a_note() -> None:
    choice = choose("llama3.2:3b")
    assert (choice.model, choice.note) == ("llama3.2:3b", None)  # type: ignore[attr-defined]


def test_an_unknown_preferred_model_is_replaced_with_a_note_saying_so() -> None:
    choice = choose("qwen3-coder:480b")
    assert choice.model == "qwen2.5-coder:7b"  # type: ignore[attr-defined]
    assert choice.note == (  # type: ignore[attr-defined]
        "qwen3-coder:480b is not installed on Ollama at 127.0.0.1:11434; using qwen2.5-coder:7b"
    )


def test_a_pinned_unknown_model_is_refused() -> None:
    with pytest.raises(ModelMissing, match="qwen3-coder:480b is not installed"):
        choose("qwen3-coder:480b", strict=True)


def test_a_preferred_model_that_cannot_serve_the_request_is_named_when_replaced() -> None:
    tools = ChatRequest("", (ChatMessage("user", "hi"),), tools=(ToolSpec("t", "d", {}),))
    choice = choose("llama3.2:3b", request=tools)
    assert choice.model == "qwen2.5-coder:7b"  # type: ignore[attr-defined]
    assert "llama3.2:3b cannot be used for this request" in choice.note  # type: ignore[attr-defined]
    assert choice.native_tools  # type: ignore[attr-defined]
    pinned = choose("llama3.2:3b", strict=True, request=tools)
    # A pinned model without native tools is kept: its tools go in the text protocol.
    assert (pinned.model, pinned.native_tools) == ("llama3.2:3b", False)  # type: ignore[attr-defined]


def test_a_pinned_model_too_small_for_the_prompt_is_not_swapped_for_a_larger_one() -> None:
    long = ChatRequest("", (ChatMessage("user", "word " * 8_000),))
    with pytest.raises(ContextTooLong, match=r"llama3\.2:3b"):
        choose("llama3.2:3b", strict=True, request=long)


def test_a_cloud_provider_says_when_it_runs_its_default_instead() -> None:
    anthropic = FakeProvider(
        "anthropic", "anthropic", "cloud", "api.anthropic.com", "claude-sonnet-5"
    )
    choice = choose_cloud_model(anthropic, "qwen2.5-coder:7b", strict=False)  # type: ignore[arg-type]
    assert choice.model == "claude-sonnet-5"
    assert choice.note == "qwen2.5-coder:7b is not a model of Anthropic; using claude-sonnet-5"
    assert choose_cloud_model(anthropic, None, strict=False).note is None  # type: ignore[arg-type]


def test_the_built_in_engine_takes_any_name_and_says_itself_when_it_lacks_one() -> None:
    builtin = FakeProvider("builtin", "builtin", host="this computer", default_model="smollm2")
    choice = choose_cloud_model(builtin, "my-model", strict=True)  # type: ignore[arg-type]
    assert (choice.model, choice.note) == ("my-model", None)
    assert provider_label(builtin) == "Built-in engine"  # type: ignore[arg-type]
