"""Shared fixtures: every test gets its own CODEFACE_HOME, an in-memory keyring and a
clean environment (no proxies, no real API keys, no OLLAMA_HOST).

Hypothesis profiles: ``ci`` (chosen when ``CI=true``) is derandomized with no example
database, so a green run is reproducible; ``dev`` (the default) explores at random and
replays what it found from ``.hypothesis/``; ``fuzz`` (``HYPOTHESIS_PROFILE=fuzz``) is
the long hunt for new cases. Each case a fuzz run finds becomes an explicit ``@example``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from hypothesis import HealthCheck, settings

from tests.fakes.memory_keyring import MemoryKeyring

pytest_plugins = ["tests.fakes.fixtures"]

settings.register_profile("dev", max_examples=40, deadline=None)
settings.register_profile(
    "ci", max_examples=40, deadline=None, derandomize=True, database=None, print_blob=True
)
settings.register_profile(
    "fuzz",
    max_examples=2000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE")
    or ("ci" if os.environ.get("CI", "").lower() == "true" else "dev")
)

_STRIPPED_PREFIXES = ("ANTHROPIC_", "OPENAI_", "OLLAMA_")
_STRIPPED_NAMES = (
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "NO_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
    "no_proxy",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "REQUESTS_CA_BUNDLE",
    "CODEFACE_HOME",
)


@pytest.fixture(autouse=True)
def isolated_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[MemoryKeyring]:
    """Point CodeFace at a temporary home and an in-memory keyring."""
    for name in list(os.environ):
        if name.startswith(_STRIPPED_PREFIXES) or name in _STRIPPED_NAMES:
            monkeypatch.delenv(name, raising=False)
    home = tmp_path / "codeface-home"
    home.mkdir()
    monkeypatch.setenv("CODEFACE_HOME", str(home))
    previous = keyring.get_keyring()
    memory = MemoryKeyring()
    keyring.set_keyring(memory)
    try:
        yield memory
    finally:
        keyring.set_keyring(previous)


@pytest.fixture
def codeface_home() -> Path:
    """The temporary CODEFACE_HOME of this test."""
    return Path(os.environ["CODEFACE_HOME"])
