"""API keys: in the OS keyring (service ``codeface``) and nowhere else CodeFace writes.

When no keyring works (headless Linux raises ``NoKeyringError``), keys are read from
environment variables, then from a 0600 file in the config folder, and
`backend_description()` says so plainly for ``codeface doctor`` and the settings
window. Every key value read or written is registered with the log redactor.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from codeface.core.errors import ConfigError, StoreError
from codeface.core.logs import register_secret
from codeface.core.paths import app_paths

SERVICE = "codeface"
KNOWN_PROVIDERS = ("anthropic", "openai")
KEY_FILE_NAME = "keys.json"
Location = Literal["keyring", "environment", "file"]
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:\-]{0,63}$")


@dataclass(frozen=True)
class KeyInfo:
    """Which provider has a key and where it is kept (never the value)."""

    provider: str
    location: Location
    detail: str


def env_var(provider: str) -> str:
    """The environment variable read for a provider, e.g. ``ANTHROPIC_API_KEY``."""
    if provider in KNOWN_PROVIDERS:
        return f"{provider.upper()}_API_KEY"
    slug = re.sub(r"[^A-Za-z0-9]+", "_", provider).strip("_").upper()
    return f"CODEFACE_{slug}_API_KEY"


def key_file() -> Path:
    """The unencrypted fallback file used only when no keyring works."""
    return app_paths().config / KEY_FILE_NAME


def _check_name(provider: str) -> None:
    if not _NAME.match(provider):
        raise ConfigError(f"{provider!r} is not a provider name (letters, digits, - _ . :).")


def _keyring_error() -> tuple[type[Exception], ...]:
    from keyring.errors import KeyringError

    return (KeyringError,)


def keyring_works() -> tuple[bool, str]:
    """Whether the OS keyring answers, and the backend's name or the error."""
    import keyring

    backend = keyring.get_keyring()
    name = f"{type(backend).__module__}.{type(backend).__qualname__}"
    try:
        keyring.get_password(SERVICE, "__codeface_probe__")
    except _keyring_error() as error:
        return False, f"{type(error).__name__}: {error}"
    if name.startswith("keyring.backends.null"):
        return False, "keyring is disabled (null backend)"
    return True, name


def backend_description() -> str:
    """A plain sentence for doctor and the settings window about where keys are kept."""
    works, detail = keyring_works()
    if works:
        return f"API keys are kept in the OS keyring ({detail}), service {SERVICE!r}."
    return (
        f"No OS keyring is available ({detail}). Keys are read from environment variables "
        f"(e.g. ANTHROPIC_API_KEY), then from the UNENCRYPTED file {key_file()} "
        "(readable only by you). Install and unlock a keyring (GNOME Keyring, KWallet) "
        "to keep keys encrypted."
    )


def _read_file() -> dict[str, str]:
    path = key_file()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as error:
        raise StoreError(f"Cannot read the key file {path}: {error}") from error
    if not isinstance(data, dict):
        raise StoreError(f"The key file {path} is not a JSON object.")
    return {str(name): str(value) for name, value in data.items()}


def _write_file(keys: dict[str, str]) -> None:
    path = key_file()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not keys:
        path.unlink(missing_ok=True)
        return
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=".keys-", suffix=".tmp")
    try:
        os.chmod(temp, 0o600)
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(keys, stream, indent=2, sort_keys=True)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _lookup(provider: str) -> tuple[str, Location] | None:
    import keyring

    try:
        value = keyring.get_password(SERVICE, provider)
    except _keyring_error():
        value = None
    if value:
        return value, "keyring"
    value = os.environ.get(env_var(provider))
    if value:
        return value, "environment"
    value = _read_file().get(provider)
    if value:
        return value, "file"
    return None


def get_key(provider: str) -> str | None:
    """The key for a provider: keyring, then environment variable, then the fallback file."""
    found = _lookup(provider)
    if found is None:
        return None
    register_secret(found[0])
    return found[0]


def set_key(provider: str, value: str) -> Location:
    """Save a key in the keyring, or (only when no keyring works) in the 0600 file."""
    _check_name(provider)
    value = value.strip()
    if not value:
        raise ConfigError("The key is empty; nothing was saved.")
    register_secret(value)
    import keyring
    from keyring.errors import InitError, NoKeyringError

    try:
        keyring.set_password(SERVICE, provider, value)
    except (NoKeyringError, InitError):
        keys = _read_file()
        keys[provider] = value
        _write_file(keys)
        return "file"
    except _keyring_error() as error:
        raise StoreError(
            f"The OS keyring refused to save the key ({type(error).__name__}: {error}).",
            hint="Unlock the keyring and try again.",
        ) from error
    keys = _read_file()
    if keys.pop(provider, None) is not None:
        _write_file(keys)
    return "keyring"


def delete_key(provider: str) -> list[Location]:
    """Remove a provider's key from the keyring and the file; returns where it was removed."""
    import keyring
    from keyring.errors import PasswordDeleteError

    removed: list[Location] = []
    try:
        keyring.delete_password(SERVICE, provider)
        removed.append("keyring")
    except PasswordDeleteError:
        pass
    except _keyring_error():
        pass
    keys = _read_file()
    if keys.pop(provider, None) is not None:
        _write_file(keys)
        removed.append("file")
    return removed


def list_keys(providers: tuple[str, ...] | list[str] = ()) -> list[KeyInfo]:
    """Providers that have a key (known ones, those named, those in the file), no values."""
    names = list(dict.fromkeys([*KNOWN_PROVIDERS, *providers, *_read_file()]))
    found = []
    for name in names:
        hit = _lookup(name)
        if hit is None:
            continue
        detail = {
            "keyring": f"OS keyring, service {SERVICE!r}",
            "environment": f"environment variable {env_var(name)}",
            "file": f"unencrypted file {key_file()}",
        }[hit[1]]
        found.append(KeyInfo(name, hit[1], detail))
    return found
