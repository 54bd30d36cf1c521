"""The access log: one JSON line per request, written to the ``sousei_kg.access`` logger when the
answer ends.

Why JSON lines: every field is escaped by one well-defined rule, so a path holding quotes, spaces,
``=`` or a line break can neither break a line nor forge a field, and every log shipper and ``jq``
reads it without a custom parser (logfmt has no single escaping rule).

A line, with ``ensure_ascii`` so that it is plain ASCII (no character a line splitter could take
for a line break)::

    {"time": "2026-12-03T13:16:14.123Z", "client": "203.0.113.7", "method": "GET",
     "path": "/doc/goal/1", "route": "/doc/{path}", "status": 200, "ms": 3.21,
     "bytes": 5120, "outcome": "complete"}

* ``client``: the address as the server resolved it (``scope["client"]``, which uvicorn's
  ``ProxyHeadersMiddleware`` rewrites for a trusted proxy; read when the answer ends, after it
  ran), or ``null``.
* ``path``: without the query string (it holds SPARQL queries and search terms, up to 32 KiB),
  cut at :data:`MAX_PATH_CHARS` characters (``…`` marks the cut), so a line stays bounded (about
  2 KiB at most) whatever the request.
* ``route``: the route template the router matched (``/doc/{path}``, ``/organisations/{slug}``),
  the exact path of a route answered on the lean path, or ``null`` when no route matched.
* ``status``: the status sent, ``null`` if none was.
* ``bytes``: body bytes handed to the server for this answer (after compression; none for
  ``HEAD``, whose body the server drops), counted as they go, never buffered.
* ``outcome``: ``complete`` (the last body part was sent), ``disconnected`` (the client went away
  before the end: a streamed answer stops then), ``error`` (the application raised; an error
  after the first byte breaks the answer off), ``cancelled`` (the server stopped the request), or
  ``incomplete`` (the application returned without finishing its answer).

The middleware is pure ASGI and outermost (``create_app``), so it sees every answer: the rate
limit's 429s, the protection's 413/414/408, the response cache's replays and the 500 of an
unexpected error. What it cannot see is what the HTTP protocol refuses before the application
runs (a 431 for an oversized head, a 400 for a malformed request): uvicorn logs those itself.
"""

import asyncio
import json
import logging
import time
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

ACCESS_LOGGER = "sousei_kg.access"
MAX_PATH_CHARS = 256
"""Longest path written; the rest is cut (a URL may be up to 32 KiB)."""
ROUTE_KEY = "sousei_kg.route"
"""Scope key where a layer that answers without the router (the lean path) names its route."""


def route_of(scope: Scope) -> str | None:
    """The route template that answered: the router's (``path_format``: ``/doc/{path}``), or
    the one a layer named under :data:`ROUTE_KEY`; ``None`` when no route matched."""
    named = scope.get(ROUTE_KEY)
    if isinstance(named, str):
        return named
    route = scope.get("route")
    template = getattr(route, "path_format", None) or getattr(route, "path", None)
    return template if isinstance(template, str) else None


def _bounded(path: str) -> str:
    return path if len(path) <= MAX_PATH_CHARS else path[:MAX_PATH_CHARS] + "…"


_ENCODE = json.JSONEncoder(ensure_ascii=True).encode
_second: list[tuple[int, str]] = [(-1, "")]
"""The last second formatted (formatting a date costs more than the rest of a line)."""


def utc_timestamp(now: float) -> str:
    """``now`` (seconds since the epoch) as ISO 8601 UTC with milliseconds."""
    second = int(now)
    cached, prefix = _second[0]
    if second != cached:
        prefix = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
        _second[0] = (second, prefix)
    return f"{prefix}.{int((now - second) * 1000):03d}Z"


def access_line(
    scope: Scope, *, status: int | None, milliseconds: float, sent: int, outcome: str
) -> str:
    """The JSON line for one finished request (see the module docstring)."""
    client = scope.get("client")
    record = {
        "time": utc_timestamp(time.time()),
        "client": client[0] if client else None,
        "method": scope.get("method"),
        "path": _bounded(scope.get("path", "")),
        "route": route_of(scope),
        "status": status,
        "ms": round(milliseconds, 2),
        "bytes": sent,
        "outcome": outcome,
    }
    return _ENCODE(record)


class AccessLogMiddleware:
    """Writes one access-log line per HTTP request when its answer ends.

    Args:
        app: the application.
        logger: where lines go (INFO); by default the ``sousei_kg.access`` logger.
        clock: monotonic seconds, for the duration (tests pass their own).
    """

    def __init__(
        self,
        app: ASGIApp,
        logger: logging.Logger | None = None,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.app = app
        self.logger = logger or logging.getLogger(ACCESS_LOGGER)
        self.clock = clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.logger.isEnabledFor(logging.INFO):
            await self.app(scope, receive, send)
            return
        started = self.clock()
        counts_body = scope.get("method") != "HEAD"  # the server sends no body for HEAD
        status: int | None = None
        sent = 0
        finished = disconnected = False

        async def watched_receive() -> Message:
            nonlocal disconnected
            message = await receive()
            if message["type"] == "http.disconnect" and not finished:
                disconnected = True  # uvicorn also says so once the answer is complete
            return message

        async def counted_send(message: Message) -> None:
            nonlocal status, sent, finished
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                sent += len(message.get("body", b"")) if counts_body else 0
                finished = finished or not message.get("more_body", False)
            await send(message)

        outcome = "incomplete"
        try:
            await self.app(scope, watched_receive, counted_send)
        except asyncio.CancelledError:
            outcome = "cancelled"
            raise
        except Exception:
            outcome = "error"
            raise
        else:
            outcome = "complete" if finished else outcome
        finally:
            if disconnected and not finished:
                outcome = "disconnected"
            milliseconds = (self.clock() - started) * 1000
            line = access_line(
                scope, status=status, milliseconds=milliseconds, sent=sent, outcome=outcome
            )
            write_line(self.logger, line)


def write_line(logger: logging.Logger, line: str) -> None:
    """Log one access line (also for the protocol's replays of cached answers)."""
    # makeRecord + handle rather than info(): info() also looks up the calling frame, about a
    # third of the cost of a line, and this line always comes from here.
    logger.handle(logger.makeRecord(logger.name, logging.INFO, __file__, 0, line, (), None))
