"""The headless CLI on the real engine: chat, models, pull, rm, doctor, exit codes."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest

from codeface.cli import main
from codeface.commands import sessions as sessions_command
from codeface.core.attempt import MIN_SPEED_SECONDS, MIN_SPEED_TOKENS, generation_speed
from codeface.core.errors import (
    AuthenticationFailed,
    ConfigError,
    ContextTooLong,
    ModelMissing,
    NoProviderAvailable,
    RateLimited,
)
from codeface.core.logs import RedactingFormatter, register_secret
from tests.fakes.anthropic_server import AnthropicServer
from tests.fakes.ollama_server import OllamaServer


@pytest.fixture
def ollama_env(ollama_server: OllamaServer, monkeypatch: pytest.MonkeyPatch) -> OllamaServer:
    monkeypatch.setenv("OLLAMA_HOST", ollama_server.url)
    return ollama_server


def no_stdin(monkeypatch: pytest.MonkeyPatch, text: str = "") -> None:
    stream = io.StringIO(text)
    stream.isatty = lambda: not text  # type: ignore[method-assign]
    monkeypatch.setattr(sys, "stdin", stream)


def test_chat_streams_the_answer_to_stdout_and_saves_the_session(
    ollama_env: OllamaServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    no_stdin(monkeypatch)
    ollama_env.reply_text("def add(a, b):\n    return a + b\n", chunks=5)

    code = main(["chat", "write add"])

    out, err = capsys.readouterr()
    assert code == 0
    assert out == "def add(a, b):\n    return a + b\n"
    assert "qwen2.5-coder:7b" in err
    assert "session " in err
    session_prefix = err.split("--session ")[1].split(")")[0]

    ollama_env.reply_text("second answer")
    assert main(["chat", "--session", session_prefix, "and subtract?"]) == 0
    sent = ollama_env.requests_to("/api/chat")[-1].json["messages"]
    assert [m["role"] for m in sent] == ["user", "assistant", "user"]
    assert sent[0]["content"] == "write add"

    assert main(["sessions", "list"]) == 0
    assert "write add" in capsys.readouterr().out


def test_chat_appends_piped_stdin_to_the_prompt(
    ollama_env: OllamaServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    no_stdin(monkeypatch, "def f(): pass\n")
    ollama_env.reply_text("It does nothing.")

    assert main(["chat", "--no-save", "explain this"]) == 0

    prompt = ollama_env.requests_to("/api/chat")[0].json["messages"][-1]["content"]
    assert prompt == "explain this\n\ndef f(): pass"
    assert capsys.readouterr().out == "It does nothing.\n"


def test_fallback_reason_goes_to_stderr_not_into_the_answer(
    refused_url: str,
    anthropic_server: AnthropicServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    no_stdin(monkeypatch)
    monkeypatch.setenv("OLLAMA_HOST", refused_url)
    monkeypatch.setenv("ANTHROPIC_API_KEY", "test-anthropic-key")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", anthropic_server.url)
    anthropic_server.reply_text("cloud says hi")

    assert main(["chat", "--no-save", "hi"]) == 0

    out, err = capsys.readouterr()
    assert out == "cloud says hi\n"
    assert "not running" in err
    assert "→ using" in err


@pytest.mark.parametrize(
    ("scenario", "error_class", "expected_words"),
    [
        ("refused", NoProviderAvailable, "Start"),
        ("missing", ModelMissing, "codeface pull"),
        ("bad_key", AuthenticationFailed, "key"),
        ("rate_limited", RateLimited, "Wait"),
        ("too_long", ContextTooLong, "Shorten"),
    ],
)
def test_failures_have_distinct_exit_codes_and_a_next_step(
    scenario: str,
    error_class: type,
    expected_words: str,
    refused_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    no_stdin(monkeypatch)
    args = ["chat", "--no-save", "hello"]
    with OllamaServer() as ollama, AnthropicServer(valid_keys={"sk-good"}) as cloud:
        monkeypatch.setenv("OLLAMA_HOST", ollama.url)
        if scenario == "refused":
            monkeypatch.setenv("OLLAMA_HOST", refused_url)
        elif scenario == "missing":
            args += ["--policy", "pinned", "--model", "nope:7b"]
        elif scenario in ("bad_key", "rate_limited"):
            monkeypatch.setenv(
                "ANTHROPIC_API_KEY", "sk-bad" if scenario == "bad_key" else "sk-good"
            )
            monkeypatch.setenv("ANTHROPIC_BASE_URL", cloud.url)
            args += ["--policy", "cloud-first"]
            monkeypatch.setenv("OLLAMA_HOST", refused_url)
            if scenario == "rate_limited":
                cloud.status(429, retry_after=0.01, times=None)
        elif scenario == "too_long":
            ollama.remove_model("qwen2.5-coder:7b")
            ollama.remove_model("llama3.2:3b")
            ollama.add_model("tiny:1b", context_length=1024)
            args = ["chat", "--no-save", "--policy", "local-only", "word " * 3000]

        code = main(args)

    err = capsys.readouterr().err
    assert code == error_class.exit_code
    assert expected_words in err
    assert "Traceback" not in err


def test_models_lists_local_models_with_gpu_residency(
    ollama_env: OllamaServer, capsys: pytest.CaptureFixture[str]
) -> None:
    ollama_env.add_model("big:70b", loaded=True, size=40 * 1024**3, size_vram=10 * 1024**3)

    assert main(["models"]) == 0

    out = capsys.readouterr().out
    lines = {line.split()[0]: line for line in out.splitlines() if line.startswith("  ")}
    assert "on GPU" in lines["qwen2.5-coder:7b"]
    assert "partly on GPU" in lines["big:70b"]
    assert "not loaded" in lines["llama3.2:3b"]


def test_pull_shows_progress_and_rm_deletes(
    ollama_env: OllamaServer, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["pull", "mistral:7b"]) == 0
    err = capsys.readouterr().err
    assert "%" in err
    assert "mistral:7b is ready" in err
    assert "mistral:7b" in ollama_env.models

    assert main(["rm", "--yes", "mistral:7b"]) == 0
    assert "mistral:7b" not in ollama_env.models
    assert main(["rm", "--yes", "mistral:7b"]) == ModelMissing.exit_code


def test_doctor_reports_without_revealing_keys(
    ollama_env: OllamaServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = "doctor-test-secret-42"
    monkeypatch.setenv("ANTHROPIC_API_KEY", secret)
    monkeypatch.setenv("ANTHROPIC_BASE_URL", "http://127.0.0.1:9")

    code = main(["doctor"])

    out = capsys.readouterr().out
    assert code == 0
    assert "0.12.6" in out  # the Ollama server version
    assert "qwen2.5-coder:7b" in out
    assert "on GPU" in out
    assert "key for anthropic" in out
    assert secret not in out
    assert "settings:" in out


def test_doctor_with_nothing_available_says_what_to_do(
    refused_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("OLLAMA_HOST", refused_url)

    assert main(["doctor"]) == 3

    captured = capsys.readouterr()
    assert "FAIL" in captured.out
    assert "start Ollama" in captured.err


def test_version_runs_as_a_module() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "codeface", "--version"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0
    assert result.stdout.strip().startswith("codeface 0.")


def test_a_whitespace_prompt_is_refused_before_anything_is_sent(
    ollama_env: OllamaServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    no_stdin(monkeypatch)

    assert main(["chat", " \n\t "]) == ConfigError.exit_code

    assert "Nothing to ask" in capsys.readouterr().err
    assert ollama_env.requests_to("/api/chat") == []


def test_speed_is_shown_only_when_there_is_enough_to_measure(
    ollama_env: OllamaServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    no_stdin(monkeypatch)
    ollama_env.reply_text("tiny", output_tokens=5)
    assert main(["chat", "--no-save", "a"]) == 0
    assert "tok/s" not in capsys.readouterr().err

    # 40 tokens over at least 39 × 20 ms: long enough to mean something.
    ollama_env.reply_text("word " * 40, chunks=40, output_tokens=40, chunk_delay=0.02)
    assert main(["chat", "--no-save", "b"]) == 0
    speed = float(capsys.readouterr().err.split(" tok/s")[0].rsplit(" ", 1)[1])
    assert 0 < speed <= 39 / (39 * 0.02)


def test_generation_speed_needs_enough_tokens_and_time() -> None:
    assert generation_speed(5, 0.0001) is None
    assert generation_speed(None, 3.0) is None
    assert generation_speed(MIN_SPEED_TOKENS - 1, 10.0) is None
    assert generation_speed(500, MIN_SPEED_SECONDS / 2) is None
    assert generation_speed(101, 2.0) == 50.0


def test_a_bug_is_one_redacted_line_and_a_traceback_in_the_log(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    key = "sk-proj-Bug4Kq2Lm9Xv4Rt8Wz1Bn6"
    register_secret(key)

    def broken(args: object) -> int:
        raise RuntimeError(f"boom near {key.removeprefix('sk-proj-').upper()}\nsecond line")

    monkeypatch.setattr(sessions_command, "_list", broken)

    assert main(["sessions", "list"]) == 1

    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "unexpected error (RuntimeError: boom near [REDACTED])" in err
    assert "Traceback" not in err
    [record] = [r for r in caplog.records if r.name == "codeface.cli"]
    logged = RedactingFormatter("%(message)s").format(record)  # as the log file writes it
    assert "Traceback" in logged
    assert "second line" in logged
    assert "BUG4KQ2LM9" not in logged.upper()
