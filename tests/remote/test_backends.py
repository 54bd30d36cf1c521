"""The same end-to-end answers from the embedded store and from each remote engine.

Each backend is a real ``sousei-kg serve`` on 127.0.0.1: embedded (the shipped files), and
``--backend remote`` on Oxigraph server and on Virtuoso, both filled by ``sousei-kg load``
(tests/remote_engines.py). Every test runs on all three and compares with what pyoxigraph answers
in this process over the shipped files, or with the embedded server's answer, so an engine that
differs (result formats, blank nodes, the union default graph, datatypes, Virtuoso's ASK) fails
here unless the backend handles the difference.
"""

import re
import subprocess
import sys
import time
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import httpx
import pytest
import rdflib
from pyoxigraph import (
    BlankNode,
    Literal,
    QueryResultsFormat,
    QuerySolutions,
    Store,
    parse_query_results,
)
from rdflib.compare import isomorphic
from SPARQLWrapper import JSON, TURTLE, SPARQLWrapper

from conftest import recording_listener, remote_backend_args, running_server
from sousei_kg.config import Engine, Settings
from sousei_kg.dataset.graph_naming import load_shipped
from sousei_kg.linked_data import query_hints
from sousei_kg.linked_data.query_hints import QueryHint, hint_cache, iri_lookups
from sousei_kg.named_queries.catalogue import catalog_for
from sousei_kg.remote.compatibility import WRONG_ANSWERS
from sousei_kg.remote.graph import open_remote_graph
from sousei_kg.store.canonical import version_hash

pytestmark = pytest.mark.live

ID = "https://w3id.org/sousei-kg/id/"
GRAPH = "https://w3id.org/sousei-kg/graph/"
PREFIXES = """\
PREFIX sousei: <https://w3id.org/sousei-kg/def#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""
RESULT_CAP = 200
QUERY_TIMEOUT = 4
SERVER_ENV = {
    "SOUSEI_RESULT_CAP": str(RESULT_CAP),
    "SOUSEI_QUERY_TIMEOUT": str(QUERY_TIMEOUT),
    "SOUSEI_RATE_LIMIT": "false",
}

# The query shapes users send (issue 6's list) plus the dataset semantics engines differ on.
SELECTS = {
    "labels-of-one-resource": PREFIXES
    + f"SELECT ?label WHERE {{ <{ID}goal/1> rdfs:label|skos:altLabel ?label }}",
    "measures-for-kpi-path": PREFIXES
    + "SELECT ?measure ?goal WHERE { ?measure a sousei:Measure ; sousei:contributesTo+ ?goal . "
    "?goal a sousei:PolicyGoal }",
    "count-per-organisation": PREFIXES
    + "SELECT ?org (COUNT(DISTINCT ?m) AS ?n) WHERE { ?m sousei:responsibleOrganization ?org } "
    "GROUP BY ?org",
    "label-text-filter": PREFIXES
    + 'SELECT ?s ?l WHERE { ?s rdfs:label ?l FILTER(CONTAINS(STR(?l), "地方")) }',
    "english-labels-optional": PREFIXES
    + "SELECT ?m ?en WHERE { ?m a sousei:Measure OPTIONAL { ?m rdfs:label ?en "
    'FILTER(LANGMATCHES(LANG(?en), "en")) } }',
    "quads-per-named-graph": "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
    "from-one-graph": (
        "SELECT (COUNT(*) AS ?n) FROM <https://w3id.org/sousei-kg/graph/ontology> "
        "WHERE { ?s ?p ?o }"
    ),
    "from-named-one-graph": "SELECT ?g (COUNT(*) AS ?n) FROM NAMED <https://w3id.org/sousei-kg/graph/meta> "
    "WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
    "numbers-and-dates": PREFIXES
    + "SELECT ?s ?p ?o WHERE { ?s ?p ?o FILTER(isLiteral(?o) && DATATYPE(?o) != "
    "<http://www.w3.org/2001/XMLSchema#string> && DATATYPE(?o) != "
    "<http://www.w3.org/1999/02/22-rdf-syntax-ns#langString>) }",
}


@pytest.fixture(scope="session")
def local_store() -> Store:
    """The shipped files in an in-process pyoxigraph store: the expected answers."""
    store = Store()
    load_shipped(store)
    return store


@pytest.fixture(scope="session", params=["embedded", "oxigraph", "virtuoso"])
def backend(request: pytest.FixtureRequest) -> Iterator[str]:
    """A server on each backend, with the same limits; yields its base URL."""
    args: tuple[str, ...] = ()
    if request.param != "embedded":
        args = remote_backend_args(request.getfixturevalue(f"{request.param}_engine"))
    with running_server(SERVER_ENV, *args) as base:
        yield base


@pytest.fixture(scope="session")
def reference() -> Iterator[str]:
    """An embedded server with the same limits: the expected pages and descriptions."""
    with running_server(SERVER_ENV) as base:
        yield base


def _same_base(text: str, base: str) -> str:
    """A server writes its own address into links; compare documents with it replaced."""
    return text.replace(base, "http://server.test/")


GROUP_CONCAT_COLUMNS = frozenset({"organisations", "organisationsEn", "programmeOrganisations"})
DECIMAL = "http://www.w3.org/2001/XMLSchema#decimal"


def _cell(name: str, term: object) -> str:
    """A cell as comparable text, with the differences SPARQL leaves to each engine taken out:
    blank-node labels (``_:``); GROUP_CONCAT's order and its language tag (SPARQL 1.1 §18.5.1.7:
    the order is undefined and the result a simple literal; pyoxigraph keeps a shared tag); and
    the precision of decimal division (implementation-defined; compared to 12 places)."""
    if term is None:
        return ""
    if isinstance(term, BlankNode):
        return "_:"
    if isinstance(term, Literal) and name in GROUP_CONCAT_COLUMNS:
        return " / ".join(sorted(term.value.split(" / ")))
    if isinstance(term, Literal) and term.datatype.value == DECIMAL:
        return f"{Decimal(term.value):.12f}"
    return str(term)


def _rows(solutions: QuerySolutions) -> set[tuple[str, ...]]:
    """Rows as comparable text (see :func:`_cell`)."""
    names = [v.value for v in solutions.variables]
    return {tuple(_cell(n, row[n]) for n in names) for row in solutions}


def _expected(store: Store, query: str) -> set[tuple[str, ...]]:
    result = store.query(query, use_default_graph_as_union="FROM" not in query)
    assert isinstance(result, QuerySolutions)
    return _rows(result)


def _sparqlwrapper(base: str, query: str, fmt: str = JSON) -> Any:
    client = SPARQLWrapper(base + "sparql")
    client.setQuery(query)
    client.setReturnFormat(fmt)
    client.setTimeout(60)
    return client.query()


def test_every_backend_serves_the_same_dataset_version(backend: str, local_store: Store) -> None:
    health = httpx.get(backend + "health", timeout=30)
    assert health.status_code == 200
    expected = version_hash(local_store)
    assert health.headers["X-Dataset-Version"] == expected
    assert health.json()["dataset_version"] == expected
    assert health.json()["quads"] == len(local_store)


@pytest.mark.parametrize("name", sorted(SELECTS))
def test_select_answers_match_pyoxigraph(backend: str, local_store: Store, name: str) -> None:
    query = SELECTS[name]
    body = _sparqlwrapper(backend, query).response.read()
    answer = parse_query_results(body, format=QueryResultsFormat.JSON)
    assert isinstance(answer, QuerySolutions)
    expected = _expected(local_store, query)
    assert expected, f"{name}: the expected answer is empty, so the comparison would prove nothing"
    assert _rows(answer) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (f"ASK WHERE {{ <{ID}goal/1> ?p ?o }}", True),
        (f"ASK {{ <{ID}no-such-thing> ?p ?o }}", False),
        (f"ASK FROM <{GRAPH}ontology> WHERE {{ <{ID}goal/1> ?p ?o }}", False),
    ],
)
def test_ask_is_a_boolean_on_every_engine(backend: str, query: str, expected: bool) -> None:
    """Virtuoso 7 answers ASK as a one-cell table; clients must still get a boolean."""
    assert _sparqlwrapper(backend, query).convert()["boolean"] is expected


def test_construct_of_one_resource_is_the_same_graph(backend: str, local_store: Store) -> None:
    query = f"CONSTRUCT {{ <{ID}goal/1> ?p ?o }} WHERE {{ <{ID}goal/1> ?p ?o }}"
    answer = _sparqlwrapper(backend, query, TURTLE).convert()
    got = rdflib.Graph().parse(data=answer, format="turtle")
    expected = rdflib.Graph().parse(
        data=b"".join(
            f"{t.subject} {t.predicate} {t.object} .\n".encode()
            for t in local_store.query(query, use_default_graph_as_union=True)  # type: ignore[union-attr]
        ),
        format="nt",
    )
    assert len(expected) > 5
    assert isomorphic(got, expected)


def test_protocol_dataset_names_only_this_datasets_graphs(backend: str, local_store: Store) -> None:
    """``default-graph-uri`` picks a graph; a graph the dataset does not have reads as empty (an
    engine's other graphs, e.g. Virtuoso's system graphs, are never reachable)."""
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    ontology = httpx.get(
        backend + "sparql",
        params={"query": count, "default-graph-uri": GRAPH + "ontology"},
        headers={"Accept": "application/sparql-results+json"},
        timeout=30,
    ).json()
    expected = len(list(local_store.quads_for_pattern(None, None, None, rdflib_graph("ontology"))))
    assert int(ontology["results"]["bindings"][0]["n"]["value"]) == expected
    foreign = httpx.get(
        backend + "sparql",
        params={
            "query": "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } LIMIT 1",
            "named-graph-uri": "http://www.openlinksw.com/schemas/virtrdf#",
        },
        headers={"Accept": "application/sparql-results+json"},
        timeout=30,
    ).json()
    assert foreign["results"]["bindings"] == []


def rdflib_graph(name: str) -> Any:
    from pyoxigraph import NamedNode

    return NamedNode(GRAPH + name)


CATALOGUE = catalog_for(None)
EXAMPLE_CALLS = [
    pytest.param(query.name, {p.name: p.example for p in query.params if p.example}, id=query.name)
    for query in CATALOGUE.queries
] + [
    pytest.param(query.name, {}, id=f"{query.name}-without-parameters")
    for query in CATALOGUE.queries
    if query.params and not any(p.required for p in query.params)
]


@pytest.mark.parametrize(("name", "params"), EXAMPLE_CALLS)
def test_named_queries_match_the_embedded_store(
    backend: str, reference: str, name: str, params: dict[str, str]
) -> None:
    """Every named query, with its example parameters (which reach a remote engine as BINDs of
    terms serialised by pyoxigraph) and without."""
    headers = {"Accept": "application/sparql-results+json"}
    got = httpx.get(backend + f"queries/{name}", params=params, headers=headers, timeout=60)
    want = httpx.get(reference + f"queries/{name}", params=params, headers=headers, timeout=60)
    assert want.status_code == 200
    engine = httpx.get(backend + "health", timeout=30).json().get("engine", "")
    if name in WRONG_ANSWERS.get(engine, {}):
        # Known wrong on this engine: refused, never passed on (remote/compatibility.py).
        assert got.status_code == 501
        assert "docs/deployment.md" in got.text
        return
    assert got.status_code == 200, got.text[:500]
    rows = parse_query_results(got.content, format=QueryResultsFormat.JSON)
    expected = parse_query_results(want.content, format=QueryResultsFormat.JSON)
    assert isinstance(rows, QuerySolutions) and isinstance(expected, QuerySolutions)
    expected_rows = _rows(expected)
    assert expected_rows
    assert _rows(rows) == expected_rows


@pytest.mark.parametrize(
    "path",
    [
        "doc/goal/1.ttl",
        "doc/measure/community-life-service-hubs.ttl",
        ".well-known/void",
        "dataset",
        "def.ttl",
        "shapes.ttl",
        "queries",
    ],
)
def test_linked_data_documents_are_the_same_graphs(backend: str, reference: str, path: str) -> None:
    headers = {"Accept": "text/turtle"}
    got = httpx.get(backend + path, headers=headers, timeout=60, follow_redirects=True)
    want = httpx.get(reference + path, headers=headers, timeout=60, follow_redirects=True)
    assert got.status_code == want.status_code == 200, (path, got.text[:300])
    got_graph = rdflib.Graph().parse(data=_same_base(got.text, backend), format="turtle")
    want_graph = rdflib.Graph().parse(data=_same_base(want.text, reference), format="turtle")
    # The description names when this server loaded the data; everything else must agree.
    modified = rdflib.URIRef("http://purl.org/dc/terms/modified")
    for graph in (got_graph, want_graph):
        graph.remove((None, modified, None))
    assert len(want_graph) > 10
    assert isomorphic(got_graph, want_graph)


def test_resource_iri_redirects_and_page_shows_the_chain(backend: str) -> None:
    redirect = httpx.get(backend + "id/goal/1", headers={"Accept": "text/html"}, timeout=30)
    assert redirect.status_code == 303
    page = httpx.get(backend + "doc/goal/1", headers={"Accept": "text/html"}, timeout=30)
    assert page.status_code == 200
    assert "強い経済" in page.text or "経済" in page.text


@pytest.mark.parametrize(
    "path", ["", "logic-model", "organisations", "doc/goal/2", "kpis?kpi=goal-2-kpi", "def"]
)
def test_web_pages_are_the_same(backend: str, reference: str, path: str) -> None:
    """The HTML pages, built from the backend's answers (the KPI explorer runs the named query
    Virtuoso answers wrongly, so there it is refused, see remote/compatibility.py)."""
    headers = {"Accept": "text/html", "Accept-Language": "ja"}
    got = httpx.get(backend + path, headers=headers, timeout=60)
    want = httpx.get(reference + path, headers=headers, timeout=60)
    assert want.status_code == 200
    engine = httpx.get(backend + "health", timeout=30).json().get("engine", "")
    if path.startswith("kpis") and "list-measures-for-kpi" in WRONG_ANSWERS.get(engine, {}):
        assert got.status_code == 501
        return
    assert got.status_code == 200, got.text[:300]
    assert _concats_sorted(_same_base(got.text, backend)) == _concats_sorted(
        _same_base(want.text, reference)
    )


def _concats_sorted(html: str) -> str:
    """Table cells that show a GROUP_CONCAT ("A / B") with their parts in one order: the order
    is the engine's choice (see :func:`_cell`)."""
    return re.sub(
        r">([^<>]+ / [^<>]+)<", lambda m: ">" + " / ".join(sorted(m[1].split(" / "))) + "<", html
    )


def test_search_finds_the_same_resources(backend: str, reference: str) -> None:
    params = {"q": "地方"}
    headers = {"Accept": "application/json"}
    got = httpx.get(backend + "search", params=params, headers=headers, timeout=30)
    want = httpx.get(reference + "search", params=params, headers=headers, timeout=30)
    assert got.status_code == want.status_code == 200
    assert want.json()["count"] > 0
    assert _same_base(got.text, backend) == _same_base(want.text, reference)


def test_service_is_refused_before_anything_leaves(backend: str) -> None:
    with recording_listener() as (url, received):
        answer = httpx.get(
            backend + "sparql",
            params={"query": f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}"},
            timeout=30,
        )
        time.sleep(0.2)
    assert answer.status_code == 400
    assert "SERVICE" in answer.text
    assert received == []


def test_the_row_cap_holds_and_says_so(backend: str) -> None:
    answer = httpx.get(
        backend + "sparql",
        params={"query": "SELECT * WHERE { ?s ?p ?o }"},
        headers={"Accept": "application/sparql-results+json"},
        timeout=60,
    )
    assert answer.status_code == 200
    assert answer.headers["X-Result-Truncated"] == "true"
    assert len(answer.json()["results"]["bindings"]) == RESULT_CAP


def test_the_time_limit_stops_a_runaway_query(backend: str) -> None:
    started = time.monotonic()
    answer = httpx.get(
        backend + "sparql",
        params={
            # 42 M rows through a FILTER no engine can skip: the 14 M pairs alone take 14–16 s
            # in pyoxigraph, Oxigraph server and Virtuoso here, so even a machine several times
            # faster reaches the limit; the engines' own limits (the worker is killed, Oxigraph
            # --timeout-s 10, Virtuoso's timeout parameter) stop the work soon after the 503.
            "query": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . "
            "?g a <https://w3id.org/sousei-kg/def#PolicyGoal> FILTER(STR(?c) < STR(?f)) }"
        },
        headers={"Accept": "application/sparql-results+json"},
        timeout=60,
    )
    elapsed = time.monotonic() - started
    assert answer.status_code == 503, answer.text[:300]
    assert "time limit" in answer.text
    assert elapsed < QUERY_TIMEOUT + 15  # liveness: the answer comes near the limit, not never


def test_syntax_errors_are_reported_the_same_way(backend: str, reference: str) -> None:
    params = {"query": "SELECT * WHERE { ?s ?p }"}
    got = httpx.get(backend + "sparql", params=params, timeout=30)
    want = httpx.get(reference + "sparql", params=params, timeout=30)
    assert got.status_code == want.status_code == 400
    assert got.text == want.text


def test_writes_are_refused(backend: str) -> None:
    answer = httpx.post(
        backend + "update",
        content=b"INSERT DATA { <urn:a> <urn:b> <urn:c> }",
        headers={"Content-Type": "application/sparql-update"},
        timeout=30,
    )
    assert answer.status_code == 404
    assert "writes are off" in answer.text


def test_remote_backend_refuses_write_tokens() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "sousei_kg",
            "serve",
            "--backend",
            "remote",
            "--query-endpoint",
            "http://127.0.0.1:9/sparql",
            "--write-token",
            "secret-token-of-24-chars",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "sousei-kg load" in done.stderr


def test_an_unreachable_engine_stops_the_server_with_a_clear_error() -> None:
    with (
        pytest.raises(RuntimeError, match="cannot be reached"),
        running_server(
            SERVER_ENV, "--backend", "remote", "--query-endpoint", "http://127.0.0.1:9/sparql"
        ),
    ):
        pass


def test_hints_and_short_keys_on_every_backend(backend: str) -> None:
    """The dataset's IRIs (for query hints and short keys, issue 16) are read from whichever
    engine holds the data: a mistyped IRI gets the same hint, a short key the same rows."""
    query = PREFIXES.replace("https://w3id.org/sousei-kg/def#", "http://w3id.org/sousei-kg/def#")
    query += "SELECT ?g WHERE { ?g a sousei:PolicyGoal }"
    answer = httpx.get(backend + "sparql", params={"query": query}, timeout=60)
    assert answer.status_code == 200
    assert answer.headers["x-query-hint"] == (
        "<http://w3id.org/sousei-kg/def#PolicyGoal> is not in the dataset "
        "(did you mean <https://w3id.org/sousei-kg/def#PolicyGoal>?)"
    )
    short = httpx.get(
        backend + "queries/list-measures-by-organization",
        params={"organization": "mlit", "format": "csv"},
        timeout=60,
    )
    full = httpx.get(
        backend + "queries/list-measures-by-organization",
        params={"organization": ID + "org/mlit", "format": "csv"},
        timeout=60,
    )
    assert short.status_code == full.status_code == 200, short.text
    assert short.text == full.text and len(short.text.splitlines()) > 1


@pytest.mark.parametrize("engine", ["oxigraph", "virtuoso"])
def test_hints_above_the_size_bound_ask_the_engine_per_iri(
    engine: Engine,
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Above HINTS_MAX_QUADS the hints ask the engine about each IRI (an ASK with the IRI bound,
    sent as a BIND) and read only the ontology graph for near spellings: the same hint, and a
    resource of another graph found by its lookup."""
    found = request.getfixturevalue(f"{engine}_engine")
    graph = open_remote_graph(Settings(backend="remote", query_endpoint=found.query, engine=engine))
    monkeypatch.setattr(query_hints, "HINTS_MAX_QUADS", 100)
    monkeypatch.setattr(query_hints, "VOCABULARY_GRAPH_QUADS", 0)
    text = PREFIXES + (
        f"SELECT * WHERE {{ ?g a sousei:PolicyGoals ; sousei:hasKPI ?k . <{ID}goal/2> ?p ?k }}"
    )
    hints = hint_cache(graph).compute((text, None, ()))
    assert hints == (
        QueryHint(
            "https://w3id.org/sousei-kg/def#PolicyGoals",
            "https://w3id.org/sousei-kg/def#PolicyGoal",
        ),
    )
    lookups = iri_lookups(graph)
    assert ID + "goal/2" not in lookups.vocabulary
    assert lookups.remembered(ID + "goal/2") is True
    assert lookups.remembered("https://w3id.org/sousei-kg/def#PolicyGoals") is False
    assert lookups.look_up("https://w3id.org/sousei-kg/def#hasKPI")  # a predicate
    assert lookups.look_up(GRAPH + "meta")  # a graph's name
