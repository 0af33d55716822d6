"""A hostile or careless setup must never weaken privacy: bad settings, broken key files,
keys echoed back by a server, and files other users could read.

Each case runs the real ``python -m codeface`` against loopback servers with a fresh
``CODEFACE_HOME`` and checks where the prompt went and what reached the screen and the log.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from codeface.core.errors import AuthenticationFailed, NoProviderAvailable, StoreError
from tests.core.hostile import assert_one_line_error, codeface, stored_sessions
from tests.fakes.ollama_server import OllamaServer
from tests.fakes.openai_server import OpenAIServer

OPENAI_KEY = "sk-proj-Echo7Kq2Lm9Xv4Rt8Wz1Bn6Yc3"
KEY_BODY = OPENAI_KEY.removeprefix("sk-proj-")


def _settings(home: Path, text: str | bytes) -> Path:
    path = home / "config" / "settings.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def _cloud_env(openai_server: OpenAIServer, refused_url: str) -> dict[str, str]:
    """A cloud provider that would answer, and no local one."""
    return {
        "OPENAI_API_KEY": OPENAI_KEY,
        "OPENAI_BASE_URL": f"{openai_server.url}/v1",
        "OLLAMA_HOST": refused_url,
    }


# ---------------------------------------------------------------- settings


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ('[general]\npolicy = "local-only"\n[ui]\nfont_size = "12"\n', "ui.font_size"),
        ('[general]\npolicy = "local_only"\n', "general.policy"),
        ('[general]\npolcy = "local-only"\n', "general.polcy"),
        ('[general]\nPolicy = "local-only"\n', "general.Policy"),
        ('policy = "local-only"\n[ui]\ntheme = "dark"\n', "policy"),
        ('[genral]\npolicy = "local-only"\n', "[genral]"),
        ('[general]\npolicy = "local-only"\ntemperature = nan\n', "general.temperature"),
        ('[general]\npolicy = "local-only"\n[openai]\nenabled = "yes"\n', "openai.enabled"),
    ],
)
def test_a_bad_setting_never_lets_a_local_only_prompt_reach_the_cloud(
    codeface_home: Path,
    openai_server: OpenAIServer,
    refused_url: str,
    text: str,
    named: str,
) -> None:
    settings_file = _settings(codeface_home, text)

    run = codeface("chat", "--no-save", "secret code", env=_cloud_env(openai_server, refused_url))

    assert openai_server.requests_to("/v1/chat/completions") == []
    assert run.code == NoProviderAvailable.exit_code
    warnings = [line for line in run.error_lines if line.startswith("codeface: warning")]
    assert len(warnings) == 1, run.err
    assert named in warnings[0]
    assert str(settings_file) in warnings[0]


@pytest.mark.parametrize(
    ("content", "why"),
    [
        ('[general\npolicy = "cloud-first"\n', "not valid TOML"),
        (b'[general]\npolicy = "cloud-first"\n# caf\xe9\n', "not UTF-8"),
    ],
)
def test_an_unreadable_settings_file_turns_the_cloud_off_until_fixed(
    codeface_home: Path,
    openai_server: OpenAIServer,
    refused_url: str,
    content: str | bytes,
    why: str,
) -> None:
    settings_file = _settings(codeface_home, content)
    env = _cloud_env(openai_server, refused_url)

    for policy in ("cloud-first", "local-first"):
        run = codeface("chat", "--no-save", "--policy", policy, "secret code", env=env)
        assert run.code == NoProviderAvailable.exit_code, run.err
        assert why in run.err
        assert "local models only" in run.err
        assert str(settings_file) in run.err
    assert openai_server.requests_to("/v1/chat/completions") == []
    if isinstance(content, str):
        assert settings_file.read_text(encoding="utf-8") == content  # never rewritten

    settings_file.write_text('[general]\npolicy = "cloud-first"\n', encoding="utf-8")
    openai_server.reply_text("from the cloud, once fixed")
    run = codeface("chat", "--no-save", "hi", env=env)
    assert run.code == 0, run.err
    assert run.text == "from the cloud, once fixed\n"


def test_settings_out_of_range_are_named_with_the_range_and_defaults_used(
    codeface_home: Path, ollama_server: OllamaServer
) -> None:
    _settings(
        codeface_home,
        "[general]\ntemperature = nan\ncontext_size = 0\nstall_timeout = -5.0\n"
        '[builtin]\nthreads = -1\n[router]\norder = ["ollama", "olama"]\nmax_retries = 99\n',
    )

    run = codeface("chat", "--no-save", "hi", OLLAMA_HOST=ollama_server.url)

    assert run.code == 0, run.err
    warnings = {
        line.split(" = ")[0].split()[-1]: line for line in run.error_lines if "warning" in line
    }
    assert set(warnings) == {
        "general.temperature",
        "general.context_size",
        "general.stall_timeout",
        "builtin.threads",
        "router.order[1]",
        "router.max_retries",
    }
    assert "nan" in warnings["general.temperature"]
    assert "from 0 to 2" in warnings["general.temperature"]
    assert "from 512 to" in warnings["general.context_size"]
    assert "-5.0" in warnings["general.stall_timeout"]
    assert "0 (automatic) or a whole number from 1 to" in warnings["builtin.threads"]
    assert '"olama"' in warnings["router.order[1]"]
    options = ollama_server.requests_to("/api/chat")[0].json["options"]
    assert options["temperature"] == 0.7
    assert options["num_ctx"] == 8192


# ---------------------------------------------------------------- the key file


def test_a_malformed_key_file_does_not_block_a_local_chat_nor_get_overwritten(
    codeface_home: Path, ollama_server: OllamaServer
) -> None:
    key_file = codeface_home / "config" / "keys.json"
    key_file.parent.mkdir(parents=True)
    key_file.write_text('{"openai": "sk-half-written', encoding="utf-8")
    ollama_server.reply_text("a local answer")

    run = codeface(
        "chat", "--no-save", "--policy", "local-only", "hi", OLLAMA_HOST=ollama_server.url
    )
    assert run.code == 0, run.err
    assert run.text == "a local answer\n"
    assert "key file" in run.err
    assert str(key_file) in run.err

    listed = codeface("keys", "list")
    assert listed.code == 0
    assert "key file" in listed.err

    saved = codeface("keys", "set", "openai", stdin=b"sk-new-key-123456789\n")
    assert_one_line_error(saved, StoreError.exit_code, str(key_file))
    assert key_file.read_text(encoding="utf-8") == '{"openai": "sk-half-written'


# ---------------------------------------------------------------- keys echoed back


@pytest.mark.parametrize("echo", [KEY_BODY, KEY_BODY.upper(), KEY_BODY.lower()])
def test_a_key_echoed_without_its_prefix_is_redacted_everywhere(
    codeface_home: Path, openai_server: OpenAIServer, refused_url: str, echo: str
) -> None:
    openai_server.status(401, f"Incorrect API key provided: {echo}. Find yours at …", times=None)
    env = _cloud_env(openai_server, refused_url)

    run = codeface("-v", "chat", "--policy", "cloud-first", "hi", env=env)

    assert run.code == AuthenticationFailed.exit_code, run.err
    assert openai_server.requests_to("/v1/chat/completions")  # the server was asked
    assert "[REDACTED]" in run.err
    log_text = (codeface_home / "logs" / "codeface.log").read_text(encoding="utf-8")
    stored = json.dumps(stored_sessions())
    for where in (run.err, log_text, stored):
        assert KEY_BODY.lower() not in where.lower()
        assert KEY_BODY[:16].lower() not in where.lower()


def test_a_key_echoed_to_another_command_is_redacted(
    codeface_home: Path, openai_server: OpenAIServer, refused_url: str
) -> None:
    openai_server.status(401, f"bad key {KEY_BODY.swapcase()}", path="/v1/models", times=None)

    run = codeface("models", env=_cloud_env(openai_server, refused_url))

    assert "refused the API key (bad key [REDACTED])" in run.text
    assert KEY_BODY.lower() not in (run.text + run.err).lower()


# ---------------------------------------------------------------- private files


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_everything_under_the_data_folders_is_private(
    codeface_home: Path, ollama_server: OllamaServer
) -> None:
    logs = codeface_home / "logs"
    logs.mkdir(mode=0o755)
    logs.chmod(0o755)  # as an older version left it
    (logs / "codeface.log").write_text("old line\n")
    (logs / "codeface.log").chmod(0o644)
    ollama_server.reply_text("ok")

    assert codeface("chat", "hi", OLLAMA_HOST=ollama_server.url).code == 0

    for folder in ("data", "config", "cache", "logs"):
        assert stat.S_IMODE((codeface_home / folder).stat().st_mode) == 0o700, folder
    for log_file in logs.iterdir():
        assert stat.S_IMODE(log_file.stat().st_mode) == 0o600, log_file

    fresh = codeface_home.parent / "fresh-home"
    assert codeface("sessions", "list", CODEFACE_HOME=str(fresh)).code == 0
    assert stat.S_IMODE((fresh / "logs").stat().st_mode) == 0o700
    assert stat.S_IMODE((fresh / "logs" / "codeface.log").stat().st_mode) == 0o600
