"""The deadline for a request's head (sousei_kg.http.protocol, ``--header-timeout``), on a real
``sousei-kg serve``: a silent connection and a slowloris are answered 408 and closed within the
deadline; normal clients, kept-alive ones and slow bodies are untouched. The pipelined case (a
head that begins while an earlier answer is written) runs on an in-process server whose app
answers slowly on demand."""

import asyncio
import socket
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import httpx
import pytest
from uvicorn.config import Config
from uvicorn.server import ServerState

from conftest import running_server
from sousei_kg.config import Settings
from sousei_kg.http.protocol import BoundedHttpToolsProtocol, limit_connections

pytestmark = pytest.mark.live

DEADLINE = 2.0
SLACK = 1.5
"""Liveness margin on a shared 2-core machine: the answer comes at the deadline, not later."""
GET = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, int]]:
    with running_server({}, "--header-timeout", str(DEADLINE)) as base:
        host, port = base.removeprefix("http://").rstrip("/").split(":")
        yield host, int(port)


def _read_until_closed(connection: socket.socket) -> bytes:
    received = b""
    while chunk := connection.recv(65536):
        received += chunk
    return received


def _read_answer(connection: socket.socket) -> bytes:
    """One whole answer with a Content-Length body, on a kept-alive connection."""
    received = b""
    while b"\r\n\r\n" not in received:
        received += connection.recv(65536)
    head, _, body = received.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":", 1)[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    while len(body) < length:
        body += connection.recv(65536)
    return head + b"\r\n\r\n" + body


def _assert_408(answer: bytes) -> None:
    assert answer.startswith(b"HTTP/1.1 408 Request Timeout\r\n"), answer[:200]
    assert b"connection: close" in answer.lower()
    assert f"did not arrive within {DEADLINE:g} s".encode() in answer


def test_a_silent_connection_gets_408_and_is_closed_at_the_deadline(
    server: tuple[str, int],
) -> None:
    with socket.create_connection(server, timeout=DEADLINE + 10) as connection:
        started = time.monotonic()
        answer = _read_until_closed(connection)  # returns once the server has closed it
        waited = time.monotonic() - started
    _assert_408(answer)
    assert DEADLINE - 0.2 <= waited <= DEADLINE + SLACK, waited


def test_a_slowloris_is_cut_at_the_deadline(server: tuple[str, int]) -> None:
    """One header byte a second: the head would take a minute; it is cut at the deadline."""
    head = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"s" * 60 + b"\r\n\r\n"
    with socket.create_connection(server, timeout=DEADLINE + 10) as connection:
        connection.settimeout(1.0)  # the pace: a byte, then wait up to a second for an answer
        started = time.monotonic()
        received, sent = b"", 0
        # Bounded: the head's length, and a few seconds past the deadline.
        while not received and sent < len(head) and time.monotonic() - started < DEADLINE + 5:
            connection.sendall(head[sent : sent + 1])
            sent += 1
            try:
                received = connection.recv(65536)
            except TimeoutError:
                continue
        waited = time.monotonic() - started
        connection.settimeout(5)
        received += _read_until_closed(connection)
    _assert_408(received)
    assert sent < 10  # cut after a few of the head's 100 bytes
    assert DEADLINE - 0.2 <= waited <= DEADLINE + SLACK, waited


def test_a_kept_alive_connection_idle_between_requests_is_not_cut(
    server: tuple[str, int],
) -> None:
    """The deadline counts from a request's first byte: idle time before it (here longer than
    the deadline, within uvicorn's 5 s keep-alive) does not count."""
    with socket.create_connection(server, timeout=10) as connection:
        for _ in range(3):  # bounded: three requests, each after an idle pause
            connection.sendall(GET)
            assert _read_answer(connection).startswith(b"HTTP/1.1 200 OK")
            time.sleep(DEADLINE + 0.5)


def test_the_next_head_on_a_kept_alive_connection_has_its_own_deadline(
    server: tuple[str, int],
) -> None:
    """After a first answer and an idle pause, a second head dripped slowly is cut at the
    deadline counted from its first byte, not from the first answer."""
    with socket.create_connection(server, timeout=10) as connection:
        connection.sendall(GET)
        assert _read_answer(connection).startswith(b"HTTP/1.1 200 OK")
        time.sleep(1.0)
        connection.settimeout(0.5)
        started = time.monotonic()
        received = b""
        for byte in GET[:-2]:  # bounded; never completes the head
            connection.sendall(bytes([byte]))
            try:
                received = connection.recv(65536)
                break
            except TimeoutError:
                continue
        waited = time.monotonic() - started
        connection.settimeout(5)
        received += _read_until_closed(connection)
    _assert_408(received)
    assert DEADLINE - 0.2 <= waited <= DEADLINE + SLACK, waited


def test_normal_clients_are_served_and_a_slow_body_is_not_cut(server: tuple[str, int]) -> None:
    """A head that completed is not the deadline's business: a form body sent over longer than
    the deadline is answered (the body has its own timeout, 10 s)."""
    host, port = server
    with httpx.Client(base_url=f"http://{host}:{port}", timeout=10) as client:
        statuses = [client.get("/health").status_code for _ in range(20)]
    assert statuses == [200] * 20
    body = b"query=ASK%20%7B%7D"
    with socket.create_connection(server, timeout=10) as connection:
        connection.sendall(
            b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\n"
            b"Accept: application/sparql-results+json\r\nConnection: close\r\n"
            b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n"
        )
        for part in (body[:6], body[6:12], body[12:]):
            time.sleep(DEADLINE / 2 + 0.2)
            connection.sendall(part)
        answer = _read_until_closed(connection)
    assert answer.startswith(b"HTTP/1.1 200 OK"), answer[:200]
    assert b'"boolean":true' in answer.replace(b" ", b"")


Scope = dict[str, Any]


async def _pipelined(
    parts: list[tuple[float, bytes]], deadline: float
) -> list[tuple[float, bytes]]:
    """Start a BoundedHttpToolsProtocol server in this process with ``deadline`` as its head
    timeout, whose app answers ``/slow`` after 1.5 s and anything else at once; send each part
    after its delay, and return what arrives, with the time since the first part was sent."""

    async def app(
        scope: Scope,
        receive: Callable[[], Awaitable[Scope]],
        send: Callable[[Scope], Awaitable[None]],
    ) -> None:
        del receive  # no request here has a body
        if scope["type"] != "http":
            return
        if scope["path"] == "/slow":
            await asyncio.sleep(1.5)
        body = scope["path"].encode()
        headers = [(b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    config = Config(app=app, log_level="warning")
    config.load()
    state = ServerState()
    loop = asyncio.get_running_loop()
    limit_connections(state, Settings(header_timeout=deadline), loop)
    server = await loop.create_server(
        lambda: BoundedHttpToolsProtocol(config=config, server_state=state, app_state={}),
        host="127.0.0.1",
        port=0,
    )
    received: list[tuple[float, bytes]] = []
    try:
        reader, writer = await asyncio.open_connection(*server.sockets[0].getsockname()[:2])
        started = loop.time()

        async def read() -> None:
            while chunk := await reader.read(65536):
                received.append((loop.time() - started, chunk))

        reading = asyncio.create_task(read())
        for delay, part in parts:
            await asyncio.sleep(delay)
            writer.write(part)
        await asyncio.wait_for(reading, 10)
        writer.close()
        return received
    finally:
        server.close()
        await server.wait_closed()


def test_a_head_begun_while_an_earlier_answer_is_written_gets_its_full_time() -> None:
    """Pipelining: /slow (1.5 s to answer) and the start of a next head in one packet, the rest
    of that head 1 s after /slow's answer. With a 1 s deadline counted from the head's first
    byte it would have run out while the server itself was busy; counted from the answer's end
    it has not, and both are answered."""
    parts = [
        (0.0, b"GET /slow HTTP/1.1\r\nHost: x\r\n\r\nGET /next HTTP/1.1\r\n"),
        (1.5 + 0.8, b"Host: x\r\nConnection: close\r\n\r\n"),
    ]
    received = asyncio.run(_pipelined(parts, deadline=1.0))
    text = b"".join(chunk for _, chunk in received)
    assert text.count(b"HTTP/1.1 200 OK") == 2, text
    assert text.endswith(b"/next")


def test_a_head_begun_while_an_earlier_answer_is_written_is_cut_after_it() -> None:
    """The same, with the rest of the head never sent: 408 one deadline after /slow's answer."""
    parts = [(0.0, b"GET /slow HTTP/1.1\r\nHost: x\r\n\r\nGET /next HTTP/1.1\r\n")]
    received = asyncio.run(_pipelined(parts, deadline=1.0))
    answers = b"".join(chunk for _, chunk in received)
    assert answers.startswith(b"HTTP/1.1 200 OK") and b"/slow" in answers, answers
    assert b"HTTP/1.1 408 Request Timeout" in answers, answers
    cut_at = next(at for at, chunk in received if b"408" in chunk)
    assert 1.5 + 1.0 - 0.2 <= cut_at <= 1.5 + 1.0 + SLACK, cut_at
