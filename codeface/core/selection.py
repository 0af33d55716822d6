"""Which providers to try, in what order, and which model each should run.

Local first means: an installed Ollama model that fits the prompt (and has tools when
the request uses tools), preferring the one the user chose, then one already resident
on the GPU, then partly resident, then any.

A model the user asked for is never replaced silently: when a provider runs another one,
the `Choice` carries a ``note`` saying which and why, for the router to show the user; with
a pinned model (``strict``) a provider without it refuses with `ModelMissing`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from codeface.core.context import estimate_request_tokens
from codeface.core.errors import ContextTooLong, ModelMissing, NoProviderAvailable
from codeface.core.messages import ChatRequest
from codeface.core.provider import ModelInfo, Provider
from codeface.core.settings import Policy

_RESIDENCY_RANK = {"gpu": 0, "partial": 1, "cpu": 2, "not_loaded": 3, "cloud": 4}
_CLOUD_PREFIXES = {"anthropic": ("claude",), "openai": ("gpt", "o1", "o3", "o4", "chatgpt")}
_NAMES = {
    "ollama": "Ollama",
    "anthropic": "Anthropic",
    "openai": "OpenAI",
    "builtin": "Built-in engine",
}
BUILTIN = "builtin"
"""The built-in engine's id and kind (GGUF models run in-process by llama.cpp)."""
ANSWER_RESERVE = 1024


@dataclass(frozen=True)
class Choice:
    """A model picked on one provider, with the context size to ask for."""

    model: str
    num_ctx: int | None = None
    info: ModelInfo | None = None
    note: str | None = None
    """Why this is not the model the user asked for (shown to them), if it is not."""
    native_tools: bool = True
    """False: the model cannot take a ``tools`` list, so tools go in the text protocol."""


def provider_label(provider: Provider) -> str:
    """How a provider is named to the user: 'Ollama at 127.0.0.1:11434', 'Anthropic'."""
    name = _NAMES.get(provider.kind, provider.kind)
    if provider.kind == "ollama":
        return f"{name} at {provider.host}"
    if provider.id.startswith("compat:"):
        return f"{provider.id.removeprefix('compat:')} at {provider.host}"
    return name


def order_providers(
    providers: Sequence[Provider], policy: Policy, pinned_provider: str | None = None
) -> list[Provider]:
    """Providers to try for ``policy``; the list keeps the configured order within a tier."""
    local = [p for p in providers if p.tier == "local"]
    cloud = [p for p in providers if p.tier == "cloud"]
    if policy == "local-only":
        return local
    if policy == "cloud-first":
        return cloud + local
    if policy == "pinned":
        if pinned_provider is None:
            return list(providers)
        return [p for p in providers if pinned_provider in (p.id, p.kind)]
    return local + cloud


def cloud_model_matches(provider: Provider, model: str) -> bool:
    """Whether ``model`` looks like one of this cloud provider's models."""
    if provider.id.startswith("compat:") or provider.id == BUILTIN:
        return True  # any name may be theirs; they say so when it is not
    return model.startswith(_CLOUD_PREFIXES.get(provider.kind, ()))


def choose_local_model(
    provider: Provider,
    models: Sequence[ModelInfo],
    request: ChatRequest,
    *,
    preferred: str | None,
    context_size: int,
    strict: bool = False,
) -> Choice:
    """Pick the model this local provider should run, or raise why none can.

    ``strict`` (a pinned model) means only ``preferred`` will do.
    """
    label = provider_label(provider)
    if not models:
        raise ModelMissing(
            f"No model is installed on {label}",
            hint="Pull one with `codeface pull qwen2.5-coder:7b`, or add a cloud key.",
            provider=provider.id,
        )
    needed = estimate_request_tokens(request) + ANSWER_RESERVE
    candidates = list(models)
    exact: list[ModelInfo] = []
    if preferred:
        exact = [m for m in models if m.name in (preferred, f"{preferred}:latest")]
        if strict and not exact:
            raise ModelMissing(
                f"Model {preferred} is not installed on {label}", provider=provider.id
            )
        candidates = exact + [m for m in models if m not in exact]
    fitting = [m for m in candidates if m.context_length is None or m.context_length >= needed]
    if not fitting:
        largest = max((m.context_length or 0) for m in candidates)
        raise ContextTooLong(
            f"The prompt (~{needed} tokens) is longer than the context of every model on "
            f"{label} (largest {largest})",
            provider=provider.id,
        )
    wants_tools = bool(request.tools)
    keep_preferred = preferred is not None and fitting[0].name in (preferred, f"{preferred}:latest")
    if keep_preferred and wants_tools and not strict and not calls_tools_natively(fitting[0]):
        # A preference, not a pin: a model that takes tools natively serves an agent better.
        keep_preferred = not any(calls_tools_natively(m) for m in fitting)
    if strict and exact and not keep_preferred:
        raise ContextTooLong(
            f"The prompt (~{needed} tokens) is longer than the context of {preferred} on {label}",
            provider=provider.id,
        )
    best = (
        fitting[0]
        if keep_preferred
        else min(
            fitting,
            key=lambda m: (
                wants_tools and not calls_tools_natively(m),
                _RESIDENCY_RANK.get(m.residency, 5),
                fitting.index(m),
            ),
        )
    )
    num_ctx = max(context_size, needed)
    if best.context_length:
        num_ctx = min(num_ctx, best.context_length)
    note = None
    if preferred and not keep_preferred:
        why = "cannot be used for this request" if exact else "is not installed"
        note = f"{preferred} {why} on {label}; using {best.name}"
    native = not wants_tools or calls_tools_natively(best)
    return Choice(model=best.name, num_ctx=num_ctx, info=best, note=note, native_tools=native)


def calls_tools_natively(model: ModelInfo) -> bool:
    """Whether the model takes a ``tools`` list (unknown capabilities count as yes); the
    others get the text protocol (`codeface.core.tool_text`)."""
    return not model.capabilities or "tools" in model.capabilities


def choose_cloud_model(provider: Provider, preferred: str | None, *, strict: bool) -> Choice:
    """The model a cloud provider should run: the preferred one if it is theirs."""
    if preferred and cloud_model_matches(provider, preferred):
        return Choice(model=preferred)
    if preferred and strict:
        raise ModelMissing(
            f"{preferred} is not a model of {provider_label(provider)}", provider=provider.id
        )
    if provider.default_model:
        note = (
            f"{preferred} is not a model of {provider_label(provider)}; "
            f"using {provider.default_model}"
            if preferred
            else None
        )
        return Choice(model=provider.default_model, note=note)
    raise NoProviderAvailable(
        f"No model is set for {provider_label(provider)}",
        hint="Choose a model in settings.",
        provider=provider.id,
    )


def prefer_resident_hosts(
    candidates: Sequence[Provider], prepared: Mapping[str, Choice | Exception]
) -> list[Provider]:
    """Reorder Ollama hosts so the one whose chosen model sits on a GPU comes first.

    Hosts keep their configured order among equals and their slots among the other
    providers; a host that cannot answer goes after those that can.
    """

    def rank(provider: Provider) -> int:
        choice = prepared.get(provider.id)
        if isinstance(choice, Choice):
            return _RESIDENCY_RANK.get(choice.info.residency if choice.info else "", 4)
        return 9

    slots = [index for index, p in enumerate(candidates) if p.id in prepared]
    ordered = sorted((candidates[i] for i in slots), key=rank)
    result = list(candidates)
    for slot, provider in zip(slots, ordered, strict=True):
        result[slot] = provider
    return result
