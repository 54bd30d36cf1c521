"""``/sparql`` over the shipped data through FastAPI's TestClient: methods, formats, dataset
parameters, errors, the Service Description and the headers every answer carries."""

import csv
import io
import json

import httpx
import pytest
import rdflib
from fastapi.testclient import TestClient
from pyoxigraph import QueryResultsFormat, QuerySolutions, parse_query_results
from rdflib.namespace import RDF

from sousei_kg.sparql.query_protocol import UPDATES_REFUSED

ID = "https://w3id.org/sousei-kg/id/"
GRAPH = "https://w3id.org/sousei-kg/graph/"
GOALS = {ID + "goal/1", ID + "goal/2", ID + "goal/3"}
SELECT_GOALS = """\
PREFIX sousei: <https://w3id.org/sousei-kg/def#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?goal ?label WHERE {
  ?goal a sousei:PolicyGoal ; skos:prefLabel ?label FILTER(LANG(?label) = "ja")
} ORDER BY ?goal
"""
CONSTRUCT_GOALS = """\
PREFIX sousei: <https://w3id.org/sousei-kg/def#>
CONSTRUCT { ?goal a sousei:PolicyGoal } WHERE { ?goal a sousei:PolicyGoal }
"""
ASK_GOAL = "ASK { ?goal a <https://w3id.org/sousei-kg/def#PolicyGoal> }"
POLICY_GOAL = rdflib.URIRef("https://w3id.org/sousei-kg/def#PolicyGoal")
SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def ask(
    client: TestClient,
    method: str,
    query: str,
    params: dict[str, str | list[str]] | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    """Send ``query`` by GET, form POST or direct POST; ``params`` go in the URL."""
    params = dict(params or {})
    headers = dict(headers or {})
    if method == "GET":
        response: httpx.Response = client.get(
            "/sparql", params={"query": query, **params}, headers=headers
        )
    elif method == "form":
        response = client.post("/sparql", params=params, data={"query": query}, headers=headers)
    else:
        response = client.post(
            "/sparql",
            params=params,
            content=query.encode(),
            headers={"Content-Type": "application/sparql-query", **headers},
        )
    return response


def goals_in(response: httpx.Response) -> set[str]:
    """Parse SELECT results in any of the four formats and return the ?goal values."""
    assert response.status_code == 200, response.text
    kind = response.headers["content-type"].split(";")[0]
    if kind == "text/csv":
        rows = list(csv.DictReader(io.StringIO(response.text)))
        assert any(row["label"] == "強い経済" for row in rows)
        return {row["goal"] for row in rows}
    result = parse_query_results(response.content, format=QueryResultsFormat.from_media_type(kind))
    assert isinstance(result, QuerySolutions)
    rows = list(result)
    assert any(row["label"].value == "強い経済" for row in rows)  # type: ignore[union-attr]
    return {row["goal"].value for row in rows}  # type: ignore[union-attr]


def graph_of(response: httpx.Response) -> rdflib.Dataset:
    """Parse an RDF response by its content type."""
    assert response.status_code == 200, response.text
    kind = response.headers["content-type"].split(";")[0]
    dataset = rdflib.Dataset()
    dataset.parse(data=response.content, format=kind)
    return dataset


METHODS = ["GET", "form", "direct"]
RESULT_TYPES = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}
RDF_TYPES = {
    "ttl": "text/turtle",
    "nt": "application/n-triples",
    "rdfxml": "application/rdf+xml",
    "jsonld": "application/ld+json",
    "nq": "application/n-quads",
    "trig": "application/trig",
}


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("key", list(RESULT_TYPES))
def test_select_in_every_format_by_accept(client: TestClient, method: str, key: str) -> None:
    response = ask(client, method, SELECT_GOALS, headers={"Accept": RESULT_TYPES[key]})
    assert response.headers["content-type"] == f"{RESULT_TYPES[key]}; charset=utf-8"
    assert goals_in(response) == GOALS


@pytest.mark.parametrize("key", list(RESULT_TYPES))
def test_select_format_parameter_overrides_accept(client: TestClient, key: str) -> None:
    response = client.get(
        "/sparql", params={"query": SELECT_GOALS, "format": key}, headers={"Accept": "text/csv"}
    )
    assert goals_in(response) == GOALS
    assert response.headers["content-type"].startswith(RESULT_TYPES[key])
    by_output = ask(client, "form", SELECT_GOALS, {"output": RESULT_TYPES[key]})
    assert by_output.headers["content-type"].startswith(RESULT_TYPES[key])


def test_select_defaults_to_json(client: TestClient) -> None:
    response = ask(client, "GET", SELECT_GOALS)
    assert response.headers["content-type"] == "application/sparql-results+json; charset=utf-8"
    assert [b["goal"]["value"] for b in response.json()["results"]["bindings"]] == sorted(GOALS)


@pytest.mark.parametrize("method", METHODS)
def test_ask(client: TestClient, method: str) -> None:
    response = ask(client, method, ASK_GOAL)
    assert response.json() == {"head": {}, "boolean": True}
    xml = client.get(
        "/sparql", params={"query": ASK_GOAL}, headers={"Accept": "application/sparql-results+xml"}
    )
    assert "<boolean>true</boolean>" in xml.text


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("key", list(RDF_TYPES))
def test_construct_in_every_format(client: TestClient, method: str, key: str) -> None:
    by_param = ask(client, method, CONSTRUCT_GOALS, {"format": key})
    by_accept = ask(client, method, CONSTRUCT_GOALS, headers={"Accept": RDF_TYPES[key]})
    for response in (by_param, by_accept):
        assert response.headers["content-type"] == f"{RDF_TYPES[key]}; charset=utf-8"
        graph = graph_of(response)
        assert {str(s) for s, _, _ in graph.triples((None, RDF.type, POLICY_GOAL))} == GOALS


def test_construct_defaults_to_turtle(client: TestClient) -> None:
    response = ask(client, "GET", CONSTRUCT_GOALS, {})
    assert response.headers["content-type"] == "text/turtle; charset=utf-8"
    assert len(graph_of(response)) == 3


def test_describe(client: TestClient) -> None:
    response = ask(client, "direct", f"DESCRIBE <{ID}goal/1>", {"format": "nt"})
    graph = graph_of(response)
    assert (rdflib.URIRef(ID + "goal/1"), RDF.type, POLICY_GOAL) in graph
    assert len(graph) > 5


def test_client_synonyms_for_graphs(client: TestClient) -> None:
    """SPARQLWrapper and Fuseki users send xml/json for CONSTRUCT meaning RDF/XML and JSON-LD."""
    assert (
        ask(client, "GET", CONSTRUCT_GOALS, {"format": "xml"})
        .headers["content-type"]
        .startswith("application/rdf+xml")
    )
    assert (
        ask(client, "GET", CONSTRUCT_GOALS, {"format": "json"})
        .headers["content-type"]
        .startswith("application/ld+json")
    )


# --- dataset ---------------------------------------------------------------------------------


def selected(response: httpx.Response, variable: str) -> set[str]:
    assert response.status_code == 200, response.text
    return {b[variable]["value"] for b in response.json()["results"]["bindings"]}


@pytest.mark.parametrize("method", METHODS)
def test_default_graph_uri_names_local_graphs(client: TestClient, method: str) -> None:
    strategy = ask(client, method, SELECT_GOALS, {"default-graph-uri": GRAPH + "strategy-2025"})
    assert selected(strategy, "goal") == GOALS
    ontology = ask(client, method, SELECT_GOALS, {"default-graph-uri": GRAPH + "ontology"})
    assert selected(ontology, "goal") == set()
    missing = ask(client, method, SELECT_GOALS, {"default-graph-uri": "http://example.org/none"})
    assert selected(missing, "goal") == set()


@pytest.mark.parametrize("method", METHODS)
def test_named_graph_uri_limits_graph(client: TestClient, method: str) -> None:
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    all_graphs = selected(ask(client, method, query), "g")
    assert {GRAPH + "strategy-2025", GRAPH + "curation", GRAPH + "ontology"} <= all_graphs
    two = [GRAPH + "ontology", GRAPH + "meta"]
    assert selected(ask(client, method, query, {"named-graph-uri": two}), "g") == set(two)
    # With only named graphs given, the default graph is empty.
    assert selected(ask(client, method, SELECT_GOALS, {"named-graph-uri": two}), "goal") == set()


def test_from_names_local_graphs_and_nothing_is_fetched(client: TestClient) -> None:
    query = SELECT_GOALS.replace(
        "WHERE", "FROM <https://w3id.org/sousei-kg/graph/strategy-2025> WHERE"
    )
    assert selected(ask(client, "GET", query), "goal") == GOALS
    query = SELECT_GOALS.replace("WHERE", "FROM <http://127.0.0.1:9/nothing.ttl> WHERE")
    assert selected(ask(client, "GET", query), "goal") == set()


def test_malformed_graph_iri_is_400(client: TestClient) -> None:
    response = ask(client, "GET", ASK_GOAL, {"default-graph-uri": "not an iri"})
    assert response.status_code == 400
    assert "default-graph-uri='not an iri' is not an absolute IRI" in response.text


# --- errors and headers ----------------------------------------------------------------------


def test_syntax_error_is_400_with_line_and_column(client: TestClient) -> None:
    response = ask(client, "direct", "SELECT *\nWHERE { ?s ?p }")
    assert response.status_code == 400
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.text.startswith("400 Bad Request: SPARQL syntax error at line 2, column 16: ")
    assert "Traceback" not in response.text
    assert response.headers["vary"].startswith("Accept")


@pytest.mark.parametrize(
    ("query", "headers", "params"),
    [
        (SELECT_GOALS, {"Accept": "text/turtle"}, {}),
        (CONSTRUCT_GOALS, {"Accept": "application/sparql-results+json"}, {}),
        (SELECT_GOALS, {}, {"format": "ttl"}),
        (CONSTRUCT_GOALS, {}, {"format": "csv"}),
    ],
)
def test_nothing_acceptable_is_406(
    client: TestClient, query: str, headers: dict[str, str], params: dict[str, str]
) -> None:
    response = client.get("/sparql", params={"query": query, **params}, headers=headers)
    assert response.status_code == 406
    assert "406 Not Acceptable" in response.text
    assert "available as:" in response.text
    assert response.headers["vary"].startswith("Accept")


def test_duplicate_query_is_400(client: TestClient) -> None:
    response = client.get("/sparql?query=ASK%20%7B%7D&query=ASK%20%7B%7D")
    assert response.status_code == 400
    assert "2 query parameters" in response.text


def test_update_is_400_and_told_where_updates_go(client: TestClient) -> None:
    """An update, as update= or as the query itself, is told it is one, and that this server
    (started without write tokens) is read-only."""
    response = client.post("/sparql", data={"update": "CLEAR ALL"})
    assert response.status_code == 400
    assert response.text.startswith(f"400 Bad Request: {UPDATES_REFUSED}: ")
    assert "this server is read-only" in response.text
    query_update = ask(
        client, "GET", "INSERT DATA { <http://example.org/a> <http://example.org/b> 1 }"
    )
    assert query_update.status_code == 400
    first = query_update.text.splitlines()[0]
    assert "SPARQL syntax error at line 1, column 1: this is a SPARQL Update (INSERT)" in first
    assert "this server is read-only" in first


def test_wrong_content_type_is_415(client: TestClient) -> None:
    response = client.post("/sparql", content=b"ASK {}", headers={"Content-Type": "text/plain"})
    assert response.status_code == 415
    assert "application/sparql-query" in response.text


def test_put_is_405_with_allow(client: TestClient) -> None:
    response = client.put("/sparql/", content=b"")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD, POST, OPTIONS"
    assert response.headers["vary"].startswith("Accept")
    options = client.options("/sparql")
    assert (options.status_code, options.headers["allow"]) == (204, "GET, HEAD, POST, OPTIONS")


def test_vary_accept_on_every_answer(client: TestClient) -> None:
    for response in (
        ask(client, "GET", SELECT_GOALS),
        ask(client, "form", CONSTRUCT_GOALS, {"format": "nt"}),
        client.get("/sparql"),
        client.get("/sparql/", headers={"Accept": BROWSER}),
        ask(client, "GET", "ASK {"),
    ):
        assert "Accept" in [v.strip() for v in response.headers["vary"].split(",")]


def test_slash_path_and_head(client: TestClient) -> None:
    get = client.get("/sparql/", params={"query": SELECT_GOALS})
    assert goals_in(get) == GOALS
    head = client.head("/sparql/", params={"query": SELECT_GOALS})
    assert head.status_code == 200
    assert head.headers["content-type"] == get.headers["content-type"]
    assert head.content == b""
    assert client.head("/sparql").headers["content-type"].startswith("text/turtle")


def test_relative_iris_resolve_against_the_endpoint(client: TestClient) -> None:
    response = ask(client, "GET", "SELECT (STR(<x>) AS ?x) {}")
    assert selected(response, "x") == {"http://testserver/x"}


def test_gzip_for_a_large_result(client: TestClient) -> None:
    query = "CONSTRUCT WHERE { ?s ?p ?o }"
    response = client.get(
        "/sparql", params={"query": query, "format": "nt"}, headers={"Accept-Encoding": "gzip"}
    )
    assert response.headers["content-encoding"] == "gzip"
    assert "Accept-Encoding" in response.headers["vary"]
    assert len(graph_of(response)) > 1000  # httpx decompressed it


def test_cors(client: TestClient) -> None:
    response = client.get(
        "/sparql", params={"query": ASK_GOAL}, headers={"Origin": "https://example.org"}
    )
    assert response.headers["access-control-allow-origin"] == "*"
    preflight = client.options(
        "/sparql",
        headers={
            "Origin": "https://example.org",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 200
    assert "POST" in preflight.headers["access-control-allow-methods"]


# --- Service Description ---------------------------------------------------------------------


@pytest.mark.parametrize("key", list(RDF_TYPES))
def test_service_description_in_every_rdf_format(client: TestClient, key: str) -> None:
    response = client.get("/sparql", headers={"Accept": RDF_TYPES[key]})
    assert response.headers["content-type"] == f"{RDF_TYPES[key]}; charset=utf-8"
    graph = graph_of(response)
    service = graph.value(predicate=SD.endpoint, object=rdflib.URIRef("http://testserver/sparql"))
    assert service is not None
    assert (service, RDF.type, SD.Service) in graph


def triple_count(graph: rdflib.Dataset, node: rdflib.term.Node | None) -> int:
    value = graph.value(node, VOID.triples)
    assert isinstance(value, rdflib.Literal)
    count = value.toPython()
    assert isinstance(count, int)
    return count


def test_service_description_content(client: TestClient) -> None:
    response = client.get("/sparql")
    assert response.headers["content-type"] == "text/turtle; charset=utf-8"
    graph = graph_of(response)
    service = graph.value(predicate=RDF.type, object=SD.Service)
    assert set(graph.objects(service, SD.supportedLanguage)) == {SD.SPARQL11Query}
    assert set(graph.objects(service, SD.feature)) == {SD.UnionDefaultGraph}
    formats = {str(f).rsplit("/", 1)[1] for f in graph.objects(service, SD.resultFormat)}
    assert {
        "SPARQL_Results_JSON",
        "SPARQL_Results_XML",
        "SPARQL_Results_CSV",
        "SPARQL_Results_TSV",
        "Turtle",
        "N-Triples",
        "RDF_XML",
        "JSON-LD",
    } <= formats
    dataset = graph.value(service, SD.defaultDataset)
    default = graph.value(dataset, SD.defaultGraph)
    union_size = triple_count(graph, default)
    sizes = {
        str(graph.value(named, SD.name)): triple_count(graph, graph.value(named, SD.graph))
        for named in graph.objects(dataset, SD.namedGraph)
    }
    health = client.get("/health").json()
    assert sum(sizes.values()) == health["quads"]
    assert {
        GRAPH + "strategy-2025",
        GRAPH + "curation",
        GRAPH + "ontology",
        GRAPH + "shapes",
        GRAPH + "meta",
    } == set(sizes)
    assert max(sizes.values()) < union_size <= health["quads"]


def test_browser_gets_the_editor_and_tools_the_service_description(client: TestClient) -> None:
    page = client.get("/sparql", headers={"Accept": BROWSER})
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "yasgui" in page.text.lower()
    description = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert description.headers["content-type"] == "text/turtle; charset=utf-8"
    assert (None, SD.endpoint, None) in graph_of(description)


def test_service_description_406(client: TestClient) -> None:
    response = client.get("/sparql", headers={"Accept": "text/csv"})
    assert response.status_code == 406


def test_openapi_documents_the_endpoint(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert "/sparql/" not in spec["paths"]
    operations = spec["paths"]["/sparql"]
    assert set(operations) == {"get", "post"}
    names = {p["name"] for p in operations["get"]["parameters"]}
    assert names == {"query", "default-graph-uri", "named-graph-uri", "format"}
    body = operations["post"]["requestBody"]["content"]
    assert {"application/x-www-form-urlencoded", "application/sparql-query"} <= set(body)
    media = set(operations["get"]["responses"]["200"]["content"])
    assert set(RESULT_TYPES.values()) | set(RDF_TYPES.values()) <= media
    assert json.dumps(operations).count("PolicyGoal") >= 2


def test_a_browser_following_a_query_link_gets_the_editor(client: TestClient) -> None:
    """A link to /sparql?query=… opened in a browser (which also accepts application/xml) shows
    the query in the editor instead of downloading a results file; tools still get results."""
    page = client.get("/sparql", params={"query": "ASK {}"}, headers={"Accept": BROWSER})
    assert page.headers["content-type"].startswith("text/html")
    assert "yasgui" in page.text.lower()
    tool = client.get("/sparql", params={"query": "ASK {}"}, headers={"Accept": "*/*"})
    assert tool.headers["content-type"].startswith("application/sparql-results+json")
