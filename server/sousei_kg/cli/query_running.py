"""Running one query for ``sousei-kg query``: in a killable worker, under the server's time limit,
with a progress indicator once it has run for a second.

The server evaluates every query in a worker process that is killed at the time limit (30 s by
default): pyoxigraph cannot be interrupted otherwise. The CLI does the same with a pool of one
worker (:class:`~sousei_kg.execution.pool.WorkerPool`, loading the same store), so a runaway
query stops as it does on the server instead of running forever. ``--timeout 0`` evaluates in
this process without a limit (no worker to start: quicker for small queries, and unstoppable).
"""

import asyncio
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

from rich.console import Console

from sousei_kg.execution.evaluate import evaluate
from sousei_kg.execution.jobs import QueryFailure, QueryJob, QueryOutcome
from sousei_kg.execution.pool import (
    PoolUnavailableError,
    QueryMemoryError,
    QueryTimeoutError,
    StreamBrokenError,
    StreamedAnswer,
    WorkerPool,
)
from sousei_kg.execution.worker import StoreSource
from sousei_kg.store.readable import ReadableStore

PROGRESS_AFTER_SECONDS = 1.0
"""A query still running after this long shows a progress indicator on standard error."""
TICK_SECONDS = 0.25


class QueryStoppedError(Exception):
    """The query could not finish: past the time limit, out of memory, or its worker died; the
    message says which and what to do."""


Progress = Callable[[float], None]
"""Called with the seconds a query has run, every tick once it has run for a second."""


@contextmanager
def progress_on(stream: TextIO, timeout: float) -> Iterator[Progress]:
    """A progress indicator on ``stream`` (standard error): a spinner with the elapsed time on a
    terminal; on anything else one line, once (a log file is not filled with ticks)."""
    limit = f" (time limit {timeout:g} s)" if timeout else ""
    if stream.isatty():
        console = Console(file=stream)
        status = console.status("")
        started = False

        def tick(elapsed: float) -> None:
            nonlocal started
            status.update(f"running the query… {elapsed:.0f} s{limit}")
            if not started:
                status.start()
                started = True

        try:
            yield tick
        finally:
            if started:
                status.stop()
        return
    said = False

    def say_once(_elapsed: float) -> None:
        nonlocal said
        if not said:
            stream.write(f"running the query…{limit}\n")
            stream.flush()
            said = True

    yield say_once


def run_job(
    job: QueryJob,
    source: StoreSource,
    store: ReadableStore,
    timeout: float,
    stream: TextIO | None = None,
) -> QueryOutcome | QueryFailure:
    """Evaluate ``job`` and return its outcome (a whole answer, never streamed).

    Args:
        job: the query and the formats it may be written in.
        source: where a worker loads the data from (the same as ``store``).
        store: the data, for ``timeout`` 0 (evaluated here).
        timeout: the time limit in seconds; 0: none (evaluated in this process).
        stream: where progress goes (standard error).

    Raises:
        QueryStoppedError: the query ran past the limit, ran out of memory, or its worker died.
    """
    if timeout <= 0:
        return evaluate(store, job)
    with progress_on(stream or sys.stderr, timeout) as progress:
        return asyncio.run(_in_worker(job, source, timeout, progress))


async def _in_worker(
    job: QueryJob, source: StoreSource, timeout: float, progress: Progress
) -> QueryOutcome | QueryFailure:
    pool = WorkerPool(1, source, isolate_network=False)
    await pool.start()
    started = time.monotonic()
    try:
        running = asyncio.ensure_future(pool.run(job, timeout))
        while not running.done():
            await asyncio.wait({running}, timeout=TICK_SECONDS)
            elapsed = time.monotonic() - started
            if not running.done() and elapsed >= PROGRESS_AFTER_SECONDS:
                progress(elapsed)
        result = running.result()
        if isinstance(result, StreamedAnswer):
            body = b"".join([chunk async for chunk in result.body])
            return QueryOutcome(result.start.form, result.start.format_key, body, 0, False)
        return result
    except QueryTimeoutError:
        raise QueryStoppedError(
            f"the query exceeded the time limit of {timeout:g} s and was stopped; make it more "
            "selective (LIMIT, a narrower pattern) or give it longer with --timeout"
        ) from None
    except (QueryMemoryError, PoolUnavailableError, StreamBrokenError) as error:
        raise QueryStoppedError(str(error)) from None
    finally:
        await pool.close()
