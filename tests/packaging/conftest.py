"""Make the scripts in ``packaging/`` importable (it is a script folder, not a package:
a ``packaging`` package would shadow the PyPI ``packaging`` that pip and PyInstaller use)."""

import sys
from pathlib import Path

PACKAGING = Path(__file__).resolve().parents[2] / "packaging"
if str(PACKAGING) not in sys.path:
    sys.path.insert(0, str(PACKAGING))
