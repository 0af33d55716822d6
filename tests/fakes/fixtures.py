"""pytest fixtures for the fake model servers; register with
``pytest_plugins = ["tests.fakes.fixtures"]`` in ``tests/conftest.py``.

Each fixture starts a fresh server on 127.0.0.1 (port 0) in a background thread and stops
it after the test (stalled streams included).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.anthropic_server import AnthropicServer
from tests.fakes.loopback import unused_port
from tests.fakes.ollama_server import OllamaServer
from tests.fakes.openai_server import OpenAIServer


@pytest.fixture
def ollama_server() -> Iterator[OllamaServer]:
    """A fake Ollama with ``qwen2.5-coder:7b`` (loaded on GPU) and ``llama3.2:3b`` installed."""
    server = OllamaServer()
    with server:
        yield server


@pytest.fixture
def anthropic_server() -> Iterator[AnthropicServer]:
    """A fake Anthropic Messages API accepting any non-empty key."""
    server = AnthropicServer()
    with server:
        yield server


@pytest.fixture
def openai_server() -> Iterator[OpenAIServer]:
    """A fake OpenAI (or OpenAI-compatible) Chat Completions API accepting any key."""
    server = OpenAIServer()
    with server:
        yield server


@pytest.fixture
def refused_url() -> str:
    """``http://127.0.0.1:PORT`` where nothing listens (connection refused)."""
    return f"http://127.0.0.1:{unused_port()}"
