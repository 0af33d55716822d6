"""Static checks of the packaging files, for CI and ``tests/packaging``.

Each ``check_*`` returns a list of problems (empty when fine). Run them all with
``python packaging/checks.py``: one PASS/FAIL line per check, exit 1 on any failure.
Tools that may be missing (desktop-file-validate, appstreamcli, ruby) are reported as
FAIL when ``--require-tools`` is given, and as SKIP otherwise.
"""

from __future__ import annotations

import configparser
import plistlib
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from pathlib import Path
from xml.parsers.expat import ExpatError

sys.path.insert(0, str(Path(__file__).resolve().parent))
import versioning

ROOT = versioning.ROOT


class ToolMissing(Exception):
    """A command-line validator is not installed."""


def _run_tool(command: list[str]) -> list[str]:
    """Run a validator; its output lines are problems when it exits non-zero."""
    if shutil.which(command[0]) is None:
        raise ToolMissing(command[0])
    result = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    if result.returncode == 0:
        return []
    output = (result.stdout + result.stderr).strip().splitlines()
    return [f"{command[0]}: {line}" for line in output] or [
        f"{command[0]} exited {result.returncode}"
    ]


# --- Linux -------------------------------------------------------------------------------


def read_desktop_entry(path: Path = versioning.DESKTOP_FILE) -> dict[str, str]:
    """The ``[Desktop Entry]`` group of a .desktop file (keys case-sensitive)."""
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(path.read_text(encoding="utf-8"))
    return dict(parser["Desktop Entry"])


def check_desktop_keys(path: Path = versioning.DESKTOP_FILE) -> list[str]:
    """The keys the launcher, the dock and the window manager rely on."""
    entry = read_desktop_entry(path)
    expected = {
        "Type": "Application",
        "Name": versioning.APP_NAME,
        "Icon": versioning.APP_ID,
        "StartupWMClass": versioning.APP_ID,
        "Terminal": "false",
    }
    problems = [
        f"{path.name}: {key}={entry.get(key)!r}, expected {value!r}"
        for key, value in expected.items()
        if entry.get(key) != value
    ]
    if entry.get("Exec", "").split()[:1] != [versioning.APP_ID]:
        problems.append(f"{path.name}: Exec should start with {versioning.APP_ID}")
    if "Development" not in entry.get("Categories", "").split(";"):
        problems.append(f"{path.name}: Categories lacks Development")
    return problems


def check_desktop_validate(path: Path = versioning.DESKTOP_FILE) -> list[str]:
    """``desktop-file-validate`` (Debian desktop-file-utils) accepts the file."""
    return _run_tool(["desktop-file-validate", str(path)])


def check_metainfo(path: Path = versioning.METAINFO) -> list[str]:
    """The AppStream file names the .desktop launchable and the icon; appstreamcli agrees."""
    root = ET.parse(path).getroot()
    problems = []
    if root.findtext("id") != versioning.BUNDLE_ID:
        problems.append(f"{path.name}: <id> should be {versioning.BUNDLE_ID}")
    if root.findtext("launchable") != f"{versioning.APP_ID}.desktop":
        problems.append(f"{path.name}: <launchable> should be {versioning.APP_ID}.desktop")
    if root.find("releases/release") is None:
        problems.append(f"{path.name}: no <release>")
    return problems


def check_metainfo_validate(path: Path = versioning.METAINFO) -> list[str]:
    """``appstreamcli validate --no-net`` (Debian appstream) accepts the file."""
    return _run_tool(["appstreamcli", "validate", "--no-net", str(path)])


def check_icons(root: Path = ROOT / "resources" / "icons") -> list[str]:
    """Every hicolor size from 16 to 512, the SVG, the .ico and the .icns exist."""
    wanted = [
        root / "hicolor" / f"{n}x{n}" / "apps" / "codeface.png"
        for n in (16, 32, 48, 64, 128, 256, 512)
    ]
    wanted += [root / "codeface.svg", root / "codeface.ico", root / "codeface.icns"]
    wanted.append(root / "hicolor" / "scalable" / "apps" / "codeface.svg")
    return [f"missing {path.relative_to(ROOT)}" for path in wanted if not path.is_file()]


# --- macOS -------------------------------------------------------------------------------

PLIST_REQUIRED = {
    "CFBundleName": versioning.APP_NAME,
    "CFBundleIdentifier": versioning.BUNDLE_ID,
    "CFBundleExecutable": versioning.APP_ID,
    "CFBundleIconFile": "codeface.icns",
    "CFBundlePackageType": "APPL",
    "NSHighResolutionCapable": True,
}


def check_info_plist(path: Path = versioning.INFO_PLIST) -> list[str]:
    """Info.plist parses with plistlib and has the keys a Retina-ready .app needs."""
    try:
        with path.open("rb") as handle:
            info = plistlib.load(handle)
    except (plistlib.InvalidFileException, ValueError, ExpatError) as error:
        return [f"{path.name}: does not parse: {error}"]
    problems = [
        f"{path.name}: {key}={info.get(key)!r}, expected {value!r}"
        for key, value in PLIST_REQUIRED.items()
        if info.get(key) != value
    ]
    problems.extend(
        f"{path.name}: {key} is empty"
        for key, value in info.items()
        if key.endswith("UsageDescription") and not str(value).strip()
    )
    return problems


def check_ruby_syntax() -> list[str]:
    """``ruby -c`` accepts the Homebrew cask and formula."""
    return [
        line
        for path in (versioning.CASK, versioning.FORMULA)
        for line in _run_tool(["ruby", "-c", str(path)])
    ]


def check_cask_stanzas(path: Path = versioning.CASK) -> list[str]:
    """The stanzas Homebrew requires of a cask are present."""
    text = path.read_text(encoding="utf-8")
    required = ("version", "sha256", "url", "name", "desc", "homepage", "app")
    return [
        f"{path.name}: no `{stanza}` stanza"
        for stanza in required
        if not re.search(rf"^\s*{stanza}\s", text, re.MULTILINE)
    ]


# --- Windows -----------------------------------------------------------------------------


def parse_iss(text: str) -> tuple[dict[str, str], dict[str, list[str]]]:
    """An Inno Setup script as (``#define`` values, lines of each ``[Section]``)."""
    defines: dict[str, str] = {}
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(";"):
            continue
        if match := re.match(r'#define\s+(\w+)\s+"([^"]*)"', line):
            defines.setdefault(match.group(1), match.group(2))
        elif line.startswith("#"):
            continue
        elif match := re.fullmatch(r"\[(\w+)\]", line):
            current = sections.setdefault(match.group(1), [])
        elif current is None:
            raise ValueError(f"line outside any section: {line}")
        else:
            current.append(line)
    return defines, sections


def check_iss(path: Path = versioning.ISS) -> list[str]:
    """The installer is per-user, has a Start-menu entry, an uninstaller, a version, an icon."""
    try:
        defines, sections = parse_iss(path.read_text(encoding="utf-8"))
    except ValueError as error:
        return [f"{path.name}: {error}"]
    problems = [
        f"{path.name}: no [{name}]"
        for name in ("Setup", "Files", "Icons", "Run")
        if name not in sections
    ]
    setup = dict(line.split("=", 1) for line in sections.get("Setup", []) if "=" in line)
    wanted = {"PrivilegesRequired": "lowest", "AppVersion": "{#AppVersion}"}
    problems += [
        f"{path.name}: {key} should be {value}"
        for key, value in wanted.items()
        if setup.get(key) != value
    ]
    for key in (
        "AppName",
        "DefaultDirName",
        "SetupIconFile",
        "UninstallDisplayIcon",
        "OutputBaseFilename",
    ):
        if key not in setup:
            problems.append(f"{path.name}: [Setup] lacks {key}")
    if setup.get("Uninstallable", "yes") != "yes":
        problems.append(f"{path.name}: Uninstallable must stay yes")
    icon = setup.get("SetupIconFile", "")
    if icon and not (path.parent / icon.replace("\\", "/")).is_file():
        problems.append(f"{path.name}: SetupIconFile {icon} does not exist")
    if not any(line.startswith('Name: "{autoprograms}') for line in sections.get("Icons", [])):
        problems.append(f"{path.name}: no Start-menu entry in [Icons]")
    if "AppVersion" not in defines:
        problems.append(f"{path.name}: no #define AppVersion")
    return problems


# --- everything --------------------------------------------------------------------------


def check_versions() -> list[str]:
    """Every stamped version equals pyproject.toml's."""
    return versioning.version_mismatches()


CHECKS: dict[str, Callable[[], list[str]]] = {
    "version stamps match pyproject.toml": check_versions,
    "icons (hicolor 16-512, svg, ico, icns)": check_icons,
    ".desktop keys": check_desktop_keys,
    "desktop-file-validate": check_desktop_validate,
    "AppStream metainfo": check_metainfo,
    "appstreamcli validate": check_metainfo_validate,
    "Info.plist (plistlib)": check_info_plist,
    "Homebrew cask stanzas": check_cask_stanzas,
    "ruby -c cask and formula": check_ruby_syntax,
    "Inno Setup script": check_iss,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run every check; PASS/FAIL/SKIP per line; exit 1 if any failed."""
    args = list(sys.argv[1:] if argv is None else argv)
    require_tools = "--require-tools" in args
    failed = 0
    for name, check in CHECKS.items():
        try:
            problems = check()
        except ToolMissing as missing:
            status = "FAIL" if require_tools else "SKIP"
            failed += status == "FAIL"
            print(f"{status}: {name} ({missing} not installed)")
            continue
        print(f"{'FAIL' if problems else 'PASS'}: {name}")
        for line in problems:
            print(f"      {line}")
        failed += bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
