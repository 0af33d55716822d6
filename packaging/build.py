"""Build the CodeFace bundle for this platform: ``python packaging/build.py``.

Checks that every version stamp matches pyproject.toml, renders the icons if they are
missing, runs PyInstaller on ``build.spec`` (onedir ``dist/codeface/``; ``dist/CodeFace.app``
on macOS), and prints the bundle size against its 205 MB budget. ``--appimage`` (Linux)
also lays out ``dist/CodeFace.AppDir`` and packs it when ``appimagetool`` is installed;
``--dmg`` (macOS) wraps the .app in a disk image with ``hdiutil``.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import versioning

ROOT = versioning.ROOT
DIST = ROOT / "dist"
WORK = ROOT / "build" / "pyinstaller"
BUNDLE_DIR = DIST / versioning.APP_ID
SIZE_BUDGET_MIB = 205.0
# Measured 202.4 MiB on Linux: 187.7 MiB without the built-in engine, +8.9 MiB for llama.cpp
# and numpy (the engine needs both), +5.8 MiB for the repo map's tree-sitter grammars, the
# file watcher and sqlite-utils with its dependencies.


def tree_size(path: Path) -> int:
    """Bytes used by the files under ``path`` (symlinks not followed)."""
    total = 0
    for dirpath, _dirnames, filenames in os.walk(path):
        for name in filenames:
            file = Path(dirpath) / name
            if not file.is_symlink():
                total += file.stat().st_size
    return total


def bundle_executable(bundle_dir: Path = BUNDLE_DIR) -> Path:
    """The frozen executable inside the onedir bundle."""
    suffix = ".exe" if sys.platform == "win32" else ""
    return bundle_dir / f"{versioning.APP_ID}{suffix}"


def preflight() -> list[str]:
    """Problems that would make a wrong bundle: version drift, stale metadata, no icons."""
    version = versioning.read_version()
    problems = versioning.version_mismatches(version)
    try:
        installed = importlib.metadata.version("codeface")
    except importlib.metadata.PackageNotFoundError:
        installed = None
    if installed != version:
        problems.append(
            f"installed codeface metadata says {installed}, pyproject says {version}: "
            "run `pip install --no-deps -e .` so the bundle's --version is right"
        )
    return problems


def ensure_icons() -> None:
    """Render the icons from the SVG when a packaged format is missing."""
    icons = ROOT / "resources" / "icons"
    needed = [icons / "codeface.ico", icons / "codeface.icns", icons / "codeface.png"]
    if not all(path.exists() for path in needed):
        subprocess.run([sys.executable, str(ROOT / "packaging" / "make_icons.py")], check=True)


def build_bundle(*, clean: bool = False) -> Path:
    """Run PyInstaller on build.spec; returns the onedir bundle folder."""
    ensure_icons()
    command = [
        sys.executable,
        "-m",
        "PyInstaller",
        "--noconfirm",
        "--log-level=WARN",
        f"--distpath={DIST}",
        f"--workpath={WORK}",
        str(ROOT / "build.spec"),
    ]
    if clean:
        command.insert(3, "--clean")
    subprocess.run(command, check=True, cwd=ROOT)
    return BUNDLE_DIR


def report_size(bundle_dir: Path = BUNDLE_DIR) -> float:
    """Print and return the bundle size in MiB (what ``du -sh`` shows)."""
    size_mib = tree_size(bundle_dir) / (1024 * 1024)
    verdict = "within" if size_mib <= SIZE_BUDGET_MIB else "OVER"
    print(
        f"bundle {bundle_dir}: {size_mib:.1f} MiB ({verdict} the {SIZE_BUDGET_MIB:.0f} MiB budget)"
    )
    return size_mib


def main(argv: Sequence[str] | None = None) -> int:
    """Build what this platform can; returns the exit code."""
    parser = argparse.ArgumentParser(prog="packaging/build.py", description=__doc__)
    parser.add_argument("--clean", action="store_true", help="discard PyInstaller's cache")
    parser.add_argument("--appimage", action="store_true", help="Linux: AppDir/AppImage too")
    parser.add_argument("--dmg", action="store_true", help="macOS: a .dmg of CodeFace.app too")
    parser.add_argument(
        "--no-preflight", action="store_true", help="build even if version stamps disagree"
    )
    args = parser.parse_args(argv)
    if not args.no_preflight:
        problems = preflight()
        for line in problems:
            print(f"build: {line}", file=sys.stderr)
        if problems:
            print("build: fix the above, or set a version with packaging/release.py --set-version")
            return 1
    bundle_dir = build_bundle(clean=args.clean)
    report_size(bundle_dir)
    version = versioning.read_version()
    if args.appimage and sys.platform.startswith("linux"):
        import appimage

        result = appimage.build(bundle_dir, DIST, version)
        print(f"appimage: {result}")
    if args.dmg and sys.platform == "darwin":
        dmg = DIST / f"{versioning.APP_NAME}-{version}.dmg"
        script = ROOT / "packaging" / "macos" / "make_dmg.sh"
        subprocess.run(
            ["sh", str(script), str(DIST / f"{versioning.APP_NAME}.app"), str(dmg)], check=True
        )
        print(f"dmg: {dmg}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
