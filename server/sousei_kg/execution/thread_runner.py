"""Query jobs evaluated on threads of the serving process, within a time limit.

Used by the remote backend (the work happens in the engine, so nothing local needs killing) and by
``--query-workers 0`` (in-process evaluation of the embedded store). The latter exists to measure
what the killable worker processes cost (docs/performance.md): a thread cannot be stopped, so a
query past the time limit is answered 503 but keeps a core busy until it ends, and no query runs
without network. It is refused for a server with write tokens, and never meant for a public
endpoint.
"""

import asyncio

from sousei_kg.execution.evaluate import evaluate
from sousei_kg.execution.jobs import QueryFailure, QueryJob, QueryOutcome
from sousei_kg.execution.pool import PoolUnavailableError, QueryTimeoutError
from sousei_kg.store.readable import ReadableStore


class ThreadRunner:
    """Evaluates query jobs against ``store`` on threads, at most ``size`` at a time.

    Args:
        store: the store (embedded or remote).
        size: queries evaluated at once; more wait, within their time limit.
        union_in_default_graph: the store's default graph holds the union of its graphs
            (:mod:`sousei_kg.execution.union_copy`), as in the worker processes.
    """

    network_isolated = False
    """Threads share the server's network access."""
    memory_limited = False
    """Threads share the server's memory: no query has a limit of its own."""

    def __init__(
        self, store: ReadableStore, size: int, *, union_in_default_graph: bool = False
    ) -> None:
        self.store = store
        self.union_in_default_graph = union_in_default_graph
        self.size = max(size, 1)
        self._slots = asyncio.Semaphore(self.size)

    async def start(self) -> None:
        """Nothing to start."""

    async def close(self) -> None:
        """Nothing to stop."""

    async def run(self, job: QueryJob, timeout: float) -> QueryOutcome | QueryFailure:
        """Evaluate ``job`` within ``timeout`` seconds (waiting for a slot included).

        Raises:
            QueryTimeoutError: the limit passed first (the thread runs on to its end).
            PoolUnavailableError: no slot became free within the limit.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        try:
            await asyncio.wait_for(self._slots.acquire(), timeout)
        except TimeoutError:
            raise PoolUnavailableError("every query slot stayed busy past the time limit") from None
        try:
            return await asyncio.wait_for(
                asyncio.to_thread(
                    evaluate, self.store, job, union_in_default_graph=self.union_in_default_graph
                ),
                max(deadline - loop.time(), 0.001),
            )
        except TimeoutError:
            raise QueryTimeoutError(f"the query ran longer than the {timeout:g} s limit") from None
        finally:
            self._slots.release()
