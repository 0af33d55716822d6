"""One verifying SSL context for every ``httpx`` client CodeFace builds itself.

httpx makes a new context per client, even for plain-http hosts: about 1 MB and 15-30 ms
each (it parses the CA bundle). The context is httpx's own default (certifi, or
``SSL_CERT_FILE``/``SSL_CERT_DIR`` when set), made once.
"""

from __future__ import annotations

import functools
import ssl


@functools.cache
def shared_ssl_context() -> ssl.SSLContext:
    """httpx's default verifying context, built on first use and shared."""
    import httpx

    return httpx.create_ssl_context()
