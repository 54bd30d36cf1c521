"""uvicorn's h11 protocol with ``TCP_NODELAY`` on every connection, whatever bound the socket.

uvicorn writes a response's headers and its body in separate ``send`` calls. asyncio switches Nagle
off only on sockets whose ``proto`` is ``IPPROTO_TCP`` (``base_events._set_nodelay``): true for
the listener ``loop.create_server(host=, port=)`` makes from ``getaddrinfo`` (``--workers 1``), but
not for the one uvicorn binds itself for ``--workers N`` (``socket.socket(AF_INET)``, proto 0,
which accepted sockets inherit). With Nagle on, the body waits for the client's delayed ACK of the
headers: ~40 ms per keep-alive request. uvloop sets the option unconditionally; this does the same
for the default loop.
"""

import asyncio
import socket

from uvicorn.protocols.http.h11_impl import H11Protocol


class NoDelayH11Protocol(H11Protocol):
    """h11, with Nagle switched off on each TCP connection before the first byte is read."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)
