"""Answers without a cap are streamed (``--result-cap 0``): the worker sends the engine's output on
as it is written, the server passes it to the client chunk by chunk, and an answer that cannot
be finished is broken off, never ended as if complete (issue 6, "Large results stream")."""

import asyncio
import contextlib
import csv
import io
import json
from collections.abc import AsyncIterator

import httpx
import pytest
from pyoxigraph import QueryResultsFormat, RdfFormat, Store, parse, parse_query_results

from conftest import running_server
from sousei_kg.dataset.graph_naming import load_shipped
from sousei_kg.execution.evaluate import STREAM_CHUNK_BYTES, stream
from sousei_kg.execution.jobs import (
    QueryFailure,
    QueryJob,
    QueryOutcome,
    StreamEnd,
    StreamStart,
)
from sousei_kg.execution.pool import (
    QueryTimeoutError,
    StreamBrokenError,
    StreamedAnswer,
    WorkerPool,
)
from sousei_kg.execution.worker import StoreSource
from sousei_kg.store.directory import open_store

EVERYTHING = "SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }"
#: Quads of the shipped data (as /health reports them).
ENDLESS = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }"
"""Millions of rows: more than any test reads within its time limit."""
SILENT = (
    "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i "
    "FILTER(STRLEN(CONCAT(STR(?c), STR(?f), STR(?i))) < 0) }"
)
"""Starts its stream at once, then searches billions of rows that all fail the filter: no byte
of the answer before the time limit."""
FAILING = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
"""Fails in the engine after the stream has started (nothing listens on port 9; the HTTP layer's
guard would refuse SERVICE, the pool is given it directly)."""


@pytest.fixture(scope="module")
def store() -> Store:
    store = open_store(None)
    load_shipped(store)
    return store


@contextlib.asynccontextmanager
async def _one_worker_pool() -> AsyncIterator[WorkerPool]:
    """A pool of one worker process on the shipped data, closed afterwards."""
    pool = WorkerPool(1, StoreSource())
    await pool.start()
    try:
        yield pool
    finally:
        await pool.close()


def _streamed(store: Store, job: QueryJob) -> list[object]:
    messages: list[object] = []
    stream(store, job, messages.append)
    return messages


@pytest.mark.parametrize("fmt", ["json", "csv", "tsv", "xml"])
def test_a_select_is_sent_as_start_chunks_and_end(store: Store, fmt: str) -> None:
    messages = _streamed(store, QueryJob(EVERYTHING, fmt, None, 0))
    assert messages[0] == StreamStart("solutions", fmt)
    assert messages[-1] == StreamEnd()
    chunks = messages[1:-1]
    assert len(chunks) > 1 and all(isinstance(c, bytes) for c in chunks)
    assert all(len(c) >= STREAM_CHUNK_BYTES for c in chunks[:-1])  # type: ignore[arg-type]
    body = b"".join(chunks)  # type: ignore[arg-type]
    if fmt == "csv":  # lossy: pyoxigraph does not read it back
        rows = list(csv.reader(io.StringIO(body.decode(), newline="")))
        assert rows[0] == ["s", "p", "o"] and len(rows) - 1 == len(store)
        return
    solutions = parse_query_results(body, format=QueryResultsFormat.from_extension(fmt))
    assert len(list(solutions)) == len(store)  # type: ignore[arg-type]


def test_a_construct_is_streamed_in_the_negotiated_rdf_format(store: Store) -> None:
    query = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"
    messages = _streamed(store, QueryJob(query, None, "ttl", 0))
    assert messages[0] == StreamStart("graph", "ttl") and messages[-1] == StreamEnd()
    body = b"".join(messages[1:-1])  # type: ignore[arg-type]
    distinct = {(q.subject, q.predicate, q.object) for q in store}
    assert len(list(parse(body, format=RdfFormat.TURTLE))) == len(distinct)


def test_refusals_and_ask_answers_are_single_messages(store: Store) -> None:
    [syntax] = _streamed(store, QueryJob("SELECT WHERE {", "json", None, 0))
    assert isinstance(syntax, QueryFailure) and syntax.kind == "syntax"
    [refused] = _streamed(store, QueryJob(EVERYTHING, None, "ttl", 0))
    assert isinstance(refused, QueryFailure) and refused.kind == "not-acceptable"
    [ask] = _streamed(store, QueryJob("ASK { ?s ?p ?o }", "json", None, 0))
    assert isinstance(ask, QueryOutcome) and json.loads(ask.body)["boolean"] is True


def test_the_pool_streams_reuses_a_finished_worker_and_replaces_an_abandoned_one() -> None:
    async def scenario() -> None:
        async with _one_worker_pool() as pool:
            answer = await pool.run(QueryJob(EVERYTHING, "csv", None, 0), 10)
            assert isinstance(answer, StreamedAnswer)
            body = b"".join([chunk async for chunk in answer.body])
            assert body.startswith(b"s,p,o\r\n")
            [worker] = pool._workers
            # Read to its end: the same worker takes the next query.
            again = await pool.run(QueryJob("ASK {}", "json", None, 0), 10)
            assert isinstance(again, QueryOutcome) and pool._workers == {worker}
            # Abandoned after one chunk: that worker is still writing, so it is replaced.
            endless = await pool.run(QueryJob(ENDLESS, "csv", None, 0), 10)
            assert isinstance(endless, StreamedAnswer)
            await anext(endless.body)
            await endless.body.aclose()  # type: ignore[attr-defined]
            assert worker not in pool._workers
            after = await pool.run(QueryJob("ASK {}", "json", None, 0), 10)
            assert isinstance(after, QueryOutcome)

    asyncio.run(scenario())


def test_a_stream_past_the_time_limit_is_broken_off_and_its_worker_replaced() -> None:
    async def scenario() -> None:
        async with _one_worker_pool() as pool:
            endless = await pool.run(QueryJob(ENDLESS, "csv", None, 0), 1.0)
            assert isinstance(endless, StreamedAnswer)
            received = 0
            with pytest.raises(StreamBrokenError, match="1 s limit"):
                async for chunk in endless.body:
                    received += len(chunk)
            assert received > STREAM_CHUNK_BYTES
            after = await pool.run(QueryJob("ASK {}", "json", None, 0), 10)
            assert isinstance(after, QueryOutcome)

    asyncio.run(scenario())


def test_a_stream_that_is_no_longer_read_frees_its_worker_at_the_time_limit() -> None:
    """A client that stops reading must not hold a worker past the limit (the body generator is
    suspended then, so only a watchdog can notice)."""

    async def scenario() -> None:
        async with _one_worker_pool() as pool:
            stalled = await pool.run(QueryJob(ENDLESS, "csv", None, 0), 1.0)
            assert isinstance(stalled, StreamedAnswer)
            await anext(stalled.body)
            [worker] = pool._workers
            await asyncio.sleep(1.5)
            assert worker not in pool._workers and not worker.process.is_alive()
            after = await pool.run(QueryJob("ASK {}", "json", None, 0), 10)
            assert isinstance(after, QueryOutcome)
            with pytest.raises(StreamBrokenError, match="1 s limit"):
                async for _ in stalled.body:
                    pass
            assert len(pool._workers) == 1  # replaced once, not once more by the generator

    asyncio.run(scenario())


def test_a_stream_that_fails_or_times_out_before_its_first_byte_gets_a_proper_error() -> None:
    """Nothing has been sent yet, so the client gets the status of the error (503 or 500), not a
    200 that is broken off; a failure in the engine leaves a healthy worker in the pool."""

    async def scenario() -> None:
        async with _one_worker_pool() as pool:
            [worker] = pool._workers
            failed = await pool.run(QueryJob(FAILING, "json", None, 0), 10)
            assert isinstance(failed, QueryFailure) and failed.kind == "engine"
            # What the engine said comes back from the worker process, for the server's log.
            assert failed.detail is not None and failed.detail.startswith("OSError: ")
            assert pool._workers == {worker}
            with pytest.raises(QueryTimeoutError, match="1 s limit"):
                await pool.run(QueryJob(SILENT, "json", None, 0), 1.0)
            assert worker not in pool._workers
            after = await pool.run(QueryJob("ASK {}", "json", None, 0), 10)
            assert isinstance(after, QueryOutcome)

    asyncio.run(scenario())


@pytest.mark.live
def test_a_head_request_for_an_uncapped_answer_does_not_have_it_written() -> None:
    """HEAD gets the headers of the answer at once, and the one worker is free again for the
    next query (its body, which HEAD drops, is given up, not written)."""
    env = {"SOUSEI_RESULT_CAP": "0", "SOUSEI_QUERY_TIMEOUT": "10", "SOUSEI_QUERY_WORKERS": "1"}
    with running_server(env, "--no-rate-limit") as base:
        head = httpx.head(
            base + "sparql", params={"query": ENDLESS}, headers={"Accept": "text/csv"}, timeout=30
        )
        assert head.status_code == 200 and head.headers["content-type"].startswith("text/csv")
        assert head.content == b""
        after = httpx.get(base + "sparql", params={"query": "ASK {}"}, timeout=30)
        assert after.status_code == 200 and after.json()["boolean"] is True


@pytest.mark.live
def test_a_live_server_without_a_cap_streams_whole_answers_and_breaks_off_endless_ones() -> None:
    env = {"SOUSEI_RESULT_CAP": "0", "SOUSEI_QUERY_TIMEOUT": "2"}
    with running_server(env, "--no-rate-limit") as base:
        quads = httpx.get(base + "health", timeout=10).json()["quads"]
        with httpx.stream(
            "GET",
            base + "sparql",
            params={"query": EVERYTHING},
            headers={"Accept": "text/tab-separated-values"},
            timeout=30,
        ) as response:
            assert response.headers["transfer-encoding"] == "chunked"
            assert "x-result-limit" not in response.headers
            assert response.headers["x-query-time-limit"] == "2"
            body = response.read()
        rows = parse_query_results(body, format=QueryResultsFormat.TSV)
        assert len(list(rows)) == quads  # type: ignore[arg-type]
        with (
            pytest.raises(httpx.RemoteProtocolError),
            httpx.stream(
                "GET",
                base + "sparql",
                params={"query": ENDLESS},
                headers={"Accept": "text/csv"},
                timeout=30,
            ) as endless,
        ):
            assert endless.status_code == 200
            for _ in endless.iter_bytes():  # bounded: broken off after the 2 s limit
                pass
        counted = httpx.get(  # past the limit before its first byte: a 503, nothing broken off
            base + "sparql",
            params={"query": SILENT},
            headers={"Accept-Encoding": "identity"},  # gzip would hold the answer's start back
            timeout=30,
        )
        assert counted.status_code == 503 and "time limit" in counted.text
        # The server goes on serving, with a fresh worker.
        after = httpx.get(base + "sparql", params={"query": "ASK {}"}, timeout=10)
        assert after.json()["boolean"] is True
        assert (
            httpx.get(base + "limits", timeout=10).json()["result_cap"]["rows_or_triples"] is None
        )
