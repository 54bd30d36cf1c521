"""The HTTP/1.1 protocol ``sousei-kg serve`` runs: uvicorn's httptools protocol, with Nagle off
on every connection, the request head bounded in size and in time, and connections capped.

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
* **A deadline for the request head** (``header_timeout``). uvicorn bounds only the idle time
  between two requests (``timeout_keep_alive``, armed when an answer ends and cancelled by the
  next byte); a new connection that sends nothing, or a head dripped one byte a second, stayed
  open for ever. Here a head must be complete within ``header_timeout``, counted from the
  connection's start for its first request and from the first byte of each next one (before
  that byte the keep-alive timeout governs, closing an idle connection silently as before). Past
  it the answer is 408 and the connection closes. The clock only runs while the server waits for
  the client: a head that begins while an earlier answer of the connection is still being
  written (pipelining) gets its full time from that answer's end. One timer per connection, and
  none for a kept-alive head that arrives in one read (the common case). A head that completed
  is not affected: its body has its own limit (:mod:`sousei_kg.http.body_guard`), the query its
  time limit.
* **Caps on open connections** (:mod:`sousei_kg.http.connection_limits`): overall and per client
  address, counted when a connection is made. One over a cap is answered 503 with
  ``Retry-After`` and closed at once, before anything of it is read or parsed; no task, no timer
  (its descriptor is what the cap protects).
* **An answer's head and body in one send.** uvicorn writes the status line and headers, then
  the body, with two ``transport.write`` calls: two system calls and two TCP segments per
  answer, and the client wakes twice. The head is held (it is small) until the body's first
  write joins it, or until the end of the event loop's turn if none comes
  (:mod:`sousei_kg.http.joined_writes`).
* **Cached answers written from here** (:mod:`sousei_kg.http.protocol_replay`): a repeated GET
  the response cache holds is answered as soon as its head is parsed, with every header the ASGI
  layers would add, the rate limit taken first; anything unusual goes the ASGI way.

Refusals (408, 503) are logged at most once per interval with a count
(:mod:`sousei_kg.http.log_throttle`): a flood is a line every few seconds, not one per attempt.
"""

import asyncio
import logging
import math
import socket
import weakref
from dataclasses import dataclass

from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol
from uvicorn.server import ServerState

from sousei_kg.config import Settings, get_settings
from sousei_kg.http.connection_limits import ConnectionGate, Refusal, Ticket
from sousei_kg.http.joined_writes import HeadJoiningTransport
from sousei_kg.http.log_throttle import ThrottledLog
from sousei_kg.http.protocol_replay import replayer_of

DEFAULT_HEAD_LIMIT = 16 * 1024
LINGER_SECONDS = 2.0
"""How long a refused connection is still read (and the bytes dropped) so its 431 or 408
arrives."""
REFUSAL_LOG_INTERVAL = 10.0
"""Seconds between two log lines about refused connections (408, 503) of one kind."""


@dataclass(frozen=True, slots=True)
class ConnectionLimits:
    """What one server's connections are held to, and the counts they share."""

    gate: ConnectionGate
    header_timeout: float
    timeouts: ThrottledLog
    """Log of heads cut at the deadline (408)."""
    refusals: ThrottledLog
    """Log of connections refused over a cap (503)."""


_LIMITS: weakref.WeakKeyDictionary[ServerState, ConnectionLimits] = weakref.WeakKeyDictionary()
"""Per uvicorn server (one per process): its connections share one gate."""


def limit_connections(
    server_state: ServerState, settings: Settings, loop: asyncio.AbstractEventLoop
) -> ConnectionLimits:
    """Set the limits for the connections of one uvicorn server (its ``ServerState``): the
    first connection does it with the process's settings; a test may do it first with its own."""
    logger = logging.getLogger("uvicorn.error")
    limits = ConnectionLimits(
        gate=ConnectionGate(
            settings.max_connections,
            settings.max_connections_per_address,
            settings.trusted_proxies,
        ),
        header_timeout=settings.header_timeout,
        timeouts=ThrottledLog(logger, REFUSAL_LOG_INTERVAL, loop),
        refusals=ThrottledLog(logger, REFUSAL_LOG_INTERVAL, loop),
    )
    _LIMITS[server_state] = limits
    return limits


def _plain_answer(status: bytes, message: str, headers: bytes = b"") -> bytes:
    """A complete ``text/plain`` answer that closes the connection, for refusals made before
    (or instead of) the app."""
    body = message.encode("utf-8")
    return (
        b"HTTP/1.1 " + status + b"\r\n"
        b"content-type: text/plain; charset=utf-8\r\n"
        b"content-length: "
        + str(len(body)).encode("ascii")
        + b"\r\n"
        + b"x-content-type-options: nosniff\r\n"
        + headers
        + b"connection: close\r\n\r\n"
        + body
    )


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    """httptools, with Nagle off, the request line plus headers bounded in size and in time,
    and the connections of a process capped overall and per address."""

    _head_bytes = 0
    """Bytes received since the body last progressed: a head, chunk framing, trailers."""
    _trailer_bytes: int | None = None
    """Parsed size of the trailers so far, once the head is complete (``None`` before)."""
    _refused = False
    _ticket: Ticket | None = None
    """This connection's place in the counts, handed back when it closes."""
    _head_started: float | None = None
    """Loop time the head in progress began (its clock's start); ``None`` between heads."""
    _head_timer: asyncio.TimerHandle | None = None
    _limits: ConnectionLimits
    _replayed = False
    """Whether the request being parsed was answered from the cache (it has no ASGI cycle)."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        limits = _LIMITS.get(self.server_state) or limit_connections(
            self.server_state, get_settings(), self.loop
        )
        self._limits = limits
        admission = limits.gate.admit(self.client[0] if self.client else None)
        if isinstance(admission, Refusal):
            self._refuse_connection(admission)
            return
        self._ticket = admission
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._answer_transport = HeadJoiningTransport(transport)
        self._head_started = self.loop.time()  # the first head's clock starts with the connection
        self._arm_head_deadline()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None
        if self._ticket is not None:
            self._limits.gate.release(self._ticket)
            self._ticket = None
        super().connection_lost(exc)

    def handle_websocket_upgrade(self) -> None:
        # The connection passes to another protocol, whose end this one never sees: uncount it
        # now (``serve`` runs with ``ws="none"``, so this is for other configurations).
        if self._ticket is not None:
            self._limits.gate.release(self._ticket)
            self._ticket = None
        super().handle_websocket_upgrade()

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
        elif self._head_started is not None and self._head_timer is None and not self._refused:
            self._arm_head_deadline()  # a next head began in this read and is not complete

    def on_message_begin(self) -> None:
        if self._refused:
            return
        if self._head_started is None:  # a next request: its clock starts with its first byte
            self._head_started = self.loop.time()
        # A replay in this read armed the keep-alive timer; this request is no idle time.
        self._unset_keepalive_if_required()
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
        self._head_started = None
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None
        self._head_bytes = 0
        self._trailer_bytes = 0
        size = len(self.url) + sum(len(name) + len(value) + 4 for name, value in self.headers)
        if self._refused or size > self._head_limit:
            self._refused = True  # the app never sees this request, nor one pipelined after it
            return
        if self._replay():
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
        if self._replayed:
            self._replayed = False  # answered already; no cycle waits for the body's end
        else:
            super().on_message_complete()
        self._trailer_bytes = None
        self._head_bytes = 0  # what arrives next is the head of the next request

    def _replay(self) -> bool:
        """Answer the request just parsed from the response cache, if it holds the answer and
        nothing about the request or the connection is unusual (then the app answers it)."""
        if (
            self.access_log  # uvicorn's own access log (serve turns it off)
            or self.limit_concurrency is not None
            or self._answering()  # pipelined behind an answer still being written
            or self.pipeline
            or self.flow.write_paused
            or self.transport.is_closing()
            or self.parser.get_http_version() != "1.1"
            or not self.parser.should_keep_alive()
            or self.parser.should_upgrade()
        ):
            return False
        replayer = replayer_of(self.app)
        if replayer is None or not replayer.answer(self, self._answer_transport.write_now):
            return False
        self._replayed = True
        self.on_response_complete()
        return True

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

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if (
            self._head_started is not None
            and self._head_timer is None
            and not self.transport.is_closing()
        ):
            # A next head began while this answer was written: the client could not be blamed
            # for the wait, so its clock starts now; it, not the keep-alive timer, governs.
            self._unset_keepalive_if_required()
            self._head_started = self.loop.time()
            self._arm_head_deadline()

    def _answering(self) -> bool:
        """Whether an answer of this connection is still being written (pipelining)."""
        return self.cycle is not None and not self.cycle.response_complete

    def _arm_head_deadline(self) -> None:
        """Start the timer of the head in progress, unless the server is the one being waited
        for (an earlier answer is still being written: :meth:`on_response_complete` arms it)."""
        if self._head_started is None or self._answering():
            return
        self._head_timer = self.loop.call_at(
            self._head_started + self._limits.header_timeout, self._head_deadline_passed
        )

    def _head_deadline_passed(self) -> None:
        self._head_timer = None
        if self._head_started is None or self._refused or self.transport.is_closing():
            return
        self._refused = True
        timeout = self._limits.header_timeout
        self._limits.timeouts.warning(
            f"{self._peer()}: request line and headers not complete within {timeout:g} s; "
            "answered 408 and closed"
        )
        answer = _plain_answer(
            b"408 Request Timeout",
            f"408 Request Timeout: the request line and headers did not arrive within "
            f"{timeout:g} s\n",
        )
        # Nothing of the head received (a silent connection): nothing unread, so close at once.
        self._send_and_close(answer, linger=self._head_bytes > 0)

    def _refuse_connection(self, refusal: Refusal) -> None:
        """Answer 503 to a connection over a cap and close it before reading anything of it."""
        self._refused = True
        limits = self._limits
        # A slot frees when an open connection ends: idle ones end within these times.
        retry = math.ceil(max(limits.header_timeout, self.timeout_keep_alive, 1))
        limits.refusals.warning(f"{self._peer()}: connection refused (503): {refusal.reason}")
        answer = _plain_answer(
            b"503 Service Unavailable",
            f"503 Service Unavailable: {refusal.reason}; try again in {retry} s\n",
            b"retry-after: " + str(retry).encode("ascii") + b"\r\n",
        )
        # Closed at once, not lingering: the descriptor is what the cap protects. Little if
        # anything has arrived yet, and a client reads the answer before a reset.
        self._send_and_close(answer, linger=False)

    def _peer(self) -> str:
        return self.client[0] if self.client else "a client"

    def _refuse_head(self, limit: int) -> None:
        if self.cycle is not None and not self.cycle.response_complete:
            self.transport.close()  # an earlier pipelined answer is still being written
            return
        self.logger.warning("Request head over %d bytes refused.", limit)
        answer = _plain_answer(
            b"431 Request Header Fields Too Large",
            f"431 Request Header Fields Too Large: the request line and headers together "
            f"exceed {limit} bytes\n",
        )
        self._send_and_close(answer, linger=True)

    def _send_and_close(self, answer: bytes, *, linger: bool) -> None:
        """Write a refusal and close. Closing a socket with unread bytes sends a reset, which can
        destroy the answer in the client's buffers before it is read; with ``linger`` send FIN,
        drop what still arrives (``_refused``), and close after :data:`LINGER_SECONDS`."""
        self.transport.write(answer)
        if not linger:
            self.transport.close()
            return
        if self.transport.can_write_eof():  # not on TLS: there the close itself ends it
            self.transport.write_eof()
        self.loop.call_later(LINGER_SECONDS, self.transport.close)
