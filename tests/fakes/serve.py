"""Run one fake model server standalone, for manual app runs and screenshots.

    python -m tests.fakes.serve ollama --port 11434 [--text "..."] [--chunk-delay 0.05] [--tls]

Every chat request gets the same answer (by default a short Markdown reply with a fenced
Python block). With ``--tls`` it serves https with a throwaway self-signed certificate and
prints where that certificate is (for ``SSL_CERT_FILE``). Stop with Ctrl+C.
"""

from __future__ import annotations

import argparse
import signal
import tempfile
import threading
from pathlib import Path

from tests.fakes.anthropic_server import AnthropicServer
from tests.fakes.certificates import LocalCertificate
from tests.fakes.ollama_server import OllamaServer
from tests.fakes.openai_server import OpenAIServer
from tests.fakes.scripted import DEFAULT_TEXT, ScriptedServer


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, serve until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m tests.fakes.serve")
    parser.add_argument("kind", choices=["ollama", "anthropic", "openai"])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--text", default=DEFAULT_TEXT)
    parser.add_argument("--chunk-delay", type=float, default=0.03)
    parser.add_argument("--tls", action="store_true", help="serve https (self-signed)")
    args = parser.parse_args(argv)
    servers: dict[str, type[ScriptedServer]] = {
        "ollama": OllamaServer,
        "anthropic": AnthropicServer,
        "openai": OpenAIServer,
    }
    server = servers[args.kind]()
    server.reply_text(args.text, chunk_delay=args.chunk_delay, times=None)
    server.bind_port = args.port
    if args.tls:
        certificate = LocalCertificate.make(Path(tempfile.mkdtemp(prefix="codeface-tls-")))
        server.tls = certificate.server_context()
        print(f"certificate: {certificate.cert_file}", flush=True)
    server.start()
    print(f"fake {args.kind} serving at {server.url}", flush=True)
    done = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: done.set())
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    done.wait()
    server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
