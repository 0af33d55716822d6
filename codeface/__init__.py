"""CodeFace: a local-first desktop AI coding assistant."""

# Stamped by packaging/release.py from pyproject.toml; a test keeps the two equal.
__version__ = "0.1.0"
