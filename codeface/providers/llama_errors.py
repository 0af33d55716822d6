"""Every exception llama-cpp-python (and the Jinja chat templates it renders) can raise,
mapped to a `CodefaceError` the user can act on.

Like `codeface.providers.errors`, keys are ``"<package>.<ClassName>"`` and `translate`
walks the exception's MRO. llama-cpp-python raises few classes of its own, mostly
``ValueError`` and ``RuntimeError`` with a message, so the same class means different
things while a model loads and while it answers: each row gives both. A test walks the
exceptions ``llama_cpp`` and ``jinja2`` define and fails when one has no row.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Literal

from codeface.core.errors import (
    CodefaceError,
    ContextTooLong,
    InvalidRequest,
    ModelFileError,
    ProviderUnavailable,
    ServerError,
)

log = logging.getLogger(__name__)
PROVIDER = "builtin"
INSTALL_HINT = "Install it with: pip install 'codeface[local]' (building llama.cpp takes minutes)."
Stage = Literal["load", "answer"]


@dataclass(frozen=True)
class Row:
    """The error class and message for one exception class, while loading and answering."""

    load: tuple[type[CodefaceError], str]
    answer: tuple[type[CodefaceError], str]
    hint: str | None = None


_TEMPLATE = Row(
    (InvalidRequest, "The chat template inside {model} failed: {detail}"),
    (InvalidRequest, "The chat template inside {model} failed: {detail}"),
    "Use another model, or a newer GGUF of this one.",
)
_LOAD_FAILED = (ModelFileError, "llama.cpp could not load {path}: {detail}")

TABLE: dict[str, Row] = {
    "llama_cpp.LlamaChatCompletionHandlerNotFoundException": Row(
        (InvalidRequest, "llama.cpp does not know the chat format of {model}: {detail}"),
        (InvalidRequest, "llama.cpp does not know the chat format of {model}: {detail}"),
        "Use a GGUF that includes its chat template.",
    ),
    "jinja2.TemplateError": _TEMPLATE,
    "jinja2.TemplateSyntaxError": _TEMPLATE,
    "jinja2.TemplateAssertionError": _TEMPLATE,
    "jinja2.TemplateRuntimeError": _TEMPLATE,
    "jinja2.TemplateNotFound": _TEMPLATE,
    "jinja2.TemplatesNotFound": _TEMPLATE,
    "jinja2.UndefinedError": _TEMPLATE,
    "jinja2.SecurityError": _TEMPLATE,
    "builtins.ValueError": Row(
        _LOAD_FAILED, (InvalidRequest, "The built-in engine refused the request: {detail}")
    ),
    "builtins.RuntimeError": Row(
        _LOAD_FAILED, (ServerError, "llama.cpp failed while answering with {model}: {detail}")
    ),
    "builtins.MemoryError": Row(
        (ModelFileError, "There is not enough memory to load {model}"),
        (ServerError, "The built-in engine ran out of memory while answering with {model}"),
        "Close other programs, lower [builtin] context_size, or use a smaller model.",
    ),
    "builtins.OSError": Row(
        (ModelFileError, "The model file {path} cannot be read: {detail}"),
        (ProviderUnavailable, "The built-in engine cannot be used: {detail}"),
    ),
    "builtins.ImportError": Row(
        (ProviderUnavailable, "The built-in engine (llama-cpp-python) is not installed"),
        (ProviderUnavailable, "The built-in engine (llama-cpp-python) is not installed"),
        INSTALL_HINT,
    ),
}

_CONTEXT_WORDS = ("exceed context window", "context window")


def row_for(error: BaseException) -> Row | None:
    """The row for ``error`` (first match along its MRO), or None if none matches."""
    for cls in type(error).__mro__:
        row = TABLE.get(f"{cls.__module__.split('.')[0]}.{cls.__name__}")
        if row is not None:
            return row
    return None


def translate(error: BaseException, *, stage: Stage, model: str, path: str) -> CodefaceError:
    """The `CodefaceError` for an exception from llama-cpp-python, loading or answering."""
    if isinstance(error, CodefaceError):
        return error
    detail = str(error).strip() or type(error).__name__
    if stage == "answer" and isinstance(error, ValueError) and _about_context(detail):
        return ContextTooLong(
            f"The conversation is longer than the context {model} was loaded with ({detail})",
            hint="Shorten the conversation, or raise [builtin] context_size in settings.",
            provider=PROVIDER,
        )
    row = row_for(error)
    if row is None:
        log.error("built-in engine: unexpected %s", type(error).__name__, exc_info=error)
        return ServerError(
            f"The built-in engine failed unexpectedly ({type(error).__name__})",
            provider=PROVIDER,
            hint="See the log file for details.",
        )
    kind, message = row.load if stage == "load" else row.answer
    return kind(
        message.format(model=model, path=path, detail=detail), hint=row.hint, provider=PROVIDER
    )


def _about_context(detail: str) -> bool:
    lowered = detail.lower()
    return any(word in lowered for word in _CONTEXT_WORDS)
