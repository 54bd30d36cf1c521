"""``/sparql`` over real HTTP (uvicorn serving the shipped data) with standard clients:
SPARQLWrapper in every result format by GET and POST, rdflib's SPARQLStore, and httpx."""

import csv
import io
import warnings
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import rdflib
from pyoxigraph import QueryResultsFormat, QuerySolutions, parse_query_results
from rdflib.namespace import RDF
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import (
    CSV,
    GET,
    JSON,
    JSONLD,
    N3,
    POST,
    POSTDIRECTLY,
    RDFXML,
    TSV,
    TURTLE,
    URLENCODED,
    XML,
    SPARQLWrapper,
)

pytestmark = pytest.mark.live

ID = "https://w3id.org/sousei-kg/id/"
GOALS = {ID + "goal/1", ID + "goal/2", ID + "goal/3"}
POLICY_GOAL = rdflib.URIRef("https://w3id.org/sousei-kg/def#PolicyGoal")
SELECT_GOALS = """\
PREFIX sousei: <https://w3id.org/sousei-kg/def#>
SELECT ?goal WHERE { ?goal a sousei:PolicyGoal }
"""
CONSTRUCT_GOALS = """\
PREFIX sousei: <https://w3id.org/sousei-kg/def#>
CONSTRUCT { ?goal a sousei:PolicyGoal } WHERE { ?goal a sousei:PolicyGoal }
"""
# (method, request method): GET, POST as a form, POST with the query as the body.
WAYS = [(GET, URLENCODED), (POST, URLENCODED), (POST, POSTDIRECTLY)]
WAY_IDS = ["get", "post-form", "post-direct"]


@pytest.fixture
def endpoint(live_server: str) -> str:
    return live_server + "sparql"


def run(
    endpoint: str, query: str, fmt: str, way: tuple[str, str], accept: str | None = None
) -> Any:
    """Run a query with SPARQLWrapper; any RuntimeWarning (SPARQLWrapper's complaint that the
    Content-Type does not match the requested format) fails the test."""
    wrapper = SPARQLWrapper(endpoint)
    wrapper.setQuery(query)
    wrapper.setReturnFormat(fmt)
    wrapper.setMethod(way[0])
    wrapper.setRequestMethod(way[1])
    if accept is not None:
        wrapper.setOnlyConneg(True)
        wrapper.addCustomHttpHeader("Accept", accept)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        return wrapper.query().convert()


def solutions(data: bytes, fmt: QueryResultsFormat) -> set[str]:
    result = parse_query_results(data, format=fmt)
    assert isinstance(result, QuerySolutions)
    return {row["goal"].value for row in result if row["goal"] is not None}


def typed_goals(graph: rdflib.Graph) -> set[str]:
    return {str(s) for s in graph.subjects(RDF.type, POLICY_GOAL)}


@pytest.mark.parametrize("way", WAYS, ids=WAY_IDS)
def test_sparqlwrapper_select_json(endpoint: str, way: tuple[str, str]) -> None:
    result = run(endpoint, SELECT_GOALS, JSON, way)
    assert {b["goal"]["value"] for b in result["results"]["bindings"]} == GOALS


@pytest.mark.parametrize("way", WAYS, ids=WAY_IDS)
def test_sparqlwrapper_select_xml(endpoint: str, way: tuple[str, str]) -> None:
    document = run(endpoint, SELECT_GOALS, XML, way)
    uris = {node.firstChild.data for node in document.getElementsByTagName("uri")}
    assert uris == GOALS


@pytest.mark.parametrize("way", WAYS, ids=WAY_IDS)
def test_sparqlwrapper_select_csv(endpoint: str, way: tuple[str, str]) -> None:
    data = run(endpoint, SELECT_GOALS, CSV, way)
    assert {row["goal"] for row in csv.DictReader(io.StringIO(data.decode()))} == GOALS


@pytest.mark.parametrize("way", WAYS, ids=WAY_IDS)
def test_sparqlwrapper_select_tsv(endpoint: str, way: tuple[str, str]) -> None:
    data = run(endpoint, SELECT_GOALS, TSV, way)
    assert solutions(data, QueryResultsFormat.TSV) == GOALS


@pytest.mark.parametrize("way", WAYS, ids=WAY_IDS)
def test_sparqlwrapper_ask(endpoint: str, way: tuple[str, str]) -> None:
    assert run(endpoint, "ASK { ?g a <https://w3id.org/sousei-kg/def#PolicyGoal> }", JSON, way)[
        "boolean"
    ]


@pytest.mark.parametrize("way", WAYS, ids=WAY_IDS)
def test_sparqlwrapper_construct_turtle(endpoint: str, way: tuple[str, str]) -> None:
    data = run(endpoint, CONSTRUCT_GOALS, TURTLE, way)
    assert typed_goals(rdflib.Graph().parse(data=data, format="turtle")) == GOALS


@pytest.mark.parametrize("way", WAYS, ids=WAY_IDS)
def test_sparqlwrapper_construct_ntriples(endpoint: str, way: tuple[str, str]) -> None:
    data = run(endpoint, CONSTRUCT_GOALS, N3, way, accept="application/n-triples")
    assert typed_goals(rdflib.Graph().parse(data=data, format="nt")) == GOALS


@pytest.mark.parametrize("way", WAYS, ids=WAY_IDS)
@pytest.mark.parametrize("fmt", [RDFXML, XML, JSONLD])
def test_sparqlwrapper_construct_parsed(endpoint: str, way: tuple[str, str], fmt: str) -> None:
    """RDF/XML (asked as rdf+xml or, SPARQLWrapper's habit, xml) and JSON-LD, parsed by
    SPARQLWrapper into rdflib graphs."""
    graph = run(endpoint, CONSTRUCT_GOALS, fmt, way)
    assert typed_goals(graph) == GOALS


@pytest.fixture(params=["GET", "POST"])
def sparql_store(request: pytest.FixtureRequest, endpoint: str) -> Iterator[SPARQLStore]:
    store = SPARQLStore(endpoint, method=request.param)
    yield store
    store.close()


def test_rdflib_sparqlstore_select(sparql_store: SPARQLStore) -> None:
    graph = rdflib.Graph(sparql_store)
    assert {str(row[0]) for row in graph.query(SELECT_GOALS)} == GOALS  # type: ignore[index]


def test_rdflib_sparqlstore_triples_and_construct(sparql_store: SPARQLStore) -> None:
    graph = rdflib.Graph(sparql_store)
    assert {str(s) for s, _, _ in graph.triples((None, RDF.type, POLICY_GOAL))} == GOALS
    constructed = graph.query(CONSTRUCT_GOALS).graph
    assert constructed is not None
    assert typed_goals(constructed) == GOALS


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (
            "application/sparql-results+xml;q=0.5, text/tab-separated-values",
            "text/tab-separated-values",
        ),
        ("text/csv;q=0.9, application/sparql-results+xml", "application/sparql-results+xml"),
        ("application/json", "application/sparql-results+json"),
        ("*/*", "application/sparql-results+json"),
    ],
)
def test_httpx_accept_variants(endpoint: str, accept: str, expected: str) -> None:
    response = httpx.get(
        endpoint, params={"query": SELECT_GOALS}, headers={"Accept": accept}, timeout=10
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == f"{expected}; charset=utf-8"
    assert response.headers["vary"].startswith("Accept")
    fmt = QueryResultsFormat.from_media_type(expected)
    assert fmt is not None
    assert solutions(response.content, fmt) == GOALS


def test_httpx_406_and_400_over_the_wire(endpoint: str) -> None:
    refused = httpx.get(
        endpoint, params={"query": SELECT_GOALS}, headers={"Accept": "image/png"}, timeout=10
    )
    assert refused.status_code == 406
    assert refused.headers["vary"].startswith("Accept")
    broken = httpx.post(endpoint, data={"query": "SELECT * WHERE {"}, timeout=10)
    assert broken.status_code == 400
    assert broken.text.startswith("400 Bad Request: SPARQL syntax error at line 1, column ")


def test_httpx_gzip_head_and_service_description(endpoint: str) -> None:
    big = httpx.get(
        endpoint,
        params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"},
        headers={"Accept": "application/n-triples", "Accept-Encoding": "gzip"},
        timeout=30,
    )
    assert big.headers.get("content-encoding") == "gzip", (
        big.status_code,
        dict(big.headers),
        big.text[:300],
    )
    assert len(rdflib.Graph().parse(data=big.content, format="nt")) > 1000
    head = httpx.head(endpoint, params={"query": SELECT_GOALS}, timeout=10)
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"].startswith("application/sparql-results+json")
    description = httpx.get(endpoint, headers={"Accept": "application/ld+json"}, timeout=10)
    graph = rdflib.Graph().parse(data=description.content, format="json-ld")
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    assert (None, sd.endpoint, rdflib.URIRef(endpoint)) in graph
