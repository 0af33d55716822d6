"""The SDK-exception table is complete, and its pieces behave."""

from __future__ import annotations

import importlib
import json
import time
from email.utils import formatdate

import pytest

from codeface.core.errors import (
    CodefaceError,
    MalformedResponse,
    ProviderUnavailable,
    ServerError,
    StreamInterrupted,
)
from codeface.providers.errors import TABLE, ErrorContext, retry_after_from, translate
from codeface.providers.streaming import failure

PACKAGES = ("anthropic", "openai", "ollama", "httpx", "httpx2")
CONTEXT = ErrorContext("ollama@127.0.0.1:11434", "Ollama", "127.0.0.1:11434", "m")


def exported_exceptions(package: str) -> list[type[BaseException]]:
    module = importlib.import_module(package)
    # Class names only: lower-case names include lazy module proxies that are slow to load.
    values = [getattr(module, name) for name in dir(module) if name.lstrip("_")[:1].isupper()]
    return [
        value
        for value in values
        if isinstance(value, type)
        and issubclass(value, BaseException)
        and value.__module__.split(".")[0] == package
    ]


@pytest.mark.parametrize("package", PACKAGES)
def test_every_exported_exception_has_its_own_row(package: str) -> None:
    exported = exported_exceptions(package)
    assert len(exported) >= 2
    missing = sorted(
        f"{package}.{cls.__name__}" for cls in exported if f"{package}.{cls.__name__}" not in TABLE
    )
    assert missing == [], f"add these to codeface.providers.errors.TABLE: {missing}"


def test_the_ollama_refusal_quirk_both_ways() -> None:
    import httpx

    refused_plain = translate(ConnectionError("Failed to connect to Ollama"), CONTEXT)
    refused_stream = translate(httpx.ConnectError("All connection attempts failed"), CONTEXT)
    for error in (refused_plain, refused_stream):
        assert isinstance(error, ProviderUnavailable)
        assert error.user_message == "Ollama is not running at 127.0.0.1:11434"


def test_lost_connection_after_the_first_token_is_an_interruption() -> None:
    import httpx

    error = translate(httpx.ConnectError("boom"), CONTEXT, started=True)
    assert isinstance(error, StreamInterrupted)
    assert error.retryable


def test_builtin_errors_from_our_own_code_are_not_blamed_on_the_server() -> None:
    with pytest.raises(KeyError) as caught:
        {}["missing"]  # a KeyError raised here, outside any SDK
    assert translate(caught.value, CONTEXT) is None
    assert isinstance(failure(caught.value, CONTEXT), ServerError)


def test_builtin_errors_raised_inside_a_parser_are_malformed() -> None:
    with pytest.raises(ValueError) as caught:
        json.loads("{nope")
    assert isinstance(translate(caught.value, CONTEXT), MalformedResponse)


def test_codeface_errors_pass_through() -> None:
    original = ServerError("x")
    assert translate(original, CONTEXT) is original


def test_retry_after_forms() -> None:
    assert retry_after_from({"retry-after": "3"}) == 3.0
    assert retry_after_from({"retry-after": "1.5"}) == 1.5
    assert retry_after_from({"retry-after-ms": "250", "retry-after": "9"}) == 0.25
    now = time.time()
    date = formatdate(now + 30, usegmt=True)
    assert retry_after_from({"retry-after": date}, now=now) == pytest.approx(30, abs=1)
    assert retry_after_from({"retry-after": formatdate(now - 30, usegmt=True)}, now=now) == 0
    assert retry_after_from({"retry-after": "soon"}) is None
    assert retry_after_from({}) is None
    assert retry_after_from(None) is None


def test_all_rows_build_codeface_errors() -> None:
    for key, rule in TABLE.items():
        assert issubclass(rule.error, CodefaceError), key
