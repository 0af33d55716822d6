"""`python -m codeface`: the same entry point as the `codeface` command."""

from codeface.cli import main

raise SystemExit(main())
