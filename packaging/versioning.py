"""The app's identity and version, and stamping that version into every packaging file.

``pyproject.toml`` is the single source of the version. `stamp_version` writes it into the
files that cannot read it at build time (Info.plist, AppStream metainfo, Homebrew cask and
formula, Inno Setup script, the source-tree fallback in ``codeface/__init__.py``);
`version_mismatches` lists every place that disagrees, for CI.

``packaging/`` is deliberately not a Python package (it would shadow PyPI ``packaging``), so
sibling scripts import this module after putting this folder on ``sys.path``.
"""

from __future__ import annotations

import datetime as _dt
import plistlib
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APP_NAME = "CodeFace"
APP_ID = "codeface"  # executable, .desktop basename, icon name, StartupWMClass
BUNDLE_ID = "io.github.codeface.CodeFace"
HOMEPAGE = "https://github.com/codeface-app/codeface"
SUMMARY = "Local-first AI coding assistant"

PYPROJECT = ROOT / "pyproject.toml"
INFO_PLIST = ROOT / "packaging" / "macos" / "Info.plist"
DESKTOP_FILE = ROOT / "packaging" / "linux" / f"{APP_ID}.desktop"
METAINFO = ROOT / "packaging" / "linux" / f"{BUNDLE_ID}.metainfo.xml"
CASK = ROOT / "packaging" / "homebrew" / "Casks" / f"{APP_ID}.rb"
FORMULA = ROOT / "packaging" / "homebrew" / "Formula" / f"{APP_ID}.rb"
ISS = ROOT / "installers" / f"{APP_ID}.iss"
PACKAGE_INIT = ROOT / "codeface" / "__init__.py"

_VERSION_RE = r"(\d+\.\d+\.\d+(?:[-.+]?[0-9A-Za-z.]+)?)"


def read_version(pyproject: Path = PYPROJECT) -> str:
    """The ``[project] version`` from pyproject.toml."""
    with pyproject.open("rb") as handle:
        return str(tomllib.load(handle)["project"]["version"])


@dataclass(frozen=True)
class Stamp:
    """One place a version lives: how to read it and how to rewrite it."""

    path: Path
    read: Callable[[str], list[str]]
    write: Callable[[str, str], str]


def _regex_stamp(path: Path, pattern: str) -> Stamp:
    """A stamp for text where ``pattern``'s single group is the version."""
    compiled = re.compile(pattern, re.MULTILINE)

    def read(text: str) -> list[str]:
        return compiled.findall(text)

    def write(text: str, version: str) -> str:
        def swap(match: re.Match[str]) -> str:
            start, end = match.span(1)
            whole = match.group(0)
            base = match.start(0)
            return whole[: start - base] + version + whole[end - base :]

        return compiled.sub(swap, text)

    return Stamp(path, read, write)


def _plist_read(text: str) -> list[str]:
    info = plistlib.loads(text.encode("utf-8"))
    return [str(info.get("CFBundleShortVersionString")), str(info.get("CFBundleVersion"))]


def _plist_write(text: str, version: str) -> str:
    info = plistlib.loads(text.encode("utf-8"))
    info["CFBundleShortVersionString"] = version
    info["CFBundleVersion"] = version
    return plistlib.dumps(info, sort_keys=False).decode("utf-8")


def _metainfo_read(text: str) -> list[str]:
    match = re.search(r'<release\s+version="([^"]+)"', text)
    return [match.group(1)] if match else []


def _metainfo_write(text: str, version: str) -> str:
    """Add a ``<release>`` for ``version`` at the top of ``<releases>`` unless it is there."""
    if f'<release version="{version}"' in text:
        return text
    today = _dt.date.today().isoformat()
    return text.replace(
        "<releases>\n",
        f'<releases>\n    <release version="{version}" date="{today}"/>\n',
        1,
    )


def stamps(root: Path = ROOT) -> tuple[Stamp, ...]:
    """Every place under ``root`` that carries the version."""

    def at(path: Path) -> Path:
        return root / path.relative_to(ROOT)

    return (
        _regex_stamp(at(PACKAGE_INIT), r'__version__ = "' + _VERSION_RE + '"'),
        Stamp(at(INFO_PLIST), _plist_read, _plist_write),
        Stamp(at(METAINFO), _metainfo_read, _metainfo_write),
        _regex_stamp(at(CASK), r'^\s*version "' + _VERSION_RE + '"'),
        _regex_stamp(at(FORMULA), r"/v" + _VERSION_RE + "/"),
        _regex_stamp(at(FORMULA), r"/codeface-" + _VERSION_RE + r"\.tar\.gz"),
        _regex_stamp(at(ISS), r'^#define AppVersion "' + _VERSION_RE + '"'),
    )


def set_project_version(version: str, pyproject: Path = PYPROJECT) -> None:
    """Rewrite ``version = "..."`` in the ``[project]`` table of pyproject.toml."""
    text = pyproject.read_text(encoding="utf-8")
    new, count = re.subn(
        r'(\[project\][^\[]*?^version = ")[^"]+(")',
        lambda m: m.group(1) + version + m.group(2),
        text,
        count=1,
        flags=re.MULTILINE | re.DOTALL,
    )
    if count != 1:
        raise ValueError(f"no [project] version line in {pyproject}")
    pyproject.write_text(new, encoding="utf-8")


def stamp_version(version: str, root: Path = ROOT) -> list[Path]:
    """Write ``version`` into every stamped file under ``root``; returns those that changed."""
    changed: list[Path] = []
    for stamp in stamps(root):
        text = stamp.path.read_text(encoding="utf-8")
        new = stamp.write(text, version)
        if new != text:
            stamp.path.write_text(new, encoding="utf-8")
            if stamp.path not in changed:
                changed.append(stamp.path)
    return changed


def version_mismatches(version: str | None = None, root: Path = ROOT) -> list[str]:
    """Human-readable lines for every stamped place under ``root`` that disagrees."""
    expected = version or read_version(root / "pyproject.toml")
    problems: list[str] = []
    for stamp in stamps(root):
        where = stamp.path.relative_to(root)
        found = stamp.read(stamp.path.read_text(encoding="utf-8"))
        if not found:
            problems.append(f"{where}: no version found")
        problems.extend(
            f"{where}: has {value}, pyproject says {expected}"
            for value in found
            if value != expected
        )
    return problems
