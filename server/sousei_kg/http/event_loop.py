"""The event loop of a serving process: asyncio's selector loop, with a failing ``accept()``
retried once a second and logged once per interval, not once per attempt.

When ``accept()`` fails for lack of a resource (EMFILE or ENFILE "Too many open files", ENOBUFS,
ENOMEM), asyncio's loop reports it to the loop's exception handler, whose default logs an error
with a full traceback, stops watching the listening socket and schedules a retry a second later.
CPython 3.11 then goes on calling ``accept()`` in the same turn, up to the listen backlog
(python/cpython#151615): each failure reports again and schedules one more retry, each retry
wakes the loop into as many failures, and the retries multiply. Measured here with 300
connections waiting and the process out of descriptors: 52,000 failed accepts in 10 s, and at
shutdown 6,576 pending retries each logged a traceback of their own for the closed socket
(10 MB of log). Issue 14 saw 150 MB in 60 s.

So the serving loop (:class:`ServingEventLoop`) does three things:

* after one resource error, the rest of that turn's attempts see "nothing pending"
  (:class:`_ListenerAfterFailure`), and the turn schedules one retry, its own: asyncio's are
  dropped. The listening socket is watched again :data:`ACCEPT_RETRY_SECONDS` later (the listen
  queue holds new connections meanwhile), once per failure, never more;
* a retry that comes due after its listening socket was closed (shutdown) does nothing;
* :class:`AcceptErrorHandler` logs the reports as one warning line per interval with a count
  (:class:`~sousei_kg.http.log_throttle.ThrottledLog`), and passes every other exception to the
  default handler unchanged.

``sousei-kg serve`` names :func:`new_event_loop` as uvicorn's loop (``loop=`` takes the import
string of a function that makes one), so every server process, each of ``--workers N`` too, runs
on it from its start.
"""

import asyncio
import errno
import logging
import socket
from typing import Any

from sousei_kg.http.log_throttle import ThrottledLog

ACCEPT_ERROR_INTERVAL = 10.0
"""Seconds between two log lines about failing ``accept()`` calls."""
ACCEPT_RETRY_SECONDS = 0.1
"""After a failed ``accept()``, the listening socket is watched again this much later (asyncio
waits 1 s: a connection that closed frees a descriptor long before, and the listen queue would
drain at one round a second)."""
RESOURCE_ERRNOS = frozenset({errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM})
"""The errors asyncio's accept loop survives (it retries after a pause) and reports."""

logger = logging.getLogger("uvicorn.error")


def is_accept_resource_error(context: dict[str, Any]) -> bool:
    """Whether an exception-handler context is asyncio reporting ``accept()`` out of a resource."""
    exception = context.get("exception")
    return (
        isinstance(exception, OSError)
        and exception.errno in RESOURCE_ERRNOS
        and str(context.get("message", "")).startswith("socket.accept()")
    )


class AcceptErrorHandler:
    """A loop exception handler: accept errors throttled, everything else to the default."""

    def __init__(self, log: ThrottledLog) -> None:
        self._log = log

    def __call__(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        if not is_accept_resource_error(context):
            loop.default_exception_handler(context)
            return
        error: OSError = context["exception"]
        name = errno.errorcode.get(error.errno or 0, str(error.errno))
        self._log.warning(
            f"accept() failed: {name} {error.strerror}; new connections wait in the listen "
            f"queue, retried every {ACCEPT_RETRY_SECONDS:g} s (raise the open-file limit or "
            "lower --max-connections)"
        )


class _ListenerAfterFailure:
    """A listening socket as one turn of asyncio's accept loop sees it: once ``accept()`` has
    failed for lack of a resource, later calls raise ``BlockingIOError`` ("nothing pending"),
    which ends the turn. Everything else is the socket itself."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.failed = False
        """Whether an ``accept()`` of this turn failed for lack of a resource."""

    def accept(self) -> tuple[socket.socket, Any]:
        if self.failed:
            raise BlockingIOError(errno.EAGAIN, "not accepting until the retry")
        try:
            return self.sock.accept()
        except OSError as error:
            self.failed = error.errno in RESOURCE_ERRNOS
            raise

    def fileno(self) -> int:
        return self.sock.fileno()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.sock, name)


class ServingEventLoop(asyncio.SelectorEventLoop):
    """asyncio's selector loop whose accept loop stops at the first resource error of a turn,
    with one retry per failure (see the module's docstring)."""

    def _accept_connection(self, protocol_factory: Any, sock: Any, *args: Any, **kw: Any) -> None:
        listener = _ListenerAfterFailure(sock)
        super()._accept_connection(protocol_factory, listener, *args, **kw)  # type: ignore[misc]
        if listener.failed:  # asyncio stopped watching the socket: watch it again soon
            self.call_later(
                ACCEPT_RETRY_SECONDS, self._retry_accepting, protocol_factory, sock, args, kw
            )

    def _start_serving(self, protocol_factory: Any, sock: Any, *args: Any, **kw: Any) -> None:
        if isinstance(sock, _ListenerAfterFailure):
            return  # asyncio's own retry after a failure: the one above stands in for it
        super()._start_serving(protocol_factory, sock, *args, **kw)  # type: ignore[misc]

    def _retry_accepting(
        self, protocol_factory: Any, sock: socket.socket, args: Any, kw: dict[str, Any]
    ) -> None:
        if sock.fileno() == -1:  # closed (shutdown) while the retry was pending
            return
        # _start_serving takes the parameters _accept_connection does (it hands them on).
        super()._start_serving(protocol_factory, sock, *args, **kw)  # type: ignore[misc]


def new_event_loop() -> asyncio.AbstractEventLoop:
    """A :class:`ServingEventLoop` (never uvloop: the query pool is asyncio-only) whose exception
    handler logs accept errors once per :data:`ACCEPT_ERROR_INTERVAL`."""
    loop = ServingEventLoop()
    loop.set_exception_handler(
        AcceptErrorHandler(ThrottledLog(logger, ACCEPT_ERROR_INTERVAL, loop))
    )
    return loop
