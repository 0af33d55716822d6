"""The smoke-test helpers, run against CodeFace from source (no bundle build here)."""

from pathlib import Path

import smoke_test


def test_version_check_passes_for_the_real_command() -> None:
    assert smoke_test.check_version(smoke_test.source_command()) == []


def test_version_check_reports_a_wrong_version() -> None:
    fake = ["python3", "-c", "print('codeface 0.0.0')"]
    problems = smoke_test.check_version(fake)
    assert problems
    assert "0.0.0" in problems[0]


def test_runs_get_no_api_keys_and_their_own_home(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-should-not-leak")
    env = smoke_test.clean_env(tmp_path, smoke=True)
    assert "ANTHROPIC_API_KEY" not in env
    assert env["CODEFACE_HOME"] == str(tmp_path)
    assert env["QT_QPA_PLATFORM"] == "offscreen"
    assert env[smoke_test.SMOKE_ENV] == "1"


def test_resources_check_finds_missing_themes(tmp_path: Path) -> None:
    internal = tmp_path / "_internal"
    (internal / "resources" / "icons").mkdir(parents=True)
    (internal / "resources" / "icons" / "codeface.png").write_bytes(b"png")
    problems = smoke_test.check_resources(tmp_path)
    assert any("themes" in line for line in problems)
