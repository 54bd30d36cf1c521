"""``/def`` and ``/shapes``: documentation generated from graph/ontology and graph/shapes, with one
anchor per term (so ``/def#Measure`` lands on it), plus the graphs in every RDF format."""

import re

import pytest
import rdflib
from fastapi.testclient import TestClient
from rdflib.namespace import OWL, RDF, SKOS

from sousei_kg.dataset.resources import resource_dir

SOUSEI = "https://w3id.org/sousei-kg/def#"


@pytest.fixture(scope="module")
def ontology() -> rdflib.Graph:
    return rdflib.Graph().parse(resource_dir("ontology") / "sousei.ttl")


def test_def_html_documents_every_term_with_an_anchor(
    client: TestClient, ontology: rdflib.Graph
) -> None:
    page = client.get("/def", headers={"Accept": "text/html", "Accept-Language": "en"}).text
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, SKOS.ConceptScheme, SKOS.Concept)
    terms = {str(s) for kind in kinds for s in ontology.subjects(RDF.type, kind)}
    assert len(terms) == 34  # issue 17: confidenceRank, parentPolicy
    anchors = set(re.findall(r'<section class="term" id="([^"]+)"', page))
    assert {t.removeprefix(SOUSEI) for t in terms} <= anchors
    assert '<section class="term" id="Measure">' in page
    assert "施策" in page and "Measure" in page
    assert "schema:domainIncludes" in page and "rdfs:subClassOf" in page
    # Links to other terms stay on this server.
    assert 'href="http://testserver/def#Output"' in page


def test_def_in_japanese(client: TestClient) -> None:
    page = client.get("/def?lang=ja")
    assert page.headers["content-language"] == "ja"
    assert "クラス" in page.text


@pytest.mark.parametrize(
    ("url", "accept", "parser"),
    [
        ("/def", "text/turtle", "turtle"),
        ("/def.ttl", None, "turtle"),
        ("/def.jsonld", None, "json-ld"),
        ("/def.nt", None, "nt"),
        ("/def.rdf", None, "xml"),
        ("/def", "application/ld+json", "json-ld"),
    ],
)
def test_def_rdf_is_the_ontology_graph(
    client: TestClient, ontology: rdflib.Graph, url: str, accept: str | None, parser: str
) -> None:
    headers = {"Accept": accept} if accept else {}
    response = client.get(url, headers=headers)
    assert response.status_code == 200
    graph = rdflib.Graph().parse(data=response.content, format=parser)
    assert len(graph) == len(ontology)
    assert "alternate" in response.headers["link"]


def test_def_unknown_extension_is_404(client: TestClient) -> None:
    assert client.get("/def.png").status_code == 404


def test_shapes_page_and_rdf(client: TestClient) -> None:
    page = client.get("/shapes?lang=en", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert '<section class="term" id="AttributionShape">' in page.text
    assert "A curated statement carries exactly one sousei:confidence" in page.text
    turtle = client.get("/shapes.ttl")
    graph = rdflib.Graph().parse(data=turtle.content, format="turtle")
    shapes = set(graph.subjects(RDF.type, rdflib.URIRef("http://www.w3.org/ns/shacl#NodeShape")))
    assert len(shapes) > 10


def test_vocabulary_304(client: TestClient) -> None:
    etag = client.get("/def.ttl").headers["etag"]
    assert client.get("/def.ttl", headers={"If-None-Match": etag}).status_code == 304
