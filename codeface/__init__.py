"""CodeFace: a local-first desktop AI coding assistant."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("codeface")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.1.0"
