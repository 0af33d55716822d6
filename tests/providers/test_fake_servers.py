"""The loopback fakes themselves: recording, stalls that never hang shutdown, standalone mode."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time

import httpx
import pytest

from tests.fakes.loopback import END_STALLED, unused_port
from tests.fakes.ollama_server import OllamaServer
from tests.fakes.openai_server import OpenAIServer


def test_requests_are_recorded_with_method_path_headers_and_body() -> None:
    with OpenAIServer() as server:
        response = httpx.post(
            f"{server.url}/v1/chat/completions",
            json={"model": "gpt-5", "messages": [], "stream": False},
            headers={"Authorization": "Bearer sk-x"},
        )
        assert response.status_code == 200
        (recorded,) = server.requests
    assert (recorded.method, recorded.path) == ("POST", "/v1/chat/completions")
    assert recorded.headers["authorization"] == "Bearer sk-x"
    assert recorded.json["model"] == "gpt-5"


def test_stop_does_not_hang_on_a_stalled_stream() -> None:
    server = OllamaServer().start()
    server.stall_after(1)
    received: list[bytes] = []
    failed = threading.Event()

    def client() -> None:
        try:
            with httpx.stream(
                "POST",
                f"{server.url}/api/chat",
                timeout=30,
                json={"model": "qwen2.5-coder:7b", "messages": []},
            ) as response:
                for line in response.iter_lines():
                    received.append(line.encode())
        except httpx.HTTPError:
            failed.set()

    thread = threading.Thread(target=client)
    thread.start()
    while not received:
        thread.join(0.01)
    started = time.monotonic()
    server.stop()
    thread.join(10)
    assert time.monotonic() - started < 5
    assert not thread.is_alive()
    assert failed.is_set()  # the client saw the connection end mid-body
    assert server.stream_ends[0].how == END_STALLED
    assert len(received) == 1


def test_fast_mode_sends_ten_thousand_chunks() -> None:
    with OllamaServer() as server:
        server.reply_text("y" * 10_000, chunks=10_000, fast=True)
        with httpx.stream(
            "POST", f"{server.url}/api/chat", json={"model": "qwen2.5-coder:7b", "messages": []}
        ) as response:
            lines = [json.loads(line) for line in response.iter_lines() if line]
    assert len(lines) == 10_001
    assert lines[-1]["done"] is True


def test_unused_port_refuses_connections() -> None:
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{unused_port()}/")


def test_standalone_server_runs_in_a_child_process() -> None:
    port = unused_port()
    child = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.fakes.serve",
            "openai",
            "--port",
            str(port),
            "--text",
            "hello from the fake",
            "--chunk-delay",
            "0",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == f"fake openai serving at http://127.0.0.1:{port}"
        response = httpx.post(
            f"http://127.0.0.1:{port}/v1/chat/completions",
            json={"model": "any", "messages": [], "stream": False},
        )
        assert response.json()["choices"][0]["message"]["content"] == "hello from the fake"
    finally:
        child.terminate()
        assert child.wait(10) == 0


def test_a_silent_server_sends_not_even_headers_and_notices_the_client_leaving() -> None:
    with OllamaServer() as server:
        server.silent(path="/api/tags")
        with pytest.raises(httpx.ReadTimeout):
            httpx.get(f"{server.url}/api/tags", timeout=httpx.Timeout(0.2, connect=5))
        end = server.wait_stream_end(1, timeout=5)
        assert end is not None
        assert (end.path, end.how, end.frames_sent) == ("/api/tags", "client_closed", 0)
        assert httpx.get(f"{server.url}/api/tags").status_code == 200  # only the queued one


def test_raw_then_stall_sends_the_bytes_and_then_nothing() -> None:
    with OllamaServer() as server:
        server.raw(b'{"model":"m","mess', then_stall=True)
        received: list[bytes] = []

        def read_all() -> None:
            with httpx.stream(
                "POST",
                f"{server.url}/api/chat",
                json={"model": "qwen2.5-coder:7b", "messages": []},
                timeout=httpx.Timeout(0.3, connect=5),
            ) as response:
                received.extend(response.iter_bytes())

        with pytest.raises(httpx.ReadTimeout):
            read_all()
        assert b"".join(received) == b'{"model":"m","mess'


def test_a_held_answer_waits_for_release() -> None:
    with OllamaServer() as server:
        server.reply_text("loaded now", held=True)
        answer: list[httpx.Response] = []
        thread = threading.Thread(
            target=lambda: answer.append(
                httpx.post(
                    f"{server.url}/api/chat",
                    json={"model": "qwen2.5-coder:7b", "messages": [], "stream": False},
                    timeout=30,
                )
            )
        )
        thread.start()
        while not server.requests:  # the request is in, and held
            thread.join(0.01)
        assert answer == []
        server.release()
        thread.join(10)
        assert answer[0].json()["message"]["content"] == "loaded now"
