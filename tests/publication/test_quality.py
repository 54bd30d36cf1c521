"""Coverage figures as W3C DQV quality measurements (issue 17, "Quality as linked data"): stated on
the dataset in the VoID and in the DCAT description alike, each with its value and its metric
(a ``dqv:Metric`` with definitions), counted from the data once per dataset version.

The expected figures are counted here from the data files with rdflib's own SPARQL engine, never
written down: the data is being edited, and the figures must follow it.
"""

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, SKOS

from conftest import REPO
from sousei_kg.app import create_app
from sousei_kg.config import Settings
from sousei_kg.dataset.knowledge_graph import open_knowledge_graph
from sousei_kg.publication import quality

DQV = Namespace("http://www.w3.org/ns/dqv#")
OA = Namespace("http://www.w3.org/ns/oa#")
ID = "https://w3id.org/sousei-kg/id/"
DATASET = URIRef(ID + "dataset/sousei-kg")
METRIC = ID + "quality/metric/"
REPORT = URIRef(ID + "quality/validation-report")
XSD_DECIMAL = "http://www.w3.org/2001/XMLSchema#decimal"


def described(client: TestClient, path: str) -> Graph:
    response = client.get(path, headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    return Graph().parse(data=response.text, format="turtle")


def figures(data: Graph) -> dict[str, Literal]:
    """Metric slug → value of every measurement of the dataset."""
    found: dict[str, Literal] = {}
    for measurement in data.objects(DATASET, DQV.hasQualityMeasurement):
        assert (measurement, RDF.type, DQV.QualityMeasurement) in data
        assert data.value(measurement, DQV.computedOn) == DATASET
        metric, value = (
            data.value(measurement, DQV.isMeasurementOf),
            data.value(measurement, DQV.value),
        )
        assert isinstance(metric, URIRef) and isinstance(value, Literal)
        found[str(metric).removeprefix(METRIC)] = value
    return found


def expected_from_the_data_files() -> dict[str, int]:
    """The figures, counted by rdflib over the shipped files (another engine, another reading)."""
    source = Graph().parse(REPO / "data" / "strategy-2025.ttl", format="turtle")
    everything = Graph()
    for path in (*sorted((REPO / "data").glob("*.ttl")), REPO / "ontology" / "sousei.ttl"):
        everything.parse(path, format="turtle")
    prefix = "PREFIX sousei: <https://w3id.org/sousei-kg/def#> "

    def one(graph: Graph, query: str) -> int:
        values = [value for row in graph.query(prefix + query) for value in row]  # type: ignore[union-attr]
        return int(values[0].toPython()) if isinstance(values[0], Literal) else 0

    counts = {
        "named-measures": one(source, "SELECT (COUNT(DISTINCT ?m) AS ?n) { ?m a sousei:Measure }"),
        "declared-measures": one(
            source,
            "SELECT (SUM(?c) AS ?n) { ?s a sousei:Strategy ; sousei:declaredMeasureCount ?c }",
        ),
        "listed-indicators": one(
            everything,
            "SELECT (COUNT(DISTINCT ?i) AS ?n) { ?e sousei:level ?l ; sousei:hasKPI ?i }",
        ),
        "declared-indicators": one(
            everything,
            "SELECT (SUM(?c) AS ?n) "
            "{ ?l a sousei:LogicModelLevel ; sousei:declaredIndicatorCount ?c }",
        ),
    }
    for row in everything.query(
        prefix + "SELECT ?level (COUNT(DISTINCT ?a) AS ?n) WHERE { "
        "?level <http://www.w3.org/2004/02/skos/core#inScheme> sousei:ConfidenceScheme . "
        "OPTIONAL { ?a a sousei:Attribution ; sousei:confidence ?level } } GROUP BY ?level"
    ):
        level, count = list(row)  # type: ignore[arg-type]
        local = str(level).rsplit("#", 1)[-1]
        slug = "attributions" + "".join("-" + c.lower() if c.isupper() else c for c in local)
        assert isinstance(count, Literal)
        counts[slug] = int(count.toPython())
    return counts


@pytest.fixture(scope="module")
def void(client: TestClient) -> Graph:
    return described(client, "/.well-known/void")


@pytest.fixture(scope="module")
def dcat(client: TestClient) -> Graph:
    return described(client, "/dataset")


def test_the_figures_are_the_datas(void: Graph) -> None:
    expected = expected_from_the_data_files()
    stated = figures(void)
    for slug, count in expected.items():
        assert int(stated[slug].toPython()) == count, slug
    measures = expected["named-measures"] / expected["declared-measures"]
    indicators = expected["listed-indicators"] / expected["declared-indicators"]
    assert float(stated["measure-coverage"].toPython()) == pytest.approx(measures, abs=5e-5)
    assert float(stated["indicator-coverage"].toPython()) == pytest.approx(indicators, abs=5e-5)
    assert stated["measure-coverage"].datatype == URIRef(XSD_DECIMAL)
    levels = [slug for slug in expected if slug.startswith("attributions-")]
    assert len(levels) == 4, "one figure per confidence level of the vocabulary"
    assert set(stated) == set(expected) | {"measure-coverage", "indicator-coverage"}


def test_void_and_dcat_state_the_same_measurements(void: Graph, dcat: Graph) -> None:
    assert figures(void) == figures(dcat)
    for data in (void, dcat):
        annotation = data.value(DATASET, DQV.hasQualityAnnotation)
        assert annotation is not None
        assert data.value(annotation, OA.hasBody) == REPORT
        assert data.value(annotation, OA.hasTarget) == DATASET


@pytest.mark.parametrize("path", ["/.well-known/void", "/dataset"])
def test_each_metric_is_defined(client: TestClient, path: str) -> None:
    data = described(client, path)
    metrics = set(data.objects(None, DQV.isMeasurementOf))
    assert metrics
    for metric in metrics:
        assert (metric, RDF.type, DQV.Metric) in data
        for predicate in (SKOS.definition, SKOS.prefLabel):
            languages = {
                text.language
                for text in data.objects(metric, predicate)
                if isinstance(text, Literal)
            }
            assert languages == {"ja", "en"}, (metric, predicate)
        datatype = data.value(metric, DQV.expectedDataType)
        assert datatype is not None and data.value(metric, DQV.inDimension) is not None
        for measurement in data.subjects(DQV.isMeasurementOf, metric):
            value = data.value(measurement, DQV.value)
            assert isinstance(value, Literal) and value.datatype == datatype


def test_a_small_dataset_states_only_what_it_can(resources: Path) -> None:
    """Two measures named, no declared count and no confidence scheme: no coverage ratio (it
    would have no denominator) and no attribution figure."""
    (resources / "queries").mkdir(exist_ok=True)
    with TestClient(create_app(Settings(resources=resources))) as client:
        stated = figures(described(client, "/.well-known/void"))
    assert {slug: int(v.toPython()) for slug, v in stated.items()} == {
        "named-measures": 2,
        "listed-indicators": 0,
    }


def test_counted_once_per_version_when_first_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[object] = []
    compute = quality.compute_measurements

    def counting(store: object) -> tuple[quality.Measurement, ...]:
        calls.append(store)
        return compute(store)  # type: ignore[arg-type]

    monkeypatch.setattr(quality, "compute_measurements", counting)
    graph = open_knowledge_graph(Settings())
    assert calls == []
    first = quality.quality_measurements(graph)
    assert quality.quality_measurements(graph) is first
    assert len(calls) == 1
    other = open_knowledge_graph(Settings())  # another version object: counted afresh
    quality.quality_measurements(other)
    assert len(calls) == 2
