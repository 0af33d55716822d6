"""macOS Info.plist, the Homebrew cask and formula, and the Windows Inno Setup script."""

import plistlib
import subprocess
from pathlib import Path

import checks
import versioning


def test_info_plist_parses_and_has_the_app_keys() -> None:
    with versioning.INFO_PLIST.open("rb") as handle:
        info = plistlib.load(handle)
    assert info["CFBundleIdentifier"] == versioning.BUNDLE_ID
    assert info["NSHighResolutionCapable"] is True
    assert info["CFBundleIconFile"] == "codeface.icns"
    assert all(info[key].strip() for key in info if key.endswith("UsageDescription"))
    assert checks.check_info_plist() == []


def test_a_plist_that_is_not_high_resolution_capable_is_reported(tmp_path: Path) -> None:
    with versioning.INFO_PLIST.open("rb") as handle:
        info = plistlib.load(handle)
    info["NSHighResolutionCapable"] = False
    broken = tmp_path / "Info.plist"
    broken.write_bytes(plistlib.dumps(info))
    assert any("NSHighResolutionCapable" in line for line in checks.check_info_plist(broken))


def test_a_plist_that_does_not_parse_is_reported(tmp_path: Path) -> None:
    broken = tmp_path / "Info.plist"
    broken.write_text("<plist><dict><key>x</key></plist>", encoding="utf-8")
    assert any("does not parse" in line for line in checks.check_info_plist(broken))


def test_cask_and_formula_are_valid_ruby_with_the_required_stanzas() -> None:
    assert checks.check_ruby_syntax() == []
    assert checks.check_cask_stanzas() == []
    formula = versioning.FORMULA.read_text(encoding="utf-8")
    assert "virtualenv_install_with_resources" in formula


def test_ruby_check_catches_a_syntax_error(tmp_path: Path) -> None:
    broken = tmp_path / "codeface.rb"
    broken.write_text('cask "codeface" do\n  version "1"\n', encoding="utf-8")
    done = subprocess.run(["ruby", "-c", str(broken)], capture_output=True, text=True, check=False)
    assert done.returncode != 0


def test_inno_setup_script_is_per_user_with_start_menu_and_uninstaller() -> None:
    assert checks.check_iss() == []
    defines, sections = checks.parse_iss(versioning.ISS.read_text(encoding="utf-8"))
    setup = dict(line.split("=", 1) for line in sections["Setup"] if "=" in line)
    assert setup["PrivilegesRequired"] == "lowest"
    assert setup["SetupIconFile"].endswith("codeface.ico")
    assert defines["AppVersion"] == versioning.read_version()
    assert any("{uninstallexe}" in line for line in sections["Icons"])


def test_an_admin_installer_is_reported(tmp_path: Path) -> None:
    text = versioning.ISS.read_text(encoding="utf-8").replace(
        "PrivilegesRequired=lowest", "PrivilegesRequired=admin"
    )
    broken = tmp_path / "installers" / "codeface.iss"
    broken.parent.mkdir()
    broken.write_text(text, encoding="utf-8")
    assert any("PrivilegesRequired" in line for line in checks.check_iss(broken))
