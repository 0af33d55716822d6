"""What CodeFace's own ``httpx`` clients share, prepared off the event loop's thread.

httpx makes a new SSL context per client, even for plain-http hosts: about 1 MB and
15-30 ms each (it parses the CA bundle). `shared_ssl_context` is httpx's own default
(certifi, or ``SSL_CERT_FILE``/``SSL_CERT_DIR`` when set), made once.

A client's first request imports anyio and its asyncio backend (httpcore loads them
lazily): 10-40 ms on whichever thread sends it, in the app the GUI thread.
`preload_async_transport` imports them ahead, from the worker that builds the client.

Status questions (list models, health, version) are quick for a working server, and a
person or the router waits on each, so they get `STATUS_TIMEOUT` in all, not the long
read timeout that a streamed answer needs.
"""

from __future__ import annotations

import functools
import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import ssl

ASYNC_TRANSPORT_MODULES = ("anyio", "anyio._backends._asyncio", "httpcore")
STATUS_TIMEOUT = 8.0
"""Seconds a status question (models, health, version) may take from request to answer."""


@functools.cache
def shared_ssl_context() -> ssl.SSLContext:
    """httpx's default verifying context, built on first use and shared."""
    import httpx

    return httpx.create_ssl_context()


def preload_async_transport() -> None:
    """Import what an async httpx client's first request would (missing ones are skipped)."""
    for name in ASYNC_TRANSPORT_MODULES:
        try:
            importlib.import_module(name)
        except ImportError:
            continue
