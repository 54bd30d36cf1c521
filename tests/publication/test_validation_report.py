"""The SHACL validation report of the published dataset, at a dereferenceable IRI (issue 17,
"Quality as linked data"): ``/id/quality/validation-report`` → 303 → a document in HTML, Turtle,
JSON-LD…; the same results as ``sousei-kg validate``; the same bytes for the same version;
validated once per version when first asked for, never by a write."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, SH

from sousei_kg.app import create_app
from sousei_kg.config import Settings
from sousei_kg.dataset.validation import validate_store
from sousei_kg.publication import validation_report
from write_support import UPDATE, WRITER, insert_measure, small_store, write_settings

ID = "https://w3id.org/sousei-kg/id/"
REPORT = URIRef(ID + "quality/validation-report")
DATASET = URIRef(ID + "dataset/sousei-kg")
PROV = Namespace("http://www.w3.org/ns/prov#")
OWL = Namespace("http://www.w3.org/2002/07/owl#")
PATH = "/quality/validation-report"


def report_graph(client: TestClient, fmt: str = "text/turtle") -> Graph:
    response = client.get(PATH, headers={"Accept": fmt})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(fmt)
    return Graph().parse(data=response.content, format="json-ld" if "json" in fmt else "turtle")


def result_keys(data: Graph) -> set[tuple[str, str, str]]:
    """(severity, focus node, message) of every result the report lists."""
    keys = set()
    for result in data.objects(REPORT, SH.result):
        assert (result, RDF.type, SH.ValidationResult) in data
        assert str(result).startswith(str(REPORT) + "#result-")
        keys.add(
            (
                str(data.value(result, SH.resultSeverity)).rsplit("#", 1)[-1],
                str(data.value(result, SH.focusNode)),
                str(data.value(result, SH.resultMessage)),
            )
        )
    return keys


@pytest.fixture(scope="module")
def published(client: TestClient) -> Graph:
    return report_graph(client)


def test_the_iri_leads_to_the_document(client: TestClient) -> None:
    response = client.get("/id/quality/validation-report", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "http://testserver" + PATH


def test_it_is_the_report_validate_prints(client: TestClient, published: Graph) -> None:
    graph = client.app.state.knowledge_graph  # type: ignore[attr-defined]
    outcome = validate_store(graph.store)
    expected = {(r.severity, r.focus_node, r.message) for r in outcome.results}
    assert expected, "the shipped data reports its coverage gaps as warnings"
    assert result_keys(published) == expected
    assert (REPORT, RDF.type, SH.ValidationReport) in published
    # SHACL §3.6.1: sh:conforms is true only when there is no result at all.
    assert published.value(REPORT, SH.conforms) == Literal(not expected)
    assert published.value(REPORT, OWL.versionInfo) == Literal(graph.version)
    assert (REPORT, PROV.wasDerivedFrom, DATASET) in published


@pytest.mark.parametrize("fmt", ["application/ld+json", "application/n-triples"])
def test_other_formats_hold_the_same_report(client: TestClient, published: Graph, fmt: str) -> None:
    response = client.get(PATH, headers={"Accept": fmt})
    assert response.status_code == 200
    parser = "json-ld" if "json" in fmt else "nt"
    assert set(Graph().parse(data=response.content, format=parser)) == set(published)


def test_html_lists_every_result(client: TestClient, published: Graph) -> None:
    response = client.get(PATH, headers={"Accept": "text/html", "Accept-Language": "en"})
    assert response.status_code == 200
    assert "text/html" in response.headers["content-type"]
    assert "no violation: the data conforms" in response.text
    for result in published.objects(REPORT, SH.result):
        assert str(published.value(result, SH.resultMessage)) in response.text
        assert 'id="' + str(result).rsplit("#", 1)[-1] + '"' in response.text


def test_the_same_version_gives_the_same_bytes(client: TestClient) -> None:
    """Results are numbered in a stable order, so replicas serve identical reports."""
    first = client.get(PATH, headers={"Accept": "application/n-triples"}).content
    with TestClient(create_app(Settings())) as other:
        second = other.get(PATH, headers={"Accept": "application/n-triples"}).content
    assert first == second


def test_a_violation_is_reported_and_blank_nodes_are_kept(violating_resources: Path) -> None:
    """The small tree's shapes are blank property shapes: copied with labels of their own."""
    (violating_resources / "queries").mkdir(exist_ok=True)
    with TestClient(create_app(Settings(resources=violating_resources))) as client:
        data = report_graph(client)
        page = client.get(PATH, headers={"Accept": "text/html", "Accept-Language": "en"}).text
    keys = result_keys(data)
    assert ("Violation", ID + "measure/x", "a measure needs a label") in keys
    assert (
        "Warning",
        ID + "measure/x",
        "Coverage: measure has no responsible organisation",
    ) in keys
    shape = next(iter(data.objects(None, SH.sourceShape)))
    assert data.value(shape, SH.path) is not None, "the blank source shape is described"
    assert "1 violation(s): the data does not conform" in page


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[object]]:
    calls: list[object] = []

    def counting(store: object, **kwargs: object) -> object:
        calls.append(store)
        return validate_store(store, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(validation_report, "validate_store", counting)
    yield calls


def test_validated_when_first_asked_and_never_by_a_write(
    tmp_path: Path, counted: list[object]
) -> None:
    store, resources = small_store(tmp_path)
    with TestClient(create_app(write_settings(store, resources))) as client:
        client.get("/dataset")
        client.get("/.well-known/void")
        assert counted == [], "the descriptions link the report without validating"
        before = report_graph(client)
        report_graph(client, "application/ld+json")  # another body, the same report
        client.get(PATH, headers={"Accept": "text/html"})
        assert len(counted) == 1
        response = client.post(
            "/update",
            content=insert_measure("y"),
            headers={**WRITER, "Content-Type": UPDATE},
        )
        assert response.status_code == 200, response.text
        assert len(counted) == 1, "the write did not validate the published report"
        after = report_graph(client)
        assert len(counted) == 2, "the new version's report is validated when asked for"
    assert ("Warning", ID + "measure/y", "Coverage: measure has no responsible organisation") in (
        result_keys(after) - result_keys(before)
    )
