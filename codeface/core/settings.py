"""Typed settings in one TOML file: validated, unknown keys preserved, written atomically.

Each section is a dataclass; a value of the wrong type or outside its allowed values is a
`ConfigError` naming the key and the value. Keys CodeFace does not know (from a newer
version, or the user's own notes) are kept and written back untouched.
"""

from __future__ import annotations

import tomllib
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, Literal, get_args, get_origin, get_type_hints

from codeface.core.atomic import write_atomically
from codeface.core.errors import ConfigError

Policy = Literal["local-only", "local-first", "cloud-first", "pinned"]
POLICIES: tuple[str, ...] = get_args(Policy)


@dataclass
class GeneralSettings:
    """Defaults for new sessions and answers."""

    policy: Policy = "local-first"
    model: str = ""
    temperature: float = 0.7
    context_size: int = 8192
    max_tokens: int = 4096
    on_midstream_failure: Literal["continue", "fail"] = "continue"
    stall_timeout: float = 60.0
    connect_timeout: float = 5.0


@dataclass
class OllamaSettings:
    """Local Ollama servers, in order of preference."""

    hosts: list[str] = field(default_factory=list)
    keep_alive: str = "10m"


@dataclass
class BuiltinSettings:
    """The built-in engine: GGUF models run inside CodeFace through llama.cpp."""

    enabled: bool = True
    model: str = ""
    gpu_offload: Literal["auto", "off"] = "auto"
    context_size: int = 0
    threads: int = 0


@dataclass
class CloudSettings:
    """One cloud provider (Anthropic or OpenAI)."""

    enabled: bool = True
    base_url: str = ""
    model: str = ""


@dataclass
class CompatibleServer:
    """An OpenAI-compatible server (LM Studio, llama.cpp, vLLM, Ollama's /v1)."""

    name: str = ""
    base_url: str = ""
    model: str = ""
    tier: Literal["local", "cloud"] = "local"


@dataclass
class RouterSettings:
    """Retries, circuit breaker and rate limits."""

    order: list[str] = field(
        default_factory=lambda: ["ollama", "builtin", "compat", "anthropic", "openai"]
    )
    max_retries: int = 2
    backoff_base: float = 0.5
    backoff_cap: float = 8.0
    breaker_threshold: int = 3
    breaker_cooldown: float = 30.0
    requests_per_minute: int = 0
    tokens_per_minute: int = 0


@dataclass
class UiSettings:
    """Appearance and behaviour of the window."""

    theme: str = "system"
    font_family: str = ""
    font_size: int = 11
    code_font_family: str = ""
    enter_sends: bool = True


@dataclass
class TerminalSettings:
    """The embedded terminal."""

    shell: str = ""
    scrollback: int = 10000
    share_history_with_chat: bool = False


@dataclass
class Settings:
    """All settings; ``extra`` holds unknown keys so they survive a save."""

    general: GeneralSettings = field(default_factory=GeneralSettings)
    ollama: OllamaSettings = field(default_factory=OllamaSettings)
    builtin: BuiltinSettings = field(default_factory=BuiltinSettings)
    anthropic: CloudSettings = field(default_factory=CloudSettings)
    openai: CloudSettings = field(default_factory=CloudSettings)
    compatible: list[CompatibleServer] = field(default_factory=list)
    router: RouterSettings = field(default_factory=RouterSettings)
    ui: UiSettings = field(default_factory=UiSettings)
    terminal: TerminalSettings = field(default_factory=TerminalSettings)
    pricing: dict[str, dict[str, float]] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict, repr=False)

    def to_toml_dict(self) -> dict[str, Any]:
        """The document to write: known values merged over the preserved unknown keys."""
        document: dict[str, Any] = _deep_copy(self.extra)
        for item in fields(self):
            if item.name == "extra":
                continue
            value = getattr(self, item.name)
            if item.name == "compatible":
                document[item.name] = [asdict(server) for server in value]
            elif isinstance(value, dict):
                document[item.name] = dict(value)
            else:
                merged = document.get(item.name, {})
                merged = merged if isinstance(merged, dict) else {}
                merged.update(asdict(value))
                document[item.name] = merged
        return document


def _deep_copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _deep_copy(inner) for key, inner in value.items()}
    if isinstance(value, list):
        return [_deep_copy(inner) for inner in value]
    return value


def _check(path: str, value: Any, expected: Any) -> Any:
    """Return ``value`` converted to ``expected`` or raise a ConfigError naming ``path``."""
    origin = get_origin(expected)
    if origin is Literal:
        allowed = get_args(expected)
        if value not in allowed:
            choices = ", ".join(repr(choice) for choice in allowed)
            raise ConfigError(f"Setting {path} = {value!r} is not one of {choices}")
        return value
    if origin is list:
        (inner,) = get_args(expected)
        if not isinstance(value, list):
            raise ConfigError(f"Setting {path} = {value!r} must be a list")
        return [_check(f"{path}[{index}]", item, inner) for index, item in enumerate(value)]
    if origin is dict:
        if not isinstance(value, dict):
            raise ConfigError(f"Setting {path} = {value!r} must be a table")
        return value
    if expected is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"Setting {path} = {value!r} must be true or false")
        return value
    if expected is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"Setting {path} = {value!r} must be a whole number")
        if value < 0:
            raise ConfigError(f"Setting {path} = {value!r} must not be negative")
        return value
    if expected is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(f"Setting {path} = {value!r} must be a number")
        return float(value)
    if expected is str:
        if not isinstance(value, str):
            raise ConfigError(f"Setting {path} = {value!r} must be text")
        return value
    raise ConfigError(f"Setting {path} has an unsupported type")  # pragma: no cover


def _build_section(cls: type[Any], name: str, table: Any) -> Any:
    if not isinstance(table, dict):
        raise ConfigError(f"Setting [{name}] must be a table, not {table!r}")
    hints = get_type_hints(cls)
    values = {
        item.name: _check(f"{name}.{item.name}", table[item.name], hints[item.name])
        for item in fields(cls)
        if item.name in table
    }
    return cls(**values)


def settings_from_dict(document: dict[str, Any]) -> Settings:
    """Validate a parsed TOML document into `Settings`, keeping unknown keys."""
    settings = Settings(extra=_deep_copy(document))
    hints = get_type_hints(Settings)
    for item in fields(Settings):
        if item.name == "extra" or item.name not in document:
            continue
        raw = document[item.name]
        if item.name == "compatible":
            if not isinstance(raw, list):
                raise ConfigError(f"Setting compatible = {raw!r} must be a list of tables")
            value: Any = [
                _build_section(CompatibleServer, f"compatible[{index}]", table)
                for index, table in enumerate(raw)
            ]
        elif item.name == "pricing":
            value = _check("pricing", raw, hints["pricing"])
        else:
            value = _build_section(hints[item.name], item.name, raw)
        setattr(settings, item.name, value)
    return settings


def load_settings(path: Path) -> Settings:
    """Read settings; a missing file gives the defaults, a broken one a ConfigError."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Settings()
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"Cannot read settings file {path}: {error}") from error
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(
            f"Settings file {path} is not valid TOML: {error}",
            hint="Fix the line named above, or move the file aside to start from defaults.",
        ) from error
    return settings_from_dict(document)


def save_settings(settings: Settings, path: Path) -> None:
    """Write settings atomically (temp file in the same folder, then ``os.replace``)."""
    import tomli_w

    write_atomically(path, tomli_w.dumps(settings.to_toml_dict()))
