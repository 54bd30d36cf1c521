"""Prometheus metrics: what operators need to see the load (``/metrics``, routes/metrics.py).

Defined once here and updated where things happen (the edge layer below for every request;
``http/query_answers`` for queries; the rate limit, the response cache and the failed
authentications where they decide). ``sousei-kg serve`` points ``PROMETHEUS_MULTIPROC_DIR`` at a
fresh folder before any server process starts, so with ``--workers N`` every process writes its
values there (prometheus-client's multiprocess mode) and a scrape of any process reads them all.
Without it (an app built in a test) the values are this process's.

Cardinality is bounded: the route label is the route template (``/doc/{path}``; a named query's
path; ``unmatched`` when nothing matched), the method one of the HTTP methods or ``other``, the
dataset version one value per release or write. Gauges of the query slots sum over the live
processes; the dataset version is 1 for the version some live process serves.

The per-request cost is one counter increment and one histogram observation on label children
remembered here (measured in ``bench/metrics_cost.py``: docs/deployment.md gives the numbers).
"""

import functools
import os
import time
from collections.abc import Callable

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sousei_kg.http.access_log import route_of

MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"})
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)

REQUESTS = Counter("sousei_http_requests", "HTTP requests answered", ["method", "route", "status"])
LATENCY = Histogram(
    "sousei_http_request_duration_seconds",
    "Time from a request's arrival to the end of its answer",
    ["route"],
    buckets=LATENCY_BUCKETS,
)
QUERY_SECONDS = Histogram(
    "sousei_query_duration_seconds",
    "Time a query took on its worker (or the remote engine), waiting excluded",
    buckets=LATENCY_BUCKETS,
)
QUERY_TIMEOUTS = Counter("sousei_query_timeouts", "Queries stopped at the time limit")
WORKER_KILLS = Counter(
    "sousei_query_worker_kills",
    "Query workers killed and replaced (time limit, memory limit, an answer not read in time)",
    ["reason"],
)
SLOTS = Gauge("sousei_query_slots", "Query slots (workers)", multiprocess_mode="livesum")
SLOTS_BUSY = Gauge("sousei_query_slots_busy", "Query slots in use", multiprocess_mode="livesum")
QUERIES_WAITING = Gauge(
    "sousei_query_waiting", "Queries waiting for a slot", multiprocess_mode="livesum"
)
QUERY_REFUSALS = Counter(
    "sousei_query_refusals",
    "Queries the fair scheduler refused (queue full, budget spent, no slot in time)",
    ["reason"],
)
CACHE_LOOKUPS = Counter("sousei_cache_lookups", "Lookups in the answer caches", ["cache", "result"])
PROTOCOL_REPLAYS = Counter(
    "sousei_protocol_replays",
    "Cached answers written by the HTTP protocol before the ASGI layers (also counted as hits)",
)
RATE_LIMITED = Counter(
    "sousei_rate_limit_refusals", "Requests refused by the rate limit (429)", ["cost_class"]
)
AUTH_FAILURES = Counter("sousei_auth_failures", "Failed authentications (write path, /metrics)")
DATASET_VERSION = Gauge(
    "sousei_dataset_version",
    "1 for the dataset version served (its hash in the label)",
    ["version"],
    multiprocess_mode="livemax",
)

_children: dict[tuple[str, str, int], tuple[Callable[[], None], Callable[[float], None]]] = {}
_version: list[str] = [""]


def _child(
    method: str, route: str, status: int
) -> tuple[Callable[[], None], Callable[[float], None]]:
    key = (method, route, status)
    found = _children.get(key)
    if found is None:
        found = (REQUESTS.labels(method, route, str(status)).inc, LATENCY.labels(route).observe)
        _children[key] = found
    return found


def served_version(version: str) -> None:
    """Say which dataset version this process serves (the last one said drops to 0)."""
    if version != _version[0]:
        if _version[0]:
            DATASET_VERSION.labels(_version[0]).set(0)
        DATASET_VERSION.labels(version).set(1)
        _version[0] = version


_slots_said: list[int | None] = [None, None, None]
"""The slot figures last written (size, busy, waiting): each write is a locked ``mmap`` write in
multiprocess mode, and most queries change one figure of three, or none."""


def slots(size: int, busy: int, waiting: int) -> None:
    """The query slots of this process now (only the figures that changed are written)."""
    for index, (gauge, value) in enumerate(
        ((SLOTS, size), (SLOTS_BUSY, busy), (QUERIES_WAITING, waiting))
    ):
        if _slots_said[index] != value:
            gauge.set(value)
            _slots_said[index] = value


def cache_lookup(cache: str, hit: bool) -> None:
    """Count a lookup in one of the answer caches (``response``, ``result``)."""
    _lookup_counter(cache, hit)()


@functools.cache
def _lookup_counter(cache: str, hit: bool) -> Callable[[], None]:
    """The counter of one cache and outcome (``labels()`` costs more than the count itself)."""
    return CACHE_LOOKUPS.labels(cache, "hit" if hit else "miss").inc


def exposition() -> tuple[bytes, str]:
    """The metrics in Prometheus's text format: every process's in multiprocess mode."""
    if os.environ.get(MULTIPROCESS_ENV):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


def process_ended() -> None:
    """Drop this process's live gauges (called when a server process shuts down)."""
    if os.environ.get(MULTIPROCESS_ENV):
        multiprocess.mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]


class MetricsMiddleware:
    """Counts every HTTP request by method, route template and status, and times it (from its
    arrival to the end of its answer). An edge layer (``http/edge.py``): it sees every answer."""

    def __init__(self, app: ASGIApp, clock: Callable[[], float] = time.perf_counter) -> None:
        self.app = app
        self.clock = clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = self.clock()
        status = 500

        async def counted_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, counted_send)
        finally:
            app = scope.get("app")
            graph = getattr(getattr(app, "state", None), "knowledge_graph", None)
            count_request(
                scope["method"],
                route_of(scope) or "unmatched",
                status,
                self.clock() - started,
                None if graph is None else graph.version,
            )


def count_request(
    method: str, route: str, status: int, seconds: float, version: str | None
) -> None:
    """Count one answered request and its time, and note the dataset version served: what the
    middleware does for every request, and the protocol's replay of a cached answer for its own
    (:mod:`sousei_kg.http.protocol_replay`)."""
    count, observe = _child(method if method in METHODS else "other", route, status)
    count()
    observe(seconds)
    if version is not None and version != _version[0]:
        served_version(version)
