"""What the query routes need from whatever evaluates their jobs: the embedded backend's pool of
killable worker processes, or the remote backend's runner that waits on the engine."""

from typing import Protocol

from sousei_kg.execution.jobs import QueryFailure, QueryJob, QueryOutcome
from sousei_kg.execution.pool import StreamedAnswer


class QueryRunner(Protocol):
    """Evaluates query jobs under a time limit (see ``WorkerPool.run`` for the contract)."""

    @property
    def size(self) -> int:
        """Queries evaluated at once (what the fair scheduler hands out)."""
        ...

    @property
    def network_isolated(self) -> bool:
        """Whether queries are evaluated where no network connection can be made."""
        ...

    @property
    def memory_limited(self) -> bool:
        """Whether each query is held to a memory limit."""
        ...

    async def start(self) -> None:
        """Get ready to evaluate (start processes, and so on)."""
        ...

    async def close(self) -> None:
        """Stop whatever :meth:`start` started."""
        ...

    async def run(
        self, job: QueryJob, timeout: float
    ) -> QueryOutcome | QueryFailure | StreamedAnswer:
        """Evaluate ``job`` within ``timeout`` seconds (a job without a cap may be streamed)."""
        ...
