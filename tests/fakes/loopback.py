"""A tiny real HTTP/1.1 server on 127.0.0.1 that runs scripted scenarios.

Each server runs in a background thread with its own event loop, so it serves requests
from pytest-asyncio tests, qasync/Qt tests, benchmarks and child processes alike. The
protocol servers (`ollama_server`, `anthropic_server`, `openai_server`) build on it: they
turn a `Script` (text, tool calls, faults) into a `Plan` (status, headers, frames) in their
own wire format, and this module writes the plan to the socket, faults included.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import socket
import ssl
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

END_COMPLETE = "complete"
END_CLIENT_CLOSED = "client_closed"
END_DROPPED = "dropped"
END_STALLED = "stalled"


def unused_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (for "connection refused" tests)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@dataclass(frozen=True)
class RecordedRequest:
    """One request the server received."""

    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        """The body parsed as JSON, or None when it is empty or not JSON."""
        try:
            return json.loads(self.body) if self.body else None
        except ValueError:
            return None


@dataclass
class Plan:
    """What to send back for one request.

    ``frames`` makes a streamed (chunked) response; ``body`` a plain one. Faults:
    ``drop_after`` closes the socket after that many frames, ``stall_after`` stops sending
    (socket kept open until the client leaves or the server stops); ``splits`` re-cuts the
    concatenated frames at those byte offsets; ``fast`` writes all frames in one go;
    ``silent`` sends nothing at all, not even a status line, and holds the socket open
    (a server that accepted the connection and hangs); ``held`` sends nothing until the
    test calls `LoopbackServer.release` (a server loading the model), then answers.
    """

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    frames: list[bytes] | None = None
    content_type: str = "application/json"
    chunk_delay: float = 0.0
    drop_after: int | None = None
    stall_after: int | None = None
    splits: list[int] | None = None
    fast: bool = False
    preamble: int = 0  # leading frames sent without ``chunk_delay`` (message_start...)
    silent: bool = False
    held: bool = False


@dataclass(frozen=True)
class StreamEnd:
    """How a streamed response ended, and when (``time.monotonic()``)."""

    path: str
    how: str
    frames_sent: int
    at: float


Scenario = Callable[[RecordedRequest], Plan]


class LoopbackServer:
    """An HTTP/1.1 server on 127.0.0.1 (port 0) in its own thread and event loop.

    Subclasses implement `handle(request) -> Plan`; scenarios queued with `queue()` for a
    path win over it. Use as a context manager, or call `start()` / `stop()`.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests: list[RecordedRequest] = []
        self._queues: dict[str, deque[tuple[Scenario, int | None]]] = {}
        self._stream_ends: list[StreamEnd] = []
        self._stream_end_signal = threading.Condition(self._lock)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.Server | None = None
        self._stopping: asyncio.Event | None = None
        self._released: asyncio.Event | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.port = 0
        self.bind_port = 0  # set before start() to listen on a fixed port
        self.tls: ssl.SSLContext | None = None  # set before start() to serve https

    # ----------------------------------------------------------------- lifecycle
    def start(self) -> LoopbackServer:
        """Bind a free port and start serving in a background thread."""
        ready = threading.Event()
        self._loop = asyncio.new_event_loop()

        def run() -> None:
            assert self._loop is not None
            asyncio.set_event_loop(self._loop)
            self._loop.run_until_complete(self._open())
            ready.set()
            self._loop.run_forever()
            self._loop.close()

        self._thread = threading.Thread(target=run, name=type(self).__name__, daemon=True)
        self._thread.start()
        ready.wait(10)
        return self

    async def _open(self) -> None:
        self._stopping = asyncio.Event()
        self._released = asyncio.Event()
        self._server = await asyncio.start_server(
            self._on_connection, "127.0.0.1", self.bind_port, ssl=self.tls
        )
        self.port = self._server.sockets[0].getsockname()[1]

    def stop(self) -> None:
        """Stop serving, closing every open (also stalled) connection; returns promptly."""
        if self._loop is None or self._thread is None:
            return
        future = asyncio.run_coroutine_threadsafe(self._close(), self._loop)
        future.result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop = None
        self._thread = None

    async def _close(self) -> None:
        assert self._stopping is not None
        assert self._server is not None
        self._stopping.set()
        self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def release(self) -> None:
        """Let held requests (``Plan.held``) answer, now and from now on."""
        if self._loop is not None and self._released is not None:
            self._loop.call_soon_threadsafe(self._released.set)

    def __enter__(self) -> LoopbackServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT`` (``https`` with `tls`; no trailing slash, no path)."""
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    @property
    def host(self) -> str:
        """``127.0.0.1:PORT``."""
        return f"127.0.0.1:{self.port}"

    # ----------------------------------------------------------------- records
    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received so far, oldest first (a copy)."""
        with self._lock:
            return list(self._requests)

    def requests_to(self, path: str) -> list[RecordedRequest]:
        """The requests received for one path."""
        return [request for request in self.requests if request.path == path]

    @property
    def stream_ends(self) -> list[StreamEnd]:
        """How each streamed response ended, oldest first."""
        with self._lock:
            return list(self._stream_ends)

    def wait_stream_end(self, count: int = 1, timeout: float = 5.0) -> StreamEnd | None:
        """Block until ``count`` streamed responses have ended; the last one, or None."""
        deadline = time.monotonic() + timeout
        with self._stream_end_signal:
            while len(self._stream_ends) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                self._stream_end_signal.wait(remaining)
            return self._stream_ends[count - 1]

    def wait_requests(self, path: str, count: int, timeout: float = 10.0) -> bool:
        """Block until ``count`` requests to ``path`` have arrived; False on timeout."""
        deadline = time.monotonic() + timeout
        with self._stream_end_signal:
            while sum(1 for r in self._requests if r.path == path) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._stream_end_signal.wait(remaining)
            return True

    def clear(self) -> None:
        """Forget recorded requests, stream ends and queued scenarios."""
        with self._lock:
            self._requests.clear()
            self._stream_ends.clear()
            self._queues.clear()

    # ----------------------------------------------------------------- scripting
    def queue(self, path: str, scenario: Scenario, times: int | None = 1) -> None:
        """Answer the next ``times`` requests to ``path`` with ``scenario`` (None: forever)."""
        with self._lock:
            self._queues.setdefault(path, deque()).append((scenario, times))

    def _next_scenario(self, path: str) -> Scenario | None:
        with self._lock:
            pending = self._queues.get(path)
            if not pending:
                return None
            scenario, times = pending[0]
            if times is not None:
                if times <= 1:
                    pending.popleft()
                else:
                    pending[0] = (scenario, times - 1)
            return scenario

    def handle(self, request: RecordedRequest) -> Plan:
        """The default answer when no scenario is queued for the path."""
        return Plan(status=404, body=b'{"error":"not found"}')

    # ----------------------------------------------------------------- HTTP
    async def _on_connection(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)  # type: ignore[arg-type]
        try:
            while True:
                request = await _read_request(reader)
                if request is None:
                    break
                with self._stream_end_signal:
                    self._requests.append(request)
                    self._stream_end_signal.notify_all()
                scenario = self._next_scenario(request.path)
                plan = scenario(request) if scenario else self.handle(request)
                keep = await self._send(request, plan, reader, writer)
                if not keep or request.headers.get("connection", "").lower() == "close":
                    break
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass
        finally:
            self._tasks.discard(task)  # type: ignore[arg-type]
            writer.close()

    async def _send(
        self,
        request: RecordedRequest,
        plan: Plan,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> bool:
        if plan.silent or plan.held:
            watcher = asyncio.ensure_future(reader.read(1))
            try:
                how = await self._hold(watcher, until=None if plan.silent else self._released)
            finally:
                watcher.cancel()
                await asyncio.gather(watcher, return_exceptions=True)
            if how != END_COMPLETE:
                self._record_end(StreamEnd(request.path, how, 0, time.monotonic()))
                return False
        reason = _reason(plan.status)
        headers = {"content-type": plan.content_type, **plan.headers}
        if plan.frames is None:
            body = plan.body or b""
            headers["content-length"] = str(len(body))
            writer.write(_head(plan.status, reason, headers) + body)
            await writer.drain()
            return True
        headers["transfer-encoding"] = "chunked"
        headers["cache-control"] = "no-cache"
        # The watcher below reads from the socket to notice a client hanging up, so the
        # connection cannot safely carry another request: close it after the stream.
        headers["connection"] = "close"
        writer.write(_head(plan.status, reason, headers))
        await writer.drain()
        watcher = asyncio.ensure_future(reader.read(1))
        try:
            how, sent = await self._stream(plan, writer, watcher)
        finally:
            watcher.cancel()
            await asyncio.gather(watcher, return_exceptions=True)
        self._record_end(StreamEnd(request.path, how, sent, time.monotonic()))
        return False

    def _record_end(self, end: StreamEnd) -> None:
        with self._stream_end_signal:
            self._stream_ends.append(end)
            self._stream_end_signal.notify_all()

    async def _hold(
        self, watcher: asyncio.Future[bytes], until: asyncio.Event | None = None
    ) -> str:
        """Keep the socket open, sending nothing, until the client leaves or the server stops
        (or ``until`` is set: then `END_COMPLETE`, and the caller goes on answering)."""
        assert self._stopping is not None
        stopping = asyncio.ensure_future(self._stopping.wait())
        waits: set[asyncio.Future[Any]] = {watcher, stopping}
        released = asyncio.ensure_future(until.wait()) if until is not None else None
        if released is not None:
            waits.add(released)
        try:
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        except asyncio.CancelledError:
            pass  # server stopping: the handler ends right after recording the stall
        finally:
            stopping.cancel()
            if released is not None:
                released.cancel()
        if watcher.done():
            return END_CLIENT_CLOSED
        if released is not None and released.done() and not released.cancelled():
            return END_COMPLETE
        return END_STALLED

    async def _stream(
        self, plan: Plan, writer: asyncio.StreamWriter, watcher: asyncio.Future[bytes]
    ) -> tuple[str, int]:
        assert plan.frames is not None
        assert self._stopping is not None
        frames = plan.frames
        limit = len(frames)
        fault = END_COMPLETE
        if plan.drop_after is not None and plan.drop_after < limit:
            limit, fault = plan.drop_after, END_DROPPED
        if plan.stall_after is not None and plan.stall_after < limit:
            limit, fault = plan.stall_after, END_STALLED
        pieces = frames[:limit]
        if plan.splits is not None:
            pieces = _resplit(b"".join(pieces), plan.splits)
        if plan.fast:
            writer.write(b"".join(_chunk(piece) for piece in pieces if piece))
            await writer.drain()
        else:
            for index, piece in enumerate(pieces):
                if watcher.done():
                    return END_CLIENT_CLOSED, index
                if piece:
                    writer.write(_chunk(piece))
                    await writer.drain()
                if plan.chunk_delay and index >= plan.preamble:
                    await asyncio.wait({watcher}, timeout=plan.chunk_delay)
        sent = len(pieces) if plan.splits is None else limit
        if watcher.done():
            return END_CLIENT_CLOSED, sent
        if fault == END_DROPPED:
            writer.close()
            return END_DROPPED, sent
        if fault == END_STALLED:
            return await self._hold(watcher), sent
        writer.write(b"0\r\n\r\n")
        await writer.drain()
        return END_COMPLETE, sent


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return {529: "Overloaded"}.get(status, "Unknown")


def _head(status: int, reason: str, headers: dict[str, str]) -> bytes:
    lines = [f"HTTP/1.1 {status} {reason}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def _chunk(data: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(data), data)


def _resplit(data: bytes, splits: list[int]) -> list[bytes]:
    cuts = sorted({cut for cut in splits if 0 < cut < len(data)})
    edges = [0, *cuts, len(data)]
    return [data[start:end] for start, end in itertools.pairwise(edges)]


async def _read_request(reader: asyncio.StreamReader) -> RecordedRequest | None:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
        return None
    lines = head.decode("latin-1").split("\r\n")
    method, target, _version = lines[0].split(" ", 2)
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body = b""
        while True:
            size = int((await reader.readuntil(b"\r\n")).strip().split(b";")[0], 16)
            if size == 0:
                await reader.readuntil(b"\r\n")
                break
            body += await reader.readexactly(size)
            await reader.readexactly(2)
    else:
        body = await reader.readexactly(int(headers.get("content-length", "0") or 0))
    path, _, query = target.partition("?")
    return RecordedRequest(method, path, query, headers, body)
