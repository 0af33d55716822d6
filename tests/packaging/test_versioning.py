"""One version, from pyproject.toml, stamped everywhere; the release script's checksums."""

import hashlib
import plistlib
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import release
import versioning

ROOT = versioning.ROOT


def _copy_stamped_tree(dest: Path) -> Path:
    """pyproject.toml and every stamped file, at the same relative paths under ``dest``."""
    for path in {versioning.PYPROJECT, *(stamp.path for stamp in versioning.stamps())}:
        target = dest / path.relative_to(ROOT)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
    return dest


def test_every_stamped_version_matches_pyproject() -> None:
    assert versioning.version_mismatches() == []


def test_stamping_a_new_version_reaches_every_file(tmp_path: Path) -> None:
    tree = _copy_stamped_tree(tmp_path)
    versioning.set_project_version("9.8.7", tree / "pyproject.toml")
    changed = versioning.stamp_version("9.8.7", tree)
    assert versioning.version_mismatches(root=tree) == []
    assert len(changed) == 6
    info = plistlib.loads((tree / "packaging/macos/Info.plist").read_bytes())
    assert info["CFBundleShortVersionString"] == info["CFBundleVersion"] == "9.8.7"
    cask = (tree / "packaging/homebrew/Casks/codeface.rb").read_text(encoding="utf-8")
    assert 'version "9.8.7"' in cask
    metainfo = (tree / versioning.METAINFO.relative_to(ROOT)).read_text(encoding="utf-8")
    assert '<release version="9.8.7"' in metainfo
    assert '<release version="0.1.0"' in metainfo  # history kept
    iss = (tree / "installers/codeface.iss").read_text(encoding="utf-8")
    assert '#define AppVersion "9.8.7"' in iss


def test_a_file_left_behind_is_named(tmp_path: Path) -> None:
    tree = _copy_stamped_tree(tmp_path)
    versioning.set_project_version("2.0.0", tree / "pyproject.toml")
    versioning.stamp_version("2.0.0", tree)
    iss = tree / "installers/codeface.iss"
    iss.write_text(iss.read_text(encoding="utf-8").replace('"2.0.0"', '"1.9.0"'), encoding="utf-8")
    problems = versioning.version_mismatches(root=tree)
    assert problems == ["installers/codeface.iss: has 1.9.0, pyproject says 2.0.0"]


def test_release_rejects_a_malformed_version() -> None:
    with pytest.raises(SystemExit):
        release.main(["--set-version", "one.two", "--no-build"])


def test_checksums_file_is_verified_by_sha256sum(tmp_path: Path) -> None:
    first, second = tmp_path / "a.tar.gz", tmp_path / "b.dmg"
    first.write_bytes(b"alpha")
    second.write_bytes(b"beta" * 1000)
    sums = release.write_checksums([first, second], tmp_path / "SHA256SUMS")
    assert hashlib.sha256(b"alpha").hexdigest() in sums.read_text(encoding="utf-8")
    done = subprocess.run(
        ["sha256sum", "-c", sums.name], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_release_fills_the_cask_and_formula_checksums(tmp_path: Path) -> None:
    cask = tmp_path / "codeface-cask.rb"
    formula = tmp_path / "codeface-formula.rb"
    shutil.copy2(versioning.CASK, cask)
    shutil.copy2(versioning.FORMULA, formula)
    digest = "ab" * 32
    release.fill_cask(digest, cask)
    release.fill_cask(digest.upper().lower(), cask)  # filling twice replaces, never appends
    release.fill_formula(digest, formula)
    assert re.findall(r'sha256 "([0-9a-f]{64})"', cask.read_text(encoding="utf-8")) == [digest]
    assert re.findall(r'sha256 "([0-9a-f]{64})"', formula.read_text(encoding="utf-8")) == [digest]
    for path in (cask, formula):
        done = subprocess.run(["ruby", "-c", str(path)], capture_output=True, check=False)
        assert done.returncode == 0
