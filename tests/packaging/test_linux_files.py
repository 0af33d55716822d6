"""The Linux desktop integration files: .desktop, AppStream metainfo, icons, AppImage AppDir."""

import re
import shutil
import struct
import subprocess
from pathlib import Path

import appimage
import checks
import versioning

ROOT = versioning.ROOT


def test_desktop_entry_has_the_keys_launchers_need() -> None:
    entry = checks.read_desktop_entry()
    assert entry["Type"] == "Application"
    assert entry["Name"] == "CodeFace"
    assert entry["Exec"] == "codeface"
    assert entry["Icon"] == "codeface"
    assert entry["StartupWMClass"] == "codeface"
    assert "Development" in entry["Categories"].split(";")
    assert checks.check_desktop_keys() == []


def test_startup_wm_class_matches_the_desktop_file_name_the_app_sets() -> None:
    launch = (ROOT / "codeface" / "ui" / "launch.py").read_text(encoding="utf-8")
    names = re.findall(r'setDesktopFileName\("([^"]+)"\)', launch)
    assert names == [checks.read_desktop_entry()["StartupWMClass"]]
    assert versioning.DESKTOP_FILE.name == f"{names[0]}.desktop"


def test_a_desktop_file_without_startup_wm_class_is_reported(tmp_path: Path) -> None:
    broken = tmp_path / "codeface.desktop"
    text = versioning.DESKTOP_FILE.read_text(encoding="utf-8")
    broken.write_text(text.replace("StartupWMClass=codeface\n", ""), encoding="utf-8")
    assert any("StartupWMClass" in line for line in checks.check_desktop_keys(broken))


def test_desktop_file_validate_accepts_the_entry_and_rejects_a_broken_one(tmp_path: Path) -> None:
    assert checks.check_desktop_validate() == []
    broken = tmp_path / "codeface.desktop"
    broken.write_text(
        versioning.DESKTOP_FILE.read_text(encoding="utf-8").replace("Type=Application\n", ""),
        encoding="utf-8",
    )
    assert checks.check_desktop_validate(broken) != []


def test_metainfo_names_the_desktop_entry_and_validates() -> None:
    assert checks.check_metainfo() == []
    assert checks.check_metainfo_validate() == []


def _png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", header[16:24])


def test_hicolor_icons_have_their_named_sizes() -> None:
    assert checks.check_icons() == []
    for folder in (ROOT / "resources" / "icons" / "hicolor").glob("*x*"):
        edge = int(folder.name.split("x")[0])
        assert _png_size(folder / "apps" / "codeface.png") == (edge, edge)


def test_ico_and_icns_containers_hold_the_expected_images() -> None:
    icons = ROOT / "resources" / "icons"
    ico = (icons / "codeface.ico").read_bytes()
    reserved, kind, count = struct.unpack("<HHH", ico[:6])
    assert (reserved, kind) == (0, 1)
    assert count == 7
    icns = (icons / "codeface.icns").read_bytes()
    assert icns[:4] == b"icns"
    assert struct.unpack(">I", icns[4:8])[0] == len(icns)
    for kind_name in (b"ic07", b"ic08", b"ic09", b"ic10"):
        assert kind_name in icns


def test_appdir_layout_runs_the_payload_through_apprun(tmp_path: Path) -> None:
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    payload = bundle / "codeface"
    payload.write_text('#!/bin/sh\necho "payload got: $*"\n', encoding="utf-8")
    payload.chmod(0o755)
    appdir = appimage.make_appdir(bundle, tmp_path / "CodeFace.AppDir")
    assert appimage.check_appdir(appdir) == []
    assert (appdir / "usr/share/icons/hicolor/512x512/apps/codeface.png").is_file()
    assert (appdir / "usr/share/metainfo" / versioning.METAINFO.name).is_file()
    done = subprocess.run(
        [str(appdir / "AppRun"), "--version"], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "payload got: --version"


def test_an_appdir_without_apprun_is_reported(tmp_path: Path) -> None:
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    (bundle / "codeface").write_text("#!/bin/sh\n", encoding="utf-8")
    (bundle / "codeface").chmod(0o755)
    appdir = appimage.make_appdir(bundle, tmp_path / "CodeFace.AppDir")
    (appdir / "AppRun").unlink()
    assert any("AppRun" in line for line in appimage.check_appdir(appdir))
    shutil.rmtree(appdir)
