"""Every SPARQL Update operation through its error cases (issue 15): each error is the client's,
a 4xx with a short reason (never a 500 or a traceback), and nothing changes. And the one dataset:
an update's WHERE reads the union of the named graphs, as a query does, and no write may target
the default graph."""

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from sousei_kg.app import create_app
from write_support import (
    CURATION,
    SOUSEI,
    UPDATE,
    WRITER,
    insert_measure,
    small_store,
    write_settings,
)

G = "urn:test:g"
MISSING = "urn:test:missing"
STRATEGY = SOUSEI + "graph/strategy-2025"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    store, resources = small_store(tmp_path_factory.mktemp("update-errors"))
    settings = write_settings(store, resources, max_write_quads=50, max_literal_bytes=100)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        ok = client.post("/update", content=f"CREATE GRAPH <{G}>", headers=headers())
        assert ok.status_code == 200, ok.text
        yield client


def headers() -> dict[str, str]:
    return {"Content-Type": UPDATE, **WRITER}


def version(client: TestClient) -> str:
    value: str = client.get("/health").json()["dataset_version"]
    return value


@pytest.mark.parametrize(
    ("text", "status", "says"),
    [
        (f"CREATE GRAPH <{G}>", 409, "already exists"),
        (f"DROP GRAPH <{MISSING}>", 404, "does not exist"),
        (f"CLEAR GRAPH <{MISSING}>", 404, "does not exist"),
        (f"MOVE <{MISSING}> TO <{G}>", 404, "does not exist"),
        ("CLEAR XYZ", 400, "SPARQL syntax error"),
        (f"LOAD <http://127.0.0.1:9/x> INTO GRAPH <{G}>", 400, "LOAD is not allowed"),
        ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", 400, "INSERT DATA without GRAPH"),
        ("DELETE DATA { <urn:a> <urn:b> <urn:c> }", 400, "DELETE DATA without GRAPH"),
        ("DELETE WHERE { ?s <urn:b> ?o }", 400, "DELETE WHERE without GRAPH"),
        ("DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", 400, "DELETE {…} without GRAPH"),
        (
            f'INSERT {{ ?m <{LABEL}> "x"@en }} WHERE {{ ?m <{LABEL}> "施策A"@ja }}',
            400,
            "INSERT {…} without GRAPH",
        ),
        ("CLEAR DEFAULT", 400, "CLEAR DEFAULT"),
        ("DROP SILENT DEFAULT", 400, "DROP DEFAULT"),
        (f"COPY <{CURATION}> TO DEFAULT", 400, "COPY … DEFAULT"),
        (f"ADD DEFAULT TO <{G}>", 400, "ADD … DEFAULT"),
        (f"DROP GRAPH <{SOUSEI}graph/shapes>", 403, "read-only"),
        (
            f'INSERT DATA {{ GRAPH <{G}> {{ <urn:s> <urn:p> "{"x" * 200}" }} }}',
            413,
            "literal of 200 bytes",
        ),
        (
            "INSERT DATA { GRAPH <"
            + G
            + "> { "
            + " ".join(f"<urn:s{n}> <urn:p> {n} ." for n in range(60))
            + " } }",
            413,
            "changes 60 quads",
        ),
    ],
)
def test_update_errors_are_the_clients(
    client: TestClient, caplog: pytest.LogCaptureFixture, text: str, status: int, says: str
) -> None:
    before = version(client)
    with caplog.at_level(logging.WARNING):
        response = client.post("/update", content=text, headers=headers())
    assert response.status_code == status, response.text
    assert says in response.text
    assert "Traceback" not in response.text and "site-packages" not in response.text
    assert version(client) == before
    assert not any(record.exc_info for record in caplog.records)


def test_the_default_graph_refusal_names_the_writable_graphs(client: TestClient) -> None:
    response = client.post("/update", content="CLEAR DEFAULT", headers=headers())
    assert CURATION in response.text and G in response.text
    assert SOUSEI + "graph/shapes" not in response.text  # read-only: not offered


@pytest.mark.parametrize(
    "text",
    [f"CREATE SILENT GRAPH <{G}>", f"DROP SILENT GRAPH <{MISSING}>", "CLEAR SILENT GRAPH <urn:x>"],
)
def test_silent_forms_succeed(client: TestClient, text: str) -> None:
    response = client.post("/update", content=text, headers=headers())
    assert response.status_code == 200, response.text


def test_an_updates_where_reads_the_union_as_queries_do(client: TestClient) -> None:
    """The finding: this WHERE used to read the store's own (empty) default graph and answer
    200 {"added": 0}. It reads the union now, so it finds the measure in the strategy graph."""
    text = (
        f'INSERT {{ GRAPH <{CURATION}> {{ ?m <{LABEL}> "Measure A"@en }} }} '
        f'WHERE {{ ?m <{LABEL}> "施策A"@ja }}'
    )
    response = client.post("/update", content=text, headers=headers())
    assert response.status_code == 200, response.text
    assert response.json()["added"] == 1
    ask = f'ASK {{ GRAPH <{CURATION}> {{ <{SOUSEI}id/measure/a> <{LABEL}> "Measure A"@en }} }}'
    assert client.get("/sparql", params={"query": ask}).json()["boolean"] is True
    # GRAPH patterns in the WHERE still see every named graph.
    text = (
        f"INSERT {{ GRAPH <{G}> {{ ?m <urn:test:in> ?g }} }} "
        f'WHERE {{ GRAPH ?g {{ ?m <{LABEL}> "施策B"@ja }} }}'
    )
    assert client.post("/update", content=text, headers=headers()).json()["added"] == 1
    ask = f"ASK {{ GRAPH <{G}> {{ <{SOUSEI}id/measure/b> <urn:test:in> <{STRATEGY}> }} }}"
    assert client.get("/sparql", params={"query": ask}).json()["boolean"] is True


def test_a_write_past_its_deadline_is_not_committed(tmp_path: Path) -> None:
    """A write that cannot finish within --write-timeout (here 0.2 s: validating the post-state
    takes longer) is stopped and answered 503; the store is unchanged and the next write, with
    time enough, commits."""
    store, resources = small_store(tmp_path)
    for timeout, expected in ((0.001, 503), (60.0, 200)):
        settings = write_settings(store, resources, write_timeout=timeout)
        with TestClient(create_app(settings)) as client:
            before = version(client)
            response = client.post("/update", content=insert_measure("late"), headers=headers())
            assert response.status_code == expected, response.text
            if expected == 503:
                assert "time limit" in response.text and "nothing was changed" in response.text
                assert version(client) == before
            else:
                assert version(client) != before
