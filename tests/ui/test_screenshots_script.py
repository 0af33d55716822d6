"""docs/make_screenshots.py keeps working: its chat scene, run offscreen in a child
process against the loopback Ollama, writes a PNG of the whole window."""

from __future__ import annotations

import os
import struct
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "docs" / "make_screenshots.py"


def png_size(path: Path) -> tuple[int, int]:
    """(width, height) from a PNG's IHDR chunk."""
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", header[16:24])
    return width, height


def test_the_chat_scene_writes_a_window_sized_png(tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    out = tmp_path / "shots"
    result = subprocess.run(
        [sys.executable, str(SCRIPT), str(out), "--scene", "chat", "--theme", "light"],
        env=env,
        cwd=tmp_path,  # the script finds the checkout by itself
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["chat-light.png"]
    assert png_size(out / "chat-light.png") == (1400, 900)
    assert "chat-light.png" in result.stdout
