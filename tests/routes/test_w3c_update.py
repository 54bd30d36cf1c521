"""The W3C SPARQL 1.1 Protocol test suite, update side (w3c/rdf-tests, sparql/sparql11/protocol/,
manifest.ttl at commit ad541a5), against ``/update``.

Each manifest entry is encoded by hand, like the query side in ``test_w3c_protocol.py``: the
update request verbatim, with the manifest's ``/sparql/`` replaced by our update endpoint
``/update/`` (the suite's README says to use the endpoint's path) and a write token added (the
suite assumes an open endpoint; ours needs one); the follow-up ASK goes to ``/sparql/`` and must
be true at once (a write is published before its 2xx). The store holds the W3C data files in the
graphs they name, and writes are validated against the shipped shapes, which these graphs meet.
"""

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from pyoxigraph import QueryBoolean, QueryResultsFormat, parse_query_results

from conftest import FIXTURES
from sousei_kg.app import create_app
from sousei_kg.config import Settings
from sousei_kg.store.directory import build_store
from sousei_kg.store.loading import GraphFile
from write_support import WRITE

W3C_FIXTURES = FIXTURES / "w3c-protocol"
DATA = "http://kasei.us/2009/09/sparql/data/"
FORM = "application/x-www-form-urlencoded"
UPDATE = "application/sparql-update"
AUTH = {"Authorization": f"Bearer {WRITE}"}
PREFIXES = "PREFIX dc: <http://purl.org/dc/terms/>\nPREFIX foaf: <http://xmlns.com/foaf/0.1/>\n"
U1 = "using-graph-uri=http%3A%2F%2Fkasei.us%2F2009%2F09%2Fsparql%2Fdata%2Fdata1.rdf"
U2 = "using-graph-uri=http%3A%2F%2Fkasei.us%2F2009%2F09%2Fsparql%2Fdata%2Fdata2.rdf"
N1 = "using-named-graph-uri=http%3A%2F%2Fkasei.us%2F2009%2F09%2Fsparql%2Fdata%2Fdata1.rdf"
N2 = "using-named-graph-uri=http%3A%2F%2Fkasei.us%2F2009%2F09%2Fsparql%2Fdata%2Fdata2.rdf"
THREE_DOCUMENTS = """DROP ALL ;
INSERT DATA {
    GRAPH <http://kasei.us/2009/09/sparql/data/data1.rdf> { <http://kasei.us/2009/09/sparql/data/data1.rdf> a foaf:Document }
    GRAPH <http://kasei.us/2009/09/sparql/data/data2.rdf> { <http://kasei.us/2009/09/sparql/data/data2.rdf> a foaf:Document }
    GRAPH <http://kasei.us/2009/09/sparql/data/data3.rdf> { <http://kasei.us/2009/09/sparql/data/data3.rdf> a foaf:Document }
} ;
"""


def graphs_ask(
    graph: str, data3: str = "a <http://purl.org/dc/terms/BibliographicResource>"
) -> str:
    return f"""ASK {{
    GRAPH <{graph}> {{
        <http://kasei.us/2009/09/sparql/data/data1.rdf> a <http://purl.org/dc/terms/BibliographicResource> .
        <http://kasei.us/2009/09/sparql/data/data2.rdf> a <http://purl.org/dc/terms/BibliographicResource> .
    }}
    FILTER NOT EXISTS {{
        GRAPH <{graph}> {{
            <http://kasei.us/2009/09/sparql/data/data3.rdf> {data3} .
        }}
    }}
}}"""


@dataclass(frozen=True)
class Case:
    """One manifest entry: the update request, then the ASK that must be true (if any)."""

    name: str
    path: str
    content_type: str | None
    body: str
    ask: str | None = None
    method: str = "POST"
    encoding: str = "utf-8"
    message: str | None = None  # for 4xx: what our body must say


UPDATE_CASES = [
    Case("update_dataset_default_graph", f"/update/?{U1}", UPDATE, PREFIXES + """CLEAR ALL ;
INSERT DATA {
    GRAPH <http://kasei.us/2009/09/sparql/data/data1.rdf> {
        <http://kasei.us/2009/09/sparql/data/data1.rdf> a foaf:Document
    }
} ;
INSERT {
    GRAPH <http://example.org/protocol-update-dataset-test/> {
        ?s a dc:BibliographicResource
    }
}
WHERE {
    ?s a foaf:Document
}""", """ASK {
    GRAPH <http://example.org/protocol-update-dataset-test/> {
        <http://kasei.us/2009/09/sparql/data/data1.rdf> a <http://purl.org/dc/terms/BibliographicResource>
    }
}"""),
    Case("update_dataset_default_graphs", f"/update/?{U1}&{U2}", UPDATE,
         PREFIXES + THREE_DOCUMENTS + """INSERT {
    GRAPH <http://example.org/protocol-update-dataset-graphs-test/> {
        ?s a dc:BibliographicResource
    }
}
WHERE {
    ?s a foaf:Document
}""", graphs_ask("http://example.org/protocol-update-dataset-graphs-test/")),
    Case("update_dataset_named_graphs", f"/update/?{N1}&{N2}", UPDATE,
         PREFIXES + THREE_DOCUMENTS + """INSERT {
    GRAPH <http://example.org/protocol-update-dataset-named-graphs-test/> {
        ?s a dc:BibliographicResource
    }
}
WHERE {
    GRAPH ?g {
        ?s a foaf:Document
    }
}""", graphs_ask("http://example.org/protocol-update-dataset-named-graphs-test/")),
    Case("update_dataset_full", f"/update/?{U1}&{N2}", UPDATE,
         PREFIXES + THREE_DOCUMENTS + """INSERT {
    GRAPH <http://example.org/protocol-update-dataset-full-test/> {
        ?s <http://example.org/in> ?in
    }
}
WHERE {
    {
        GRAPH ?g { ?s a foaf:Document }
        BIND(?g AS ?in)
    }
    UNION
    {
        ?s a foaf:Document .
        BIND("default" AS ?in)
    }
}""", """ASK {
    GRAPH <http://example.org/protocol-update-dataset-full-test/> {
        <http://kasei.us/2009/09/sparql/data/data1.rdf> <http://example.org/in> "default" .
        <http://kasei.us/2009/09/sparql/data/data2.rdf> <http://example.org/in> <http://kasei.us/2009/09/sparql/data/data2.rdf> .
    }
    FILTER NOT EXISTS {
        GRAPH <http://example.org/protocol-update-dataset-full-test/> {
            <http://kasei.us/2009/09/sparql/data/data3.rdf> ?p ?o
        }
    }
}"""),
    Case("update_post_form", "/update/", FORM, "update=CLEAR+ALL"),
    Case("update_post_direct", "/update/", UPDATE, "CLEAR ALL"),
    Case("update_base_uri", "/update/", UPDATE,
         "CLEAR SILENT GRAPH <http://example.org/protocol-base-test/> ;\nINSERT DATA { GRAPH "
         "<http://example.org/protocol-base-test/> { <http://example.org/s> "
         "<http://example.org/p> <test> } }", """ASK {
    GRAPH <http://example.org/protocol-base-test/> {
        <http://example.org/s> <http://example.org/p> ?o
        FILTER (isIRI(?o) && STR(?o) != "test")
    }
}"""),
]  # fmt: skip

BAD_CASES = [
    Case("bad_update_get", "/update/?update=CLEAR%20ALL", None, "", method="GET",
         message="method GET is not allowed"),
    Case("bad_multiple_updates", "/update/", FORM,
         "update=CLEAR%20NAMED&update=CLEAR%20DEFAULT", message="2 update parameters"),
    Case("bad_update_wrong_media_type", "/update/", "text/plain", "CLEAR NAMED",
         message="'text/plain'"),
    Case("bad_update_missing_form_type", "/update/", None, "update=CLEAR%20NAMED",
         message="no Content-Type"),
    Case("bad_update_non_utf8", "/update/", f"{UPDATE}; charset=UTF-16", "CLEAR NAMED",
         encoding="utf-16", message="charset=UTF-16"),
    Case("bad_update_syntax", "/update/", FORM, "update=CLEAR%20XYZ",
         message="SPARQL syntax error"),
    Case("bad_update_dataset_conflict", "/update/?using-named-graph-uri=http%3A%2F%2Fexample%2F"
         "people", UPDATE,
         "PREFIX foaf:  <http://xmlns.com/foaf/0.1/>\nWITH <http://example/addresses>\n"
         "DELETE { ?person foaf:givenName 'Bill' }\nINSERT { ?person foaf:givenName 'William' }\n"
         "WHERE {\n    ?person foaf:givenName 'Bill'\n}", message="only one of them"),
]  # fmt: skip


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """A writable store holding the three W3C data files in the graphs the manifest names."""
    directory = tmp_path_factory.mktemp("w3c-update")
    files = [
        GraphFile(W3C_FIXTURES / f"data{n}.nt", f"{DATA}data{n}.rdf", "application/n-triples")
        for n in (1, 2, 3)
    ]
    build_store(directory, files)
    settings = Settings(store=directory, write_tokens=[WRITE], query_workers=1, rate_limit=False)
    with TestClient(create_app(settings)) as client:
        yield client


def send(client: TestClient, case: Case) -> int:
    headers = {**AUTH, **({"Content-Type": case.content_type} if case.content_type else {})}
    body = case.body.encode(case.encoding) if case.body else None
    response = client.request(case.method, case.path, content=body, headers=headers)
    if case.message is not None:
        assert case.message in response.text, response.text
    status: int = response.status_code
    return status


def ask(client: TestClient, query: str) -> bool:
    response = client.post(
        "/sparql/", content=query, headers={"Content-Type": "application/sparql-query"}
    )
    assert response.status_code == 200, response.text
    result = parse_query_results(response.content, format=QueryResultsFormat.JSON)
    assert isinstance(result, QueryBoolean)
    return bool(result)


def test_every_update_entry_is_encoded() -> None:
    """14 update entries in the manifest; 34 entries in all, the query ones in
    test_w3c_protocol.py."""
    assert len(UPDATE_CASES) + len(BAD_CASES) == 14


@pytest.mark.parametrize("case", UPDATE_CASES, ids=lambda case: case.name)
def test_update(client: TestClient, case: Case) -> None:
    assert 200 <= send(client, case) < 400
    if case.ask is not None:
        assert ask(client, case.ask) is True


def test_clear_all_empties_the_store(client: TestClient) -> None:
    """Control for update_post_*: CLEAR ALL really ran (not just answered 2xx)."""
    send(client, Case("fill", "/update/", UPDATE, "INSERT DATA { <urn:s> <urn:p> <urn:o> }"))
    assert ask(client, "ASK { ?s ?p ?o }") is True
    send(client, UPDATE_CASES[5])
    assert ask(client, "ASK { ?s ?p ?o }") is False


def test_without_using_parameters_the_where_reads_the_union(client: TestClient) -> None:
    """Control for update_dataset_*: with using-graph-uri the WHERE reads those graphs; without,
    it reads what every query reads as its default graph, the union of the named graphs
    (docs/writes.md), so a document in data2 is found only without the parameter."""
    only_data1 = Case(
        "control-using",
        f"/update/?{U1}",
        UPDATE,
        PREFIXES
        + THREE_DOCUMENTS
        + """
INSERT { GRAPH <urn:control:using> { ?s a dc:BibliographicResource } }
WHERE { ?s a foaf:Document }""",
    )
    union = Case(
        "control-union",
        "/update/",
        UPDATE,
        PREFIXES
        + THREE_DOCUMENTS
        + """
INSERT { GRAPH <urn:control:union> { ?s a dc:BibliographicResource } }
WHERE { ?s a foaf:Document }""",
    )
    data = "<http://kasei.us/2009/09/sparql/data/data{}.rdf> a <http://purl.org/dc/terms/BibliographicResource>"
    assert 200 <= send(client, union) < 300  # each case starts with DROP ALL: ask in between
    assert ask(client, f"ASK {{ GRAPH <urn:control:union> {{ {data.format(2)} }} }}") is True
    assert 200 <= send(client, only_data1) < 300
    assert ask(client, f"ASK {{ GRAPH <urn:control:using> {{ {data.format(1)} }} }}") is True
    assert ask(client, f"ASK {{ GRAPH <urn:control:using> {{ {data.format(2)} }} }}") is False


@pytest.mark.parametrize("case", BAD_CASES, ids=lambda case: case.name)
def test_bad_update(client: TestClient, case: Case) -> None:
    assert 400 <= send(client, case) < 500
