"""Typed settings in one TOML file: checked value by value, unknown keys kept, saved atomically.

Each section is a dataclass whose fields declare their type and, in metadata, their range
or format (`codeface.core.setting_checks`). `read_settings` never fails: it keeps every
valid value, replaces each invalid one and lists a `SettingsProblem` naming the key, the
value and what is allowed. A bad setting never weakens privacy: where a prompt may go
(`general.policy`, a cloud section's `enabled`, a compatible server's `tier`) falls back
to the private choice, not the default. A file that cannot be read at all (not TOML, not
UTF-8, unreadable) gives the defaults with every cloud provider off until it is fixed.
Keys CodeFace does not know (from a newer version, or the user's notes) are kept and
written back untouched; one that looks like a typo of a known key is reported.
"""

from __future__ import annotations

import logging
import re
import time
import tomllib
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, Literal, get_args

from codeface.core.atomic import write_atomically
from codeface.core.setting_checks import Bounds, is_ollama_host, is_web_address, shaped, within
from codeface.core.settings_reader import SettingsReader

log = logging.getLogger(__name__)

Policy = Literal["local-only", "local-first", "cloud-first", "pinned"]
POLICIES: tuple[str, ...] = get_args(Policy)
PROVIDER_FAMILIES = ("ollama", "builtin", "compat", "anthropic", "openai")
_DURATION = re.compile(r"^(-?\d+(\.\d+)?|-?(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+)$")
_SERVER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:\-]{0,63}$")
_ORDER_ENTRY = re.compile(rf"^({'|'.join(PROVIDER_FAMILIES)})([@:]\S+)?$")
_MAX_CONTEXT = 2_097_152


@dataclass
class GeneralSettings:
    """Defaults for new sessions and answers."""

    policy: Policy = "local-first"
    model: str = ""
    temperature: float = field(default=0.7, metadata=within(0, 2))
    context_size: int = field(default=8192, metadata=within(512, _MAX_CONTEXT))
    max_tokens: int = field(default=4096, metadata=within(1, 1_000_000))
    on_midstream_failure: Literal["continue", "fail"] = "continue"
    stall_timeout: float = field(default=60.0, metadata=within(0.1, 3600))
    first_token_timeout: float = field(default=120.0, metadata=within(1, 3600))
    connect_timeout: float = field(default=5.0, metadata=within(0.1, 600))


@dataclass
class OllamaSettings:
    """Local Ollama servers, in order of preference."""

    hosts: list[str] = field(
        default_factory=list,
        metadata=shaped(is_ollama_host, "an Ollama address: host, host:port or http://host:port"),
    )
    keep_alive: str = field(
        default="10m",
        metadata=shaped(
            lambda text: not text or bool(_DURATION.match(text)),
            'a duration such as "10m", "1h" or "-1" (keep loaded), or "" for Ollama\'s default',
        ),
    )


@dataclass
class BuiltinSettings:
    """The built-in engine: GGUF models run inside CodeFace through llama.cpp."""

    enabled: bool = True
    model: str = ""
    gpu_offload: Literal["auto", "off"] = "auto"
    context_size: int = field(
        default=0, metadata=within(512, _MAX_CONTEXT, zero_means="the model's own")
    )
    threads: int = field(default=0, metadata=within(1, 1024, zero_means="automatic"))


_OFFICIAL_OR_URL = 'an http:// or https:// address, or "" for the official one'


@dataclass
class CloudSettings:
    """One cloud provider (Anthropic or OpenAI)."""

    enabled: bool = True
    base_url: str = field(default="", metadata=shaped(is_web_address, _OFFICIAL_OR_URL))
    model: str = ""


@dataclass
class CompatibleServer:
    """An OpenAI-compatible server (LM Studio, llama.cpp, vLLM, Ollama's /v1)."""

    name: str = field(
        default="",
        metadata=shaped(
            lambda text: not text or bool(_SERVER_NAME.match(text)),
            "a name of letters, digits and - _ . : (at most 64)",
        ),
    )
    base_url: str = field(
        default="",
        metadata=shaped(
            lambda text: is_web_address(text, allow_empty=False), "an http:// or https:// address"
        ),
    )
    model: str = ""
    tier: Literal["local", "cloud"] = "local"


@dataclass
class RouterSettings:
    """Retries, circuit breaker and rate limits."""

    order: list[str] = field(
        default_factory=lambda: list(PROVIDER_FAMILIES),
        metadata=shaped(
            lambda text: bool(_ORDER_ENTRY.match(text)),
            "a provider: "
            + ", ".join(f'"{name}"' for name in PROVIDER_FAMILIES)
            + ', or an id such as "compat:lmstudio"',
        ),
    )
    max_retries: int = field(default=2, metadata=within(0, 10))
    backoff_base: float = field(default=0.5, metadata=within(0, 60))
    backoff_cap: float = field(default=8.0, metadata=within(0, 600))
    breaker_threshold: int = field(default=3, metadata=within(1, 100))
    breaker_cooldown: float = field(default=30.0, metadata=within(0, 3600))
    requests_per_minute: int = field(default=0, metadata=within(1, 100_000, zero_means="no limit"))
    tokens_per_minute: int = field(
        default=0, metadata=within(1, 100_000_000, zero_means="no limit")
    )


@dataclass
class PlanSettings:
    """Multi-agent plans: attempts, heartbeat and how many tasks run at once per provider."""

    max_attempts: int = field(default=3, metadata=within(1, 20))
    heartbeat: float = field(default=300.0, metadata=within(1, 86_400))
    backoff_base: float = field(default=2.0, metadata=within(0, 600))
    backoff_cap: float = field(default=60.0, metadata=within(0, 3600))
    local_parallel: int = field(default=1, metadata=within(1, 64))
    cloud_parallel: int = field(default=4, metadata=within(1, 64))


@dataclass
class UiSettings:
    """Appearance and behaviour of the window."""

    theme: str = "system"
    font_family: str = ""
    font_size: int = field(default=11, metadata=within(6, 48))
    code_font_family: str = ""
    enter_sends: bool = True


@dataclass
class TerminalSettings:
    """The embedded terminal."""

    shell: str = ""
    scrollback: int = field(default=10000, metadata=within(0, 1_000_000))
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
    plans: PlanSettings = field(default_factory=PlanSettings)
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


# Where a prompt may go: an invalid or misspelt value gives the private choice, not the default.
PRIVATE_FALLBACKS: dict[str, dict[str, Any]] = {
    "general": {"policy": "local-only"},
    "anthropic": {"enabled": False},
    "openai": {"enabled": False},
    "compatible": {"tier": "cloud"},
}
_EXTRA_SECTIONS = frozenset({"shortcuts"})  # kept in `extra` and used by the window


@dataclass(frozen=True)
class SettingsProblem:
    """One thing wrong in the settings file; ``key`` is "" when the whole file is unusable."""

    file: Path
    key: str
    message: str

    def one_line(self) -> str:
        """The message with the file it is about, as the CLI and the window show it."""
        return f"{self.message} (in {self.file})"


@dataclass
class SettingsReport:
    """Settings as read, with every problem found; ``unreadable``: cloud providers are off."""

    settings: Settings
    problems: list[SettingsProblem] = field(default_factory=list)
    unreadable: bool = False


def allowed_range(section: type[Any], name: str) -> tuple[float, float] | None:
    """The inclusive range a number setting must lie in (for spin boxes), or None."""
    for item in fields(section):
        bounds: Bounds | None = item.metadata.get("bounds")
        if item.name == name and bounds is not None:
            return bounds.low, bounds.high
    return None


def _deep_copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _deep_copy(inner) for key, inner in value.items()}
    if isinstance(value, list):
        return [_deep_copy(inner) for inner in value]
    return value


def local_only_settings() -> Settings:
    """The defaults with every cloud provider off: what a file that cannot be read gives."""
    settings = Settings()
    settings.general.policy = "local-only"
    settings.anthropic.enabled = False
    settings.openai.enabled = False
    return settings


def settings_from_document(document: dict[str, Any], file: Path) -> SettingsReport:
    """Check a parsed TOML document: every valid value kept, each invalid one reported."""
    reader = SettingsReader(file, PRIVATE_FALLBACKS, _EXTRA_SECTIONS)
    settings = reader.read(Settings, document, _deep_copy(document))
    return SettingsReport(settings, reader.problems)


def _unreadable(path: Path, reason: str) -> SettingsReport:
    message = (
        f"The settings file cannot be used: {reason}. Until it is fixed, CodeFace uses its "
        "defaults and answers with local models only (cloud providers are off)"
    )
    log.warning("%s (%s)", message, path)
    return SettingsReport(local_only_settings(), [SettingsProblem(path, "", message)], True)


def read_settings(path: Path) -> SettingsReport:
    """Read settings without failing: a missing file gives the defaults, a broken one a report."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return SettingsReport(Settings())
    except UnicodeDecodeError as error:
        return _unreadable(path, f"it is not UTF-8 text ({error.reason} at byte {error.start})")
    except OSError as error:
        return _unreadable(path, f"it cannot be read ({error.strerror or error})")
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        return _unreadable(path, f"it is not valid TOML ({error})")
    report = settings_from_document(document, path)
    for problem in report.problems:
        log.warning("settings: %s", problem.one_line())
    return report


def load_settings(path: Path) -> Settings:
    """The settings to use (see `read_settings`; its problems are logged, not raised)."""
    return read_settings(path).settings


def save_settings(settings: Settings, path: Path) -> Path | None:
    """Write settings atomically (temp file in the same folder, then ``os.replace``).

    A file there that cannot be read as settings is moved aside first, never overwritten;
    returns where it went (None when nothing was moved).
    """
    import tomli_w

    moved = _move_aside_if_unreadable(path)
    write_atomically(path, tomli_w.dumps(settings.to_toml_dict()), folder_mode=0o700)
    return moved


def _move_aside_if_unreadable(path: Path) -> Path | None:
    try:
        tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        if not path.is_file():
            return None
    except tomllib.TOMLDecodeError:
        pass
    else:
        return None
    stamp = time.strftime("%Y%m%dT%H%M%S")
    target = path.with_name(f"{path.name}.unreadable-{stamp}")
    path.replace(target)
    log.warning("the unreadable settings file was moved aside to %s", target)
    return target
