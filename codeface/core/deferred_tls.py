"""OpenSSL is loaded the first time TLS is used, not when the window starts.

asyncio imports `ssl` as it loads, and `ssl` maps OpenSSL's libssl and libcrypto: about
4 MB resident and 8 ms, in a window that talks plain HTTP to a local Ollama and may never
open a TLS connection. `defer_tls` imports asyncio while `ssl` cannot be imported, then
makes it importable again and gives asyncio's modules a stand-in that imports the real
`ssl`, and puts it in their place, the first time one of its names is read. Code that
imports `ssl` itself (httpx, the cloud SDKs) gets the real module as usual.

The rest of the start-up path keeps libcrypto out as well: `hashlib`, `hmac` and `secrets`
map it too (`os.urandom` gives the same unguessable tokens).
"""

from __future__ import annotations

import sys
import types
from typing import Any


class _NoTlsSocketYet:
    """Nothing is an instance of this: no TLS socket exists before `ssl` is imported."""


class _SslOnFirstUse(types.ModuleType):
    """Stands for `ssl` in asyncio's modules until one of its names is read.

    asyncio checks every socket it connects or reads through ``isinstance(sock,
    ssl.SSLSocket)``; while `ssl` is not imported that answer is no, without importing it.
    """

    def __getattr__(self, name: str) -> Any:
        if name == "SSLSocket" and "ssl" not in sys.modules:
            return _NoTlsSocketYet
        return getattr(load_ssl(), name)


def defer_tls() -> None:
    """Import asyncio without OpenSSL. A no-op when asyncio or ssl is already imported."""
    if "asyncio" in sys.modules or "ssl" in sys.modules:
        return
    sys.modules["ssl"] = None  # type: ignore[assignment]  # makes `import ssl` fail
    try:
        import asyncio  # noqa: F401
    finally:
        del sys.modules["ssl"]
    stand_in = _SslOnFirstUse("ssl", "OpenSSL, imported when TLS is first used")
    for module in asyncio_modules():
        if vars(module).get("ssl", "absent") is None:
            module.ssl = stand_in  # type: ignore[attr-defined]


def load_ssl() -> types.ModuleType:
    """The real `ssl`, put in asyncio's modules in place of the stand-in."""
    import ssl

    sslproto = sys.modules.get("asyncio.sslproto")
    if sslproto is not None and not hasattr(sslproto, "SSLAgainErrors"):
        # What asyncio.sslproto defines at import when ssl is there.
        sslproto.SSLAgainErrors = (ssl.SSLWantReadError, ssl.SSLSyscallError)  # type: ignore[attr-defined]
    for module in asyncio_modules():
        if isinstance(vars(module).get("ssl"), _SslOnFirstUse):
            module.ssl = ssl  # type: ignore[attr-defined]
    return ssl


def asyncio_modules() -> list[types.ModuleType]:
    """asyncio and its submodules imported so far (those that keep `ssl` as a global:
    base_events, selector_events and sslproto, as of Python 3.12)."""
    return [
        module
        for name, module in list(sys.modules.items())
        if (name == "asyncio" or name.startswith("asyncio.")) and module is not None
    ]
