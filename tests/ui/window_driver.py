"""Run a driver script that starts the real window in a fresh process (offscreen)."""

from __future__ import annotations

import os

from tests.child_process import ROOT, run_json_child


def run_window_driver(driver: str) -> dict[str, object]:
    """Run ``driver`` with ``python -c``; returns the JSON object its last line prints."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    return run_json_child(driver, env=env)
