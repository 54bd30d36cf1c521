"""An asyncio pool of killable query workers.

Each request takes an idle worker, sends it a job and waits for the answer without blocking the
event loop. If the time limit passes first, the worker is killed with SIGKILL (pyoxigraph cannot be
interrupted otherwise) and a replacement starts in the background, so the work really stops and the
other clients keep being served.

After a write, :meth:`WorkerPool.refresh` names a newer snapshot; each worker reopens its store on
it before its next query (milliseconds, same process), so every query that starts after the
refresh sees the write.
"""

import asyncio
import contextlib
import multiprocessing
import signal
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess

from sousei_kg.execution.jobs import (
    QueryFailure,
    QueryJob,
    QueryOutcome,
    StreamEnd,
    StreamStart,
)
from sousei_kg.execution.worker import Ready, Reopen, StoreSource, worker_main

_CONTEXT = multiprocessing.get_context("spawn")


class QueryTimeoutError(Exception):
    """The query ran past the time limit; its worker was killed."""


class PoolUnavailableError(Exception):
    """No worker could take the query (all busy past the limit, or a worker died)."""


class QueryMemoryError(Exception):
    """The query needed more memory than a query may have; its worker died of it and was
    replaced (pyoxigraph aborts the process when an allocation fails)."""


class StreamBrokenError(Exception):
    """A streamed answer could not be finished (time limit, engine error, worker died) after
    its first bytes were sent: the HTTP answer must be broken off, never ended as complete."""


@dataclass(frozen=True)
class StreamedAnswer:
    """An answer a worker sends on as it writes it (a job without a cap): what it is, then its
    body. The worker is busy until the body has been read to its end or abandoned."""

    start: StreamStart
    body: AsyncIterator[bytes]
    abandon: Callable[[], None] = lambda: None
    """Give up the answer without reading its body (a HEAD request): frees the worker now."""


class _Worker:
    """One worker process and the pipe to it.

    The event loop watches the pipe from the first exchange on, and keeps watching between
    exchanges: adding and removing the reader for every query cost two ``epoll_ctl`` calls and
    their bookkeeping (~6 % of an uncached query's time on the loop). A message that arrives
    while no exchange waits (the next chunk of an answer streamed to a slow client) stops the
    watch until the next exchange, and stays in the pipe: the pipe is the stream's back-pressure.
    """

    def __init__(
        self, process: BaseProcess, conn: Connection, ready: Ready, generation: int = 0
    ) -> None:
        self.process = process
        self.conn = conn
        self.isolated = ready.network_isolated
        self.memory_limited = ready.memory_limited
        self.generation = generation
        self._answer: asyncio.Future[object] | None = None
        """The exchange waiting for the worker's next message, if any."""
        self._watched_by: asyncio.AbstractEventLoop | None = None

    def died_of_memory(self) -> bool:
        """Whether the process ended by aborting (what pyoxigraph does when an allocation fails
        under the worker's memory limit)."""
        self.process.join(timeout=5)
        return self.process.exitcode == -signal.SIGABRT

    async def request(self, job: QueryJob) -> QueryOutcome | QueryFailure | StreamStart:
        answer = await self._exchange(job)
        assert isinstance(answer, QueryOutcome | QueryFailure | StreamStart)  # noqa: S101
        return answer

    async def receive(self) -> object:
        """The worker's next message (the rest of a streamed answer)."""
        return await self._exchange(None)

    async def reopen(self, source: StoreSource, generation: int) -> bool:
        """Make the worker read ``source``; returns whether it could."""
        answer = await self._exchange(Reopen(source))
        if answer == ("reopened", True):
            self.generation = generation
            return True
        return False

    async def _exchange(self, message: QueryJob | Reopen | None) -> object:
        """Send ``message`` (unless ``None``) and wait for the worker's next message."""
        loop = asyncio.get_running_loop()
        answer: asyncio.Future[object] = loop.create_future()
        self._answer = answer
        if message is not None:
            self.conn.send(message)
        if self._watched_by is None:
            loop.add_reader(self.conn.fileno(), self._readable)
            self._watched_by = loop
        try:
            return await answer
        finally:
            self._answer = None

    def _readable(self) -> None:
        answer = self._answer
        if answer is None or answer.done():
            self._unwatch()  # nobody asked yet: leave the message in the pipe
            return
        self._answer = None
        try:
            answer.set_result(self.conn.recv())
        except (EOFError, OSError) as error:
            self._unwatch()
            answer.set_exception(error)

    def _unwatch(self) -> None:
        if self._watched_by is not None:
            with contextlib.suppress(OSError, ValueError):
                self._watched_by.remove_reader(self.conn.fileno())
            self._watched_by = None

    def kill(self) -> None:
        self._unwatch()  # before the pipe closes: the loop must not watch a closed descriptor
        with contextlib.suppress(OSError, ValueError):
            self.process.kill()
        self.process.join(timeout=5)
        self.conn.close()


async def _no_chunks() -> AsyncIterator[bytes]:
    """The body of an answer that ended before its first chunk."""
    return
    yield  # makes this an async generator


class WorkerPool:
    """A fixed number of worker processes, each holding the store.

    Args:
        size: number of workers (queries evaluated in parallel).
        source: where workers load the data from.
        isolate_network: ask workers to enter an empty network namespace.
        memory_budget: bytes one query may allocate above a worker's memory at rest
            (:mod:`sousei_kg.execution.memory_limit`); 0: no limit.
    """

    def __init__(
        self,
        size: int,
        source: StoreSource,
        isolate_network: bool = True,
        memory_budget: int = 0,
    ) -> None:
        self.size = size
        self.source = source
        self.isolate_network = isolate_network
        self.memory_budget = memory_budget
        self._idle: asyncio.Queue[_Worker] = asyncio.Queue()
        self._workers: set[_Worker] = set()
        self._replacements: set[asyncio.Task[None]] = set()
        self._closed = False
        self._generation = 0

    def refresh(self, source: StoreSource) -> None:
        """Serve every query that starts from now on from ``source`` (a newer snapshot): each
        worker reopens it before its next query; workers that start later open it directly."""
        self.source = source
        self._generation += 1

    @property
    def network_isolated(self) -> bool:
        """Whether every live worker runs without network access."""
        return bool(self._workers) and all(w.isolated for w in self._workers)

    @property
    def memory_limited(self) -> bool:
        """Whether every live worker holds each query to the memory budget."""
        return bool(self._workers) and all(w.memory_limited for w in self._workers)

    def _memory_message(self) -> str:
        budget = self.memory_budget // (1024 * 1024)
        return (
            f"the query needed more memory than the limit of {budget} MiB per query and was "
            "stopped; make it more selective (LIMIT, fewer or shorter computed values)"
        )

    async def start(self) -> None:
        """Start all workers and wait until each has its store open."""
        workers = await asyncio.gather(*(self._spawn() for _ in range(self.size)))
        for worker in workers:
            self._idle.put_nowait(worker)

    async def _spawn(self) -> _Worker:
        parent, child = _CONTEXT.Pipe()
        generation = self._generation
        process = _CONTEXT.Process(
            target=worker_main,
            args=(child, self.source, self.isolate_network, self.memory_budget),
            daemon=True,
        )
        process.start()
        child.close()
        loop = asyncio.get_running_loop()
        ready = await loop.run_in_executor(None, parent.recv)
        if not isinstance(ready, Ready):
            raise OSError(f"a query worker did not start: it sent {ready!r}")
        worker = _Worker(process, parent, ready, generation)
        self._workers.add(worker)
        return worker

    def _replace(self, worker: _Worker) -> None:
        """Kill ``worker`` and start another in its place (once, however often it is called)."""
        if worker not in self._workers:
            return
        self._workers.discard(worker)
        worker.kill()
        if self._closed:
            return

        async def replacement() -> None:
            new = await self._spawn()
            self._idle.put_nowait(new)

        task = asyncio.get_running_loop().create_task(replacement())
        self._replacements.add(task)
        task.add_done_callback(self._replacements.discard)

    async def run(
        self, job: QueryJob, timeout: float
    ) -> QueryOutcome | QueryFailure | StreamedAnswer:
        """Evaluate ``job`` within ``timeout`` seconds (waiting for a free worker included).

        A job without a cap is answered as a :class:`StreamedAnswer` (unless the engine refuses
        it, or it is an ASK): its body must be read within the same ``timeout``, else it raises
        :class:`StreamBrokenError` and the worker is killed.

        Raises:
            QueryTimeoutError: the limit passed while the query ran (its worker was killed).
            PoolUnavailableError: no worker became free in time, or the worker died.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        worker = await self._idle_worker(timeout)
        try:
            # One timeout scope for the whole exchange: asyncio.wait_for wrapped each await in a
            # task of its own (three per query, each a turn of the event loop).
            async with asyncio.timeout_at(deadline):
                if worker.generation != self._generation and not await worker.reopen(
                    self.source, self._generation
                ):
                    raise OSError("the worker could not open the newest snapshot")
                result = await worker.request(job)
                if isinstance(result, StreamStart):
                    # Wait for the first chunk before answering: an error or the time limit
                    # before it still gets its proper status (400/500/503), not a 200 broken off.
                    first = await worker.receive()
        except TimeoutError:
            self._replace(worker)
            raise QueryTimeoutError(f"the query ran longer than the {timeout:g} s limit") from None
        except (EOFError, OSError):
            out_of_memory = worker.died_of_memory()
            self._replace(worker)
            if out_of_memory:
                raise QueryMemoryError(self._memory_message()) from None
            raise PoolUnavailableError("the query worker stopped unexpectedly") from None
        except BaseException:
            # Cancelled (the client went away): the worker may still be busy; replace it.
            self._replace(worker)
            raise
        if not isinstance(result, StreamStart):
            self._idle.put_nowait(worker)
            return result
        if isinstance(first, StreamEnd):
            self._idle.put_nowait(worker)
            if first.failed:
                return QueryFailure(
                    "engine",
                    "the query could not be evaluated",
                    form=result.form,
                    detail=first.detail,
                )
            return StreamedAnswer(result, _no_chunks())
        assert isinstance(first, bytes)  # noqa: S101 (worker protocol)
        # The watchdog replaces the worker at the deadline whatever becomes of the body: read
        # slowly, not read at all (a client gone before the answer started), or abandoned.
        watchdog = loop.call_at(deadline, self._replace, worker)

        def abandon() -> None:
            watchdog.cancel()
            self._replace(worker)

        body = self._stream_body(worker, first, watchdog, deadline, timeout)
        return StreamedAnswer(result, body, abandon)

    async def _idle_worker(self, timeout: float) -> _Worker:
        """An idle worker: at once when one is free, else the first freed within ``timeout``.

        Raises:
            PoolUnavailableError: none became free in time.
        """
        with contextlib.suppress(asyncio.QueueEmpty):
            return self._idle.get_nowait()
        try:
            async with asyncio.timeout(timeout):
                return await self._idle.get()
        except TimeoutError:
            raise PoolUnavailableError(
                "every query worker stayed busy past the time limit"
            ) from None

    async def _stream_body(
        self,
        worker: _Worker,
        first: bytes,
        watchdog: asyncio.TimerHandle,
        deadline: float,
        timeout: float,
    ) -> AsyncIterator[bytes]:
        """The chunks of a streamed answer, read as the client takes them (the pipe between the
        processes is the back-pressure: a worker ahead of its reader waits to send).

        ``watchdog`` replaces the worker at the deadline even while this generator is suspended
        (a client that stops reading would otherwise hold the worker for as long as it likes);
        the next read then fails and the answer is broken off."""
        loop = asyncio.get_running_loop()
        too_late = f"the answer was not finished within the {timeout:g} s limit"
        finished = False
        try:
            yield first
            while True:
                if loop.time() >= deadline:  # a worker that keeps sending never lets it time out
                    raise TimeoutError
                async with asyncio.timeout_at(deadline):
                    message = await worker.receive()
                if isinstance(message, StreamEnd):
                    finished = True  # the worker is healthy even if the engine failed
                    if message.failed:  # logged by the HTTP layer, never sent to the client
                        raise StreamBrokenError(
                            f"the engine failed while writing the answer ({message.detail})"
                        )
                    return
                assert isinstance(message, bytes)  # noqa: S101 (worker protocol)
                yield message
        except TimeoutError:
            raise StreamBrokenError(too_late) from None
        except (EOFError, OSError):  # also the pipe the watchdog closed at the deadline
            if loop.time() >= deadline:
                raise StreamBrokenError(too_late) from None
            raise StreamBrokenError("the query worker stopped unexpectedly") from None
        finally:
            watchdog.cancel()
            # A worker whose answer was not read to its end is still writing it: replace it.
            if finished:
                self._idle.put_nowait(worker)
            else:
                self._replace(worker)

    async def close(self) -> None:
        """Stop every worker."""
        self._closed = True
        for task in list(self._replacements):
            task.cancel()
        for worker in list(self._workers):
            worker.kill()
        self._workers.clear()
