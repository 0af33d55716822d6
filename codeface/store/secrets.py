"""API keys: in the OS keyring (service ``codeface``) and nowhere else CodeFace writes.

When no keyring works (headless Linux raises ``NoKeyringError``), keys are read from
environment variables, then from a 0600 file in the config folder, and
`backend_description()` says so plainly for ``codeface doctor`` and the settings
window. Every key value read or written is registered with the log redactor.

Whether a provider has a key (`has_key`, `list_keys`) is answered without opening the
keyring: the names (never the values) of the keys CodeFace keeps there are listed in
``keyring-index.json`` beside the settings. Opening the keyring costs 3-15 MB of imports
and, on Linux, a D-Bus call that may ask the user to unlock it; with the index that happens
only when a key's value is needed. A name the index has never checked is looked up once.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from codeface.core.atomic import write_atomically
from codeface.core.errors import ConfigError, StoreError
from codeface.core.logs import register_secret
from codeface.core.paths import app_paths

log = logging.getLogger(__name__)
SERVICE = "codeface"
KNOWN_PROVIDERS = ("anthropic", "openai")
KEY_FILE_NAME = "keys.json"
INDEX_FILE_NAME = "keyring-index.json"
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


def index_file() -> Path:
    """The names of the keys kept in the keyring, and of those checked there."""
    return app_paths().config / INDEX_FILE_NAME


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


def _parse_key_file() -> dict[str, str]:
    """The fallback file's keys; `StoreError` when it exists but cannot be used."""
    path = key_file()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else error
        raise StoreError(
            f"Cannot read the key file {path}: {reason}",
            hint="Fix or remove the file, then set the keys again with `codeface keys set`.",
        ) from error
    if not isinstance(data, dict):
        raise StoreError(
            f"The key file {path} is not a JSON object.",
            hint="Fix or remove the file, then set the keys again with `codeface keys set`.",
        )
    keys = {name: value for name, value in data.items() if isinstance(value, str) and value}
    for value in keys.values():
        register_secret(value)
    return keys


def key_file_problem() -> str | None:
    """Why the fallback key file cannot be used (its keys are then ignored), or None."""
    try:
        _parse_key_file()
    except StoreError as error:
        return error.one_line()
    return None


def _read_file() -> dict[str, str]:
    """The fallback file's keys for a lookup: a broken file counts as empty (and is logged).

    A broken key file must not stop anything that needs no key from it (a local-only chat);
    writing to it (`set_key`, `delete_key`) still refuses, so it is never overwritten.
    """
    try:
        return _parse_key_file()
    except StoreError as error:
        log.warning("ignoring the key file: %s", error.user_message)
        return {}


def _write_file(keys: dict[str, str]) -> None:
    path = key_file()
    if not keys:
        path.unlink(missing_ok=True)
        return
    _write_private_json(path, keys)


def _write_private_json(path: Path, data: object) -> None:
    """Write ``data`` as JSON atomically, readable only by this user."""
    write_atomically(path, json.dumps(data, indent=2, sort_keys=True), folder_mode=0o700)


@dataclass
class _Index:
    """Which names were looked up in the keyring, and which of them are stored there."""

    checked: set[str]
    stored: set[str]


def _read_index() -> _Index:
    try:
        data = json.loads(index_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = None
    if not isinstance(data, dict):
        return _Index(set(), set())  # missing or damaged: every name is looked up again
    checked, stored = data.get("checked"), data.get("stored")
    if not isinstance(checked, list) or not isinstance(stored, list):
        return _Index(set(), set())
    names = {name for name in checked if isinstance(name, str)}
    return _Index(names, {name for name in stored if name in names})


def _note(provider: str, stored: bool) -> None:
    """Record in the index whether ``provider``'s key is in the keyring (best effort)."""
    index = _read_index()
    if provider in index.checked and (provider in index.stored) == stored:
        return
    index.checked.add(provider)
    if stored:
        index.stored.add(provider)
    else:
        index.stored.discard(provider)
    with contextlib.suppress(OSError):  # unwritten: the next start looks the name up again
        _write_private_json(
            index_file(), {"checked": sorted(index.checked), "stored": sorted(index.stored)}
        )


def _in_keyring(provider: str, index: _Index) -> bool:
    """Whether the keyring holds a key for ``provider``, from the index when it knows."""
    if provider in index.checked:
        return provider in index.stored
    return _keyring_value(provider) is not None


def _keyring_value(provider: str) -> str | None:
    import keyring
    from keyring.errors import InitError, NoKeyringError

    try:
        value = keyring.get_password(SERVICE, provider) or None
    except (NoKeyringError, InitError):
        value = None  # none installed: keys live in the file (set_key notes any new one)
    except _keyring_error():
        return None  # not recorded: a locked keyring may open next time
    _note(provider, value is not None)
    return value


def _lookup(provider: str) -> tuple[str, Location] | None:
    value = _keyring_value(provider)
    if value:
        return value, "keyring"
    value = os.environ.get(env_var(provider))
    if value:
        return value, "environment"
    value = _read_file().get(provider)
    if value:
        return value, "file"
    return None


def _location(provider: str, index: _Index) -> Location | None:
    """Where ``provider``'s key is, in `_lookup`'s order, without reading the keyring."""
    if _in_keyring(provider, index):
        return "keyring"
    if os.environ.get(env_var(provider)):
        return "environment"
    if _read_file().get(provider):
        return "file"
    return None


def has_key(provider: str) -> bool:
    """Whether a key is set for ``provider`` (the keyring is opened only for unknown names)."""
    return _location(provider, _read_index()) is not None


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
        keys = _parse_key_file()
        keys[provider] = value
        _write_file(keys)
        return "file"
    except _keyring_error() as error:
        raise StoreError(
            f"The OS keyring refused to save the key ({type(error).__name__}: {error}).",
            hint="Unlock the keyring and try again.",
        ) from error
    _note(provider, True)
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
        _note(provider, False)
    except PasswordDeleteError:
        _note(provider, False)
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
    index = _read_index()
    for name in names:
        location = _location(name, index)
        if location is None:
            continue
        detail = {
            "keyring": f"OS keyring, service {SERVICE!r}",
            "environment": f"environment variable {env_var(name)}",
            "file": f"unencrypted file {key_file()}",
        }[location]
        found.append(KeyInfo(name, location, detail))
    return found
