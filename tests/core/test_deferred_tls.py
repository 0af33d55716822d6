"""asyncio without OpenSSL until TLS is used (`codeface.core.deferred_tls`).

Imports are per process, so each case runs in a fresh interpreter: plain connections leave
`ssl` unimported, and the first TLS connection through asyncio, client and server, works as
if `ssl` had been there from the start.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from codeface.core.deferred_tls import defer_tls
from tests.child_process import run_json_child
from tests.fakes.certificates import LocalCertificate

CHILD = """
import json, sys
from codeface.core.deferred_tls import asyncio_modules, defer_tls

defer_tls()
import asyncio

CERT, KEY = sys.argv[1], sys.argv[2]
seen = {}

def openssl_loaded():
    return sorted(name for name in ("ssl", "_ssl", "_hashlib") if name in sys.modules)

async def echo(reader, writer):
    writer.write(await reader.readline())
    await writer.drain()
    writer.close()

async def ask(port, **tls):
    async with asyncio.timeout(10):
        reader, writer = await asyncio.open_connection("127.0.0.1", port, **tls)
        writer.write(b"hello\\n")
        await writer.drain()
        answer = await reader.readline()
        writer.close()
        await writer.wait_closed()
    return answer.decode()

async def main():
    seen["none_left"] = sorted(
        name for name, module in sys.modules.items()
        if name.startswith("asyncio") and getattr(module, "ssl", "absent") is None
    )
    plain = await asyncio.start_server(echo, "127.0.0.1", 0)
    seen["plain"] = await ask(plain.sockets[0].getsockname()[1])
    seen["loaded_after_plain"] = openssl_loaded()
    import ssl
    served = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    served.load_cert_chain(CERT, KEY)
    secure = await asyncio.start_server(echo, "127.0.0.1", 0, ssl=served)
    trusting = ssl.create_default_context(cafile=CERT)
    port = secure.sockets[0].getsockname()[1]
    seen["tls"] = await ask(port, ssl=trusting, server_hostname="localhost")
    seen["asyncio_modules_with_ssl"] = sorted(
        module.__name__ for module in asyncio_modules() if vars(module).get("ssl") is ssl
    )
    try:
        await ask(port, ssl=ssl.create_default_context(), server_hostname="localhost")
        seen["untrusted"] = "accepted"
    except ssl.SSLCertVerificationError as error:
        seen["untrusted"] = error.verify_message
    for server in (plain, secure):
        server.close()
        await server.wait_closed()

asyncio.run(main())
print(json.dumps(seen))
"""


def test_tls_loads_on_first_use_and_then_works_both_ways(tmp_path: Path) -> None:
    certificate = LocalCertificate.make(tmp_path)
    seen = run_json_child(CHILD, str(certificate.cert_file), str(certificate.key_file))
    assert seen["none_left"] == []  # every asyncio module that keeps `ssl` got the stand-in
    assert seen["plain"] == "hello\n"
    assert seen["loaded_after_plain"] == []
    assert seen["tls"] == "hello\n"
    assert {"asyncio.base_events", "asyncio.sslproto"} <= set(seen["asyncio_modules_with_ssl"])
    assert seen["untrusted"] == "self-signed certificate"


def test_an_asyncio_already_imported_is_left_as_it_is() -> None:
    import ssl

    defer_tls()
    for name in ("asyncio.base_events", "asyncio.selector_events", "asyncio.sslproto"):
        assert sys.modules[name].ssl is ssl
    assert asyncio.sslproto.SSLAgainErrors == (ssl.SSLWantReadError, ssl.SSLSyscallError)
