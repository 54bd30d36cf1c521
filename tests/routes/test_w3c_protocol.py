"""The W3C SPARQL 1.1 Protocol test suite, query side (w3c/rdf-tests, sparql/sparql11/protocol/,
manifest.ttl at commit ad541a5).

Each manifest entry is encoded here by hand: its request verbatim (method, path, Content-Type,
body and body encoding) and its expected response (status class, result format, boolean). The
graph data (``ut:graphData``) comes from ``tests/fixtures/w3c-protocol/`` and is loaded into a
dedicated store, served through a dependency override, because the test graph names
(``http://kasei.us/…``) are not ones a shipped data file can produce. The manifest's update tests
need an update endpoint, which /sparql never is: their update requests are checked to be refused.
"""

import contextlib
import json
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
import rdflib
from fastapi.testclient import TestClient
from pyoxigraph import QueryBoolean, QueryResultsFormat, parse_query_results

from conftest import FIXTURES
from sousei_kg.app import create_app
from sousei_kg.config import Settings
from sousei_kg.sparql.query_protocol import UPDATES_REFUSED
from sousei_kg.store.directory import build_store
from sousei_kg.store.loading import GraphFile

W3C_FIXTURES = FIXTURES / "w3c-protocol"
DATA = "http://kasei.us/2009/09/sparql/data/"
D1, D2, D3 = (f"data{n}.nt" for n in (1, 2, 3))
FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE = "application/sparql-update"
RESULT_TYPES = {
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
}
RDF_TYPES = {"application/rdf+xml": "xml", "text/turtle": "turtle", "application/n-triples": "nt"}


@dataclass(frozen=True)
class Case:
    """One manifest entry: the request and what the response must be."""

    name: str
    method: str
    path: str
    content_type: str | None = None
    body: str | None = None
    encoding: str = "utf-8"
    graphs: tuple[str, ...] = ()
    status: int = 2  # the status class: 2 (2xx/3xx accepted by the manifest) or 4
    result: str | None = None  # "boolean", "tabular" or "RDF"
    boolean: bool | None = None
    message: str | None = None  # for 4xx: what the body must say (ours, not the manifest's)


DG0 = "default-graph-uri=http%3A%2F%2Fkasei.us%2F2009%2F09%2Fsparql%2Fdata%2Fdata0.rdf"
DG1 = "default-graph-uri=http%3A%2F%2Fkasei.us%2F2009%2F09%2Fsparql%2Fdata%2Fdata1.rdf"
DG2 = "default-graph-uri=http%3A%2F%2Fkasei.us%2F2009%2F09%2Fsparql%2Fdata%2Fdata2.rdf"
DG3 = "default-graph-uri=http%3A%2F%2Fkasei.us%2F2009%2F09%2Fsparql%2Fdata%2Fdata3.rdf"
NG1 = "named-graph-uri=http%3A%2F%2Fkasei.us%2F2009%2F09%2Fsparql%2Fdata%2Fdata1.rdf"
NG2 = "named-graph-uri=http%3A%2F%2Fkasei.us%2F2009%2F09%2Fsparql%2Fdata%2Fdata2.rdf"
ASK_D1_D2 = (
    "ASK%20%7B%20%3Chttp%3A%2F%2Fkasei.us%2F2009%2F09%2Fsparql%2Fdata%2Fdata1.rdf%3E%20a%20%3Ftype"
    "%20.%20%3Chttp%3A%2F%2Fkasei.us%2F2009%2F09%2Fsparql%2Fdata%2Fdata2.rdf%3E%20a%20%3Ftype%20.%20%7D"
)
ASK_GRAPHS = (
    "ASK%20%7B%20GRAPH%20%3Fg1%20%7B%20%3Chttp%3A%2F%2Fkasei.us%2F2009%2F09%2Fsparql%2Fdata%2F"
    "data1.rdf%3E%20a%20%3Ftype%20%7D%20GRAPH%20%3Fg2%20%7B%20%3Chttp%3A%2F%2Fkasei.us%2F2009%2F09"
    "%2Fsparql%2Fdata%2Fdata2.rdf%3E%20a%20%3Ftype%20%7D%20%7D"
)
GRAPHS_BODY = (
    "ASK { GRAPH ?g1 { <http://kasei.us/2009/09/sparql/data/data1.rdf> a ?type } "
    "GRAPH ?g2 { <http://kasei.us/2009/09/sparql/data/data2.rdf> a ?type } }"
)

QUERY_CASES = [
    Case("query_post_form", "POST", f"/sparql/?{DG0}", FORM, "query=ASK%20%7B%7D",
         result="boolean", boolean=True),
    Case("query_dataset_default_graphs_get", "GET", f"/sparql/?query={ASK_D1_D2}&{DG1}&{DG2}",
         graphs=(D1, D2), result="boolean", boolean=True),
    Case("query_dataset_default_graphs_post", "POST", f"/sparql/?{DG1}&{DG2}", DIRECT,
         "ASK { <http://kasei.us/2009/09/sparql/data/data1.rdf> a ?type . "
         "<http://kasei.us/2009/09/sparql/data/data2.rdf> a ?type . }",
         graphs=(D1, D2), result="boolean", boolean=True),
    Case("query_dataset_named_graphs_post", "POST", f"/sparql/?{NG1}&{NG2}", DIRECT, GRAPHS_BODY,
         graphs=(D1, D2), result="boolean", boolean=True),
    Case("query_dataset_named_graphs_get", "GET", f"/sparql/?query={ASK_GRAPHS}&{NG1}&{NG2}",
         graphs=(D1, D2), result="boolean", boolean=True),
    Case("query_dataset_full", "POST", f"/sparql/?{DG3}&{NG1}&{NG2}", DIRECT,
         "ASK {\n  <http://kasei.us/2009/09/sparql/data/data3.rdf> a ?type\n"
         "  GRAPH ?g1 { <http://kasei.us/2009/09/sparql/data/data1.rdf> a ?type }\n"
         "  GRAPH ?g2 { <http://kasei.us/2009/09/sparql/data/data2.rdf> a ?type }\n}",
         graphs=(D1, D2, D3), result="boolean", boolean=True),
    Case("query_multiple_dataset", "POST", f"/sparql/?{NG1}&{NG2}", DIRECT,
         "ASK FROM <http://kasei.us/2009/09/sparql/data/data3.rdf> { GRAPH ?g1 { "
         "<http://kasei.us/2009/09/sparql/data/data1.rdf> a ?type } GRAPH ?g2 { "
         "<http://kasei.us/2009/09/sparql/data/data2.rdf> a ?type } }",
         graphs=(D1, D2, D3), result="boolean", boolean=True),
    Case("query_get", "GET", f"/sparql/?query=ASK%20%7B%7D&{DG0}", result="boolean", boolean=True),
    Case("query_content_type_select", "POST", f"/sparql/?{DG0}", DIRECT, "SELECT (1 AS ?value) {}",
         result="tabular"),
    Case("query_content_type_ask", "POST", f"/sparql/?{DG0}", DIRECT, "ASK {}", result="boolean"),
    Case("query_content_type_describe", "POST", f"/sparql/?{DG0}", DIRECT,
         "DESCRIBE <http://example.org/>", result="RDF"),
    Case("query_content_type_construct", "POST", f"/sparql/?{DG0}", DIRECT,
         "CONSTRUCT { <s> <p> 1 } WHERE {}", result="RDF"),
    Case("query_post_direct", "POST", "/sparql/", DIRECT, "ASK {}", result="boolean", boolean=True),
]  # fmt: skip

BAD_CASES = [
    Case("bad_query_method", "PUT", f"/sparql/?query=ASK%20%7B%7D&{DG0}", FORM, status=4,
         message="method PUT is not allowed"),
    Case("bad_multiple_queries", "GET", "/sparql/?query=ASK%20%7B%7D&query=SELECT%20%2A%20%7B%7D",
         status=4, message="2 query parameters"),
    Case("bad_query_wrong_media_type", "POST", "/sparql/", "text/plain", "ASK {}", status=4,
         message="'text/plain'"),
    Case("bad_query_missing_form_type", "POST", "/sparql/", None, "query=ASK%20%7B%7D", status=4,
         message="no Content-Type"),
    Case("bad_query_missing_direct_type", "POST", "/sparql/", None, "ASK {}", status=4,
         message="no Content-Type"),
    Case("bad_query_non_utf8", "POST", "/sparql/", f"{DIRECT}; charset=UTF-16", "ASK {}",
         encoding="utf-16", status=4, message="charset=UTF-16"),
    Case("bad_query_syntax", "GET", "/sparql/?query=ASK%20%7B", status=4,
         message="SPARQL syntax error at line 1, column 5: the query ends before the { on line 1"),
    Case("bad_update_get", "GET", "/sparql/?update=CLEAR%20ALL", status=4, message=UPDATES_REFUSED),
    Case("bad_multiple_updates", "POST", "/sparql/", FORM,
         "update=CLEAR%20NAMED&update=CLEAR%20DEFAULT", status=4, message=UPDATES_REFUSED),
    Case("bad_update_wrong_media_type", "POST", "/sparql/", "text/plain", "CLEAR NAMED", status=4,
         message="'text/plain'"),
    Case("bad_update_missing_form_type", "POST", "/sparql/", None, "update=CLEAR%20NAMED",
         status=4, message="no Content-Type"),
    Case("bad_update_non_utf8", "POST", "/sparql/", f"{UPDATE}; charset=UTF-16", "CLEAR NAMED",
         encoding="utf-16", status=4, message=UPDATES_REFUSED),
    Case("bad_update_syntax", "POST", "/sparql/", FORM, "update=CLEAR%20XYZ", status=4,
         message=UPDATES_REFUSED),
    Case("bad_update_dataset_conflict", "POST",
         "/sparql/?using-named-graph-uri=http%3A%2F%2Fexample%2Fpeople", UPDATE,
         "PREFIX foaf:  <http://xmlns.com/foaf/0.1/>\nWITH <http://example/addresses>\n"
         "DELETE { ?person foaf:givenName 'Bill' }\nINSERT { ?person foaf:givenName 'William' }\n"
         "WHERE {\n    ?person foaf:givenName 'Bill'\n}", status=4, message=UPDATES_REFUSED),
]  # fmt: skip

# The manifest's update tests, first request (the update itself), abridged: the update endpoint
# is another issue, and /sparql must refuse them.
UPDATE_REQUESTS = [
    Case("update_dataset_default_graph", "POST", "/sparql/?using-graph-uri=http%3A%2F%2Fkasei.us"
         "%2F2009%2F09%2Fsparql%2Fdata%2Fdata1.rdf", UPDATE, "CLEAR ALL"),
    Case("update_dataset_default_graphs", "POST", "/sparql/", UPDATE, "DROP ALL"),
    Case("update_dataset_named_graphs", "POST", "/sparql/?using-named-graph-uri=http%3A%2F%2F"
         "kasei.us%2F2009%2F09%2Fsparql%2Fdata%2Fdata1.rdf", UPDATE, "DROP ALL"),
    Case("update_dataset_full", "POST", "/sparql/", UPDATE, "DROP ALL"),
    Case("update_post_form", "POST", "/sparql/", FORM, "update=CLEAR+ALL"),
    Case("update_post_direct", "POST", "/sparql/", UPDATE, "CLEAR ALL"),
    Case("update_base_uri", "POST", "/sparql/", UPDATE,
         "CLEAR SILENT GRAPH <http://example.org/protocol-base-test/> ;\nINSERT DATA { GRAPH "
         "<http://example.org/protocol-base-test/> { <http://example.org/s> "
         "<http://example.org/p> <test> } }"),
]  # fmt: skip

# mf:entries of the manifest, in order.
MANIFEST_ENTRIES = (
    "query_post_form",
    "query_dataset_default_graphs_get",
    "query_dataset_default_graphs_post",
    "query_dataset_named_graphs_post",
    "query_dataset_named_graphs_get",
    "query_dataset_full",
    "query_multiple_dataset",
    "query_get",
    "query_content_type_select",
    "query_content_type_ask",
    "query_content_type_describe",
    "query_content_type_construct",
    "update_dataset_default_graph",
    "update_dataset_default_graphs",
    "update_dataset_named_graphs",
    "update_dataset_full",
    "update_post_form",
    "update_post_direct",
    "update_base_uri",
    "query_post_direct",
    "bad_query_method",
    "bad_multiple_queries",
    "bad_query_wrong_media_type",
    "bad_query_missing_form_type",
    "bad_query_missing_direct_type",
    "bad_query_non_utf8",
    "bad_query_syntax",
    "bad_update_get",
    "bad_multiple_updates",
    "bad_update_wrong_media_type",
    "bad_update_missing_form_type",
    "bad_update_non_utf8",
    "bad_update_syntax",
    "bad_update_dataset_conflict",
)


@pytest.fixture(scope="module")
def clients(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[dict[tuple[str, ...], TestClient]]:
    """One server per graph set the manifest uses, each on a built store holding exactly the named
    W3C data files, in the graphs the manifest names (the query workers open the same store)."""
    servers: dict[tuple[str, ...], TestClient] = {}
    with contextlib.ExitStack() as stack:
        for files in sorted({case.graphs for case in (*QUERY_CASES, *BAD_CASES, *UPDATE_REQUESTS)}):
            directory = tmp_path_factory.mktemp("w3c-" + ("-".join(files) or "empty"))
            shipped = [
                GraphFile(
                    W3C_FIXTURES / name, DATA + name.replace(".nt", ".rdf"), "application/n-triples"
                )
                for name in files
            ]
            build_store(directory, shipped)
            client = TestClient(create_app(Settings(store=directory)))
            servers[files] = stack.enter_context(client)
        yield servers


def send(clients: dict[tuple[str, ...], TestClient], case: Case) -> httpx.Response:
    """Send the case's request to the server holding exactly its graph data."""
    headers = {"content-type": case.content_type} if case.content_type else {}
    body = case.body.encode(case.encoding) if case.body is not None else None
    response: httpx.Response = clients[case.graphs].request(
        case.method, case.path, content=body, headers=headers
    )
    return response


def media_type(response: httpx.Response) -> str:
    return response.headers["content-type"].split(";")[0].strip()


def boolean_of(response: httpx.Response) -> bool:
    """The ASK result, read by the results parser of its content type (JSON or XML)."""
    result = parse_query_results(
        response.content, format=QueryResultsFormat.from_media_type(media_type(response))
    )
    assert isinstance(result, QueryBoolean), response.text
    return bool(result)


def test_every_manifest_entry_is_encoded() -> None:
    encoded = [case.name for case in (*QUERY_CASES, *BAD_CASES, *UPDATE_REQUESTS)]
    assert len(MANIFEST_ENTRIES) == 34
    assert sorted(encoded) == sorted(MANIFEST_ENTRIES)
    assert len(QUERY_CASES) == 13


def test_fixture_data_is_there() -> None:
    for name in (D1, D2, D3):
        assert (W3C_FIXTURES / name).read_text(encoding="utf-8").count(" .\n") == 1
    assert "W3C" in (W3C_FIXTURES / "LICENSE.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("case", QUERY_CASES, ids=lambda case: case.name)
def test_query(clients: dict[tuple[str, ...], TestClient], case: Case) -> None:
    response = send(clients, case)
    assert 200 <= response.status_code < 400, response.text
    assert response.headers["vary"].startswith("Accept")
    if case.result == "boolean":
        value = boolean_of(response)
        if case.boolean is not None:
            assert value is case.boolean
    elif case.result == "tabular":
        assert media_type(response) in RESULT_TYPES
        assert json.loads(response.text)["results"]["bindings"] == [
            {
                "value": {
                    "type": "literal",
                    "value": "1",
                    "datatype": "http://www.w3.org/2001/XMLSchema#integer",
                }
            }
        ]
    else:
        assert case.result == "RDF"
        graph = rdflib.Graph().parse(data=response.text, format=RDF_TYPES[media_type(response)])
        if case.name == "query_content_type_construct":
            # <s> and <p> resolve against the endpoint's own URL (its base IRI).
            assert set(graph) == {
                (
                    rdflib.URIRef("http://testserver/s"),
                    rdflib.URIRef("http://testserver/p"),
                    rdflib.Literal(1),
                )
            }
        else:
            assert len(graph) == 0


@pytest.mark.parametrize("case", BAD_CASES, ids=lambda case: case.name)
def test_bad_request(clients: dict[tuple[str, ...], TestClient], case: Case) -> None:
    response = send(clients, case)
    assert 400 <= response.status_code < 500
    assert case.message is not None and case.message in response.text
    assert "Traceback" not in response.text
    assert response.headers["vary"].startswith("Accept")


@pytest.mark.parametrize("case", UPDATE_REQUESTS, ids=lambda case: case.name)
def test_update_is_refused_at_sparql(
    clients: dict[tuple[str, ...], TestClient], case: Case
) -> None:
    response = send(clients, case)
    assert response.status_code == 400
    assert response.text.startswith(f"400 Bad Request: {UPDATES_REFUSED}: this server is read-only")


def test_dataset_cases_depend_on_the_protocol_dataset(
    clients: dict[tuple[str, ...], TestClient],
) -> None:
    """Control for query_dataset_*: without data2 in the default graph the ASK is false."""
    case = Case("control", "GET", f"/sparql/?query={ASK_D1_D2}&{DG1}", graphs=(D1, D2))
    assert boolean_of(send(clients, case)) is False
    case = Case("control", "GET", f"/sparql/?query={ASK_GRAPHS}&{NG1}", graphs=(D1, D2))
    assert boolean_of(send(clients, case)) is False
