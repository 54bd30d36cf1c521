"""Workers query a small store from an in-memory copy whose default graph is the union
(sousei_kg.execution.union_copy): every kind of query must answer exactly as over the store."""

import pytest
from pyoxigraph import DefaultGraph, NamedNode, Quad, Store

from sousei_kg.dataset.graph_naming import load_shipped
from sousei_kg.execution.evaluate import evaluate
from sousei_kg.execution.jobs import QueryJob, QueryOutcome
from sousei_kg.execution.union_copy import for_queries
from sousei_kg.sparql.query_protocol import has_dataset_clause
from sousei_kg.store.directory import open_store

STRATEGY = "https://w3id.org/sousei-kg/graph/strategy-2025"
CURATION = "https://w3id.org/sousei-kg/graph/curation"
QUERIES = [
    "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "SELECT ?s ?o WHERE { ?s <http://www.w3.org/2004/02/skos/core#prefLabel> ?o } ORDER BY ?s ?o",
    "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g",
    # Test constants, not input: S608 is about SQL built from input.
    f"SELECT (COUNT(*) AS ?n) FROM <{CURATION}> WHERE {{ ?s ?p ?o }}",  # noqa: S608
    f"SELECT (COUNT(*) AS ?n) FROM NAMED <{CURATION}> WHERE {{ ?s ?p ?o }}",  # noqa: S608
    f"SELECT (COUNT(*) AS ?n) FROM NAMED <{CURATION}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",  # noqa: S608
    "ASK { GRAPH <urn:x:absent> { ?s ?p ?o } }",
    "SELECT ?m WHERE { ?m <https://w3id.org/sousei-kg/def#contributesTo>+ ?g } ORDER BY ?m LIMIT 50",
]


@pytest.fixture(scope="module")
def store() -> Store:
    store = open_store(None)
    load_shipped(store)
    return store


def _answer(store: Store, job: QueryJob, union_in_default_graph: bool) -> bytes:
    outcome = evaluate(store, job, union_in_default_graph=union_in_default_graph)
    assert isinstance(outcome, QueryOutcome), outcome
    return outcome.body


@pytest.mark.parametrize("query", QUERIES)
def test_the_copy_answers_every_query_as_the_store_does(store: Store, query: str) -> None:
    copied = for_queries(store)
    assert copied.union_in_default_graph and copied.store is not store
    job = QueryJob(query, "json", "nt", 10_000, union_default_graph=not has_dataset_clause(query))
    assert _answer(copied.store, job, True) == _answer(store, job, False)


@pytest.mark.parametrize(
    ("default_graphs", "named_graphs"), [((STRATEGY,), ()), ((), (CURATION,)), ((), ())]
)
def test_the_protocol_dataset_reads_the_same_graphs(
    store: Store, default_graphs: tuple[str, ...], named_graphs: tuple[str, ...]
) -> None:
    copied = for_queries(store)
    query = "SELECT (COUNT(*) AS ?n) WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"
    job = QueryJob(query, "json", None, 10, default_graphs, named_graphs)
    assert _answer(copied.store, job, True) == _answer(store, job, False)


def test_large_stores_and_stores_with_a_default_graph_are_queried_as_they_are(
    store: Store,
) -> None:
    large = for_queries(store, max_quads=len(store) - 1)
    assert for_queries(store, quad_count=10**7).store is store  # a known count is trusted
    assert large.store is store and not large.union_in_default_graph
    own_default = open_store(None)
    own_default.add(
        Quad(NamedNode("urn:x:s"), NamedNode("urn:x:p"), NamedNode("urn:x:o"), DefaultGraph())
    )
    kept = for_queries(own_default)
    assert kept.store is own_default and not kept.union_in_default_graph
