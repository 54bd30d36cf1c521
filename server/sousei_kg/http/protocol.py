"""The HTTP/1.1 protocol ``sousei-kg serve`` runs: uvicorn's httptools protocol, with Nagle off
on every connection and the request head bounded.

Why httptools and not h11: on this project's 2-core machine a bare ASGI app returning prepared
bytes serves ~11,000 requests/s through uvicorn's h11 protocol and ~29,000 through httptools
(``wrk -t2 -c8``, docs/performance.md). h11 parses in pure Python; httptools is llhttp (C).

What this class adds to uvicorn's:

* **TCP_NODELAY on each connection.** uvicorn writes a response's headers and its body in
  separate ``send`` calls. asyncio switches Nagle off only on sockets whose ``proto`` is
  ``IPPROTO_TCP`` (``base_events._set_nodelay``): true for the listener
  ``loop.create_server(host=, port=)`` makes (``--workers 1``), but not for the one uvicorn binds
  itself for ``--workers N`` (``socket.socket(AF_INET)``, proto 0, which accepted sockets
  inherit). With Nagle on, the body waits for the client's delayed ACK of the headers: ~40 ms
  per keep-alive request.
* **A bound on the request head.** h11 refuses a request line plus headers longer than
  ``h11_max_incomplete_event_size``; uvicorn's httptools protocol has no such bound and would
  buffer a head of any size (and the trailers of a chunked body, which uvicorn appends to the
  headers it already gave the app). This one counts the bytes received since the body last
  progressed, i.e. those of a head, of chunk framing or of trailers, and past the same configured
  size answers 431 and closes the connection; nothing after a refused head reaches the app, not
  even a request pipelined behind it.
* **``X-Content-Type-Options: nosniff`` on what the protocol answers itself** (a 431 here, a 400
  for a request that does not parse): every answer of the app gets it from
  :mod:`sousei_kg.http.security_headers`, these never reach the app.
* **An answer's head and body in one send.** uvicorn writes the status line and headers, then
  the body, with two ``transport.write`` calls: two system calls and two TCP segments per
  answer, and the client wakes twice. The head is held (it is small) until the body's first
  write joins it, or until the end of the event loop's turn if none comes.
"""

import asyncio
import socket

from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

DEFAULT_HEAD_LIMIT = 16 * 1024
LINGER_SECONDS = 2.0
"""How long a refused connection is still read (and the bytes dropped) so its 431 arrives."""


HELD_WRITE_BYTES = 8 * 1024
"""Writes up to this size are held for the next one; larger ones go out at once."""
JOINED_WRITE_BYTES = 64 * 1024
"""A held write is joined with a next one up to this size (one copy); a larger one follows it."""


class _HeadJoiningTransport:
    """The transport as an answer's cycle sees it: a small write is held until the next write
    or the end of the loop's turn, so a head and its body leave in one ``send``. At most one
    small write is ever held; everything else is the connection's own transport."""

    def __init__(self, transport: asyncio.Transport) -> None:
        self._transport = transport
        self._held: bytes | None = None

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if self._held is not None:
            held, self._held = self._held, None
            if len(data) <= JOINED_WRITE_BYTES:
                data = held + bytes(data)
            else:  # a large body is not copied to save one small segment
                self._transport.write(held)
        elif len(data) <= HELD_WRITE_BYTES:
            self._held = bytes(data)
            asyncio.get_running_loop().call_soon(self.flush)
            return
        self._transport.write(data)

    def flush(self) -> None:
        """Send what is held (called at the end of the turn, and before closing)."""
        if self._held is not None:
            held, self._held = self._held, None
            if not self._transport.is_closing():
                self._transport.write(held)

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def write_eof(self) -> None:
        self.flush()
        self._transport.write_eof()

    def get_write_buffer_size(self) -> int:
        return self._transport.get_write_buffer_size() + len(self._held or b"")

    def __getattr__(self, name: str) -> object:
        return getattr(self._transport, name)


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    """httptools, with Nagle off and the request line plus headers bounded in size."""

    _head_bytes = 0
    """Bytes received since the body last progressed: a head, chunk framing, trailers."""
    _trailer_bytes: int | None = None
    """Parsed size of the trailers so far, once the head is complete (``None`` before)."""
    _refused = False

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)
        self._answer_transport = _HeadJoiningTransport(transport)

    @property
    def _head_limit(self) -> int:
        """The configured bound, or h11's own default (16 KiB) when none is set."""
        return self.config.h11_max_incomplete_event_size or DEFAULT_HEAD_LIMIT

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return  # the rest of a refused head: read and dropped until the connection closes
        self._head_bytes += len(data)
        super().data_received(data)
        limit = self._head_limit
        # An unfinished head is judged by the bytes received for it (what httptools buffers); a
        # complete one by its parsed size (a chunk that completes it may also carry body bytes).
        if (self._refused or self._head_bytes > limit) and not self.transport.is_closing():
            self._refused = True
            self._refuse_head(limit)

    def on_message_begin(self) -> None:
        if not self._refused:
            super().on_message_begin()

    def on_url(self, url: bytes) -> None:
        if not self._refused:
            super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        if self._refused:
            return
        if self._trailer_bytes is not None:  # a trailer, after a chunked body
            self._trailer_bytes += len(name) + len(value) + 4
            if self._trailer_bytes > self._head_limit:
                self._refused = True  # judged by their parsed size too: one read may hold many
                return
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._head_bytes = 0
        self._trailer_bytes = 0
        size = len(self.url) + sum(len(name) + len(value) + 4 for name, value in self.headers)
        if self._refused or size > self._head_limit:
            self._refused = True  # the app never sees this request, nor one pipelined after it
            return
        super().on_headers_complete()
        if self.cycle is not None:
            self.cycle.transport = self._answer_transport  # type: ignore[assignment]

    def on_body(self, body: bytes) -> None:
        if not self._refused:
            self._head_bytes = 0
            super().on_body(body)

    def on_message_complete(self) -> None:
        if self._refused:
            return
        super().on_message_complete()
        self._trailer_bytes = None
        self._head_bytes = 0  # what arrives next is the head of the next request

    def send_400_response(self, msg: str) -> None:
        """uvicorn's 400 for a request that does not parse (its own code, 0.55), with ``nosniff``:
        it is written before the app runs, so the app's security headers never see it."""
        content = [STATUS_LINE[400]]
        for name, value in self.server_state.default_headers:
            content.extend([name, b": ", value, b"\r\n"])
        content.extend(
            [
                b"content-type: text/plain; charset=utf-8\r\n",
                b"content-length: " + str(len(msg)).encode("ascii") + b"\r\n",
                b"x-content-type-options: nosniff\r\n",
                b"connection: close\r\n",
                b"\r\n",
                msg.encode("ascii"),
            ]
        )
        self.transport.write(b"".join(content))
        self.transport.close()

    def _refuse_head(self, limit: int) -> None:
        if self.cycle is not None and not self.cycle.response_complete:
            self.transport.close()  # an earlier pipelined answer is still being written
            return
        message = (
            f"431 Request Header Fields Too Large: the request line and headers together "
            f"exceed {limit} bytes\n"
        ).encode("ascii")
        self.logger.warning("Request head over %d bytes refused.", limit)
        self.transport.write(
            b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
            b"content-type: text/plain; charset=utf-8\r\n"
            b"content-length: " + str(len(message)).encode("ascii") + b"\r\n"
            b"x-content-type-options: nosniff\r\n"
            b"connection: close\r\n\r\n" + message
        )
        # Closing a socket with unread bytes sends a reset, which can destroy the answer in the
        # client's buffers before it is read: send FIN, drop what still arrives, close later.
        if self.transport.can_write_eof():  # not on TLS: there the close itself ends it
            self.transport.write_eof()
        asyncio.get_running_loop().call_later(LINGER_SECONDS, self.transport.close)
