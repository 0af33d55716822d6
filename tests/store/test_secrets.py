"""API keys: keyring first, then environment, then a 0600 file, and never in logs."""

from __future__ import annotations

import json
import logging
import os
import shutil
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from codeface.core.errors import ConfigError, StoreError
from codeface.core.logs import RedactingFormatter, redact
from codeface.store import secrets
from tests.fakes.memory_keyring import MemoryKeyring

KEY = "test-key-Zq8vW2mN4pR7tY1u"


def test_keys_go_to_the_keyring_only(
    isolated_environment: MemoryKeyring, codeface_home: Path
) -> None:
    assert secrets.set_key("anthropic", KEY + "\n") == "keyring"
    assert isolated_environment.passwords == {("codeface", "anthropic"): KEY}
    assert secrets.get_key("anthropic") == KEY
    assert not secrets.key_file().exists()
    listed = secrets.list_keys()
    assert [(k.provider, k.location) for k in listed] == [("anthropic", "keyring")]
    assert KEY not in repr(listed)
    assert "OS keyring" in secrets.backend_description()
    assert secrets.delete_key("anthropic") == ["keyring"]
    assert secrets.get_key("anthropic") is None
    assert secrets.delete_key("anthropic") == []


def test_environment_variable_is_used_when_the_keyring_has_none(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setenv("CODEFACE_LM_STUDIO_API_KEY", KEY + "x")
    assert secrets.get_key("openai") == KEY
    assert secrets.get_key("lm-studio") == KEY + "x"
    assert [(k.provider, k.location) for k in secrets.list_keys(["lm-studio"])] == [
        ("openai", "environment"),
        ("lm-studio", "environment"),
    ]


def test_without_a_keyring_keys_fall_back_to_a_private_file_and_doctor_says_so(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    keyring.set_keyring(fail.Keyring())
    description = secrets.backend_description()
    assert "No OS keyring" in description
    assert "UNENCRYPTED" in description
    assert str(secrets.key_file()) in description
    assert secrets.set_key("anthropic", KEY) == "file"
    mode = stat.S_IMODE(secrets.key_file().stat().st_mode)
    assert mode == 0o600
    assert secrets.get_key("anthropic") == KEY
    monkeypatch.setenv("ANTHROPIC_API_KEY", "from-the-environment")
    assert secrets.get_key("anthropic") == "from-the-environment"  # env before the file
    assert secrets.delete_key("anthropic") == ["file"]
    assert not secrets.key_file().exists()


def test_bad_names_and_empty_keys_are_refused() -> None:
    with pytest.raises(ConfigError):
        secrets.set_key("../etc", KEY)
    with pytest.raises(ConfigError, match="empty"):
        secrets.set_key("openai", "  \n")


def test_keys_read_or_saved_are_redacted_from_logs() -> None:
    plain_key = "plainvalue" + "Q" * 12  # not shaped like any known key format
    secrets.set_key("compat", plain_key)
    formatter = RedactingFormatter("%(message)s")
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "sent %s", (plain_key,), None)
    assert plain_key not in formatter.format(record)


def test_round_trip_through_a_real_secret_service(tmp_path: Path) -> None:
    """gnome-keyring under a private D-Bus session, as CI runs it (.ci/run installs both)."""
    missing = [
        tool for tool in ("dbus-run-session", "gnome-keyring-daemon") if not shutil.which(tool)
    ]
    assert not missing, f"install {' and '.join(missing)} (apt-get install dbus gnome-keyring)"
    script = textwrap.dedent(
        f"""
        import keyring
        from keyring.backends.SecretService import Keyring
        keyring.set_keyring(Keyring())
        from codeface.store import secrets
        assert secrets.keyring_works()[0], secrets.keyring_works()
        assert secrets.set_key("anthropic", {KEY!r}) == "keyring"
        assert secrets.get_key("anthropic") == {KEY!r}
        assert keyring.get_password("codeface", "anthropic") == {KEY!r}
        assert not secrets.key_file().exists()
        print(secrets.backend_description())
        assert secrets.delete_key("anthropic") == ["keyring"]
        assert secrets.get_key("anthropic") is None
        print("ROUND-TRIP-OK")
        """
    )
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_RUNTIME_DIR": str(tmp_path),
        "CODEFACE_HOME": str(tmp_path / "codeface"),
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
    }
    command = (
        "echo test-password | gnome-keyring-daemon --unlock --components=secrets >/dev/null; "
        f'exec "{sys.executable}" -c "$0"'
    )
    result = subprocess.run(
        ["dbus-run-session", "--", "sh", "-c", command, script],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert "ROUND-TRIP-OK" in result.stdout, result.stdout + result.stderr
    assert "SecretService" in result.stdout


class CountingKeyring(MemoryKeyring):
    """Counts the reads, as a user would count keyring unlock prompts."""

    def __init__(self) -> None:
        super().__init__()
        self.reads: list[str] = []

    def get_password(self, service: str, username: str) -> str | None:
        self.reads.append(username)
        return super().get_password(service, username)


def test_whether_a_key_is_set_is_known_without_reading_the_keyring_again() -> None:
    counting = CountingKeyring()
    keyring.set_keyring(counting)
    secrets.set_key("anthropic", KEY)
    assert secrets.has_key("anthropic")
    assert not secrets.has_key("openai")  # never asked before: looked up once
    assert not secrets.has_key("openai")
    assert [(k.provider, k.location) for k in secrets.list_keys()] == [("anthropic", "keyring")]
    assert counting.reads == ["openai"]
    assert KEY not in secrets.index_file().read_text()
    assert secrets.get_key("anthropic") == KEY  # the value itself is always read
    secrets.delete_key("anthropic")
    assert not secrets.has_key("anthropic")
    assert counting.reads == ["openai", "anthropic"]


def test_a_key_removed_outside_codeface_is_noticed_when_it_is_read() -> None:
    counting = CountingKeyring()
    keyring.set_keyring(counting)
    secrets.set_key("anthropic", KEY)
    counting.passwords.clear()  # e.g. deleted with the desktop's password manager
    assert secrets.has_key("anthropic")  # the index cannot know yet
    assert secrets.get_key("anthropic") is None
    assert not secrets.has_key("anthropic")


def test_a_damaged_index_means_looking_again_not_losing_keys(
    isolated_environment: MemoryKeyring,
) -> None:
    isolated_environment.passwords[("codeface", "openai")] = KEY
    secrets.index_file().parent.mkdir(parents=True, exist_ok=True)
    for damage in ("{not json", '{"checked": "openai", "stored": []}', "[1, 2]", "\x00\xff"):
        secrets.index_file().write_text(damage, encoding="latin-1")
        assert secrets.has_key("openai")
    assert stat.S_IMODE(secrets.index_file().stat().st_mode) == 0o600


def test_opening_codeface_without_keys_never_loads_the_keyring(codeface_home: Path) -> None:
    # In a fresh process, as the window starts: the second start knows from the index
    # that no key is set, so the keyring (3-15 MB, perhaps an unlock prompt) is not loaded.
    probe = (
        "import sys\n"
        "from codeface.app import build_engine\n"
        "engine = build_engine()\n"
        "print(sorted(p.kind for p in engine.providers), 'keyring' in sys.modules)\n"
    )
    env = {**os.environ, "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"}
    runs = [
        subprocess.run(
            [sys.executable, "-c", probe],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
            env=env,
        ).stdout.strip()
        for _ in range(2)
    ]
    assert runs == ["['ollama'] True", "['ollama'] False"]


def test_without_any_keyring_the_absence_is_remembered_too() -> None:
    keyring.set_keyring(fail.Keyring())
    assert not secrets.has_key("anthropic")
    assert json.loads(secrets.index_file().read_text()) == {
        "checked": ["anthropic"],
        "stored": [],
    }
    assert secrets.set_key("anthropic", KEY) == "file"
    assert secrets.has_key("anthropic")


def test_a_malformed_key_file_is_ignored_for_reading_and_never_overwritten() -> None:
    keyring.set_keyring(fail.Keyring())
    path = secrets.key_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    for damage in ('{"openai": "sk-cut', "[1, 2]", "\xff\xfe"):
        path.write_text(damage, encoding="latin-1")
        assert not secrets.has_key("openai")
        assert secrets.get_key("openai") is None
        assert secrets.list_keys() == []
        problem = secrets.key_file_problem()
        assert problem is not None
        assert str(path) in problem
        with pytest.raises(StoreError, match="key file"):
            secrets.set_key("openai", KEY)
        assert secrets.delete_key("openai") == []
        assert path.read_text(encoding="latin-1") == damage
    path.write_text(json.dumps({"openai": KEY, "odd": 3}), encoding="utf-8")
    assert secrets.key_file_problem() is None
    assert secrets.get_key("openai") == KEY
    assert [info.provider for info in secrets.list_keys()] == ["openai"]


def test_a_key_echoed_without_its_prefix_or_in_another_case_is_redacted() -> None:
    prefix = "-".join(("sk", "ant", "api03", ""))  # built, so no key-shaped literal is committed
    key = prefix + "FakeTestKey_Mixed9Case"
    secrets.set_key("anthropic", key)
    body = key.removeprefix(prefix)
    for echo in (key, body, body.upper(), body.lower(), body.swapcase()):
        shown = redact(f"401: invalid x-api-key {echo}!")
        assert body.lower() not in shown.lower()
        assert "[REDACTED]!" in shown


def test_keys_in_the_file_are_redacted_once_the_file_is_read() -> None:
    keyring.set_keyring(fail.Keyring())
    key = "-".join(("sk", "FakeTestKeyForRedaction7"))  # not a real key
    secrets.key_file().parent.mkdir(parents=True, exist_ok=True)
    secrets.key_file().write_text(json.dumps({"openai": key}), encoding="utf-8")
    assert secrets.has_key("openai")  # reading the file, not yet the key
    assert "faketestkeyforredaction7" not in redact("echo faketestkeyforredaction7").lower()


def test_placeholder_keys_do_not_blank_ordinary_words() -> None:
    for placeholder in ("ollama", "not-needed", "sk-no-key-required", "lm-studio"):
        secrets.set_key("compat", placeholder)
    assert redact("Ollama is not running; a key is required") == (
        "Ollama is not running; a key is required"
    )
    assert redact("key sk-no-key-required") == "key [REDACTED]"
