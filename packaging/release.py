"""Cut a release: ``python packaging/release.py [--set-version X.Y.Z] [--no-build]``.

1. Sets the version in pyproject.toml (with ``--set-version``) and stamps it into every
   packaging file (Info.plist, AppStream metainfo, Homebrew cask and formula, Inno Setup
   script, the source fallback in ``codeface/__init__.py``); refreshes the installed
   metadata so the bundle's ``--version`` agrees.
2. Builds what this platform can: the onedir bundle everywhere, plus a ``.tar.gz`` of it
   and the AppImage (or AppDir) on Linux, ``CodeFace.app`` and the ``.dmg`` on macOS, the
   Inno Setup installer on Windows when ``iscc`` is installed; the source archive
   ``codeface-X.Y.Z.tar.gz`` for the Homebrew formula.
3. Writes ``dist/SHA256SUMS`` and fills the cask's (dmg) and formula's (source archive)
   ``sha256`` when those files were built here.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import shutil
import subprocess
import sys
import tarfile
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import versioning

import build

ROOT = versioning.ROOT
DIST = ROOT / "dist"
SOURCE_FILES = ("pyproject.toml", "README.md", "codeface", "resources", "themes", "docs")


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of a file."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_checksums(files: Sequence[Path], out: Path) -> Path:
    """``sha256sum``-format lines for ``files`` (regular files only) into ``out``."""
    lines = [f"{sha256_of(path)}  {path.name}\n" for path in files if path.is_file()]
    out.write_text("".join(lines), encoding="utf-8")
    return out


def fill_cask(sha256: str, cask: Path = versioning.CASK) -> None:
    """Put the dmg's checksum into the cask (replacing ``:no_check`` or an old sum)."""
    text = cask.read_text(encoding="utf-8")
    text, count = re.subn(
        r'^(\s*sha256 )(:no_check|"[0-9a-f]{64}")', rf'\g<1>"{sha256}"', text, flags=re.M
    )
    if count != 1:
        raise SystemExit(f"release: no sha256 line in {cask}")
    cask.write_text(text, encoding="utf-8")


def fill_formula(sha256: str, formula: Path = versioning.FORMULA) -> None:
    """Put the source archive's checksum into the formula."""
    text = formula.read_text(encoding="utf-8")
    text, count = re.subn(
        r'^(\s*sha256 )"[0-9a-f]{64}"', rf'\g<1>"{sha256}"', text, count=1, flags=re.M
    )
    if count != 1:
        raise SystemExit(f"release: no sha256 line in {formula}")
    formula.write_text(text, encoding="utf-8")


def source_archive(version: str) -> Path:
    """``dist/codeface-X.Y.Z.tar.gz``: the files the formula installs from."""
    out = DIST / f"codeface-{version}.tar.gz"
    DIST.mkdir(exist_ok=True)
    skip = re.compile(r"(__pycache__|\.pyc$|\.egg-info)")
    with tarfile.open(out, "w:gz") as archive:
        for name in SOURCE_FILES:
            path = ROOT / name
            if path.exists():
                archive.add(
                    path,
                    arcname=f"codeface-{version}/{name}",
                    filter=lambda info: None if skip.search(info.name) else info,
                )
    return out


def bundle_archive(version: str) -> Path:
    """``dist/CodeFace-X.Y.Z-<platform>.tar.gz`` of the onedir bundle."""
    tag = f"{sys.platform}-{__import__('platform').machine()}"
    out = DIST / f"{versioning.APP_NAME}-{version}-{tag}.tar.gz"
    with tarfile.open(out, "w:gz") as archive:
        archive.add(build.BUNDLE_DIR, arcname=f"{versioning.APP_ID}-{version}")
    return out


def build_platform_artifacts(version: str) -> list[Path]:
    """Build everything this platform can; returns the files to publish."""
    bundle_dir = build.build_bundle(clean=True)
    build.report_size(bundle_dir)
    artifacts = [bundle_archive(version)]
    if sys.platform.startswith("linux"):
        import appimage

        made = appimage.build(bundle_dir, DIST, version)
        if made.is_file():
            artifacts.append(made)
    elif sys.platform == "darwin":
        dmg = DIST / f"{versioning.APP_NAME}-{version}.dmg"
        script = ROOT / "packaging" / "macos" / "make_dmg.sh"
        subprocess.run(
            ["sh", str(script), str(DIST / f"{versioning.APP_NAME}.app"), str(dmg)], check=True
        )
        artifacts.append(dmg)
    elif sys.platform == "win32" and shutil.which("iscc"):
        subprocess.run(["iscc", f"/DAppVersion={version}", str(versioning.ISS)], check=True)
        artifacts.append(DIST / f"{versioning.APP_NAME}-{version}-Setup.exe")
    return artifacts


def main(argv: Sequence[str] | None = None) -> int:
    """Stamp, build, checksum, fill the Homebrew files; returns the exit code."""
    parser = argparse.ArgumentParser(prog="packaging/release.py", description=__doc__)
    parser.add_argument("--set-version", metavar="X.Y.Z", help="new version for pyproject.toml")
    parser.add_argument("--no-build", action="store_true", help="only stamp the version")
    args = parser.parse_args(argv)
    if args.set_version:
        if not re.fullmatch(r"\d+\.\d+\.\d+([-.+]?[0-9A-Za-z.]+)?", args.set_version):
            parser.error(f"{args.set_version!r} is not a version like 1.2.3")
        versioning.set_project_version(args.set_version)
    version = versioning.read_version()
    for path in versioning.stamp_version(version):
        print(f"release: stamped {version} into {path.relative_to(ROOT)}")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "-e", str(ROOT)],
        check=True,
    )
    if args.no_build:
        return 0
    artifacts = [*build_platform_artifacts(version), source_archive(version)]
    sums = write_checksums(artifacts, DIST / "SHA256SUMS")
    print(f"release: wrote {sums}")
    dmg = DIST / f"{versioning.APP_NAME}-{version}.dmg"
    if dmg.is_file():
        fill_cask(sha256_of(dmg))
        print(f"release: filled the cask's sha256 from {dmg.name}")
    fill_formula(sha256_of(DIST / f"codeface-{version}.tar.gz"))
    print("release: filled the formula's sha256 from the source archive")
    if shutil.which("brew"):
        subprocess.run(
            [
                "brew",
                "update-python-resources",
                "--exclude-packages=PySide6-Essentials",
                str(versioning.FORMULA),
            ],
            check=False,
        )
    for path in artifacts:
        print(f"release: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
