"""Query hints (issue 16): a query naming an IRI of ours that the dataset does not hold is told
which one exists nearby; the dataset's IRIs are read once per version and hints remembered per
text; the answer carries them in ``X-Query-Hint`` and in ``head.hints`` of JSON results, and
pyoxigraph and rdflib still read it."""

import io
from collections.abc import Iterable, Iterator, Mapping

import pytest
import rdflib.query
from fastapi.testclient import TestClient
from pyoxigraph import QueryResultsFormat, QuerySolutions, parse_query_results

from sousei_kg.app import create_app
from sousei_kg.config import Settings
from sousei_kg.dataset.knowledge_graph import KnowledgeGraph, open_knowledge_graph
from sousei_kg.linked_data import query_hints
from sousei_kg.linked_data.query_hints import (
    CHECKED_PER_TEXT,
    LOOKUPS_PER_TEXT,
    MAX_HINTS,
    IriLookups,
    KnownIris,
    LookedUpIris,
    QueryHint,
    hint_cache,
    iri_lookups,
    known_iris,
)
from sousei_kg.sparql import query_iris
from sousei_kg.sparql.internal_queries import internal_query, internal_query_names
from sousei_kg.store.query import run_query
from sousei_kg.store.readable import QueryResult, ReadableStore, Term

DEF = "https://w3id.org/sousei-kg/def#"
ID = "https://w3id.org/sousei-kg/id/"
GRAPH = "https://w3id.org/sousei-kg/graph/"
GOALS_HTTP = (
    "PREFIX sousei: <http://w3id.org/sousei-kg/def#>\nSELECT ?g WHERE { ?g a sousei:PolicyGoal }"
)
HINT = (
    "<http://w3id.org/sousei-kg/def#PolicyGoal> is not in the dataset "
    "(did you mean <https://w3id.org/sousei-kg/def#PolicyGoal>?)"
)


@pytest.fixture(scope="module")
def graph() -> KnowledgeGraph:
    return open_knowledge_graph(Settings())


@pytest.fixture
def large(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Hints as above HINTS_MAX_QUADS, on the shipped data, with the ontology graph alone as the
    vocabulary (so whether a resource exists must be asked of the store). Gives the names of the
    internal queries the hints run, as they run."""
    monkeypatch.setattr(query_hints, "HINTS_MAX_QUADS", 100)
    monkeypatch.setattr(query_hints, "VOCABULARY_GRAPH_QUADS", 0)
    names = {internal_query(name): name for name in internal_query_names()}
    run: list[str] = []

    def spying(
        store: ReadableStore, text: str, params: Mapping[str, Term] | None = None
    ) -> QueryResult:
        run.append(names.get(text, "?"))
        return run_query(store, text, params)

    monkeypatch.setattr(query_hints, "run_query", spying)
    return run


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(Settings(query_workers=0))) as test_client:
        yield test_client


@pytest.mark.parametrize(
    ("named", "nearest"),
    [
        ("http://w3id.org/sousei-kg/def#PolicyGoal", DEF + "PolicyGoal"),  # http for https
        ("HTTPS://W3ID.ORG/sousei-kg/def#Measure", DEF + "Measure"),  # the host's case
        (DEF + "PolicyGoals", DEF + "PolicyGoal"),  # a plural
        (DEF + "haskpi", DEF + "hasKPI"),  # letter case
        ("https://w3id.org/sousei-kg/def/hasKPI", DEF + "hasKPI"),  # def/ for def#
        ("https://w3id.org/sousei-kg/doc/goal/2", ID + "goal/2"),  # a page for its resource
        (GRAPH + "strategy2025", GRAPH + "strategy-2025"),  # a graph, one character off
        (ID + "measure/reskiling-support", ID + "measure/reskilling-support"),
        (ID + "goal/2/", ID + "goal/2"),  # a final slash
    ],
)
def test_the_nearest_existing_iri_is_named(graph: KnowledgeGraph, named: str, nearest: str) -> None:
    assert nearest in known_iris(graph)
    assert named not in known_iris(graph)
    assert known_iris(graph).nearest(named) == nearest


LARGE_NEAREST = [
    ("http://w3id.org/sousei-kg/def#PolicyGoal", DEF + "PolicyGoal"),
    ("HTTPS://W3ID.ORG/sousei-kg/def#Measure", DEF + "Measure"),
    (DEF + "PolicyGoals", DEF + "PolicyGoal"),
    (DEF + "haskpi", DEF + "hasKPI"),
    ("https://w3id.org/sousei-kg/def/hasKPI", DEF + "hasKPI"),
    ("https://w3id.org/sousei-kg/doc/goal/2", ID + "goal/2"),  # found by a lookup
    ("http://w3id.org/sousei-kg/id/goal/2/", ID + "goal/2"),  # found by a lookup
    (GRAPH + "strategy2025", GRAPH + "strategy-2025"),  # graph names are all known
    (ID + "measure/reskiling-support", None),  # no near spelling outside the vocabulary
]


@pytest.mark.parametrize(("named", "nearest"), LARGE_NEAREST)
def test_above_the_size_bound_the_nearest_iri_is_found_without_reading_every_iri(
    large: list[str], named: str, nearest: str | None
) -> None:
    graph = open_knowledge_graph(Settings())
    assert LookedUpIris(iri_lookups(graph), asks_store=True).nearest(named) == nearest
    assert "known-iris" not in large
    assert large.count("graph-iris") == 1  # the ontology graph alone


def test_above_the_size_bound_with_every_graph_small_the_nearest_iris_are_the_same(
    monkeypatch: pytest.MonkeyPatch, graph: KnowledgeGraph
) -> None:
    """The shipped graphs all fit the vocabulary bounds: the nearest-IRI search of a large
    dataset then gives what reading every IRI gives."""
    monkeypatch.setattr(query_hints, "HINTS_MAX_QUADS", 100)
    fresh = open_knowledge_graph(Settings())
    looked_up = LookedUpIris(iri_lookups(fresh), asks_store=True)
    known = known_iris(graph)
    for named in [*(n for n, _ in LARGE_NEAREST), ID + "measure/reskiling-support"]:
        assert looked_up.nearest(named) == known.nearest(named), named


def test_above_the_size_bound_a_plural_gets_its_hint_and_a_resource_is_looked_up(
    large: list[str],
) -> None:
    graph = open_knowledge_graph(Settings())
    text = (
        f"PREFIX sousei: <{DEF}>\n"
        f"SELECT * WHERE {{ ?g a sousei:PolicyGoals ; sousei:hasKPI ?k . <{ID}goal/2> ?p ?k }}"
    )
    hints = hint_cache(graph).compute((text, None, ()))
    assert hints == (QueryHint(DEF + "PolicyGoals", DEF + "PolicyGoal"),)
    lookups = iri_lookups(graph)
    # goal/2 is in no graph read whole: the store said it exists.
    assert ID + "goal/2" not in lookups.vocabulary
    assert lookups.remembered(ID + "goal/2") is True
    assert lookups.remembered(DEF + "PolicyGoals") is False
    assert "known-iris" not in large


def test_above_the_size_bound_lookups_per_text_are_bounded(
    large: list[str], graph: KnowledgeGraph
) -> None:
    resources = sorted(iri for iri in known_iris(graph).iris if iri.startswith(ID + "attribution"))
    assert len(resources) >= 100
    fresh = open_knowledge_graph(Settings())
    cache = hint_cache(fresh)
    present = "ASK { " + " ".join(f"<{iri}> ?p ?o ." for iri in resources[:100]) + " }"
    assert cache.compute((present, None, ())) == ()
    assert large.count("iri-present") == CHECKED_PER_TEXT
    large.clear()
    missing = "ASK { " + " ".join(f"<{ID}nothing/{n}a> ?p ?o ." for n in range(100)) + " }"
    assert len(cache.compute((missing, None, ()))) == MAX_HINTS
    assert 0 < large.count("iri-present") <= LOOKUPS_PER_TEXT


def test_above_the_size_bound_remembered_iris_cost_no_lookup_and_settle_on_the_loop(
    large: list[str],
) -> None:
    graph = open_knowledge_graph(Settings())
    cache = hint_cache(graph)
    first = (f"ASK {{ <{ID}goal/2> ?p <{ID}goal/1> }}", None, ())
    assert cache.answer_if_cheap(first) is None  # the vocabulary is not read yet
    assert cache.compute(first) == ()
    lookups = large.count("iri-present")
    assert lookups == 2
    again = (f"SELECT * {{ <{ID}goal/1> ?p <{ID}goal/2> }}", None, ())
    assert cache.answer_if_cheap(again) == ()
    unknown = (f"ASK {{ <{ID}goal/3> ?p ?o }}", None, ())
    assert cache.answer_if_cheap(unknown) is None  # the loop never asks the store
    assert large.count("iri-present") == lookups
    assert cache.compute(unknown) == ()
    assert large.count("iri-present") == lookups + 1


def test_the_vocabulary_is_the_ontology_and_the_small_graphs_within_a_total() -> None:
    graphs = {
        "default": 5,  # the default graph has no name to read it by
        "b0": 5,  # nor has a blank-node graph
        GRAPH + "big": 9_000_000,
        GRAPH + "ontology": 30_000,  # first, whatever the cap on one graph
        GRAPH + "b": 9_000,
        GRAPH + "a": 9_000,
        GRAPH + "c": 9_000,
        GRAPH + "d": 2_000,  # still fits after c did not
        GRAPH + "e": 10_001,  # above the cap on one graph
    }
    assert query_hints.vocabulary_graphs(graphs) == [
        GRAPH + "ontology",
        GRAPH + "d",
        GRAPH + "a",
        GRAPH + "b",
    ]


def test_the_remembered_lookups_are_bounded(graph: KnowledgeGraph) -> None:
    lookups = IriLookups(graph.store, KnownIris([]), size=2)
    for iri in (ID + "goal/1", ID + "goal/2", ID + "goal/99"):
        lookups.look_up(iri)
    assert lookups.remembered(ID + "goal/1") is None
    assert lookups.remembered(ID + "goal/2") is True
    assert lookups.remembered(ID + "goal/99") is False


def test_an_iri_with_nothing_close_gets_a_hint_without_a_suggestion(graph: KnowledgeGraph) -> None:
    text = "ASK { <https://w3id.org/sousei-kg/id/zzzzzzzzzzzz/qqqqqqqqq> ?p ?o }"
    [hint] = hint_cache(graph).compute((text, None, ()))
    assert hint == QueryHint("https://w3id.org/sousei-kg/id/zzzzzzzzzzzz/qqqqqqqqq", None)
    assert hint.message.endswith("is not in the dataset (and nothing close to it is)")


def test_iris_that_exist_and_iris_of_others_get_no_hint(graph: KnowledgeGraph) -> None:
    text = (
        f"PREFIX sousei: <{DEF}> PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
        f"SELECT * FROM <{GRAPH}strategy-2025> WHERE {{ ?g a sousei:PolicyGoal ; skos:nope ?x ;"
        f" <http://example.org/p> ?y FILTER(STRSTARTS(STR(?g), '{ID}')) }}"
    )
    assert hint_cache(graph).compute((text, None, ())) == ()


def test_known_iris_are_read_once_per_version_and_hints_once_per_text(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    graph = open_knowledge_graph(Settings())
    reads: list[str] = []
    scans: list[str] = []
    real_read, real_scan = query_hints.read_known_iris, query_iris.named_iris

    def counting_read(store: ReadableStore, names: Iterable[str] = ()) -> query_hints.KnownIris:
        reads.append(graph.version)
        return real_read(store, names)

    def counting_scan(text: str, base: str | None = None) -> tuple[str, ...]:
        scans.append(text)
        return real_scan(text, base)

    monkeypatch.setattr(query_hints, "read_known_iris", counting_read)
    monkeypatch.setattr(query_hints, "named_iris", counting_scan)
    cache = hint_cache(graph)
    for text in (GOALS_HTTP, GOALS_HTTP, "ASK { ?s ?p ?o }", GOALS_HTTP):
        key = (text, None, ())
        if cache.cached(key) is None:
            cache.compute(key)
    assert reads == [graph.version]
    assert scans == [GOALS_HTTP, "ASK { ?s ?p ?o }"]


def test_the_answer_carries_the_hint_in_a_header_and_in_the_json_head(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": GOALS_HTTP})
    assert response.status_code == 200
    assert response.headers["x-query-hint"] == HINT
    head = response.json()["head"]
    assert head["vars"] == ["g"]
    assert head["hints"] == [
        {
            "message": HINT,
            "iri": "http://w3id.org/sousei-kg/def#PolicyGoal",
            "nearest": DEF + "PolicyGoal",
        }
    ]
    # Clients that read SPARQL JSON results still read it: pyoxigraph and rdflib.
    parsed = parse_query_results(response.content, format=QueryResultsFormat.JSON)
    assert isinstance(parsed, QuerySolutions) and [v.value for v in parsed.variables] == ["g"]
    assert list(parsed) == []
    result = rdflib.query.Result.parse(io.BytesIO(response.content), format="json")
    assert [str(v) for v in result.vars or []] == ["g"] and list(result) == []


def test_rows_and_hints_together_still_parse(client: TestClient) -> None:
    query = (
        f"PREFIX sousei: <{DEF}>\nSELECT ?g ?k WHERE {{ ?g a sousei:PolicyGoal "
        "OPTIONAL { ?g <http://w3id.org/sousei-kg/def#hasKPI> ?k } }"
    )
    response = client.get("/sparql", params={"query": query})
    assert (
        "did you mean <https://w3id.org/sousei-kg/def#hasKPI>" in response.headers["x-query-hint"]
    )
    result = rdflib.query.Result.parse(io.BytesIO(response.content), format="json")
    assert len(list(result)) == 3


@pytest.mark.parametrize(("fmt", "head"), [("csv", "g\r\n"), ("xml", "<?xml"), ("tsv", "?g\n")])
def test_other_formats_carry_the_header_only(client: TestClient, fmt: str, head: str) -> None:
    response = client.get("/sparql", params={"query": GOALS_HTTP, "format": fmt})
    assert response.headers["x-query-hint"] == HINT
    assert response.text.startswith(head) and "hints" not in response.text


def test_a_graph_named_by_the_request_gets_a_hint(client: TestClient) -> None:
    response = client.get(
        "/sparql",
        params={
            "query": "ASK { ?s ?p ?o }",
            "default-graph-uri": "http://w3id.org/sousei-kg/graph/meta",
        },
    )
    assert response.headers["x-query-hint"] == (
        "<http://w3id.org/sousei-kg/graph/meta> is not in the dataset "
        f"(did you mean <{GRAPH}meta>?)"
    )


def test_repeated_and_revalidated_answers_keep_the_hint(client: TestClient) -> None:
    first = client.get("/sparql", params={"query": GOALS_HTTP, "format": "csv"})
    again = client.get("/sparql", params={"query": GOALS_HTTP, "format": "csv"})
    revalidated = client.get(
        "/sparql",
        params={"query": GOALS_HTTP, "format": "csv"},
        headers={"If-None-Match": first.headers["etag"]},
    )
    assert revalidated.status_code == 304
    for response in (first, again, revalidated):
        assert response.headers["x-query-hint"] == HINT


def test_a_correct_query_has_no_hint(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": GOALS_HTTP.replace("http:", "https:")})
    assert "x-query-hint" not in response.headers
    assert len(response.json()["results"]["bindings"]) == 3
    assert "hints" not in response.json()["head"]


def test_a_non_ascii_iri_is_percent_encoded_in_the_header(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": f"ASK {{ <{ID}measure/交通> ?p ?o }}"})
    assert response.headers["x-query-hint"].startswith(
        f"<{ID}measure/%E4%BA%A4%E9%80%9A> is not in the dataset"
    )


def test_when_the_iris_cannot_be_read_hints_are_off_once_and_queries_go_on(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(_store: ReadableStore, _names: Iterable[str] = ()) -> query_hints.KnownIris:
        raise OSError("the engine is down")

    monkeypatch.setattr(query_hints, "read_known_iris", broken)
    with TestClient(create_app(Settings(query_workers=0))) as fresh:
        for _ in range(3):
            response = fresh.get("/sparql", params={"query": GOALS_HTTP + f" # {_}"})
            assert response.status_code == 200 and "x-query-hint" not in response.headers
    warnings = [r for r in caplog.records if r.name == "sousei_kg.http.query_hints"]
    assert [r.getMessage() for r in warnings] == [
        "query hints are off for this dataset version: OSError: the engine is down"
    ]


def test_above_the_size_bound_hints_stay_on_without_reading_every_iri(
    large: list[str], caplog: pytest.LogCaptureFixture
) -> None:
    """A dataset larger than HINTS_MAX_QUADS never reads all its IRIs (at 10 M quads that took
    92 s and ~170 MB): the store is asked about the IRIs the query names, and the answer carries
    the same hint as on a small dataset."""
    with TestClient(create_app(Settings(query_workers=0))) as fresh:
        response = fresh.get("/sparql", params={"query": GOALS_HTTP})
        assert response.status_code == 200
        assert response.headers["x-query-hint"] == HINT
        fine = fresh.get("/sparql", params={"query": GOALS_HTTP.replace("http:", "https:")})
        assert "x-query-hint" not in fine.headers
    assert "known-iris" not in large
    assert "iri-present" in large
    assert [r for r in caplog.records if r.name == "sousei_kg.http.query_hints"] == []


def test_above_the_size_bound_a_failing_lookup_turns_hints_off_once(
    large: list[str], monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(_store: ReadableStore, _iri: str) -> bool:
        raise OSError("the engine is down")

    monkeypatch.setattr(query_hints, "iri_present", broken)
    with TestClient(create_app(Settings(query_workers=0))) as fresh:
        for n in range(3):
            response = fresh.get("/sparql", params={"query": GOALS_HTTP + f" # {n}"})
            assert response.status_code == 200 and "x-query-hint" not in response.headers
    warnings = [r.getMessage() for r in caplog.records if r.name == "sousei_kg.http.query_hints"]
    assert warnings == ["query hints are off for this dataset version: OSError: the engine is down"]
    assert "known-iris" not in large


def test_only_a_text_naming_no_missing_iri_is_settled_without_a_search(
    graph: KnowledgeGraph,
) -> None:
    """The event loop settles a text only when no nearest-IRI search is needed; a text naming a
    missing IRI is left to compute (on a thread), which finds the nearest."""
    cache = hint_cache(graph)
    known_iris(graph)  # read, as after the first query of the version
    fine = ("SELECT ?g WHERE { ?g a <https://w3id.org/sousei-kg/def#PolicyGoal> }", None, ())
    assert cache.answer_if_cheap(fine) == ()
    assert cache.cached(fine) == ()
    missing = (GOALS_HTTP, None, ())
    assert cache.answer_if_cheap(missing) is None
    assert [h.message for h in cache.compute(missing)] == [HINT]
