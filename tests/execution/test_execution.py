"""Killable query execution: capped answers, engine errors, and a pool whose time limit really
stops the work while other queries go on (issue 5, "Limits that really hold")."""

import asyncio
import csv
import dataclasses
import io
import json
import os
import time

import pytest
from pyoxigraph import Literal, NamedNode, Store

from sousei_kg.dataset.graph_naming import load_shipped
from sousei_kg.execution.evaluate import evaluate, term_to_spec
from sousei_kg.execution.jobs import QueryFailure, QueryJob, QueryOutcome
from sousei_kg.execution.pool import QueryTimeoutError, StreamedAnswer, WorkerPool
from sousei_kg.execution.worker import StoreSource
from sousei_kg.store.directory import open_store

MEASURES = "SELECT ?m WHERE { ?m a <https://w3id.org/sousei-kg/def#Measure> } ORDER BY ?m"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.fixture(scope="module")
def store() -> Store:
    store = open_store(None)
    load_shipped(store)
    return store


def outcome(result: QueryOutcome | QueryFailure | StreamedAnswer) -> QueryOutcome:
    assert isinstance(result, QueryOutcome), result
    return result


def test_cap_reads_one_more_row_and_marks_the_json_body(store: Store) -> None:
    capped = outcome(
        evaluate(store, QueryJob(MEASURES, "json", None, 5, cap_link="https://x/limits"))
    )
    body = json.loads(capped.body)
    assert capped.truncated and capped.rows == 5
    assert len(body["results"]["bindings"]) == 5
    assert body["head"]["link"] == ["https://x/limits"]
    complete = outcome(
        evaluate(store, QueryJob(MEASURES, "json", None, 40, cap_link="https://x/limits"))
    )
    assert not complete.truncated and complete.rows == 40
    assert "link" not in json.loads(complete.body)["head"]


@pytest.mark.parametrize("fmt", ["csv", "tsv", "xml"])
def test_capped_answers_in_other_formats(store: Store, fmt: str) -> None:
    result = outcome(evaluate(store, QueryJob(MEASURES, fmt, None, 3, cap_link="https://x/limits")))
    text = result.body.decode()
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(text)))
        assert rows[0] == ["m"] and len(rows) == 4
    elif fmt == "tsv":
        lines = text.splitlines()
        assert lines[0] == "?m" and len(lines) == 4 and lines[1].startswith("<https://")
    else:
        assert text.count("<result>") == 3 and 'href="https://x/limits"' in text


def test_construct_is_capped_in_triples(store: Store) -> None:
    job = QueryJob("CONSTRUCT WHERE { ?s a ?t }", None, "nt", 7)
    result = outcome(evaluate(store, job))
    assert result.form == "graph" and result.truncated
    assert len(result.body.decode().strip().splitlines()) == 7


def test_syntax_error_has_line_and_column(store: Store) -> None:
    failure = evaluate(store, QueryJob("SELECT ?s\nWHERE { ?s ?p }", "json", None, 10))
    assert isinstance(failure, QueryFailure)
    assert failure.kind == "syntax" and failure.line == 2 and failure.column is not None


def test_substitutions_bind_terms_not_text(store: Store) -> None:
    query = "SELECT ?label ?m WHERE { ?m <http://www.w3.org/2004/02/skos/core#prefLabel> ?label }"
    spec = term_to_spec(Literal("リスキリング支援", language="ja"))
    result = outcome(
        evaluate(store, QueryJob(query, "json", None, 10, substitutions=(("label", spec),)))
    )
    bindings = json.loads(result.body)["results"]["bindings"]
    assert [b["m"]["value"] for b in bindings] == [
        "https://w3id.org/sousei-kg/id/measure/reskilling-support"
    ]
    injected = term_to_spec(Literal('x" } UNION { ?m ?p ?label } #', language="ja"))
    none = outcome(
        evaluate(store, QueryJob(query, "json", None, 10, substitutions=(("label", injected),)))
    )
    assert json.loads(none.body)["results"]["bindings"] == []
    unprojected = QueryJob(
        "SELECT ?m WHERE { ?m ?p ?o }",
        "json",
        None,
        10,
        substitutions=(("o", term_to_spec(NamedNode("http://x/"))),),
    )
    failure = evaluate(store, unprojected)
    assert isinstance(failure, QueryFailure) and failure.kind == "parameter"


def test_a_detached_job_reads_no_statement(store: Store) -> None:
    """A detached job (search-labels answered from the label index) runs on an empty store: its
    VALUES rows come back, and a pattern matches nothing, whatever the store holds."""
    values = 'SELECT ?x WHERE { VALUES ?x { <urn:a> "b" } }'
    for query, attached, detached in ((MEASURES, 10, 0), (values, 2, 2)):
        job = QueryJob(query=query, solutions_format="json", graph_format=None, row_cap=10)
        assert outcome(evaluate(store, job)).rows == attached
        assert outcome(evaluate(store, dataclasses.replace(job, detached=True))).rows == detached


def test_a_form_without_an_acceptable_format_is_refused(store: Store) -> None:
    failure = evaluate(store, QueryJob("CONSTRUCT WHERE { ?s ?p ?o }", "json", None, 10))
    assert isinstance(failure, QueryFailure) and failure.kind == "not-acceptable"


@pytest.mark.live
def test_pool_limit_kills_the_query_and_keeps_serving(listener: tuple[str, list[bytes]]) -> None:
    url, received = listener

    async def scenario() -> None:
        pool = WorkerPool(2, StoreSource())
        await pool.start()
        try:

            async def cheap_while_slow() -> float:
                await asyncio.sleep(0.3)
                started = time.monotonic()
                outcome(await pool.run(QueryJob("ASK { ?s ?p ?o }", "json", None, 1), 5))
                return time.monotonic() - started

            started = time.monotonic()
            slow = pool.run(QueryJob(SLOW, "json", None, 1), 1.0)
            results = await asyncio.gather(slow, cheap_while_slow(), return_exceptions=True)
            assert isinstance(results[0], QueryTimeoutError)
            assert time.monotonic() - started < 3
            assert isinstance(results[1], float) and results[1] < 2
            # The killed worker is replaced: both workers answer again.
            await asyncio.sleep(1.0)
            for _ in range(4):
                outcome(await pool.run(QueryJob("ASK { ?s ?p ?o }", "json", None, 1), 5))
            if os.geteuid() == 0:
                # Defence in depth: as root the workers have no network at all, so even a SERVICE
                # that reached the engine (the guard refuses it before) could not connect.
                assert pool.network_isolated
                federated = f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}"
                failure = await pool.run(QueryJob(federated, "json", None, 1), 5)
                assert isinstance(failure, QueryFailure) and failure.kind == "engine"
        finally:
            await pool.close()

    asyncio.run(scenario())
    assert received == []
