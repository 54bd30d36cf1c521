"""The VoID description at /.well-known/void (issue 3): generated from the data, so its counts are
the dumps' and the store's, in every RDF format it is offered in."""

from collections import Counter
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pyoxigraph import NamedNode, RdfFormat, parse
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS
from rdflib.term import Node

from sousei_kg.app import create_app
from sousei_kg.config import Settings

VOID = Namespace("http://rdfs.org/ns/void#")
SOUSEI = Namespace("https://w3id.org/sousei-kg/def#")
DATASET = URIRef("https://w3id.org/sousei-kg/id/dataset/sousei-kg")
UNION = URIRef("https://w3id.org/sousei-kg/id/dataset/sousei-kg-union")
BASE = "http://testserver/"
RDFLIB_FORMATS = {"ttl": "turtle", "nt": "nt", "rdfxml": "xml", "jsonld": "json-ld"}


@pytest.fixture(scope="module")
def void(client: TestClient) -> Graph:
    response = client.get("/.well-known/void", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    return Graph().parse(data=response.text, format="turtle")


def count(graph: Graph, subject: Node, predicate: URIRef = VOID.triples) -> int:
    value = graph.value(subject, predicate)
    assert isinstance(value, Literal), f"{subject} has no {predicate}"
    return int(value.toPython())


def nquads(client: TestClient) -> list[tuple[str, str, str, str]]:
    body = client.get("/download/sousei-kg.nq").content
    return [
        (str(q.subject), str(q.predicate), str(q.object), q.graph_name.value)
        for q in parse(body, format=RdfFormat.N_QUADS)
        if isinstance(q.graph_name, NamedNode)
    ]


@pytest.mark.parametrize("fmt", sorted(RDFLIB_FORMATS))
def test_parses_in_every_offered_format(client: TestClient, void: Graph, fmt: str) -> None:
    response = client.get("/.well-known/void", params={"format": fmt})
    assert response.status_code == 200
    assert response.headers["vary"].startswith("Accept")
    parsed = Graph().parse(data=response.content, format=RDFLIB_FORMATS[fmt])
    assert len(parsed) == len(void)
    assert (DATASET, RDF.type, VOID.Dataset) in parsed


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        ("application/n-triples", "application/n-triples"),
        ("application/ld+json", "application/ld+json"),
        ("application/rdf+xml", "application/rdf+xml"),
        ("*/*", "text/turtle"),
    ],
)
def test_negotiates_by_accept(client: TestClient, accept: str, media_type: str) -> None:
    response = client.get("/.well-known/void", headers={"Accept": accept})
    assert response.headers["content-type"].startswith(media_type)


def test_refuses_unknown_formats(client: TestClient) -> None:
    assert client.get("/.well-known/void", headers={"Accept": "image/png"}).status_code == 406


def test_triples_equal_the_nquads_dump(client: TestClient, void: Graph) -> None:
    quads = nquads(client)
    assert count(void, DATASET) == len(quads) == len(set(quads))
    distinct_triples = {quad[:3] for quad in quads}
    assert count(void, UNION) == len(distinct_triples)
    assert (DATASET, VOID.subset, UNION) in void


def test_one_subset_per_named_graph(client: TestClient, void: Graph) -> None:
    per_graph = Counter(quad[3] for quad in nquads(client))
    assert len(per_graph) == 5
    for graph_iri, quads in per_graph.items():
        assert (DATASET, VOID.subset, URIRef(graph_iri)) in void
        assert count(void, URIRef(graph_iri)) == quads


def test_class_partition_counts_measures(void: Graph) -> None:
    partitions = {
        void.value(p, VOID["class"]): p for p in void.objects(DATASET, VOID.classPartition)
    }
    assert count(void, partitions[SOUSEI.Measure], VOID.entities) == 40
    assert count(void, DATASET, VOID.classes) == len(partitions)


def test_property_partitions_sum_to_the_total(void: Graph) -> None:
    partitions = list(void.objects(DATASET, VOID.propertyPartition))
    assert partitions
    assert sum(count(void, p) for p in partitions) == count(void, DATASET)
    assert count(void, DATASET, VOID.properties) == len(partitions)


def test_statistics_and_vocabularies(void: Graph) -> None:
    for predicate in (VOID.entities, VOID.distinctSubjects, VOID.distinctObjects):
        assert 0 < count(void, DATASET, predicate) <= count(void, DATASET)
    assert void.value(DATASET, VOID.uriSpace) == Literal("https://w3id.org/sousei-kg/id/")
    vocabularies = set(void.objects(DATASET, VOID.vocabulary))
    for vocabulary in (
        "https://w3id.org/sousei-kg/def",
        "http://www.w3.org/2004/02/skos/core#",
        "http://www.w3.org/ns/org#",
        "http://www.w3.org/ns/prov#",
        "http://purl.org/dc/terms/",
    ):
        assert URIRef(vocabulary) in vocabularies
    examples = set(void.objects(DATASET, VOID.exampleResource))
    assert URIRef("https://w3id.org/sousei-kg/id/goal/1") in examples
    assert {str(e).split("/")[-2] for e in examples} == {"goal", "measure", "org"}


def test_links_endpoint_dumps_and_dataset(void: Graph) -> None:
    assert void.value(DATASET, VOID.sparqlEndpoint) == URIRef(BASE + "sparql")
    assert (DATASET, RDFS.seeAlso, URIRef(BASE + "dataset")) in void
    assert void.value(DATASET, DCTERMS.license) == URIRef(
        "https://creativecommons.org/licenses/by/4.0/"
    )
    assert void.value(DATASET, DCTERMS.modified) is not None
    dumps = {str(d) for d in void.objects(DATASET, VOID.dataDump)}
    union_dumps = {str(d) for d in void.objects(UNION, VOID.dataDump)}
    assert {BASE + "download/sousei-kg.nq", BASE + "download/sousei-kg.jsonld.gz"} <= dumps
    assert {BASE + "download/sousei-kg.ttl", BASE + "download/sousei-kg.nt"} <= union_dumps


def test_public_base_changes_urls_not_iris() -> None:
    settings = Settings(public_base_url="https://example.org/kg")
    with TestClient(create_app(settings)) as client:
        response = client.get("/.well-known/void")
    void = Graph().parse(data=response.text, format="turtle")
    assert void.value(DATASET, VOID.sparqlEndpoint) == URIRef("https://example.org/kg/sparql")


def test_html_for_browsers(client: TestClient) -> None:
    response = client.get(
        "/.well-known/void", headers={"Accept": "text/html", "Accept-Language": "en"}
    )
    assert response.headers["content-type"].startswith("text/html")
    assert "Accept" in response.headers["vary"]
    assert "https://w3id.org/sousei-kg/def#Measure" in response.text


def test_small_dataset_keeps_quads_and_union_apart(resources: Path) -> None:
    """The fixture repeats one triple in two graphs: the union is one triple smaller."""
    (resources / "queries").mkdir(exist_ok=True)  # the named-query router wants the folder
    with TestClient(create_app(Settings(resources=resources))) as client:
        void = Graph().parse(data=client.get("/.well-known/void").text, format="turtle")
        quads = list(parse(client.get("/download/sousei-kg.nq").content, format=RdfFormat.N_QUADS))
        triples = list(
            parse(client.get("/download/sousei-kg.nt").content, format=RdfFormat.N_TRIPLES)
        )
    assert count(void, DATASET) == len(quads)
    assert count(void, UNION) == len(triples) == len(quads) - 1
    assert all(isinstance(q.graph_name, NamedNode) for q in quads)
