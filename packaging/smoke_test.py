"""Smoke-test a built bundle: ``python packaging/smoke_test.py [dist/codeface]``.

1. ``codeface --version`` prints ``codeface <pyproject version>`` and exits 0.
2. The bundled ``resources/`` and ``themes/`` sit where ``resource_root()`` looks.
3. The window opens offscreen and the app exits 0 when it closes. The app closes itself
   after its first paint when ``CODEFACE_SMOKE_TEST=1`` is set (the seam in
   ``codeface.ui.launch``); ``--version-only`` skips this step.

Each step runs in a throwaway ``CODEFACE_HOME`` with no API keys in the environment, and
prints a PASS/FAIL line; the exit code is 1 if anything failed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import versioning

SMOKE_ENV = "CODEFACE_SMOKE_TEST"
STRIPPED_ENV_PREFIXES = ("ANTHROPIC_", "OPENAI_", "OLLAMA_")


@dataclass(frozen=True)
class RunResult:
    """How one run of the app went."""

    returncode: int
    seconds: float
    stdout: str
    stderr: str


def clean_env(home: Path, *, smoke: bool) -> dict[str, str]:
    """An environment with no keys, an isolated CODEFACE_HOME, offscreen Qt."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(STRIPPED_ENV_PREFIXES)}
    env.update(CODEFACE_HOME=str(home), QT_QPA_PLATFORM="offscreen")
    # An unreachable Ollama keeps the first paint independent of this machine's services.
    env["OLLAMA_HOST"] = "http://127.0.0.1:9"
    if smoke:
        env[SMOKE_ENV] = "1"
    return env


def run_app(
    command: Sequence[str],
    *,
    smoke: bool = False,
    timeout: float = 60.0,
    extra_env: dict[str, str] | None = None,
) -> RunResult:
    """Run ``command`` once in a fresh home; the wall time includes process start-up."""
    with tempfile.TemporaryDirectory(prefix="codeface-smoke-") as home:
        env = clean_env(Path(home), smoke=smoke) | (extra_env or {})
        start = time.perf_counter()
        try:
            done = subprocess.run(
                list(command), env=env, capture_output=True, text=True, timeout=timeout, check=False
            )
        except subprocess.TimeoutExpired as expired:
            out = (
                expired.stdout.decode()
                if isinstance(expired.stdout, bytes)
                else expired.stdout or ""
            )
            err = (
                expired.stderr.decode()
                if isinstance(expired.stderr, bytes)
                else expired.stderr or ""
            )
            return RunResult(
                -1, time.perf_counter() - start, out, err + f"\n(timed out after {timeout:.0f} s)"
            )
        return RunResult(done.returncode, time.perf_counter() - start, done.stdout, done.stderr)


def bundle_command(bundle_dir: Path) -> list[str]:
    """The frozen executable in ``bundle_dir``."""
    suffix = ".exe" if sys.platform == "win32" else ""
    return [str(bundle_dir / f"{versioning.APP_ID}{suffix}")]


def source_command() -> list[str]:
    """Running CodeFace from source with this interpreter (the benchmark's baseline)."""
    return [sys.executable, "-m", "codeface"]


def internal_dir(bundle_dir: Path) -> Path:
    """Where PyInstaller put everything but the executable (``sys._MEIPASS``)."""
    internal = bundle_dir / "_internal"
    return internal if internal.is_dir() else bundle_dir


def check_version(command: Sequence[str]) -> list[str]:
    """``--version`` prints the pyproject version and exits 0."""
    expected = f"{versioning.APP_ID} {versioning.read_version()}"
    result = run_app([*command, "--version"])
    if result.returncode != 0:
        return [f"--version exited {result.returncode}: {result.stderr.strip()[-2000:]}"]
    if result.stdout.strip() != expected:
        return [f"--version printed {result.stdout.strip()!r}, expected {expected!r}"]
    return []


def check_resources(bundle_dir: Path) -> list[str]:
    """The app icon and the themes are where ``resource_root()`` finds them when frozen."""
    root = internal_dir(bundle_dir)
    wanted = [root / "resources" / "icons" / "codeface.png", root / "themes"]
    problems = [f"missing {path}" for path in wanted if not path.exists()]
    if (root / "themes").is_dir() and not any((root / "themes").iterdir()):
        problems.append(f"{root / 'themes'} is empty")
    return problems


def check_window(command: Sequence[str], timeout: float = 90.0) -> list[str]:
    """The window opens offscreen, closes itself after the first paint, and exit code is 0."""
    result = run_app(command, smoke=True, timeout=timeout)
    problems = []
    if result.returncode != 0:
        problems.append(f"window run exited {result.returncode}: {result.stderr.strip()[-3000:]}")
    elif "Traceback" in result.stderr:
        problems.append(f"window run printed a traceback: {result.stderr.strip()[-3000:]}")
    return problems


KEYRING_SCRIPT = (
    "echo smoke | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1; "
    'printf %s "$1" | "$0" keys set anthropic >/dev/null && "$0" keys list'
)


def keyring_session_available() -> bool:
    """Whether a throw-away D-Bus session with GNOME Keyring can be started here."""
    return all(shutil.which(tool) for tool in ("dbus-run-session", "gnome-keyring-daemon"))


def check_keyring(command: Sequence[str]) -> list[str]:
    """In a private D-Bus session with GNOME Keyring, the bundle stores a key in the
    Secret Service (proves the keyring backends and their metadata were bundled)."""
    fake_key = "sk-ant-smoke-" + "0" * 24
    script = ["dbus-run-session", "--", "sh", "-c", KEYRING_SCRIPT, command[0], fake_key]
    with tempfile.TemporaryDirectory(prefix="codeface-keyring-") as home:
        # A private HOME and runtime dir: a fresh keyring, never the user's own.
        runtime = Path(home) / "run"
        runtime.mkdir(mode=0o700)
        isolated = {"HOME": home, "XDG_DATA_HOME": f"{home}/share", "XDG_RUNTIME_DIR": str(runtime)}
        result = run_app(script, timeout=60, extra_env=isolated)
    if result.returncode != 0 or "OS keyring" not in result.stdout:
        return [f"key not stored in the Secret Service: {(result.stdout + result.stderr)[-2000:]}"]
    if fake_key in result.stdout + result.stderr:
        return ["the key was printed"]
    return []


def check_window_stays_up(command: Sequence[str], seconds: float = 15.0) -> list[str]:
    """Weaker check for a build without the smoke seam: the app runs ``seconds`` offscreen
    without exiting or printing a traceback, then is terminated."""
    with tempfile.TemporaryDirectory(prefix="codeface-smoke-") as home:
        env = clean_env(Path(home), smoke=False)
        process = subprocess.Popen(
            list(command), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        try:
            returncode = process.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            process.terminate()
            _out, err = process.communicate(timeout=30)
            return [f"traceback while running: {err.strip()[-3000:]}"] if "Traceback" in err else []
        _out, err = process.communicate()
        return [f"exited {returncode} within {seconds:.0f} s: {err.strip()[-3000:]}"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the smoke steps; returns the exit code."""
    parser = argparse.ArgumentParser(prog="packaging/smoke_test.py", description=__doc__)
    parser.add_argument(
        "bundle", nargs="?", type=Path, default=versioning.ROOT / "dist" / versioning.APP_ID
    )
    parser.add_argument("--version-only", action="store_true", help="skip the window step")
    parser.add_argument(
        "--stays-up",
        action="store_true",
        help=f"no {SMOKE_ENV} seam yet: only check the window runs 15 s without crashing",
    )
    args = parser.parse_args(argv)
    command = bundle_command(args.bundle)
    if not Path(command[0]).exists():
        print(f"FAIL: no bundle executable at {command[0]} (run packaging/build.py)")
        return 1
    steps = [
        ("bundle --version", lambda: check_version(command)),
        ("bundle resources and themes", lambda: check_resources(args.bundle)),
    ]
    if sys.platform.startswith("linux") and keyring_session_available():
        steps.append(("bundle keeps keys in the Secret Service", lambda: check_keyring(command)))
    if args.stays_up:
        steps.append(
            (
                "bundle runs offscreen for 15 s without crashing",
                lambda: check_window_stays_up(command),
            )
        )
    elif not args.version_only:
        steps.append(
            ("bundle opens its window offscreen and exits 0", lambda: check_window(command))
        )
    failed = False
    for name, step in steps:
        problems = step()
        print(f"{'FAIL' if problems else 'PASS'}: {name}")
        for line in problems:
            print(f"      {line}")
        failed |= bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
