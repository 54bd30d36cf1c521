"""The worker process: holds its own store, evaluates jobs one at a time, and can be killed.

Started with the ``spawn`` method (no inherited threads or locks). Before it opens the store, a
worker tries to leave the network: on Linux, as root, ``unshare(CLONE_NEWNET)`` puts it in an empty
network namespace, so even a query that slipped past the SERVICE guard could not connect anywhere
(defence in depth). Where that is not permitted the worker runs on and reports it.
"""

import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

from pyoxigraph import Store

from sousei_kg.confinement import leave_network, lifted, limit_to_baseline_plus
from sousei_kg.dataset.graph_naming import load_shipped
from sousei_kg.errors import SouseiError
from sousei_kg.execution.evaluate import evaluate, stream
from sousei_kg.execution.heap import freeze_startup_objects, release_free_memory
from sousei_kg.execution.jobs import QueryJob
from sousei_kg.execution.union_copy import for_queries
from sousei_kg.store.directory import open_snapshot, open_store
from sousei_kg.store.large_stack import run_on_large_stack


@dataclass(frozen=True)
class StoreSource:
    """Where a worker gets its copy of the data: a snapshot of a store that a writer owns, a built
    store (opened read-only) or the shipped files (loaded into memory; ``resources`` replaces the
    shipped folders, as in Settings)."""

    store: Path | None = None
    resources: Path | None = None
    snapshot: Path | None = None
    quad_count: int | None = None
    """How many quads it holds, when known (the manifest's count): counting a large store takes
    seconds, and a worker only needs to know whether it is small (execution.union_copy)."""

    def open(self) -> Store:
        """Open or load the store."""
        if self.snapshot is not None:
            return open_snapshot(self.snapshot)
        if self.store is not None:
            return open_store(self.store)
        store = open_store(None)
        load_shipped(store, self.resources)
        return store


@dataclass(frozen=True)
class Reopen:
    """Message to a worker: drop your store and open ``source`` (a newer snapshot after a write).
    Answered ``("reopened", ok)``; cheaper than a new process, and keeps its network isolation."""

    source: StoreSource


LONG_QUERY_SECONDS = 0.2
"""After a query that ran longer, the worker gives its free memory back
(:mod:`sousei_kg.execution.heap`)."""


@dataclass(frozen=True)
class Ready:
    """A worker's first message: its store is open, and how it is confined."""

    network_isolated: bool
    memory_limited: bool


def worker_main(
    conn: Connection, source: StoreSource, isolate_network: bool, memory_budget: int = 0
) -> None:
    """Serve jobs from ``conn`` until it closes. First message sent: :class:`Ready`.

    ``memory_budget``: bytes one query may allocate above the worker's address space at rest
    (:mod:`sousei_kg.execution.memory_limit`); 0 sets no limit.
    """
    # Before any thread starts: a namespace is per thread, and threads inherit their creator's.
    isolated = leave_network() if isolate_network else False
    # The whole loop runs on one thread with the engine's large stack, so no query pays for
    # starting one (store/large_stack).
    run_on_large_stack(lambda: _serve(conn, source, isolated, memory_budget))


def _serve(conn: Connection, source: StoreSource, isolated: bool, memory_budget: int) -> None:
    queries = for_queries(source.open(), source.quad_count)
    freeze_startup_objects()
    limited = limit_to_baseline_plus(memory_budget)
    try:
        conn.send(Ready(isolated, limited))
        while True:
            message: QueryJob | Reopen = conn.recv()
            if isinstance(message, Reopen):
                with lifted():
                    try:
                        queries = for_queries(message.source.open(), message.source.quad_count)
                    except (OSError, SouseiError):
                        reopened = False  # it keeps serving the store it has
                    else:
                        reopened = True
                    release_free_memory()
                limit_to_baseline_plus(memory_budget)
                conn.send(("reopened", reopened))
                continue
            union = queries.union_in_default_graph
            started = time.monotonic()
            if message.row_cap == 0:  # no cap: sent on as it is written
                stream(queries.store, message, conn.send, union_in_default_graph=union)
            else:
                conn.send(evaluate(queries.store, message, union_in_default_graph=union))
            if time.monotonic() - started > LONG_QUERY_SECONDS:
                release_free_memory()  # a long query may have held much; cheap ones did not
    except (EOFError, OSError):
        return  # the pool closed the pipe: it stopped or replaced this worker
