"""PyInstaller entry script: the frozen app runs exactly what the ``codeface`` command runs."""

import sys

from codeface.cli import main

if __name__ == "__main__":
    sys.exit(main())
