"""Settings TOML: defaults, validation naming the key, unknown keys kept, atomic writes."""

from __future__ import annotations

from pathlib import Path

import pytest

from codeface.core.errors import ConfigError
from codeface.core.settings import CompatibleServer, Settings, load_settings, save_settings


def test_missing_file_gives_defaults(tmp_path: Path) -> None:
    assert load_settings(tmp_path / "none.toml") == Settings()


def test_round_trip_keeps_values_and_unknown_keys(tmp_path: Path) -> None:
    path = tmp_path / "config" / "settings.toml"
    path.parent.mkdir()
    path.write_text(
        '# my notes\n[general]\npolicy = "local-only"\nfuture_option = 3\n\n'
        '[plugins]\nenabled = ["x"]\n'
    )
    settings = load_settings(path)
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
    assert again.extra["general"]["future_option"] == 3
    assert [p.name for p in path.parent.iterdir()] == ["settings.toml"]  # no temp files left


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ('[general]\npolicy = "cloud-only"', "general.policy"),
        ("[general]\ntemperature = true", "general.temperature"),
        ("[ui]\nfont_size = -2", "ui.font_size"),
        ("[general\n", "not valid TOML"),
    ],
)
def test_bad_values_name_the_key(tmp_path: Path, text: str, named: str) -> None:
    path = tmp_path / "settings.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=named.replace(".", r"\.")):
        load_settings(path)
