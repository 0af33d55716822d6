"""A loopback server that speaks enough of the Hugging Face Hub for `huggingface_hub`
to download files from it (``HF_ENDPOINT`` or an explicit endpoint points the client here).

Routes: ``HEAD`` and ``GET /{owner}/{repo}/resolve/{revision}/{filename}``. ``HEAD``
answers with the Hub's metadata headers (``X-Repo-Commit``, ``X-Linked-Etag`` = the LFS
SHA-256, ``X-Linked-Size``); ``GET`` serves the bytes and honours ``Range: bytes=N-`` with
``206``. An unknown repository or file gets the Hub's ``404`` with ``X-Error-Code``.

Faults, per file: ``advertised_sha256`` (the Hub reports another hash than the bytes
have), ``cut_after`` (the next full ``GET`` sends that many bytes, then drops the
connection; the retry with ``Range`` is served), ``hold_after`` (``GET`` sends that many
bytes, sets `sending` and waits for `release()` before the rest).
"""

from __future__ import annotations

import hashlib
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

COMMIT = "0123456789abcdef0123456789abcdef01234567"
_RESOLVE = re.compile(r"^/(?P<repo>[^/]+/[^/]+)/resolve/(?P<revision>[^/]+)/(?P<file>.+)$")


@dataclass
class HostedFile:
    """A file the fake Hub serves, with its faults."""

    data: bytes
    advertised_sha256: str | None = None
    cut_after: int | None = None
    hold_after: int | None = None

    @property
    def sha256(self) -> str:
        """What the Hub says the file's SHA-256 is."""
        return self.advertised_sha256 or hashlib.sha256(self.data).hexdigest()


@dataclass(frozen=True)
class HubRequest:
    """One request the fake Hub received."""

    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)


class FakeHub:
    """The server; use as a context manager. ``url`` is its endpoint."""

    def __init__(self) -> None:
        self.files: dict[tuple[str, str], HostedFile] = {}
        self.requests: list[HubRequest] = []
        self.sending = threading.Event()
        self._released = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def host_file(self, repo_id: str, filename: str, data: bytes, **faults: Any) -> HostedFile:
        """Serve ``data`` as ``repo_id/filename`` (any revision)."""
        hosted = HostedFile(data, **faults)
        self.files[(repo_id, filename)] = hosted
        return hosted

    def gets(self) -> list[HubRequest]:
        """The ``GET`` requests so far (the downloads)."""
        return [request for request in self.requests if request.method == "GET"]

    def release(self) -> None:
        """Let a held ``GET`` send the rest."""
        self._released.set()

    def __enter__(self) -> FakeHub:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._released.set()
        self._server.shutdown()
        self._server.server_close()


def _handler_for(hub: FakeHub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            return

        def _hosted(self) -> HostedFile | None:
            hub.requests.append(HubRequest(self.command, self.path, dict(self.headers)))
            match = _RESOLVE.match(self.path.split("?")[0])
            hosted = hub.files.get((match["repo"], match["file"])) if match else None
            if hosted is None:
                known_repo = match is not None and any(r == match["repo"] for r, _ in hub.files)
                code = "EntryNotFound" if known_repo else "RepoNotFound"
                self.send_response(404)
                self.send_header("X-Error-Code", code)
                self.send_header("X-Error-Message", f"{code}: {self.path}")
                self.send_header("Content-Length", "0")
                self.end_headers()
            return hosted

        def do_HEAD(self) -> None:
            hosted = self._hosted()
            if hosted is None:
                return
            self.send_response(200)
            self.send_header("X-Repo-Commit", COMMIT)
            self.send_header("X-Linked-Etag", f'"{hosted.sha256}"')
            self.send_header("X-Linked-Size", str(len(hosted.data)))
            self.send_header("ETag", '"pointer-etag"')
            self.send_header("Accept-Ranges", "bytes")
            self.send_header("Content-Length", str(len(hosted.data)))
            self.end_headers()

        def do_GET(self) -> None:
            hosted = self._hosted()
            if hosted is None:
                return
            data = hosted.data
            start = 0
            ranged = re.match(r"bytes=(\d+)-$", self.headers.get("Range", ""))
            if ranged:
                start = int(ranged.group(1))
                self.send_response(206)
                self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
            else:
                self.send_response(200)
            body = data[start:]
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Accept-Ranges", "bytes")
            self.end_headers()
            if hosted.cut_after is not None and not ranged:
                cut, hosted.cut_after = hosted.cut_after, None
                self.wfile.write(body[:cut])
                self.wfile.flush()
                self.close_connection = True
                self.connection.shutdown(2)
                return
            if hosted.hold_after is not None:
                held, hosted.hold_after = hosted.hold_after, None
                self.wfile.write(body[:held])
                self.wfile.flush()
                hub.sending.set()
                hub._released.wait()
                body = body[held:]
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True

    return Handler
