"""The caps on open connections (sousei_kg.http.connection_limits, applied by the protocol), on a
real ``sousei-kg serve``: over the per-address cap a connection is answered 503 with
``Retry-After`` and closed, while another address (a client socket bound to 127.0.0.2) is still
served; the overall cap holds whatever the addresses; a trusted proxy's peer is not capped as an
address, only by the total; a closed connection frees its place. Held connections are silent
(the head deadline is set long, so they stay open for the test)."""

import contextlib
import socket
import time
from collections.abc import Callable, Iterator

import httpx
import pytest

from conftest import running_server

pytestmark = pytest.mark.live

HELD = ("--header-timeout", "60")
GET = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


def _port(base: str) -> int:
    return int(base.rstrip("/").rsplit(":", 1)[1])


def _connect(port: int, source: str = "127.0.0.1") -> socket.socket:
    client = socket.socket()
    client.settimeout(10)
    client.bind((source, 0))
    client.connect(("127.0.0.1", port))
    return client


@contextlib.contextmanager
def _held(port: int, count: int, source: str = "127.0.0.1") -> Iterator[list[socket.socket]]:
    """``count`` connections from ``source``, each shown to be admitted (a request on it is
    answered 200 and the connection kept alive), closed at the end."""
    clients = []
    try:
        for _ in range(count):
            client = _connect(port, source)
            clients.append(client)
            client.sendall(GET)
            answer = client.recv(65536)
            assert answer.startswith(b"HTTP/1.1 200 OK"), answer[:200]
        yield clients
    finally:
        for client in clients:
            client.close()


def _refusal(port: int, source: str = "127.0.0.1") -> bytes:
    """What a new connection from ``source`` receives before the server closes it, with a
    request sent (a refused one is answered without reading it)."""
    with _connect(port, source) as client:
        with contextlib.suppress(OSError):  # the server may have closed it already
            client.sendall(GET)
        received = b""
        with contextlib.suppress(ConnectionResetError):
            while chunk := client.recv(65536):
                received += chunk
    return received


def _assert_503(answer: bytes, reason: str) -> None:
    assert answer.startswith(b"HTTP/1.1 503 Service Unavailable\r\n"), answer[:300]
    head, _, body = answer.partition(b"\r\n\r\n")
    fields = dict(line.lower().split(b": ", 1) for line in head.split(b"\r\n")[1:])
    # A place frees when an open connection ends: idle ones end within the head deadline (60 s
    # here) or the keep-alive timeout.
    assert fields[b"retry-after"] == b"60" and fields[b"connection"] == b"close"
    assert reason.encode() in body, body
    assert b"HTTP/1.1 200" not in answer  # the request sent on it never reached the app


def _eventually(check: Callable[[], bool], seconds: float = 5) -> bool:
    """Poll ``check`` (bounded): the server counts a closed connection out when it sees the
    close, a moment after the client's."""
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def _served(port: int, source: str) -> bool:
    with _connect(port, source) as client:
        client.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        return client.recv(65536).startswith(b"HTTP/1.1 200 OK")


def test_over_the_per_address_cap_503_while_another_address_is_served() -> None:
    with running_server({}, "--max-connections-per-address", "4", *HELD) as base:
        port = _port(base)
        with _held(port, 4) as clients:
            _assert_503(_refusal(port), "4 connections from your address are open")
            transport = httpx.HTTPTransport(local_address="127.0.0.2")
            with httpx.Client(transport=transport, timeout=10) as other:
                assert other.get(base + "health").status_code == 200
            clients.pop().close()  # one place frees
            assert _eventually(lambda: _served(port, "127.0.0.1"))
        limits = httpx.get(base + "limits", timeout=10).json()
    assert limits["connections"]["per_address_per_server_process"] == 4


def test_the_overall_cap_holds_whatever_the_address() -> None:
    with running_server(
        {}, "--max-connections", "6", "--max-connections-per-address", "4", *HELD
    ) as base:
        port = _port(base)
        with _held(port, 4), _held(port, 2, "127.0.0.2") as second:
            _assert_503(_refusal(port, "127.0.0.3"), "the server has 6 connections open")
            second.pop().close()
            assert _eventually(lambda: _served(port, "127.0.0.3"))


def test_a_trusted_proxy_is_capped_only_by_the_total() -> None:
    """The proxy (127.0.0.1) holds 36 connections, far past the per-address cap of 4, and is
    refused only when the total (40) is reached; another peer is still capped at 4."""
    with running_server(
        {},
        "--trusted-proxy",
        "127.0.0.1",
        "--max-connections",
        "40",
        "--max-connections-per-address",
        "4",
        *HELD,
    ) as base:
        port = _port(base)
        with _held(port, 4, "127.0.0.2"):
            _assert_503(_refusal(port, "127.0.0.2"), "4 connections from your address")
            with _held(port, 36):
                _assert_503(_refusal(port), "the server has 40 connections open")
