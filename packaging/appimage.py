"""The AppImage recipe: lay out ``CodeFace.AppDir`` from the onedir bundle, then pack it.

AppDir layout (docs.appimage.org/reference/appdir.html)::

    CodeFace.AppDir/
      AppRun                      -> runs usr/lib/codeface/codeface
      codeface.desktop            the one desktop entry
      codeface.png, .DirIcon      the icon (256 px)
      usr/lib/codeface/           the PyInstaller onedir payload
      usr/bin/codeface            symlink to the executable
      usr/share/applications/     the desktop entry again, for desktop integration tools
      usr/share/icons/hicolor/    every icon size and the SVG
      usr/share/metainfo/         the AppStream file

``appimagetool`` (not packaged by Debian) turns the AppDir into ``CodeFace-<version>-x86_64.AppImage``
when it is on PATH; without it the AppDir is still produced and checked.
Run: ``python packaging/appimage.py`` after ``python packaging/build.py``.
"""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import versioning

ROOT = versioning.ROOT
LINUX = ROOT / "packaging" / "linux"
ICONS = ROOT / "resources" / "icons"


def make_appdir(bundle_dir: Path, appdir: Path) -> Path:
    """Lay out ``appdir`` (replacing it) from the onedir ``bundle_dir``; returns it."""
    if appdir.exists():
        shutil.rmtree(appdir)
    payload = appdir / "usr" / "lib" / versioning.APP_ID
    shutil.copytree(bundle_dir, payload, symlinks=True)
    shutil.copy2(LINUX / "AppRun", appdir / "AppRun")
    (appdir / "AppRun").chmod(0o755)
    desktop = versioning.DESKTOP_FILE
    shutil.copy2(desktop, appdir / desktop.name)
    applications = appdir / "usr" / "share" / "applications"
    applications.mkdir(parents=True)
    shutil.copy2(desktop, applications / desktop.name)
    shutil.copytree(ICONS / "hicolor", appdir / "usr" / "share" / "icons" / "hicolor")
    metainfo = appdir / "usr" / "share" / "metainfo"
    metainfo.mkdir(parents=True)
    shutil.copy2(versioning.METAINFO, metainfo / versioning.METAINFO.name)
    shutil.copy2(ICONS / "codeface.png", appdir / "codeface.png")
    (appdir / ".DirIcon").symlink_to("codeface.png")
    bin_dir = appdir / "usr" / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / versioning.APP_ID).symlink_to(
        Path("..") / "lib" / versioning.APP_ID / versioning.APP_ID
    )
    return appdir


def check_appdir(appdir: Path) -> list[str]:
    """Problems with an AppDir's required pieces (empty when appimagetool would accept it)."""
    problems = []
    app_run = appdir / "AppRun"
    if not (app_run.is_file() and os.access(app_run, os.X_OK)):
        problems.append("AppRun missing or not executable")
    desktops = list(appdir.glob("*.desktop"))
    if len(desktops) != 1:
        problems.append(f"expected exactly one .desktop at the AppDir root, found {len(desktops)}")
    if not (appdir / "codeface.png").is_file():
        problems.append("icon codeface.png missing at the AppDir root")
    if not (appdir / ".DirIcon").exists():
        problems.append(".DirIcon missing")
    executable = appdir / "usr" / "lib" / versioning.APP_ID / versioning.APP_ID
    if not (executable.is_file() and os.access(executable, os.X_OK)):
        problems.append(f"payload executable {executable.relative_to(appdir)} missing")
    return problems


def build(bundle_dir: Path, dist: Path, version: str) -> Path:
    """Make the AppDir and, when appimagetool exists, the AppImage; returns what was made."""
    appdir = make_appdir(bundle_dir, dist / f"{versioning.APP_NAME}.AppDir")
    problems = check_appdir(appdir)
    if problems:
        raise SystemExit("appimage: " + "; ".join(problems))
    tool = shutil.which("appimagetool")
    if tool is None:
        print("appimage: appimagetool not on PATH; AppDir ready, not packed")
        return appdir
    image = dist / f"{versioning.APP_NAME}-{version}-{platform.machine()}.AppImage"
    env = dict(os.environ, ARCH=platform.machine(), VERSION=version)
    subprocess.run([tool, "--no-appstream", str(appdir), str(image)], check=True, env=env)
    return image


if __name__ == "__main__":
    dist_dir = ROOT / "dist"
    print(build(dist_dir / versioning.APP_ID, dist_dir, versioning.read_version()))
