"""The HTTP protocol ``sousei-kg serve`` runs (sousei_kg.http.protocol): Nagle off on every
connection, and the request head bounded as h11 bounded it.

uvicorn binds the listening socket itself for several processes, without a protocol number, and
asyncio then leaves Nagle's algorithm on for the connections it accepts: every keep-alive answer
waited about 40 ms for the client's delayed ACK. The first test binds a socket the same way and
reads the option on the accepted connection, with uvicorn's own protocol as the control. The
others speak raw HTTP/1.1 to a real server, since the bound is below anything a client library
lets a test control.
"""

import asyncio
import socket
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

from sousei_kg.http.joined_writes import HELD_WRITE_BYTES, JOINED_WRITE_BYTES, HeadJoiningTransport
from sousei_kg.http.protocol import BoundedHttpToolsProtocol

HEAD_LIMIT = 32_768 + 16 * 1024  # max_url_bytes (default) + 16 KiB, as `sousei-kg serve` sets it


async def _nodelay_of_accepted_connection(protocol: type[HttpToolsProtocol]) -> int:
    async def app(scope: object, receive: object, send: object) -> None:
        del scope, receive, send

    config = Config(app=app, log_level="warning")
    config.load()
    state = ServerState()
    made: list[HttpToolsProtocol] = []

    def factory() -> HttpToolsProtocol:
        made.append(protocol(config=config, server_state=state, app_state={}))
        return made[-1]

    listener = socket.socket(family=socket.AF_INET)  # as uvicorn's Config.bind_socket: proto 0
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    server = await asyncio.get_running_loop().create_server(factory, sock=listener)
    try:
        _reader, writer = await asyncio.open_connection(*listener.getsockname())
        for _ in range(100):  # bounded: the connection is accepted within a few loop turns
            if made:
                break
            await asyncio.sleep(0.01)
        accepted = made[0].transport.get_extra_info("socket")
        flag = accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
        writer.close()
        return int(flag)
    finally:
        server.close()
        await server.wait_closed()


@pytest.mark.live
@pytest.mark.parametrize(
    ("protocol", "expected"), [(BoundedHttpToolsProtocol, 1), (HttpToolsProtocol, 0)]
)
def test_connections_on_a_socket_bound_like_uvicorns_workers_switch_nagle_off(
    protocol: type[HttpToolsProtocol], expected: int
) -> None:
    """Ours sets the option; uvicorn's own protocol (the control) leaves it off on such a socket,
    which is the ~40 ms stall this module fixes."""
    assert asyncio.run(_nodelay_of_accepted_connection(protocol)) == expected


def _exchange(base: str, request: bytes) -> bytes:
    """Send raw bytes to the server and read until it closes (the last request of ``request``
    says ``Connection: close``, or the server refuses it) or 10 s pass."""
    host, port = base.removeprefix("http://").rstrip("/").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(request)
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
    return received


def _get(filler: int, connection: bytes = b"close") -> bytes:
    return (
        b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Filler: "
        + b"a" * filler
        + b"\r\nConnection: "
        + connection
        + b"\r\n\r\n"
    )


@pytest.mark.live
def test_a_request_head_over_the_bound_gets_431_and_names_it(live_server: str) -> None:
    answer = _exchange(live_server, _get(HEAD_LIMIT + 1000, b"keep-alive"))
    assert answer.startswith(b"HTTP/1.1 431 "), answer[:200]
    assert f"exceed {HEAD_LIMIT} bytes".encode() in answer
    assert answer.count(b"HTTP/1.1 ") == 1


def _head(answer: bytes) -> dict[bytes, list[bytes]]:
    """The header fields of a raw answer, by lower-case name."""
    fields: dict[bytes, list[bytes]] = {}
    for line in answer.split(b"\r\n\r\n", 1)[0].split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        fields.setdefault(name.strip().lower(), []).append(value.strip())
    return fields


@pytest.mark.live
def test_answers_name_no_server_software_and_are_nosniff(live_server: str) -> None:
    """uvicorn adds ``server: uvicorn`` to every answer unless told not to; ``serve`` tells it.
    The protocol's own answers (a 431, a 400 for what does not parse) never reach the app's
    security headers, so the protocol adds ``nosniff`` to them itself."""
    answers = {
        "page": _exchange(live_server, b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
        "431": _exchange(live_server, _get(HEAD_LIMIT + 1000)),
        "400": _exchange(live_server, b"NOT HTTP AT ALL\r\n\r\n"),
    }
    assert answers["page"].startswith(b"HTTP/1.1 200 ")
    assert answers["431"].startswith(b"HTTP/1.1 431 ")
    assert answers["400"].startswith(b"HTTP/1.1 400 "), answers["400"][:200]
    for name, answer in answers.items():
        fields = _head(answer)
        assert b"server" not in fields, (name, fields[b"server"])
        assert fields.get(b"x-content-type-options") == [b"nosniff"], (name, answer[:300])
    assert b"date" in _head(answers["page"])  # kept: caches and clients use it


@pytest.mark.live
def test_heads_within_the_bound_are_served_and_each_request_has_its_own_budget(
    live_server: str,
) -> None:
    """Two kept-alive requests whose heads together pass the bound: each alone is within it."""
    answer = _exchange(
        live_server, _get(HEAD_LIMIT - 2000, b"keep-alive") + _get(HEAD_LIMIT - 2000)
    )
    assert answer.count(b"HTTP/1.1 200 OK") == 2, answer[:300]


@pytest.mark.live
def test_a_body_in_the_same_packet_as_the_head_is_not_counted_as_head(live_server: str) -> None:
    """A small head followed at once by a body larger than the head bound: the body is not head."""
    query = b"query=" + b"ASK%7B%7D" + b"&x=" + b"b" * (HEAD_LIMIT + 5000)
    request = (
        b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\n"
        b"Accept: application/sparql-results+json\r\n"
        b"Content-Length: " + str(len(query)).encode() + b"\r\nConnection: close\r\n\r\n" + query
    )
    answer = _exchange(live_server, request)
    assert answer.startswith(b"HTTP/1.1 200 "), answer[:300]
    assert b'"boolean":true' in answer.replace(b" ", b"")


@pytest.mark.live
def test_an_unfinished_head_past_the_bound_is_refused_before_it_ends(live_server: str) -> None:
    """A head that never ends is not buffered without limit: once the bytes received for it pass
    the bound, the answer is 431 although no end of head has arrived."""
    host, port = live_server.removeprefix("http://").rstrip("/").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Filler: ")
        for _ in range(HEAD_LIMIT // 8192 + 2):  # bounded: a little past the limit
            connection.sendall(b"a" * 8192)
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
    assert received.startswith(b"HTTP/1.1 431 "), received[:200]


Scope = dict[str, Any]


async def _talk_to_recording_server(request_parts: list[bytes]) -> tuple[bytes, list[Scope]]:
    """Send ``request_parts`` to a BoundedHttpToolsProtocol server in this process whose app
    records every request it is given (and reads its body to the end); return what came back
    and the recorded scopes."""
    seen: list[Scope] = []

    async def app(
        scope: Scope,
        receive: Callable[[], Awaitable[Scope]],
        send: Callable[[Scope], Awaitable[None]],
    ) -> None:
        if scope["type"] != "http":
            return
        seen.append(scope)
        while (await receive())["more_body"]:
            pass
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    config = Config(app=app, log_level="warning", h11_max_incomplete_event_size=HEAD_LIMIT)
    config.load()
    state = ServerState()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: BoundedHttpToolsProtocol(config=config, server_state=state, app_state={}),
        host="127.0.0.1",
        port=0,
    )
    try:
        reader, writer = await asyncio.open_connection(*server.sockets[0].getsockname()[:2])
        try:
            for part in request_parts:
                writer.write(part)
                await writer.drain()
            writer.write_eof()
        except (ConnectionError, RuntimeError):
            pass  # the server closed the connection early: what a refusal may do
        received = b""
        try:
            while chunk := await asyncio.wait_for(reader.read(65536), 10):
                received += chunk
        except ConnectionError:
            pass
        writer.close()
        return received, seen
    finally:
        server.close()
        await server.wait_closed()


@pytest.mark.live
def test_a_request_pipelined_behind_a_refused_head_never_reaches_the_app() -> None:
    big = b"GET /a HTTP/1.1\r\nHost: x\r\nX-Filler: " + b"a" * (HEAD_LIMIT + 1000) + b"\r\n\r\n"
    small = b"GET /b HTTP/1.1\r\nHost: x\r\n\r\n"
    received, seen = asyncio.run(_talk_to_recording_server([big + small]))
    assert received.startswith(b"HTTP/1.1 431 "), received[:200]
    assert seen == []


@pytest.mark.live
def test_trailers_of_a_chunked_body_are_bounded_like_a_head() -> None:
    """uvicorn appends trailers to the headers it gave the app, without a limit: past the bound
    the connection is refused and no trailer is kept."""
    head = b"POST /t HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n"
    trailers = [b"X-T%d: %s\r\n" % (i, b"v" * 1000) for i in range(2 * HEAD_LIMIT // 1000)]
    received, seen = asyncio.run(_talk_to_recording_server([head, *trailers, b"\r\n"]))
    assert b"200" not in received.split(b"\r\n", 1)[0], received[:200]
    assert len(seen) == 1  # the request itself reached the app before its trailers
    trailer_names = [name for name, _ in seen[0]["headers"] if name.startswith(b"x-t")]
    assert len(trailer_names) * 1000 <= HEAD_LIMIT


class _RecordingTransport:
    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.closed = False

    def write(self, data: bytes) -> None:
        self.writes.append(bytes(data))

    def is_closing(self) -> bool:
        return self.closed

    def close(self) -> None:
        self.closed = True

    def get_write_buffer_size(self) -> int:
        return 0


def test_an_answers_head_and_body_leave_in_one_write() -> None:
    """uvicorn writes head and body separately (two sends, two segments, two client wake-ups);
    the cycle's transport joins them, sends a lone small write at the end of the turn, never
    holds a large one, and flushes before closing."""

    async def scenario() -> list[list[bytes]]:
        seen = []
        real = _RecordingTransport()
        joined = HeadJoiningTransport(real)  # type: ignore[arg-type]
        joined.write(b"HTTP/1.1 200 OK\r\n\r\n")
        assert real.writes == [] and joined.get_write_buffer_size() > 0
        joined.write(b"body")
        seen.append(list(real.writes))
        joined.write(b"HTTP/1.1 204 No Content\r\n\r\n")  # nothing follows in this turn
        await asyncio.sleep(0)
        seen.append(list(real.writes))
        joined.write(b"x" * (HELD_WRITE_BYTES + 1))
        seen.append(list(real.writes))
        joined.write(b"head")
        joined.write(b"y" * (JOINED_WRITE_BYTES + 1))  # not copied to be joined: follows
        seen.append(list(real.writes))
        joined.write(b"last")
        joined.close()
        seen.append(list(real.writes))
        assert real.closed
        return seen

    after_body, after_turn, after_large, after_big_body, after_close = asyncio.run(scenario())
    assert after_body == [b"HTTP/1.1 200 OK\r\n\r\nbody"]
    assert after_turn[1:] == [b"HTTP/1.1 204 No Content\r\n\r\n"]
    assert len(after_large) == 3 and len(after_large[2]) == HELD_WRITE_BYTES + 1
    assert after_big_body[3] == b"head" and len(after_big_body[4]) == JOINED_WRITE_BYTES + 1
    assert after_close[5:] == [b"last"]


@pytest.mark.live
def test_a_live_answer_is_sent_whole_in_one_segment(live_server: str) -> None:
    """Against a real server: with Nagle off, a small answer whose head and body were written
    separately arrives in two reads when the client is quick; joined, one read holds it all."""
    host, port = live_server.removeprefix("http://").rstrip("/").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        for _ in range(20):  # bounded: 20 keep-alive requests
            connection.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            first = connection.recv(65536)
            head, _, body = first.partition(b"\r\n\r\n")
            length = int(
                next(
                    line.split(b":", 1)[1]
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length:")
                )
            )
            assert len(body) == length, first[:300]  # the body came with the head
