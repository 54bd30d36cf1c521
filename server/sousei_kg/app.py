"""The ASGI application: ``create_app(settings)`` wires the routers, middleware and the store."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.middleware.gzip import GZipMiddleware
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from sousei_kg import __version__
from sousei_kg.config import Settings, get_settings
from sousei_kg.dataset.knowledge_graph import open_knowledge_graph
from sousei_kg.execution.fair_share import FairScheduler
from sousei_kg.execution.heap import freeze_startup_objects, limit_malloc_arenas
from sousei_kg.execution.pool import WorkerPool
from sousei_kg.execution.result_cache import ResultCache
from sousei_kg.execution.runner import QueryRunner
from sousei_kg.execution.thread_runner import ThreadRunner
from sousei_kg.execution.union_copy import for_queries
from sousei_kg.execution.worker import StoreSource
from sousei_kg.http import metrics
from sousei_kg.http.access_log import AccessLogMiddleware
from sousei_kg.http.auth_failures import AuthFailures
from sousei_kg.http.cors import SplitCORS
from sousei_kg.http.dataset_version import DatasetVersionMiddleware
from sousei_kg.http.direct_routes import DirectRoutes, Endpoint, check_endpoint
from sousei_kg.http.edge import EdgeApp, Layer
from sousei_kg.http.errors import install as install_error_map
from sousei_kg.http.head_requests import HeadAsGet
from sousei_kg.http.protection import ProtectionMiddleware
from sousei_kg.http.response_cache import ResponseCacheMiddleware
from sousei_kg.http.security_headers import SecurityHeadersMiddleware
from sousei_kg.named_queries.catalogue import catalog_for
from sousei_kg.remote.graph import open_remote_graph
from sousei_kg.remote.query_runner import RemoteQueryRunner
from sousei_kg.remote.remote_store import RemoteStore
from sousei_kg.routes import (
    api_docs,
    dataset,
    editor,
    fragments,
    health,
    kpis,
    ldes,
    organisations,
    site,
    tables,
    web,
)
from sousei_kg.routes import graph_store as graph_store_routes
from sousei_kg.routes import metrics as metrics_routes
from sousei_kg.routes import queries as query_routes
from sousei_kg.routes import resources as resource_routes
from sousei_kg.routes import search as search_routes
from sousei_kg.routes import sparql as sparql_routes
from sousei_kg.routes import update as update_routes
from sousei_kg.routes import vocabulary as vocabulary_routes
from sousei_kg.routes._writes import close_write_side, open_write_side
from sousei_kg.routes.query_downloads import MEDIA_TYPES as DOWNLOAD_FORMATS
from sousei_kg.routes.query_downloads import QueryDownload

STATIC = Path(__file__).parent / "web" / "static"
IN_PROCESS_SLOTS = 4
"""Queries evaluated at once with ``--query-workers 0`` (threads; see execution/thread_runner)."""
# Headers browser scripts on other origins may read: a client must be able to tell a capped
# answer from a complete one (for CSV and TSV the headers are the only signal).
EXPOSED_HEADERS = [
    "X-Dataset-Version",
    "ETag",
    "Last-Modified",
    "Link",
    "Content-Disposition",
    "X-Result-Truncated",
    "X-Result-Limit",
    "X-Result-Byte-Limit",
    "X-Query-Time-Limit",
    "X-Query-Hint",
    "Retry-After",
]


def direct_routes(settings: Settings) -> list[tuple[tuple[str, ...], str, Endpoint]]:
    """The query routes answered on the lean path (sousei_kg.http.direct_routes): the SPARQL
    endpoint and each named query, by the same endpoint functions their FastAPI routes declare."""
    sparql = [
        (("GET", "HEAD", "POST"), path, sparql_routes.sparql_query) for path in sparql_routes.PATHS
    ]
    named: list[tuple[tuple[str, ...], str, Endpoint]] = [
        (("GET", "HEAD"), f"/queries/{query.name}", query_routes.QueryOperation(query))
        for query in catalog_for(settings.resources)
    ]
    named += [  # the same queries at URLs that name their format (routes/query_downloads.py)
        (("GET", "HEAD"), f"/queries/{query.name}.{kind}", QueryDownload(query, kind))
        for query in catalog_for(settings.resources)
        for kind in DOWNLOAD_FORMATS
    ]
    for _methods, _path, endpoint in (*sparql, *named):
        check_endpoint(endpoint)  # fails the start-up, not a request
    return [*sparql, *named]


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the application. The store is opened when the app starts (its lifespan)."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        limit_malloc_arenas()  # before the thread pool's threads exist
        source = await open_write_side(app, settings)  # the write process, if writes are on
        if source is None:
            app.state.knowledge_graph = (
                open_remote_graph(settings)
                if settings.backend == "remote"
                else open_knowledge_graph(settings)
            )
            source = StoreSource(
                store=settings.store,
                resources=settings.resources,
                quad_count=app.state.knowledge_graph.quad_count,
            )
        pool: QueryRunner
        store = app.state.knowledge_graph.store
        if isinstance(store, RemoteStore):
            pool = RemoteQueryRunner(store, settings.query_workers)
        elif settings.query_workers == 0:
            # Measuring only (nothing is killable); queried like the workers query (union copy).
            queries = for_queries(store, app.state.knowledge_graph.quad_count)
            pool = ThreadRunner(
                queries.store,
                IN_PROCESS_SLOTS,
                union_in_default_graph=queries.union_in_default_graph,
            )
        else:
            pool = WorkerPool(
                settings.query_workers,
                source,
                isolate_network=settings.isolate_network,
                memory_budget=settings.query_memory_mib * 1024 * 1024,
            )
        await pool.start()
        app.state.query_pool = pool
        app.state.scheduler = FairScheduler(
            pool.size,
            queue_timeout=min(settings.query_queue_timeout, settings.query_timeout),
            max_waiting_per_client=settings.max_waiting_queries,
            seconds_per_minute=settings.query_seconds_per_minute,
        )
        metrics.served_version(app.state.knowledge_graph.version)
        metrics.slots(pool.size, 0, 0)
        freeze_startup_objects()
        try:
            yield
        finally:
            await pool.close()
            await close_write_side(app)
            metrics.process_ended()

    app = EdgeApp(
        title="sousei-kg",
        version=__version__,
        summary="The linked-open-data knowledge graph of Japan's Regional Revitalization strategy",
        description=(
            "SPARQL 1.1 endpoint, dereferenceable resources, named queries and dataset "
            "descriptions for 地方創生に関する総合戦略 (FY2025–FY2029)."
        ),
        lifespan=lifespan,
        # FastAPI's explorers load from a CDN; routes/api_docs serves Swagger UI from here.
        docs_url=None,
        redoc_url=None,
        # FastAPI's own OpenTelemetry is off: the server's metrics are Prometheus (/metrics), it
        # sends nothing anywhere (no exporter may be switched on by FASTAPI_OTEL_AUTO_CONFIGURE),
        # and asking for the providers on every request cost ~2 % of an uncached query.
        telemetry={
            "tracing": False,
            "metrics": False,
            "logs": False,
            "operation_spans": False,
            "auto_configure": False,
        },
    )
    app.state.settings = settings
    app.state.result_cache = ResultCache(settings.result_cache_bytes)
    app.state.auth_failures = AuthFailures(max_failures=settings.auth_failure_limit)
    # Innermost (added first): HEAD on any path GET answers, then the hot query routes, which
    # skip the router but not the layers below.
    app.add_middleware(HeadAsGet, routes=app.router.routes)
    app.add_middleware(DirectRoutes, routes=direct_routes(settings))
    # Level 6 (zlib's default), not Starlette's 9: a 1 MB answer compresses several times faster
    # for a few per cent more bytes; repeated answers are replayed compressed anyway.
    app.add_middleware(GZipMiddleware, minimum_size=1024, compresslevel=6)
    # Open for reads, an allow-list (none by default) for the write path (sousei_kg.http.cors).
    app.add_middleware(
        SplitCORS, expose_headers=EXPOSED_HEADERS, write_origins=settings.write_cors_origins
    )

    # Repeated GETs are replayed from here, compressed body and CORS headers included, without
    # routing again; inside the limits, so every request still counts against them.
    app.add_middleware(ResponseCacheMiddleware, max_bytes=settings.result_cache_bytes)
    # Request limits and the rate limit run before CORS, GZip and routing; the version header is
    # added outside them, so even a 413, 414 or 429 names the dataset version.
    app.add_middleware(ProtectionMiddleware, settings=settings)
    app.add_middleware(DatasetVersionMiddleware)
    if settings.trusted_proxies:
        # Outermost: every layer (rate limit, connection caps, logs) reads the client address
        # resolved here from X-Forwarded-For, and only from the configured proxies. The one
        # resolver of the server: `serve` turns uvicorn's own copy off (docs/security.md).
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)
    # Around everything, Starlette's own 500 included (sousei_kg.http.edge): nosniff (and, on
    # HTML, framing and a fallback CSP) on every answer, then the access log, which times and
    # counts them all.
    edge: list[Layer] = [SecurityHeadersMiddleware]
    if settings.access_log:
        edge.append(AccessLogMiddleware)
    edge.append(metrics.MetricsMiddleware)  # requests by route and status, and their times
    app.edge = edge

    install_error_map(app)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(health.router)
    app.include_router(sparql_routes.router)
    app.include_router(query_routes.router_for(settings))
    app.include_router(resource_routes.router)
    app.include_router(vocabulary_routes.router)
    app.include_router(search_routes.router)
    app.include_router(dataset.router)
    app.include_router(web.router)
    app.include_router(kpis.router)
    app.include_router(organisations.router)
    app.include_router(editor.router)
    app.include_router(site.router)
    app.include_router(api_docs.router)
    app.include_router(update_routes.router)
    app.include_router(graph_store_routes.router)
    app.include_router(fragments.router)
    app.include_router(tables.router)
    app.include_router(ldes.router)
    app.include_router(metrics_routes.router)
    return app
