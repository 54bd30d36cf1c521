"""Run a query job under the server's limits and turn the outcome into an HTTP response.

Shared by ``/sparql`` and the named queries, so every query answer announces the same limits:
``X-Query-Time-Limit`` (seconds) and ``X-Result-Limit`` (rows or triples) on every answer,
``X-Result-Truncated: true`` when the cap cut it (and, in JSON and XML, a ``link`` in the body's
head pointing at ``/limits``). The whole answer is evaluated and capped before the status line is
sent, so a client can always tell a complete answer from an incomplete one.

Without a cap (``--result-cap 0``) answers are streamed instead: the worker's output goes to the
client as the engine writes it, so neither process holds the whole answer. Nothing can be cut
then, and an answer that cannot be finished (time limit, engine error) is broken off: the chunked
body never gets its last chunk, which every HTTP client reports as an error.

An engine failure (a bug, a broken store) answers the client a generic 500 (docs/security.md) and
writes one WARNING to the server's log naming the query by its hash and the exception the worker
reported, so that it can be found and fixed without the client ever seeing engine text.
"""

import hashlib
import logging
import time
from collections.abc import AsyncIterator, Callable

from fastapi import Request
from fastapi.responses import Response, StreamingResponse
from pyoxigraph import QueryResultsFormat, QuerySolutions, parse_query_results

from sousei_kg.config import Settings
from sousei_kg.dataset.knowledge_graph import KnowledgeGraph
from sousei_kg.execution.fair_share import FairScheduler, SchedulerRefusedError
from sousei_kg.execution.jobs import QueryFailure, QueryJob, QueryOutcome
from sousei_kg.execution.pool import (
    PoolUnavailableError,
    QueryMemoryError,
    QueryTimeoutError,
    StreamBrokenError,
    StreamedAnswer,
    WorkerPool,
)
from sousei_kg.execution.result_cache import CacheKey, ResultCache
from sousei_kg.execution.runner import QueryRunner
from sousei_kg.http import metrics
from sousei_kg.http.client_identity import requester_of
from sousei_kg.http.errors import error_response, failure_response, response_for
from sousei_kg.sparql.formats import by_key

LOG = logging.getLogger("sousei_kg.http.query_answers")


def limit_headers(settings: Settings) -> dict[str, str]:
    """The limits every query answer announces."""
    headers = {"X-Query-Time-Limit": f"{settings.query_timeout:g}"}
    if settings.result_cap:  # 0: no cap (answers are streamed)
        headers["X-Result-Limit"] = str(settings.result_cap)
        if settings.result_max_bytes:
            headers["X-Result-Byte-Limit"] = str(settings.result_max_bytes)
    return headers


def query_pool(request: Request) -> QueryRunner:
    """The app's query runner (started by the lifespan): the worker pool, or the remote one."""
    pool: QueryRunner = request.app.state.query_pool
    return pool


def outcome_response(outcome: QueryOutcome, headers: dict[str, str]) -> Response:
    """A 200 with the serialized result and the truncation marker when capped."""
    fmt = by_key(outcome.format_key)
    media = fmt.content_type if fmt is not None else "application/octet-stream"
    answer_headers = {**headers, "Content-Type": media}
    if outcome.truncated:
        answer_headers["X-Result-Truncated"] = "true"
    return Response(outcome.body, headers=answer_headers)


def _media_type(answer: StreamedAnswer) -> str:
    fmt = by_key(answer.start.format_key)
    return fmt.content_type if fmt is not None else "application/octet-stream"


def query_digest(query: str) -> str:
    """How the log names a query: the start of its SHA-256 (the text is the client's, and may be
    100 KiB long)."""
    return "sha256:" + hashlib.sha256(query.encode("utf-8")).hexdigest()[:16]


def log_engine_failure(request: Request, job: QueryJob, failure: QueryFailure) -> None:
    """One WARNING for a query the engine failed on; the client's answer stays generic."""
    LOG.warning(
        "query failed in the engine (kind=%s, query %s, %s %s): %s",
        failure.kind,
        query_digest(job.query),
        request.method,
        request.url.path[:256],
        failure.detail or failure.message,
    )


def streamed_response(answer: StreamedAnswer, headers: dict[str, str], job: QueryJob) -> Response:
    """A 200 whose body is the worker's output as it comes."""
    media = _media_type(answer)

    async def body() -> AsyncIterator[bytes]:
        try:
            async for chunk in answer.body:
                yield chunk
        except StreamBrokenError as error:
            metrics.WORKER_KILLS.labels("stream").inc()
            # Raising is how an ASGI app breaks a started answer off (uvicorn closes the
            # connection without the last chunk).
            LOG.warning("streamed answer broken off (query %s): %s", query_digest(job.query), error)
            raise

    return StreamingResponse(body(), headers={**headers, "Content-Type": media})


async def evaluate_limited(
    request: Request, job: QueryJob, settings: Settings, headers: dict[str, str]
) -> QueryOutcome | StreamedAnswer | Response:
    """Evaluate ``job`` on a worker, once the fair scheduler grants one, within the time limit.

    Returns:
        The outcome, or the error response to send: 429 or 503 with ``Retry-After`` when the
        scheduler refuses (too many queries waiting from this address, its query time used up, or
        no worker free in time); 503 past the time limit, when the query is stopped by killing its
        worker; 4xx when the engine refused the query.
    """
    all_headers = {**headers, **limit_headers(settings)}
    scheduler: FairScheduler = request.app.state.scheduler
    try:
        lease = await scheduler.acquire(requester_of(request.scope))
    except SchedulerRefusedError as error:
        metrics.QUERY_REFUSALS.labels(type(error).__name__.removesuffix("Error")).inc()
        return response_for(error, all_headers)

    def release() -> None:
        scheduler.release(lease)
        metrics.slots(scheduler.slots, scheduler.running, scheduler.waiting())

    metrics.slots(scheduler.slots, scheduler.running, scheduler.waiting())
    try:
        result = await _run(request, job, settings, all_headers)
    except BaseException:  # cancelled (the client went away), or a bug: the slot is free again
        release()
        raise
    if isinstance(result, StreamedAnswer):
        return held_until_read(result, release)
    release()
    return result


async def _run(
    request: Request, job: QueryJob, settings: Settings, headers: dict[str, str]
) -> QueryOutcome | StreamedAnswer | Response:
    """Run ``job`` on the app's runner; its refusals and limits as error answers."""
    pool = query_pool(request)
    started = time.perf_counter()
    try:
        result = await pool.run(job, settings.query_timeout)
    except QueryTimeoutError:
        metrics.QUERY_TIMEOUTS.inc()
        if isinstance(pool, WorkerPool):
            metrics.WORKER_KILLS.labels("timeout").inc()
        message = (
            f"the query exceeded the time limit of {settings.query_timeout:g} s and was stopped; "
            "make it more selective (LIMIT, a narrower pattern) or use the dumps"
        )
        return error_response(503, message, headers)
    except PoolUnavailableError as error:
        return error_response(503, f"{error}; try again shortly", headers)
    except QueryMemoryError as error:
        metrics.WORKER_KILLS.labels("memory").inc()
        return error_response(503, str(error), headers)
    metrics.QUERY_SECONDS.observe(time.perf_counter() - started)
    if isinstance(result, QueryFailure):
        if result.kind == "engine":
            log_engine_failure(request, job, result)
        writes_on = bool(settings.write_tokens)
        return failure_response(result, headers, job.query, writes_on=writes_on)
    return result


def held_until_read(answer: StreamedAnswer, release: Callable[[], None]) -> StreamedAnswer:
    """``answer``, whose worker slot is given back once its body has been read to its end,
    broken off or abandoned."""
    released = False

    def release_once() -> None:
        nonlocal released
        if not released:
            released = True
            release()

    async def body() -> AsyncIterator[bytes]:
        try:
            async for chunk in answer.body:
                yield chunk
        finally:
            release_once()

    def abandon() -> None:
        answer.abandon()
        release_once()

    return StreamedAnswer(answer.start, body(), abandon)


def result_cache(request: Request) -> ResultCache:
    """The app's answer cache (created with the app)."""
    cache: ResultCache = request.app.state.result_cache
    return cache


async def run_limited(
    request: Request, job: QueryJob, settings: Settings, headers: dict[str, str]
) -> Response:
    """Evaluate ``job`` under the limits and answer with the result, or with the error. Nothing
    partial is ever sent as if it were complete.

    Answers carry a strong ``ETag`` (dataset version + the exact request): ``If-None-Match``
    gets 304 without evaluating anything, and a repeated request is answered from the cache.
    """
    graph: KnowledgeGraph = request.app.state.knowledge_graph
    key = CacheKey(graph.version, job)
    all_headers = {**headers, **limit_headers(settings), "ETag": key.etag}
    if_none_match = request.headers.get("if-none-match")
    if if_none_match and key.etag in {
        t.strip().removeprefix("W/") for t in if_none_match.split(",")
    }:
        return Response(status_code=304, headers=all_headers)
    cache = result_cache(request)
    cached = cache.get(key)
    metrics.cache_lookup("result", hit=cached is not None)
    if cached is not None:
        return outcome_response(cached, all_headers)
    result = await evaluate_limited(request, job, settings, headers)
    if isinstance(result, Response):
        return result
    if isinstance(result, StreamedAnswer):
        if request.method == "HEAD":  # the body would be dropped: do not have it written
            result.abandon()
            return StreamingResponse(
                iter(()), headers={**all_headers, "Content-Type": _media_type(result)}
            )
        return streamed_response(result, all_headers, job)  # never held whole, never cached
    cache.remember(key, result)
    return outcome_response(result, all_headers)


async def solutions_limited(
    request: Request, job: QueryJob, settings: Settings, headers: dict[str, str], name: str
) -> tuple[QueryOutcome, QuerySolutions] | Response:
    """A named query's solutions, parsed for a table, a page or a workbook: evaluated as
    :func:`evaluate_limited` does (the error response instead, if there is one).

    Raises:
        TypeError: the answer came back streamed (a capped job never is) or is not solutions
            (the catalogue admits SELECT queries only): both are bugs, not the client's doing.
    """
    outcome = await evaluate_limited(request, job, settings, headers)
    if isinstance(outcome, Response):
        return outcome
    if not isinstance(outcome, QueryOutcome):  # a capped job is never streamed
        raise TypeError("a capped answer came back streamed")
    result = parse_query_results(outcome.body, format=QueryResultsFormat.JSON)
    if not isinstance(result, QuerySolutions):  # the catalogue only admits SELECT queries
        raise TypeError(f"{name} is not a SELECT query")
    return outcome, result
