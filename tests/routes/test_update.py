"""``/update``: validated before commit, atomic, audited, visible to queries after the 2xx (issue 5).

One app on a small built store (its shapes require a label on every measure), with a write token.
"""

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import rdflib
from fastapi.testclient import TestClient

from sousei_kg.app import create_app
from sousei_kg.sparql.query_protocol import ProtocolError
from sousei_kg.sparql.update_protocol import UpdateRequest, parse_update_request, with_using
from sousei_kg.store.directory import AUDIT_FILE
from sousei_kg.writes.audit import read_records
from write_support import (
    CURATION,
    READER,
    SOUSEI,
    UPDATE,
    WRITER,
    insert_measure,
    listener,
    small_store,
    write_settings,
)

SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
COUNT_MEASURES = (
    "SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE { ?m a <https://w3id.org/sousei-kg/def#Measure> }"
)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return small_store(tmp_path_factory.mktemp("update"))


@pytest.fixture(scope="module")
def client(store: tuple[Path, Path]) -> Iterator[TestClient]:
    with TestClient(create_app(write_settings(*store))) as client:
        yield client


def measures(client: TestClient) -> int:
    response = client.get("/sparql", params={"query": COUNT_MEASURES})
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def version(client: TestClient) -> str:
    return str(client.get("/health").headers["x-dataset-version"])


def test_conforming_write_commits_and_is_seen_at_once(
    client: TestClient, store: tuple[Path, Path]
) -> None:
    before, count = version(client), measures(client)
    body = insert_measure("conforming")
    response = client.post("/update", content=body, headers={"Content-Type": UPDATE, **WRITER})
    assert response.status_code == 200, response.text
    assert response.json()["added"] == 2
    # Published before the 2xx: the next query (a worker process) and every header see it.
    assert measures(client) == count + 1
    assert version(client) == response.json()["dataset_version"] != before
    records = [r for r in read_records(store[0] / AUDIT_FILE) if r["event"] == "write"]
    assert records[-1]["version_after"] == response.json()["dataset_version"]
    assert records[-1]["added"] == 2 and records[-1]["removed"] == 0
    assert (
        json.loads(store[0].joinpath("manifest.json").read_text())["version_hash"]
        == (response.json()["dataset_version"])
    )


@pytest.mark.parametrize(
    ("accept", "fmt"), [("text/turtle", "turtle"), ("application/ld+json", "json-ld")]
)
def test_violating_write_is_refused_with_the_report(
    client: TestClient, accept: str, fmt: str
) -> None:
    before, count = version(client), measures(client)
    response = client.post(
        "/update",
        content=insert_measure("unlabelled", label=False),
        headers={"Content-Type": UPDATE, "Accept": accept, **WRITER},
    )
    assert response.status_code == 409
    assert response.headers["content-type"].startswith(accept)
    report = rdflib.Graph().parse(data=response.text, format=fmt)
    assert (None, rdflib.RDF.type, SH.ValidationReport) in report
    assert (None, SH.conforms, rdflib.Literal(False)) in report
    assert (None, SH.focusNode, rdflib.URIRef(SOUSEI + "id/measure/unlabelled")) in report
    assert version(client) == before and measures(client) == count


@pytest.mark.parametrize(
    "text",
    [
        f"INSERT DATA {{ GRAPH <{SOUSEI}graph/shapes> {{ <urn:a> <urn:b> <urn:c> }} }}",
        f"DROP GRAPH <{SOUSEI}graph/ontology>",
        "DROP ALL",
        f"DELETE WHERE {{ GRAPH <{SOUSEI}graph/shapes> {{ ?s ?p ?o }} }}",
    ],
    ids=["insert-into-shapes", "drop-ontology", "drop-all", "delete-shapes"],
)
def test_ontology_and_shapes_are_read_only(client: TestClient, text: str) -> None:
    before = version(client)
    response = client.post("/update", content=text, headers={"Content-Type": UPDATE, **WRITER})
    assert response.status_code == 403
    assert "read-only" in response.text
    assert version(client) == before


@pytest.mark.live
@pytest.mark.parametrize("keyword", ["LOAD", "SERVICE"])
def test_load_and_service_are_refused_without_a_connection(
    client: TestClient, keyword: str
) -> None:
    with listener() as (url, connections):
        text = (
            f"LOAD <{url}data.ttl> INTO GRAPH <urn:g>"
            if keyword == "LOAD"
            else f"INSERT {{ <urn:a> <urn:b> ?o }} WHERE {{ SERVICE <{url}sparql> {{ ?s ?p ?o }} }}"
        )
        response = client.post("/update", content=text, headers={"Content-Type": UPDATE, **WRITER})
    assert response.status_code == 400
    assert f"{keyword} is not allowed" in response.text
    assert connections == []


def test_updates_only_by_post_and_never_at_sparql(client: TestClient) -> None:
    response = client.get("/update", params={"update": "CLEAR ALL"}, headers=WRITER)
    assert response.status_code == 405 and response.headers["allow"].startswith("POST")
    response = client.post("/sparql", content="CLEAR ALL", headers={"Content-Type": UPDATE})
    assert response.status_code == 400


def test_syntax_error_is_400(client: TestClient) -> None:
    response = client.post(
        "/update", content="INSERT DATA { <a> ", headers={"Content-Type": UPDATE, **WRITER}
    )
    assert response.status_code == 400
    assert "SPARQL syntax error" in response.text


def test_read_token_cannot_update(client: TestClient) -> None:
    response = client.post(
        "/update", content=insert_measure("by-reader"), headers={"Content-Type": UPDATE, **READER}
    )
    assert response.status_code == 403


def test_nondeterministic_update_commits_what_was_validated(client: TestClient) -> None:
    """The store receives the validated change itself, so UUID() is the same value twice."""
    text = (
        f"INSERT {{ GRAPH <{CURATION}> {{ <urn:x> <urn:id> ?u }} }} WHERE {{ BIND(UUID() AS ?u) }}"
    )
    response = client.post("/update", content=text, headers={"Content-Type": UPDATE, **WRITER})
    assert response.status_code == 200
    rows = client.get("/sparql", params={"query": "SELECT ?u { <urn:x> <urn:id> ?u }"}).json()
    assert len(rows["results"]["bindings"]) == 1


def test_using_parameters_become_using_clauses() -> None:
    request = UpdateRequest(
        "PREFIX ex: <urn:ex:>\nINSERT { ?s a ex:WHERE } WHERE { ?s ?p 'WHERE' } ;\n"
        "DELETE { ?s ?p ?o } WHERE { { SELECT * WHERE { ?s ?p ?o } } }",
        using_graphs=("urn:g1",),
        using_named_graphs=("urn:n1",),
    )
    text = with_using(request)
    assert text.count("USING <urn:g1> USING NAMED <urn:n1> WHERE") == 2
    assert "SELECT * WHERE" in text  # a nested WHERE is left alone


@pytest.mark.parametrize(
    "text",
    [
        "WITH <urn:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
        "DELETE { ?s ?p ?o } USING <urn:g> WHERE { ?s ?p ?o }",
        "DELETE WHERE { ?s ?p ?o }",
    ],
)
def test_using_parameters_conflicts_are_400(text: str) -> None:
    with pytest.raises(ProtocolError) as raised:
        with_using(UpdateRequest(text, using_graphs=("urn:g",)))
    assert raised.value.rule == "malformed"


def test_form_update_is_parsed() -> None:
    parsed = parse_update_request(
        "POST",
        "application/x-www-form-urlencoded",
        b"",
        b"update=CLEAR+ALL&using-graph-uri=urn%3Ag",
    )
    assert parsed == UpdateRequest("CLEAR ALL", ("urn:g",), ())
