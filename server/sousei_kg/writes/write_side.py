"""The server's side of the write process: start it, send it one write at a time, and stop or
replace it when it crashes or misses a write's time limit.

What a client is told (each a :class:`WriteFailedError` with a kind the error map turns into a
status):

* the write process answered a :class:`~sousei_kg.writes.orders.Refusal`: its kind (400 syntax,
  403 read-only graph, 409 SHACL report, 413 too large…); nothing changed;
* it did not answer within the write's time limit and had not reached its commit point: it is
  killed (so the write is wholly absent) and started again; ``deadline``, 503;
* it died during the write (a parser or the engine crashed on the payload, or it ran past its
  memory limit): ``crashed``, 400; nothing changed, and it is started again;
* it reached its commit point: the server waits for the end of the commit (without the write's
  time limit: a committed write is finished, after a crash too, from the journal).

Shutdown is prompt: :meth:`WriteSide.close` kills a process that has not reached the commit
point of its write, and gives one that has a few seconds to finish.
"""

import asyncio
import contextlib
import multiprocessing
import signal
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess

from sousei_kg.writes.orders import (
    Committing,
    ProcessSettings,
    Refusal,
    RefusalKind,
    WriteOrder,
    WriterReady,
)
from sousei_kg.writes.write_process import write_process_main
from sousei_kg.writes.writer import Commit

_CONTEXT = multiprocessing.get_context("spawn")
GRACE_SECONDS = 2.0
"""Past a write's time limit, how long the process may still take to refuse it itself."""
COMMIT_WAIT_SECONDS = 60.0
"""How long a write past its commit point may take to finish (applying a journalled change)."""
START_TIMEOUT_SECONDS = 300.0
"""How long the process may take to start (recovery, and validating a large store's baseline)."""


class WriteFailedError(Exception):
    """The write was not applied.

    Args:
        kind: why (see :data:`~sousei_kg.writes.orders.RefusalKind`).
        message: what to tell the client.
        report: for ``invalid-data``, the SHACL report as N-Triples.
    """

    def __init__(self, kind: RefusalKind, message: str, report: bytes | None = None) -> None:
        self.kind: RefusalKind = kind
        self.message = message
        self.report = report
        super().__init__(message)


class WriteSide:
    """The write process of a server with write tokens.

    Args:
        settings: what the process needs (the store, limits, confinement).
    """

    def __init__(self, settings: ProcessSettings) -> None:
        self.settings = settings
        self._process: BaseProcess | None = None
        self._conn: Connection | None = None
        self._lock = asyncio.Lock()
        self._committing = False
        self._closed = False
        self._waiting: asyncio.Future[object] | None = None
        self.network_isolated = False
        self.memory_limited = False
        self.current: Commit | None = None

    async def start(self) -> Commit:
        """Start the write process; returns the store's current state.

        Raises:
            OSError: if the process does not start (its error is in the log).
        """
        parent, child = _CONTEXT.Pipe()
        process = _CONTEXT.Process(
            target=write_process_main, args=(child, self.settings), daemon=True
        )
        process.start()
        child.close()
        try:
            ready = await asyncio.wait_for(self._receive(parent), START_TIMEOUT_SECONDS)
        except (TimeoutError, EOFError, OSError):
            _stop(process, parent)
            raise OSError(
                "the write process did not start (see the log above); is another server "
                f"writing {self.settings.directory}?"
            ) from None
        if not isinstance(ready, WriterReady):
            _stop(process, parent)
            raise OSError(f"the write process did not start: it sent {ready!r}")
        self._process, self._conn = process, parent
        self.network_isolated = ready.network_isolated
        self.memory_limited = ready.memory_limited
        self.current = ready.current
        return ready.current

    async def submit(self, order: WriteOrder) -> Commit:
        """Have the write process apply ``order``, one write at a time.

        Raises:
            WriteFailedError: the write was not applied (see the module docstring).
        """
        async with self._lock:
            if self._conn is None:
                await self._restart()
            conn = self._conn
            assert conn is not None  # noqa: S101 (started just above)
            self._committing = False
            try:
                conn.send(order)
                answer = await self._answer(conn, order.timeout + GRACE_SECONDS)
            except TimeoutError:
                await self._restart_unless_closed()
                raise WriteFailedError(
                    "deadline",
                    f"the write did not finish within its time limit of {order.timeout:g} s and "
                    "was stopped; nothing was changed: send a smaller write",
                ) from None
            except (EOFError, OSError):
                memory = self._died_of_memory()
                await self._restart_unless_closed()
                reason = (
                    "it needed more memory than a write may use"
                    if memory
                    else "it stopped the parser or the engine"
                )
                raise WriteFailedError(
                    "crashed", f"the write could not be processed: {reason}; nothing was changed"
                ) from None
            finally:
                self._committing = False
            if isinstance(answer, Refusal):
                raise WriteFailedError(answer.kind, answer.message, answer.report)
            self.current = answer
            return answer

    async def _answer(self, conn: Connection, timeout: float) -> Commit | Refusal:
        """The process's answer: within ``timeout`` until the commit point, then the commit's
        end (the write is finished even if this process dies now)."""
        message = await asyncio.wait_for(self._receive(conn), timeout)
        if isinstance(message, Committing):
            self._committing = True
            message = await asyncio.wait_for(self._receive(conn), COMMIT_WAIT_SECONDS)
        if not isinstance(message, Commit | Refusal):
            raise OSError(f"the write process sent {message!r}")
        return message

    async def _receive(self, conn: Connection) -> object:
        """The next message on ``conn``, without blocking the event loop (given up with
        ``EOFError`` when the process is killed meanwhile)."""
        loop = asyncio.get_running_loop()
        answer: asyncio.Future[object] = loop.create_future()
        self._waiting = answer
        fd = conn.fileno()

        def readable() -> None:
            loop.remove_reader(fd)
            if answer.done():
                return
            try:
                answer.set_result(conn.recv())
            except (EOFError, OSError) as error:
                answer.set_exception(error)

        loop.add_reader(fd, readable)
        try:
            return await answer
        finally:
            loop.remove_reader(fd)

    def _died_of_memory(self) -> bool:
        if self._process is None:
            return False
        self._process.join(timeout=5)
        return self._process.exitcode == -signal.SIGABRT

    async def _restart_unless_closed(self) -> None:
        if self._closed:
            self._kill()
            raise WriteFailedError(
                "unfinished-write", "the server is stopping; nothing was changed, try again"
            )
        await self._restart()

    async def _restart(self) -> None:
        """Kill the process (a write before its commit point is then wholly absent) and start
        another, which finishes any write past its commit point from the journal."""
        self._kill()
        await self.start()

    def _kill(self) -> None:
        if self._waiting is not None and not self._waiting.done():
            self._waiting.set_exception(EOFError("the write process was stopped"))
        if self._process is not None and self._conn is not None:
            with contextlib.suppress(ValueError, OSError):
                asyncio.get_running_loop().remove_reader(self._conn.fileno())
            _stop(self._process, self._conn)
        self._process, self._conn = None, None

    async def close(self) -> None:
        """Stop the process: at once, unless a write is past its commit point (then it gets a
        few seconds to finish; if it does not, the next start finishes it)."""
        self._closed = True
        if self._committing:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._lock.acquire(), 5)
        self._kill()


def _stop(process: BaseProcess, conn: Connection) -> None:
    with contextlib.suppress(OSError, ValueError):
        process.kill()
    process.join(timeout=5)
    conn.close()
