"""Settings TOML: defaults, every value checked against its type and range, each problem
named (key, value, what is allowed, file), privacy-safe fallbacks, unknown keys kept,
atomic writes that never destroy a file they could not read."""

from __future__ import annotations

import math
import stat
from pathlib import Path

import pytest

from codeface.core.settings import (
    CompatibleServer,
    GeneralSettings,
    Settings,
    SettingsReport,
    UiSettings,
    allowed_range,
    load_settings,
    read_settings,
    save_settings,
)


def _read(tmp_path: Path, text: str | bytes) -> tuple[Path, SettingsReport]:
    path = tmp_path / "settings.toml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path, read_settings(path)


def test_missing_file_gives_defaults_and_no_problems(tmp_path: Path) -> None:
    report = read_settings(tmp_path / "none.toml")
    assert report.settings == Settings()
    assert report.problems == []
    assert not report.unreadable


def test_defaults_written_and_read_back_have_no_problems(tmp_path: Path) -> None:
    path = tmp_path / "config" / "settings.toml"
    save_settings(Settings(), path)
    report = read_settings(path)
    assert report.problems == []
    assert report.settings.to_toml_dict() == Settings().to_toml_dict()
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_round_trip_keeps_values_and_unknown_keys(tmp_path: Path) -> None:
    path = tmp_path / "config" / "settings.toml"
    path.parent.mkdir()
    path.write_text(
        '# my notes\n[general]\npolicy = "local-only"\n\n[plugins]\nenabled = ["x"]\n'
        '[shortcuts]\nsend = "Ctrl+Return"\n'
    )
    report = read_settings(path)
    assert report.problems == []  # unknown top-level tables are the user's: kept quietly
    settings = report.settings
    assert settings.general.policy == "local-only"
    settings.compatible.append(
        CompatibleServer(name="lmstudio", base_url="http://127.0.0.1:1234/v1")
    )
    settings.ui.font_size = 14
    save_settings(settings, path)
    again = load_settings(path)
    assert again.general.policy == "local-only"
    assert again.ui.font_size == 14
    assert again.compatible[0].name == "lmstudio"
    assert again.extra["plugins"] == {"enabled": ["x"]}
    assert [p.name for p in path.parent.iterdir()] == ["settings.toml"]  # no temp files left


@pytest.mark.parametrize(
    ("text", "key", "words"),
    [
        ("[general]\ntemperature = true", "general.temperature", ["true", "from 0 to 2"]),
        ("[general]\ntemperature = nan", "general.temperature", ["nan", "finite"]),
        ("[general]\ntemperature = inf", "general.temperature", ["inf", "from 0 to 2"]),
        ("[general]\ntemperature = 2.5", "general.temperature", ["2.5", "out of range"]),
        ("[general]\ncontext_size = 0", "general.context_size", ["= 0", "from 512 to"]),
        ("[general]\nmax_tokens = -1", "general.max_tokens", ["-1", "from 1 to"]),
        ("[general]\nstall_timeout = -5", "general.stall_timeout", ["-5", "from 0.1 to 3600"]),
        ("[general]\nconnect_timeout = 0", "general.connect_timeout", ["= 0", "0.1"]),
        ("[ui]\nfont_size = -2", "ui.font_size", ["-2", "whole number from 6 to 48"]),
        ('[ui]\nfont_size = "12"', "ui.font_size", ['"12"', "whole number"]),
        ("[ui]\nfont_size = 12.5", "ui.font_size", ["12.5", "whole number"]),
        ("[terminal]\nscrollback = -1", "terminal.scrollback", ["-1", "from 0 to"]),
        ("[router]\nmax_retries = 1000", "router.max_retries", ["1000", "from 0 to 10"]),
        ("[router]\nbreaker_threshold = 0", "router.breaker_threshold", ["from 1 to"]),
        ("[router]\nrequests_per_minute = -3", "router.requests_per_minute", ["no limit"]),
        ("[builtin]\nthreads = -1", "builtin.threads", ["0 (automatic)", "from 1 to 1024"]),
        ("[builtin]\ncontext_size = 100", "builtin.context_size", ["0 (the model's own)"]),
        ('[builtin]\ngpu_offload = "yes"', "builtin.gpu_offload", ['"auto", "off"']),
        ("[builtin]\nenabled = 1", "builtin.enabled", ["true or false"]),
        ('[ollama]\nkeep_alive = "soon"', "ollama.keep_alive", ['"10m"']),
        ('[ollama]\nhosts = ["ok:11434", "http://[::1"]', "ollama.hosts[1]", ["left out"]),
        ('[anthropic]\nbase_url = "ftp://x"', "anthropic.base_url", ["http://"]),
        ('[router]\norder = ["ollama", "clowd"]', "router.order[1]", ['"clowd"', '"builtin"']),
        ('[general]\non_midstream_failure = "retry"', "general.on_midstream_failure", []),
        ('[[compatible]]\nname = "a b"\nbase_url = "http://h"', "compatible[0].name", []),
        ("[pricing]\n'openai/x' = { input = -1, output = 2 }", 'pricing."openai/x"', []),
        ("ui = 3", "ui", ["must be a table"]),
    ],
)
def test_each_bad_value_is_named_with_what_is_allowed(
    tmp_path: Path, text: str, key: str, words: list[str]
) -> None:
    path, report = _read(tmp_path, text)
    assert not report.unreadable
    [problem] = report.problems
    assert problem.key == key
    assert problem.file == path
    line = problem.one_line()
    assert line.startswith(key)
    assert str(path) in line
    assert "using" in line or "left out" in line or "used" in line
    for word in words:
        assert word in line


def test_valid_values_are_kept_beside_invalid_ones(tmp_path: Path) -> None:
    _, report = _read(
        tmp_path,
        '[general]\npolicy = "local-only"\ntemperature = nan\ncontext_size = 32768\n'
        '[ui]\nfont_size = "12"\ntheme = "dark"\n'
        '[router]\norder = ["openai", "nope", "ollama"]\n'
        "[builtin]\nthreads = 8\n",
    )
    settings = report.settings
    assert settings.general.policy == "local-only"
    assert settings.general.temperature == 0.7
    assert settings.general.context_size == 32768
    assert (settings.ui.font_size, settings.ui.theme) == (11, "dark")
    assert settings.router.order == ["openai", "ollama"]
    assert settings.builtin.threads == 8
    assert not math.isnan(settings.general.temperature)


@pytest.mark.parametrize(
    ("text", "expect"),
    [
        ('[general]\npolicy = "local_only"', ("general", "policy", "local-only")),
        ('[general]\npolcy = "local-first"', ("general", "policy", "local-only")),
        ('policy = "cloud-first"', ("general", "policy", "local-only")),
        ('[genral]\npolicy = "local-only"', ("general", "policy", "local-only")),
        ("general = 1", ("general", "policy", "local-only")),
        ('[anthropic]\nenabled = "no"', ("anthropic", "enabled", False)),
        ("[openai]\nenabeld = false", ("openai", "enabled", False)),
        ("openai = []", ("openai", "enabled", False)),
    ],
)
def test_a_mistake_where_a_prompt_may_go_falls_back_to_the_private_choice(
    tmp_path: Path, text: str, expect: tuple[str, str, object]
) -> None:
    _, report = _read(tmp_path, text)
    section, key, value = expect
    assert getattr(getattr(report.settings, section), key) == value
    assert len(report.problems) == 1
    assert "private choice" in report.problems[0].message


def test_a_compatible_server_with_a_bad_tier_counts_as_cloud(tmp_path: Path) -> None:
    _, report = _read(
        tmp_path,
        '[[compatible]]\nname = "box"\nbase_url = "http://10.0.0.2:8000/v1"\ntier = "Local"\n'
        "[[compatible]]\nname = 3\n",
    )
    servers = report.settings.compatible
    assert [(s.name, s.tier) for s in servers] == [("box", "cloud"), ("", "local")]
    assert [p.key for p in report.problems] == [
        "compatible[0].tier",
        "compatible[1].name",
    ]


def test_an_unknown_key_in_a_known_section_is_reported_with_a_guess(tmp_path: Path) -> None:
    path, report = _read(tmp_path, "[ui]\nfont_szie = 14\nfuture_thing = 1\n")
    lines = [p.one_line() for p in report.problems]
    assert "ui.font_szie is not a setting CodeFace knows (did you mean font_size?)" in lines[0]
    assert "ui.future_thing is not a setting CodeFace knows; it is kept" in lines[1]
    save_settings(report.settings, path)
    assert "future_thing = 1" in path.read_text()


@pytest.mark.parametrize(
    ("content", "why"),
    [
        ("[general\n", "not valid TOML"),
        (b"[ui]\ntheme = 'caf\xe9'\n", "not UTF-8"),
    ],
)
def test_a_file_that_cannot_be_read_gives_local_only_defaults(
    tmp_path: Path, content: str | bytes, why: str
) -> None:
    _, report = _read(tmp_path, content)
    assert report.unreadable
    settings = report.settings
    assert settings.general.policy == "local-only"
    assert not settings.anthropic.enabled
    assert not settings.openai.enabled
    [problem] = report.problems
    assert problem.key == ""
    assert why in problem.message
    assert "cloud providers are off" in problem.message


def test_a_folder_in_place_of_the_file_is_unreadable_too(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.mkdir()
    report = read_settings(path)
    assert report.unreadable
    assert "cannot be read" in report.problems[0].message


def test_saving_over_an_unreadable_file_moves_it_aside_first(tmp_path: Path) -> None:
    path, report = _read(tmp_path, '[general\npolicy = "cloud-first" # my careful notes\n')
    moved = save_settings(report.settings, path)
    assert moved is not None
    assert "my careful notes" in moved.read_text()
    assert read_settings(path).problems == []
    assert save_settings(Settings(), path) is None  # a readable file is simply replaced


def test_number_ranges_are_exposed_for_the_settings_window() -> None:
    assert allowed_range(UiSettings, "font_size") == (6, 48)
    assert allowed_range(GeneralSettings, "temperature") == (0, 2)
    assert allowed_range(UiSettings, "theme") is None
