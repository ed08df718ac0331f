"""Hostile and clumsy clients over a real socket: refusals they can read, slow clients timed out.

The emulator runs in a thread on a real port (``mockserver.threaded``), because what is
tested here happens below the ASGI app: in uvicorn's protocol and in ``mockserver.wire``.
"""

from __future__ import annotations

import socket
import time
import urllib.error
import urllib.request

import httpx
import pytest

from mockserver import Emulator
from mockserver.scenario import load_scenario
from mockserver.threaded import ThreadedServer
from tests.conftest import APP_UUID, SCENARIOS, basic

TOKENS = f"/api/v1/apps/{APP_UUID}/tokens"
EIGHT_MB = 8 * 1024 * 1024
SHORT = 0.5  # the client timeout of the servers below, so that dropping a slow client is quick
PATIENCE = 15.0  # how long a test waits for something that must happen; never a claim about speed


@pytest.fixture(scope="module")
def server():
    with ThreadedServer(Emulator(load_scenario(SCENARIOS / "blocked_user.yaml")), client_timeout=SHORT) as running:
        yield running


def connect(server: ThreadedServer) -> socket.socket:
    sock = socket.create_connection((server.host, server.port), timeout=PATIENCE)
    return sock


def read_all(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection."""
    chunks = []
    while True:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            chunks.append(b"<reset>")
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


def head(path: str, *lines: str) -> bytes:
    return ("\r\n".join([f"POST {path} HTTP/1.1", "Host: mock", *lines]) + "\r\n\r\n").encode()


def test_an_8_mb_post_from_urllib_reads_its_413(server):
    # urllib sends "Connection: close" and the whole body before it reads: the case that was reset.
    body = b'{"tokens": [' + b" " * EIGHT_MB + b"]}"
    request = urllib.request.Request(
        server.url + TOKENS, body, {"Content-Type": "application/json", **basic()}, method="POST"
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=PATIENCE)
    assert refused.value.code == 413
    assert refused.value.read() == b"Request body is larger than the limit of 1048576 bytes"


def test_a_chunked_body_over_the_limit_reads_its_413(server):
    # No Content-Length: the limit is found while reading, with the client still sending.
    chunks = (b"x" * 65536 for _ in range(EIGHT_MB // 65536))
    request = urllib.request.Request(server.url + TOKENS, chunks, {"Content-Type": "application/json", **basic()}, method="POST")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=PATIENCE)
    assert refused.value.code == 413


def test_expect_100_continue_gets_the_413_without_sending_the_body(server):
    sock = connect(server)
    sock.sendall(head(TOKENS, f"Content-Length: {EIGHT_MB}", "Expect: 100-continue", "Authorization: " + basic()["Authorization"]))
    answer = read_all(sock)  # the server answers and closes without waiting for a body
    assert answer.startswith(b"HTTP/1.1 413 ")
    assert b"100 Continue" not in answer
    assert answer.endswith(b"Request body is larger than the limit of 1048576 bytes")


def test_a_bad_content_length_is_a_400_that_names_it(server):
    sock = connect(server)
    sock.sendall(head(TOKENS, "Content-Length: 12abc") + b"x" * 100_000)
    answer = read_all(sock)
    assert answer.startswith(b"HTTP/1.1 400 Bad Request\r\n")
    assert b"Content-Length" in answer.split(b"\r\n\r\n", 1)[1]


def test_two_content_lengths_are_a_400_that_names_it(server):
    sock = connect(server)
    sock.sendall(head(TOKENS, "Content-Length: 5", "Content-Length: 6") + b"hello")
    answer = read_all(sock)
    assert answer.startswith(b"HTTP/1.1 400 ") and b"Duplicate Content-Length" in answer


def test_a_client_dribbling_its_headers_blocks_nobody_and_is_dropped(server):
    slow = connect(server)
    slow.sendall(b"POST /api/v1/version HTTP/1.1\r\nHost: mock\r\nX-Slow: ")
    # Others are served while the slow client holds its connection open.
    assert httpx.get(server.url + "/api/v1/version", headers=basic(), timeout=PATIENCE).status_code == 200
    slow.settimeout(0.1)
    answer = b""
    deadline = time.monotonic() + PATIENCE
    while not answer and time.monotonic() < deadline:
        try:
            slow.sendall(b"a")  # a byte at a time, never finishing the headers
            answer = slow.recv(65536)
        except TimeoutError:
            continue
        except (BrokenPipeError, ConnectionResetError):
            break
    slow.settimeout(PATIENCE)
    answer += read_all(slow)
    assert answer.startswith(b"HTTP/1.1 408 Request Timeout\r\n")
    assert b"did not arrive within 0.5 s" in answer


def test_a_body_that_stops_coming_is_a_408(server):
    slow = connect(server)
    slow.sendall(head(TOKENS, "Content-Length: 100", "Content-Type: application/json", "Authorization: " + basic()["Authorization"]) + b'{"tok')
    assert httpx.get(server.url + "/api/v1/version", headers=basic(), timeout=PATIENCE).status_code == 200
    answer = read_all(slow)
    assert answer.startswith(b"HTTP/1.1 408 ")


def test_a_silent_connection_is_closed(server):
    silent = connect(server)
    assert httpx.get(server.url + "/api/v1/version", headers=basic(), timeout=PATIENCE).status_code == 200
    assert read_all(silent) == b""  # closed without a word: nothing was asked


def test_a_client_that_never_reads_its_answers_is_dropped(server):
    base = len(server.server.server_state.connections)
    reader = connect(server)
    reader.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    # Pipelined requests whose answers are never read: the server's writes stall.
    request = b"GET /_mock/state HTTP/1.1\r\nHost: mock\r\n\r\n"
    sent = 0
    reader.settimeout(0.2)
    try:
        while sent < 20_000:
            reader.send(request * 50)
            sent += 50
    except (TimeoutError, BlockingIOError):
        pass  # the server no longer reads from us either
    assert httpx.get(server.url + "/api/v1/version", headers=basic(), timeout=PATIENCE).status_code == 200
    deadline = time.monotonic() + PATIENCE
    while len(server.server.server_state.connections) > base and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(server.server.server_state.connections) <= base
    reader.close()
