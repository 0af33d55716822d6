"""A throwaway certificate authority for https tests, made with the ``openssl`` command.

`LocalCertificate` is a self-signed certificate for ``127.0.0.1`` and ``localhost``: the
fake servers serve TLS with `server_context()`, and a client that is told to trust
``cert_file`` (``SSL_CERT_FILE``) verifies them for real.
"""

from __future__ import annotations

import ssl
import subprocess
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class LocalCertificate:
    """A certificate and its key, as PEM files."""

    cert_file: Path
    key_file: Path

    @classmethod
    def make(cls, folder: Path) -> LocalCertificate:
        """A new self-signed certificate for 127.0.0.1, valid for two days."""
        cert, key = folder / "cert.pem", folder / "key.pem"
        subprocess.run(
            [
                "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                "-keyout", str(key), "-out", str(cert), "-subj", "/CN=localhost",
                "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
            ],
            check=True,
            capture_output=True,
            timeout=60,
        )  # fmt: skip
        return cls(cert, key)

    def server_context(self) -> ssl.SSLContext:
        """What a fake server serves TLS with."""
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert_file, self.key_file)
        return context
