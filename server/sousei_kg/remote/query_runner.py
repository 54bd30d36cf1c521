"""Query jobs on the remote backend: the same ``run(job, timeout)`` as the worker pool, evaluated
on threads that wait for the engine instead of on killable processes.

Nothing local needs killing here: the work happens in the engine. The time limit is enforced
three times over: as the engine's own per-query limit where it has one (Virtuoso, Fuseki), as the
socket timeout of the request, and here, where the client gets its 503 at the deadline even if a
thread is still waiting (it ends at its socket timeout).
"""

from sousei_kg.execution.jobs import QueryFailure, QueryJob, QueryOutcome
from sousei_kg.execution.pool import PoolUnavailableError, QueryTimeoutError
from sousei_kg.execution.thread_runner import ThreadRunner
from sousei_kg.remote.sparql_client import (
    RemoteRefusedError,
    RemoteTimeoutError,
    RemoteUnavailableError,
)


class RemoteQueryRunner(ThreadRunner):
    """Evaluates query jobs against a :class:`RemoteStore`, at most ``size`` at a time, and turns
    what the engine says into the pool's outcomes and errors."""

    async def run(self, job: QueryJob, timeout: float) -> QueryOutcome | QueryFailure:
        """Evaluate ``job`` on the engine within ``timeout`` seconds (waiting included).

        Raises:
            QueryTimeoutError: the limit passed before the engine answered.
            PoolUnavailableError: the engine cannot be reached, failed, or broke off its answer.
        """
        try:
            result = await super().run(job, timeout)
        except RemoteTimeoutError:
            raise QueryTimeoutError(f"the query ran longer than the {timeout:g} s limit") from None
        except RemoteRefusedError as error:
            return QueryFailure("refused", error.message)
        except RemoteUnavailableError as error:
            raise PoolUnavailableError(str(error)) from None
        if isinstance(result, QueryFailure) and result.kind == "engine":
            # The answer broke off while it was read: Oxigraph server, past its --timeout-s, ends
            # a 200 answer with "The SPARQL operation has been cancelled" instead of the rest.
            raise PoolUnavailableError("the SPARQL engine's answer broke off before its end")
        return result
