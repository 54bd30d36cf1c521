"""Query jobs on the remote backend: the same ``run(job, timeout)`` as the worker pool, evaluated
on threads that wait for the engine instead of on killable processes.

Nothing local needs killing here: the work happens in the engine. The time limit is enforced
three times over: as the engine's own per-query limit where it has one (Virtuoso, Fuseki), as the
socket timeout of the request, and here, where the client gets its 503 at the deadline even if a
thread is still waiting (it ends at its socket timeout).
"""

import asyncio

from sousei_kg.execution.evaluate import evaluate
from sousei_kg.execution.jobs import QueryFailure, QueryJob, QueryOutcome
from sousei_kg.execution.pool import PoolUnavailableError, QueryTimeoutError
from sousei_kg.remote.remote_store import RemoteStore
from sousei_kg.remote.sparql_client import (
    RemoteRefusedError,
    RemoteTimeoutError,
    RemoteUnavailableError,
)


class RemoteQueryRunner:
    """Evaluates query jobs against a :class:`RemoteStore`, at most ``size`` at a time.

    Args:
        store: the remote store.
        size: queries sent to the engine at once; more wait, within their time limit.
    """

    network_isolated = False
    """The server itself talks to the engine, so nothing runs without network."""

    def __init__(self, store: RemoteStore, size: int) -> None:
        self.store = store
        self.size = max(size, 1)
        self._slots = asyncio.Semaphore(self.size)

    async def start(self) -> None:
        """Nothing to start: connections are made per query."""

    async def close(self) -> None:
        """Nothing to stop."""

    async def run(self, job: QueryJob, timeout: float) -> QueryOutcome | QueryFailure:
        """Evaluate ``job`` on the engine within ``timeout`` seconds (waiting included).

        Raises:
            QueryTimeoutError: the limit passed before the engine answered.
            PoolUnavailableError: the engine cannot be reached or failed.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        try:
            await asyncio.wait_for(self._slots.acquire(), timeout)
        except TimeoutError:
            raise PoolUnavailableError(
                "every connection to the SPARQL engine stayed busy past the time limit"
            ) from None
        try:
            result = await asyncio.wait_for(
                asyncio.to_thread(evaluate, self.store, job),
                max(deadline - loop.time(), 0.001),
            )
        except (TimeoutError, RemoteTimeoutError):
            raise QueryTimeoutError(f"the query ran longer than the {timeout:g} s limit") from None
        except RemoteRefusedError as error:
            return QueryFailure("refused", error.message)
        except RemoteUnavailableError as error:
            raise PoolUnavailableError(str(error)) from None
        finally:
            self._slots.release()
        if isinstance(result, QueryFailure) and result.kind == "engine":
            # The answer broke off while it was read: Oxigraph server, past its --timeout-s, ends
            # a 200 answer with "The SPARQL operation has been cancelled" instead of the rest.
            raise PoolUnavailableError("the SPARQL engine's answer broke off before its end")
        return result
